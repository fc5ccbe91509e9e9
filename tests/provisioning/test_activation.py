"""``provision apply --activation sms``: joiners created without any password, their activation SMS queued in
Keycloak in the create request itself; the mode is one explicit choice; later updates keep the queue's attributes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rich.console import Console

from provisioning import cli
from provisioning.activation import Activation
from provisioning.plan_render import render_plan
from provisioning.planner import make_plan
from provisioning.roster import RosterError
from provisioning.validation import load_desired
from sso import catalog
from tests.provisioning.support import SITES, Provisioner, person

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "roster.yaml"


@pytest.mark.parametrize(
    ("options", "chosen"),
    [
        ((), Activation.ONE_TIME_PASSWORD),
        (("--credentials-file", "x.csv"), Activation.ONE_TIME_PASSWORD),
        (("--activation", "sms"), Activation.SMS),
        (("--invite",), Activation.INVITE),
        (("--activation", "invite", "--invite"), Activation.INVITE),
        (("--invite", "--credentials-file", "x.csv"), Activation.INVITE),  # the file takes e-mail-less joiners
        (("--activation", "one-time-password", "--credentials-file", "x.csv"), Activation.ONE_TIME_PASSWORD),
    ],
)
def test_the_activation_mode_is_one_explicit_choice(options: tuple[str, ...], chosen: Activation) -> None:
    args = cli._parser().parse_args(["apply", str(EXAMPLE), *options])
    assert cli.chosen_activation(args) is chosen


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (
            ("--activation", "sms", "--credentials-file", "x.csv"),
            "--credentials-file x.csv contradicts --activation sms",
        ),
        (("--activation", "sms", "--invite"), "--invite contradicts --activation sms"),
        (("--activation", "one-time-password", "--invite"), "--invite contradicts --activation one-time-password"),
    ],
)
def test_contradictory_activation_options_are_refused_naming_both(
    options: tuple[str, ...], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["apply", str(EXAMPLE), "--yes", *options]) == cli.CONTRADICTORY  # before any Keycloak call
    assert named in capsys.readouterr().out


def _plan_text(activation: Activation) -> str:
    desired = load_desired(EXAMPLE)
    console = Console(record=True, width=200)
    render_plan(make_plan(desired, None, str(EXAMPLE)), console, show=1000, activation=activation)
    return console.export_text()


def test_the_plan_says_how_many_activation_sms_are_queued_and_asks_no_password_change() -> None:
    text = _plan_text(Activation.SMS)
    assert "on apply: 50 activation SMS queued (sent by Keycloak at the realm's pace)" in text
    assert "UPDATE_PASSWORD" not in text, "activation sets the password: no forced change on top"
    assert "required actions CONFIGURE_TOTP" in text, "privileged posts still enrol an authenticator app"
    assert "required actions -" in text

    with_passwords = _plan_text(Activation.ONE_TIME_PASSWORD)
    assert "activation SMS" not in with_passwords
    assert "required actions UPDATE_PASSWORD" in with_passwords


def test_a_joiner_without_a_mobile_is_refused_at_validate_naming_the_line(tmp_path: Path) -> None:
    """SMS activation needs every joiner's mobile: the roster requires it, so nobody is silently left without."""
    roster = tmp_path / "roster.yaml"
    entry = {k: v for k, v in person(5).items() if k != "mobile"}
    roster.write_text(
        yaml.safe_dump(
            {"tenant": "lvcheng", "company": "绿城物业", "sites": SITES, "staff": [entry]}, allow_unicode=True
        ),
        encoding="utf-8",
    )
    with pytest.raises(RosterError) as refused:
        load_desired(roster)
    assert any(str(p).startswith(f"{roster}:") and "手机号 mobile: missing" in str(p) for p in refused.value.problems)


def test_a_joiner_activated_by_sms_is_created_queued_without_any_credential(provision: Provisioner) -> None:
    roster = provision.roster([person(1, "王小明"), person(2, "欧阳娜娜", rank="manager", departments=("finance",))])
    run = provision("apply", roster, "--activation", "sms")
    assert run.code == 0, run.err
    assert run.out["report"]["activations_queued"] == 2
    assert run.out["report"]["passwords_written"] == 0
    assert run.out["credentials_file"] is None and not provision.credentials_file.exists()
    assert "2 activation SMS queued (sent by Keycloak at the realm's pace)" in run.err

    admin = provision.realm.admin()
    clerk, manager = provision.user("WY0001"), provision.user("WY0002")
    for user in (clerk, manager):
        # the drain (when it runs in this Keycloak) may already have sent it: queued or sent, never absent
        assert user["attributes"][catalog.ACTIVATION_ATTRIBUTE][0] in (
            catalog.ACTIVATION_PENDING,
            catalog.ACTIVATION_SENT,
        )
        assert admin.get_credentials(user["id"]) == [], "no password of any kind"
    assert clerk["requiredActions"] == []
    assert manager["requiredActions"] == ["CONFIGURE_TOTP"]

    again = provision("apply", roster, "--activation", "sms")
    assert again.code == 0 and again.out["report"] is None, "a re-run queues nothing again"


def test_later_updates_of_an_account_keep_its_activation_attributes(provision: Provisioner) -> None:
    roster = provision.roster([person(3, "李雷"), person(4, "韩梅梅")])
    assert provision("apply", roster, "--activation", "sms").code == 0
    admin = provision.realm.admin()
    queued, activated = provision.user("WY0003"), provision.user("WY0004")
    # as the drain and the login page leave them: one sent and not yet activated, one activated
    queued["attributes"] |= {catalog.ACTIVATION_ATTRIBUTE: [catalog.ACTIVATION_SENT], "wuyeActivationSentAt": ["17"]}
    activated["attributes"].pop(catalog.ACTIVATION_ATTRIBUTE)
    activated["attributes"]["wuyeActivatedAt"] = ["42"]
    admin.update_user(queued["id"], queued)
    admin.update_user(activated["id"], activated)

    moved = provision.roster(
        [person(3, "李雷", rank="supervisor", mobile="139 0000 0003"), person(4, "韩美美", sites=("hupan",))]
    )
    run = provision("apply", moved, "--activation", "sms")
    assert run.code == 0, run.err
    assert run.out["report"]["activations_queued"] == 0, "movers are not joiners"

    after = provision.user("WY0003")["attributes"]
    assert after[catalog.PHONE_ATTRIBUTE] == ["+8613900000003"], "the update went through"
    assert after[catalog.ACTIVATION_ATTRIBUTE] == [catalog.ACTIVATION_SENT]
    assert after["wuyeActivationSentAt"] == ["17"]
    assert provision.user("WY0004")["attributes"]["wuyeActivatedAt"] == ["42"]
    assert catalog.ACTIVATION_ATTRIBUTE not in provision.user("WY0004")["attributes"], "never queued again"
