"""The help desk's actions, each written to the chained audit log with operator, target, time and reason.

None edits roles, ranks or sites: the roster decides those. The two SMS actions only queue: they set the
attribute Keycloak's drain reads (activation contract), so the SMS leaves at the realm's pace through the
extension's sender, and the help desk never sees or sets a password or a code. Refused attempts are audited too.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sso import catalog
from sso.audit_chain import AuditChain
from sso.catalog import Label
from sso.principal import Principal
from sso.workbench.helpdesk import activation
from sso.workbench.helpdesk.keycloak_api import JsonObject, KeycloakAdminApi
from sso.workbench.helpdesk.lookup import first_attribute

MAX_REASON = 500


@dataclass(frozen=True)
class Refusal:
    """Why an action does not apply to this person: ``code`` goes to the audit line, ``text`` to the page."""

    code: str
    text: Label


#: Decides from the user and their credentials whether an action applies (``None``: it does).
Check = Callable[[JsonObject, list[JsonObject]], Refusal | None]


@dataclass(frozen=True)
class Action:
    id: str
    label: Label
    explain: Label
    #: Said after the action instead of "done: <label>" (the SMS actions only queue).
    done: Label | None = None
    check: Check | None = None


async def _unlock(api: KeycloakAdminApi, user_id: str) -> None:
    await api.clear_login_failures(user_id)


async def _sign_out(api: KeycloakAdminApi, user_id: str) -> None:
    # Admin sign-out ends every session and moves the user's not-before; the trusted-device cookie is only
    # honoured when issued after not-before (keycloak-extensions/.../device/TrustedDevice.java), so every
    # trusted browser must pass the SMS step again.
    await api.logout(user_id)


async def _reset_second_factor(api: KeycloakAdminApi, user_id: str) -> None:
    for credential in await api.credentials(user_id):
        if credential.get("type") == "otp":
            await api.delete_credential(user_id, str(credential["id"]))


async def _resend_activation(api: KeycloakAdminApi, user_id: str) -> None:
    await api.set_attributes(user_id, {catalog.ACTIVATION_ATTRIBUTE: catalog.ACTIVATION_PENDING})


async def _send_reset_code(api: KeycloakAdminApi, user_id: str) -> None:
    await api.set_attributes(user_id, {activation.RESET_CODE_REQUESTED_ATTRIBUTE: str(int(time.time() * 1000))})


def _can_receive_sms(user: JsonObject) -> Refusal | None:
    if not user.get("enabled", True):
        return Refusal("disabled", Label("账号已停用,不发送短信。", "The account is disabled; no SMS is sent."))
    if not first_attribute(user, catalog.PHONE_ATTRIBUTE):
        return Refusal(
            "no mobile",
            Label(
                "没有登记手机号,无法发送短信:请在花名册中补充手机号并同步。",
                "No mobile on file, so no SMS can be sent: add it to the roster and sync.",
            ),
        )
    return None


def _check_resend_activation(user: JsonObject, credentials: list[JsonObject]) -> Refusal | None:
    if activation.status(user, credentials).activated:
        return Refusal(
            "already activated",
            Label(
                "本人已激活(已设置密码),无需激活短信;忘记密码请发送重置验证码。",
                "They have activated (a password is set); no activation SMS. Forgotten password: send a reset code.",
            ),
        )
    return _can_receive_sms(user)


def _check_send_reset_code(user: JsonObject, credentials: list[JsonObject]) -> Refusal | None:
    return _can_receive_sms(user)


ACTIONS: dict[str, tuple[Action, Callable[[KeycloakAdminApi, str], Awaitable[None]]]] = {
    "unlock": (
        Action(
            "unlock",
            Label("解锁", "Unlock"),
            Label("清除输错记录,本人可立即再次登录。", "Clears the failed attempts; they can sign in again at once."),
        ),
        _unlock,
    ),
    "sign-out": (
        Action(
            "sign-out",
            Label("全部退出并忘记受信任浏览器", "Sign out everywhere and forget trusted browsers"),
            Label(
                "结束所有在线会话;所有受信任浏览器下次登录需重新短信验证。",
                "Ends every live session; every trusted browser must pass the SMS check again.",
            ),
        ),
        _sign_out,
    ),
    "reset-2fa": (
        Action(
            "reset-2fa",
            Label("重置两步验证", "Reset the second factor"),
            Label(
                "删除已绑定的验证器;本人下次登录时重新绑定。",
                "Removes the enrolled authenticator; they enrol again at their next sign-in.",
            ),
        ),
        _reset_second_factor,
    ),
    "resend-activation": (
        Action(
            "resend-activation",
            Label("重发激活短信", "Resend activation SMS"),
            Label(
                "把激活短信放回发送队列:按本租户的发送节奏发出,同一人 60 秒内不会收到两条。短信不含链接和验证码,"
                "本人在登录页点「首次登录 / 激活账号」,用本手机号获取验证码并设置密码。",
                "Puts the activation SMS back in the queue: it leaves at the realm's pace, never twice within 60 s for "
                "one person. It carries no link and no code; they click 首次登录 / 激活账号 on the sign-in page, get a "
                "code on this mobile and set their password.",
            ),
            Label(
                "激活短信已排队,将按发送节奏发出(同一人 60 秒内至多一条)。",
                "The activation SMS is queued; it leaves at the realm's pace (at most one per person per 60 s).",
            ),
            _check_resend_activation,
        ),
        _resend_activation,
    ),
    "send-reset-code": (
        Action(
            "send-reset-code",
            Label("发送重置验证码", "Send a password-reset code"),
            Label(
                "向本人登记的手机发送重置密码验证码(按发送节奏,同一人 60 秒内不会收到两条)。本人打开登录页的"
                "「忘记密码」,输入工号和短信中的验证码,再自行设置新密码。帮助台看不到、也不设置任何密码或验证码。",
                "Sends a password-reset code to their own mobile (at the realm's pace, never twice within 60 s). "
                "They open 忘记密码 on the sign-in page, type their 工号 and the code from the SMS, and set a new "
                "password themselves. The help desk never sees or sets a password or a code.",
            ),
            Label(
                "重置验证码已排队,将发到本人手机。请告知本人:打开「忘记密码」,输入工号和短信中的验证码。",
                "The reset code is queued for their mobile. Tell them: open 忘记密码, type the 工号 and the code "
                "from the SMS.",
            ),
            _check_send_reset_code,
        ),
        _send_reset_code,
    ),
}


async def refusal(api: KeycloakAdminApi, action: Action, user: JsonObject) -> Refusal | None:
    """Whether ``action`` applies to ``user`` now (the server asks again at every post, whatever the page showed)."""
    if action.check is None:
        return None
    return action.check(user, await api.credentials(str(user["id"])))


def audit_record(
    operator: Principal, action: str, user_id: str, target: str, reason: str, outcome: str
) -> dict[str, object]:
    return {
        "source": "helpdesk",
        "realm": operator.tenant,
        "operator": operator.employee_no,
        "operator_id": operator.subject,
        "action": action,
        "user_id": user_id,
        "target": target,
        "reason": reason,
        "outcome": outcome,
    }


async def perform(
    api: KeycloakAdminApi, chain: AuditChain, operator: Principal, action: str, user_id: str, target: str, reason: str
) -> None:
    """Carry out ``action`` and audit it; a failure is audited as ``failed`` and re-raised."""
    run = ACTIONS[action][1]
    try:
        await run(api, user_id)
    except Exception:
        chain.append(audit_record(operator, action, user_id, target, reason, "failed"))
        raise
    chain.append(audit_record(operator, action, user_id, target, reason, "done"))
