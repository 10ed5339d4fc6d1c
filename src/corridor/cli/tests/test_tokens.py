"""`corridor tokens`: in-process (the token then used over HTTP) and through the entry point."""

from __future__ import annotations

from django.test import Client

from corridor.accounts.models import ApiToken, OrgRole
from corridor.cli.main import main
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

PASSWORD = "a long admin passphrase 7"
SEED_ORG = (
    "from corridor.testing.factories import OrganisationFactory; "
    "OrganisationFactory(name='Relief Partner', acronym='RP')"
)


def test_create_list_revoke_in_process(db, capsys):
    org = OrganisationFactory(acronym="RP")
    user = UserFactory(username="sync-bot")
    MembershipFactory(user=user, organisation=org, role=OrgRole.VIEWER)

    assert main(["tokens", "create", "sync-bot", "--org", "RP", "--name", "nightly"]) == 0
    out, err = capsys.readouterr()
    text = out.strip()
    assert text.startswith("crd_")
    assert len(text.splitlines()) == 1
    assert "shown only now" in err
    client = Client()
    answer = client.get("/api/aid/activities/", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert answer.status_code == 200

    # A viewer gets no write token, even from the operator; errors are one line.
    write = ["tokens", "create", "sync-bot", "--org", "RP", "--name", "x", "--scope", "write"]
    assert main(write) == 1
    assert "may not write in that organisation" in capsys.readouterr().err
    assert main(["tokens", "create", "sync-bot", "--org", "RP", "--name", "x", "--days", "91"])
    assert "from 1 to 90 days" in capsys.readouterr().err

    assert main(["tokens", "list", "sync-bot"]) == 0
    listing = capsys.readouterr().out
    token = ApiToken.objects.get()
    assert token.prefix in listing
    assert "active" in listing
    assert text.split("_", 2)[2] not in listing

    assert main(["tokens", "revoke", token.prefix]) == 0
    assert "revoked" in capsys.readouterr().out
    refused = client.get("/api/aid/activities/", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert refused.status_code == 401
    capsys.readouterr()  # the refusal's log line
    assert main(["tokens", "revoke", "nothing"]) == 1
    assert capsys.readouterr().err.strip() == "corridor tokens: error: no token 'nothing'"


def test_through_the_entry_point(cli_instance):
    init = cli_instance.init_copied(
        "--no-input", "--admin-username", "admin", env={"CORRIDOR_ADMIN_PASSWORD": PASSWORD}
    )
    assert init.returncode == 0, init.stderr
    seeded = cli_instance.run("manage", "shell", "-v", "0", "-c", SEED_ORG)
    assert seeded.returncode == 0, seeded.stderr

    made = cli_instance.run(
        "tokens", "create", "admin", "--org", "RP", "--scope", "write", "--name", "sync"
    )
    assert made.returncode == 0, made.stderr
    text = made.stdout.strip()
    assert text.startswith("crd_")
    prefix = text.split("_")[1]

    listed = cli_instance.run("tokens", "list")
    assert listed.returncode == 0, listed.stderr
    assert f"{prefix}\tadmin\tRelief Partner\twrite\tactive" in listed.stdout
    assert text.split("_", 2)[2] not in listed.stdout

    revoked = cli_instance.run("tokens", "revoke", prefix)
    assert revoked.returncode == 0, revoked.stderr
    assert cli_instance.run("tokens", "list", "admin").stdout.count("\trevoked\t") == 1
    unknown = cli_instance.run("tokens", "create", "nobody", "--org", "RP", "--name", "x")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "corridor tokens: error: no user named 'nobody'"
    assert "Traceback" not in unknown.stderr
    verified = cli_instance.run("audit", "verify")
    assert verified.returncode == 0, verified.stderr
