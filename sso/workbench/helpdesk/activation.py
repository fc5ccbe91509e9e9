"""Where a person stands with SMS activation, read from the attributes the activation queue lives in.

The queue is Keycloak's (``sso.catalog.ACTIVATION_ATTRIBUTE`` and friends; the extension's drain sends the SMS),
so the help desk only reads these attributes and, through its two actions, sets the ``pending`` / "requested"
ones. Nothing here calls Keycloak: the user and credential JSON come from the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from sso import catalog
from sso.catalog import Label
from sso.workbench.helpdesk.keycloak_api import JsonObject
from sso.workbench.helpdesk.lookup import first_attribute
from sso.workbench.helpdesk.times import epoch_ms, when

#: The activation contract's other attributes (epoch ms, admin-only like ``catalog.ACTIVATION_ATTRIBUTE``): when the
#: last activation SMS left, when the person set their own password, when the help desk asked for a reset code
#: (the drain removes it as it sends), and when that code left. Keycloak's side: ``activation/Activation.java``.
SENT_AT_ATTRIBUTE = "wuyeActivationSentAt"
ACTIVATED_AT_ATTRIBUTE = "wuyeActivatedAt"
RESET_CODE_REQUESTED_ATTRIBUTE = "wuyeResetCodeRequested"
RESET_CODE_SENT_AT_ATTRIBUTE = "wuyeResetCodeSentAt"


class State(Enum):
    PENDING = "pending"
    SENT = "sent"
    ACTIVATED = "activated"
    NO_PASSWORD = "no-password"


@dataclass(frozen=True)
class Status:
    """激活状态: the state, its times, and what IT says or does next (zh-CN first, English second)."""

    state: State
    sent_at: dt.datetime | None
    activated_at: dt.datetime | None
    reset_requested_at: dt.datetime | None
    reset_sent_at: dt.datetime | None
    text: Label
    next_step: Label

    @property
    def activated(self) -> bool:
        return self.state is State.ACTIVATED


def has_password(credentials: list[JsonObject]) -> bool:
    return any(c.get("type") == "password" for c in credentials)


def status(user: JsonObject, credentials: list[JsonObject]) -> Status:
    """The contract's four cases: ``pending``, ``sent``, activated (a password, no attribute), legacy (neither)."""
    queue = first_attribute(user, catalog.ACTIVATION_ATTRIBUTE)
    sent_at = epoch_ms(first_attribute(user, SENT_AT_ATTRIBUTE))
    activated_at = epoch_ms(first_attribute(user, ACTIVATED_AT_ATTRIBUTE))
    times = {
        "sent_at": sent_at,
        "activated_at": activated_at,
        "reset_requested_at": epoch_ms(first_attribute(user, RESET_CODE_REQUESTED_ATTRIBUTE)),
        "reset_sent_at": epoch_ms(first_attribute(user, RESET_CODE_SENT_AT_ATTRIBUTE)),
    }
    if queue == catalog.ACTIVATION_PENDING:
        return Status(
            State.PENDING,
            text=Label("激活短信排队中,尚未发出。", "The activation SMS is queued and has not left yet."),
            next_step=Label(
                "短信按本租户的发送节奏发出(同一人 60 秒内至多一条),通常一分钟内到达;请本人稍候查收。",
                "It leaves at the realm's pace (at most one per person per 60 s), usually within a minute; "
                "ask them to wait for it.",
            ),
            **times,
        )
    if queue == catalog.ACTIVATION_SENT:
        return Status(
            State.SENT,
            text=Label(
                f"已发送激活短信({when(sent_at)}),尚未激活。",
                f"Activation SMS sent ({when(sent_at)}); not activated yet.",
            ),
            next_step=Label(
                "请本人打开登录页,点「首次登录 / 激活账号」,输入工号或手机号,用短信验证码设置密码。"
                "短信丢失或手机号刚更正:重发激活短信。",
                "Ask them to open the sign-in page, click 首次登录 / 激活账号, type their 工号 or mobile and set a "
                "password with the SMS code. SMS lost or mobile just corrected: resend the activation SMS.",
            ),
            **times,
        )
    if has_password(credentials):
        return Status(
            State.ACTIVATED,
            text=Label(f"已激活({when(activated_at)})。", f"Activated ({when(activated_at)}).")
            if activated_at
            else Label("已激活(已设置密码)。", "Activated (a password is set)."),
            next_step=Label(
                "忘记密码:请本人在登录页点「忘记密码」,或为其发送重置验证码。",
                "Forgotten password: they click 忘记密码 on the sign-in page, or send them a reset code.",
            ),
            **times,
        )
    return Status(
        State.NO_PASSWORD,
        text=Label(
            "旧账号,没有密码,也不在激活队列中。", "A legacy account without a password, not in the activation queue."
        ),
        next_step=Label(
            "发送激活短信,本人即可在登录页「首次登录 / 激活账号」自行设置密码。",
            "Send the activation SMS: they then set their own password through 首次登录 / 激活账号 on the sign-in page.",
        ),
        **times,
    )
