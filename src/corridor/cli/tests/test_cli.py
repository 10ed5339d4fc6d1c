"""The `corridor` command through its real entry point, as a person or a script runs it."""

import json
import socket
import subprocess
import time
import urllib.request

import pytest

from corridor.testing.cli import CORRIDOR, throwaway_instance

PASSWORD = "a long admin passphrase 7"


def assert_one_line_error(result, command):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"corridor {command}: error: ")


def init(instance, *extra):
    return instance.run(
        "init",
        "--no-input",
        "--admin-username",
        "admin",
        *extra,
        env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD},
    )


@pytest.fixture(scope="module")
def initialised(tmp_path_factory):
    """One instance `corridor init` prepared, shared by the tests that only read it (decision
    0363). A test that runs init itself, or changes what it finds, takes its own cli_instance."""
    with throwaway_instance(tmp_path_factory.mktemp("initialised") / "instance") as instance:
        prepared = init(instance)
        assert prepared.returncode == 0, prepared.stderr
        yield instance


def test_help_lists_every_command(cli_instance):
    result = cli_instance.run("--help")
    assert result.returncode == 0
    for command in ("init", "serve", "demo", "load-demo", "status", "manage"):
        assert command in result.stdout
    assert cli_instance.run("status", "--help").returncode == 0


def test_init_is_idempotent_and_status_reports_counts(cli_instance):
    first = init(cli_instance)
    assert first.returncode == 0, first.stderr
    assert "Administrator 'admin' created." in first.stdout
    second = init(cli_instance)
    assert second.returncode == 0, second.stderr
    assert "created" not in second.stdout.split("Admin units")[1]
    status = cli_instance.run("status", "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["pending_migrations"] == []
    assert data["counts"]["geo.AdminUnit"] == 458
    assert data["counts"]["accounts.User"] == 1
    assert data["database"]["engine"] in {"sqlite", "postgresql"}
    assert "password" not in status.stdout.lower()
    human = cli_instance.run("status")
    assert "Migrations: up to date" in human.stdout


def test_secret_key_is_private_to_its_owner(initialised):
    key = initialised.home / "secret_key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert len(key.read_text().strip()) >= 50


def test_init_without_admin_in_scripts_says_what_to_do(cli_instance):
    result = cli_instance.run("init", "--no-input")
    assert_one_line_error(result, "init")
    assert "--admin-username" in result.stderr


def test_weak_admin_password_is_refused(cli_instance):
    result = cli_instance.run(
        "init", "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": "short"}
    )
    assert_one_line_error(result, "init")
    assert "password refused" in result.stderr


def test_bad_input_gives_one_line_errors(cli_instance):
    assert_one_line_error(cli_instance.run("serve", "--port", "70000"), "serve")
    assert_one_line_error(cli_instance.run("load-demo"), "load-demo")
    bad_env = cli_instance.run("status", env={"CORRIDOR_DEBUG": "maybe"})
    assert_one_line_error(bad_env, "status")
    assert "CORRIDOR_DEBUG" in bad_env.stderr
    unknown = cli_instance.run("frobnicate")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().count("\n") == 0, unknown.stderr
    assert "invalid choice: 'frobnicate'" in unknown.stderr
    not_a_number = cli_instance.run("serve", "--port", "eighty")
    assert not_a_number.returncode == 2
    assert not_a_number.stderr.strip().splitlines() == [
        "corridor serve: error: argument --port: invalid int value: 'eighty' "
        "(see `corridor serve --help`)"
    ]


def test_manage_passes_through_to_django(cli_instance):
    result = cli_instance.run("manage", "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_on_localhost(initialised):
    port = free_port()
    server = subprocess.Popen(
        [CORRIDOR, "serve", "--port", str(port)],
        env=initialised.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/") as response:
                    assert response.status == 200
                    assert "Corridor" in response.read().decode()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "server did not start within 30 s"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_every_command_answers_a_wrong_flag_with_one_line(cli_instance):
    from corridor.cli.main import COMMANDS

    for module in COMMANDS:
        if module.NAME == "manage":
            continue  # everything after `manage` belongs to Django
        result = cli_instance.run(module.NAME, "--no-such-flag")
        assert result.returncode == 2, module.NAME
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (module.NAME, result.stderr)
        assert lines[0].startswith(f"corridor {module.NAME}: error: "), lines[0]


def test_init_asks_a_person_at_a_terminal(cli_instance):
    """A person runs `corridor init` in a terminal and answers its questions."""
    import os
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: a session leader whose controlling terminal is the pty
        os.execve(CORRIDOR, [CORRIDOR, "init"], cli_instance.env)  # noqa: S606

    def read_until(text, timeout=120):
        seen = b""
        deadline = time.monotonic() + timeout
        while text.encode() not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            ready, _, _ = select.select([fd], [], [], 1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # the child closed the terminal
                    break
                seen += chunk
        return seen.decode(errors="replace")

    read_until("user name:")
    os.write(fd, b"fieldlead\n")
    read_until("Password (12 characters or more):")
    os.write(fd, PASSWORD.encode() + b"\n")
    read_until("Password again:")
    os.write(fd, PASSWORD.encode() + b"\n")
    output = read_until("Ready.")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, output
    assert "Administrator 'fieldlead' created." in output
    assert PASSWORD not in output  # not echoed
