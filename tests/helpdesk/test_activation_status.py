"""激活状态 and which SMS action applies, from the activation contract's attributes alone (no server: fast lane)."""

from __future__ import annotations

import datetime as dt

import pytest

from sso import catalog
from sso.workbench.helpdesk import activation
from sso.workbench.helpdesk.actions import ACTIONS
from sso.workbench.helpdesk.keycloak_api import JsonObject, attribute_update
from sso.workbench.helpdesk.times import epoch_ms

PASSWORD = [{"id": "c1", "type": "password"}]
SENT_AT = "1764460800000"  # 2025-11-30 00:00 UTC = 08:00 in Beijing


def user(
    attributes: dict[str, str] | None = None, enabled: bool = True, phone: str | None = "+8613912345678"
) -> JsonObject:
    attrs = {k: [v] for k, v in (attributes or {}).items()}
    if phone:
        attrs[catalog.PHONE_ATTRIBUTE] = [phone]
    return {"id": "u1", "username": "e0001", "enabled": enabled, "attributes": attrs}


@pytest.mark.parametrize(
    ("attributes", "credentials", "state", "says"),
    [
        ({catalog.ACTIVATION_ATTRIBUTE: "pending"}, [], activation.State.PENDING, "排队中"),
        (
            {catalog.ACTIVATION_ATTRIBUTE: "sent", activation.SENT_AT_ATTRIBUTE: SENT_AT},
            [],
            activation.State.SENT,
            "已发送激活短信(2025-11-30 08:00),尚未激活",
        ),
        (
            {activation.ACTIVATED_AT_ATTRIBUTE: SENT_AT},
            PASSWORD,
            activation.State.ACTIVATED,
            "已激活(2025-11-30 08:00)",
        ),
        ({}, PASSWORD, activation.State.ACTIVATED, "已激活(已设置密码)"),
        ({}, [], activation.State.NO_PASSWORD, "旧账号,没有密码"),
    ],
)
def test_the_status_follows_the_contracts_four_cases(
    attributes: dict[str, str], credentials: list[JsonObject], state: activation.State, says: str
) -> None:
    status = activation.status(user(attributes), credentials)
    assert status.state is state
    assert says in status.text.zh
    assert status.next_step.zh and status.next_step.en and status.text.en


def test_the_queue_attribute_wins_over_a_password_set_by_hand() -> None:
    """A queued account that also has a password (set by an admin) still waits for its SMS: say so, not 'activated'."""
    status = activation.status(user({catalog.ACTIVATION_ATTRIBUTE: "sent"}), PASSWORD)
    assert status.state is activation.State.SENT


def test_reset_code_times_are_read_from_their_attributes() -> None:
    status = activation.status(
        user({activation.RESET_CODE_REQUESTED_ATTRIBUTE: SENT_AT, activation.RESET_CODE_SENT_AT_ATTRIBUTE: "junk"}),
        PASSWORD,
    )
    assert status.reset_requested_at == dt.datetime(2025, 11, 30, tzinfo=dt.UTC)
    assert status.reset_sent_at is None


def test_epoch_ms_reads_json_numbers_and_attribute_digits_and_nothing_else() -> None:
    assert epoch_ms(1764460800000) == epoch_ms("1764460800000") == dt.datetime(2025, 11, 30, tzinfo=dt.UTC)
    assert epoch_ms("") is None and epoch_ms("soon") is None and epoch_ms(None) is None and epoch_ms(0) is None


@pytest.mark.parametrize(
    ("action", "account", "credentials", "refused"),
    [
        ("resend-activation", user({catalog.ACTIVATION_ATTRIBUTE: "sent"}), [], None),
        ("resend-activation", user(), [], None),  # legacy, no password: activation is how they get one
        ("resend-activation", user(), PASSWORD, "already activated"),
        ("resend-activation", user({catalog.ACTIVATION_ATTRIBUTE: "sent"}, phone=None), [], "no mobile"),
        ("resend-activation", user({catalog.ACTIVATION_ATTRIBUTE: "sent"}, enabled=False), [], "disabled"),
        ("send-reset-code", user(), PASSWORD, None),
        ("send-reset-code", user(phone=None), PASSWORD, "no mobile"),
        ("send-reset-code", user(enabled=False), PASSWORD, "disabled"),
    ],
)
def test_each_sms_action_applies_only_where_it_can_help(
    action: str, account: JsonObject, credentials: list[JsonObject], refused: str | None
) -> None:
    check = ACTIONS[action][0].check
    assert check is not None
    refusal = check(account, credentials)
    assert (refusal.code if refusal else None) == refused


def test_the_write_back_changes_one_attribute_and_sends_nothing_but_the_profile_fields() -> None:
    """``PUT /users/{id}`` replaces the attribute map and the required actions: keep the one, never send the other."""
    current = user({catalog.ACTIVATION_ATTRIBUTE: "sent", activation.RESET_CODE_REQUESTED_ATTRIBUTE: "1"})
    current.update(email="e0001@example.com", firstName="小明", lastName="王", requiredActions=["CONFIGURE_TOTP"])
    body = attribute_update(
        current, {catalog.ACTIVATION_ATTRIBUTE: "pending", activation.RESET_CODE_REQUESTED_ATTRIBUTE: None}
    )
    assert body == {
        "username": "e0001",
        "email": "e0001@example.com",
        "firstName": "小明",
        "lastName": "王",
        "attributes": {catalog.PHONE_ATTRIBUTE: ["+8613912345678"], catalog.ACTIVATION_ATTRIBUTE: ["pending"]},
    }
    assert current["attributes"][catalog.ACTIVATION_ATTRIBUTE] == ["sent"], "the read user was changed in place"
