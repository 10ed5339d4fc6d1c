"""The instance refuses to start with an unsafe disclosure threshold (through the real CLI)."""

import pytest


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CORRIDOR_DISCLOSURE_K": "2"}, "CORRIDOR_DISCLOSURE_K=2 is unsafe"),
        ({"CORRIDOR_DISCLOSURE_K": "0"}, "CORRIDOR_DISCLOSURE_K=0 is unsafe"),
        ({"CORRIDOR_DISCLOSURE_K": "five"}, "CORRIDOR_DISCLOSURE_K='five' is not a whole number"),
        ({"CORRIDOR_PUBLICATION_DELAY_DAYS": "-1"}, "CORRIDOR_PUBLICATION_DELAY_DAYS=-1"),
    ],
)
def test_unsafe_settings_stop_the_instance(cli_instance, env, message):
    result = cli_instance.run("manage", "check", env=env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_k_of_three_is_accepted(cli_instance):
    result = cli_instance.run("manage", "check", env={"CORRIDOR_DISCLOSURE_K": "3"})
    assert result.returncode == 0, result.stderr
