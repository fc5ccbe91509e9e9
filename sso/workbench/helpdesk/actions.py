"""The help desk's three actions, each written to the chained audit log with operator, target, time and reason.

None edits roles, ranks or sites: the roster decides those. Refused attempts are audited too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sso.audit_chain import AuditChain
from sso.catalog import Label
from sso.principal import Principal
from sso.workbench.helpdesk.keycloak_api import KeycloakAdminApi

MAX_REASON = 500


@dataclass(frozen=True)
class Action:
    id: str
    label: Label
    explain: Label


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
}
#: Shown disabled until SMS activation (issue 13, section 2) lands.
COMING_SOON = (
    Label("发送重置密码验证码到本人手机", "Send a password-reset code to their mobile"),
    Label("重新发送激活短信", "Resend the activation SMS"),
)


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
