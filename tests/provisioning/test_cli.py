"""The command line itself: help renders, and a Keycloak that does not answer is a clear exit 6."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest

from devstack.keycloak_server import free_port
from provisioning import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "roster.yaml"


@pytest.mark.parametrize("command", ["validate", "plan", "apply"])
def test_every_command_explains_itself(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0
    assert "roster" in capsys.readouterr().out


def test_a_keycloak_that_does_not_answer_is_named_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with mock.patch.dict(os.environ, {"KEYCLOAK_ADMIN_USERNAME": "admin", "KEYCLOAK_ADMIN_PASSWORD": "x"}):
        code = cli.main(["plan", str(EXAMPLE), "--keycloak-url", url])
    assert code == cli.UNREACHABLE
    assert "not answering" in capsys.readouterr().out


def test_validate_says_what_the_roster_holds(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(EXAMPLE)]) == cli.OK
    assert "50 people" in capsys.readouterr().out
