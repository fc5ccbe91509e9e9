"""The role catalogue of a property company: ranks, departments, permissions and workbench areas.

One place that names what the realm template, provisioning and the workbench all speak of, so a
rank or permission is spelt once. The realm template (``realm-export/realm-template.json``) must
agree with this module; ``tests/foundation/test_realm_template.py`` holds them together.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Client whose client roles are the workbench permissions.
WORKBENCH_CLIENT_ID = "staff-workbench"
#: Public client standing for the owners' app (业主版).
OWNER_APP_CLIENT_ID = "owner-app"
#: Downstream API that trusts the workbench's access tokens.
WORKORDER_API_CLIENT_ID = "workorder-api"
#: Service account client used by provisioning.
PROVISIONER_CLIENT_ID = "provisioner"

#: User attribute marking an account as managed by provisioning (value ``"true"``).
MANAGED_ATTRIBUTE = "wuye_managed"
#: User attribute holding the mobile number in E.164 form (``+8613800138000``).
PHONE_ATTRIBUTE = "phone_number"
#: User attribute holding the employee number as HR writes it (the username is its lower-case form).
EMPLOYEE_NO_ATTRIBUTE = "employee_no"
#: User attribute holding the display name in the reader's order (王小明).
DISPLAY_NAME_ATTRIBUTE = "display_name"

#: Realm role that makes the browser flow ask for a second factor (OTP).
MFA_REQUIRED_ROLE = "mfa-required"
#: Realm role granting the rate-editing permission (finance managers, admins).
RATE_EDITOR_ROLE = "rate-editor"
#: Realm role of owners (业主): never a staff rank.
OWNER_ROLE = "owner"

#: Top-level groups under which departments and sites live.
DEPARTMENTS_GROUP = "departments"
SITES_GROUP = "sites"


@dataclass(frozen=True)
class Label:
    """A name shown to people: Chinese first, English second."""

    zh: str
    en: str


@dataclass(frozen=True)
class Rank:
    id: str
    label: Label
    level: int


@dataclass(frozen=True)
class Department:
    id: str
    label: Label


@dataclass(frozen=True)
class Permission:
    id: str
    label: Label
    #: Who can grant it, shown on the 无权限 page.
    granted_by: Label


@dataclass(frozen=True)
class Area:
    """A workbench area (菜单项) and the permission that opens it."""

    id: str
    path: str
    label: Label
    permission: str


RANKS: dict[str, Rank] = {
    r.id: r
    for r in (
        Rank("staff", Label("普通员工", "Staff"), 1),
        Rank("supervisor", Label("主管", "Supervisor"), 2),
        Rank("manager", Label("经理", "Manager"), 3),
        Rank("admin", Label("系统管理员", "Administrator"), 4),
    )
}

#: Ranks whose holders are always asked for a second factor.
PRIVILEGED_RANKS = frozenset({"manager", "admin"})

DEPARTMENTS: dict[str, Department] = {
    d.id: d
    for d in (
        Department("service", Label("客服", "Service desk")),
        Department("engineering", Label("工程", "Engineering")),
        Department("finance", Label("财务", "Finance")),
        Department("security", Label("安保", "Security")),
        Department("cleaning", Label("保洁", "Cleaning")),
        Department("administration", Label("行政", "Administration")),
    )
}

_ASK_ADMIN = Label("请联系系统管理员(账号管理员)调整您的职级或部门", "Ask your system administrator to raise your role")
_ASK_FINANCE = Label(
    "请联系财务经理或系统管理员为您开通", "Ask the finance manager or the system administrator to grant it"
)

PERMISSIONS: dict[str, Permission] = {
    p.id: p
    for p in (
        Permission("workorder.view", Label("查看工单", "View work orders"), _ASK_ADMIN),
        Permission("workorder.handle", Label("处理工单", "Handle work orders"), _ASK_ADMIN),
        Permission("billing.view", Label("查看收费", "View billing"), _ASK_FINANCE),
        Permission("billing.edit-rates", Label("修改费率", "Edit rates"), _ASK_FINANCE),
        Permission("report.view", Label("查看报表", "View reports"), _ASK_ADMIN),
        Permission("report.finance", Label("财务报表", "Finance reports"), _ASK_FINANCE),
        Permission("admin.accounts", Label("账号管理", "Manage accounts"), _ASK_ADMIN),
    )
}

#: Permissions whose holders are always asked for a second factor ("any finance permission").
FINANCE_PERMISSIONS = frozenset({"billing.edit-rates", "report.finance"})

#: Sensitive permissions, marked once: each is a composite of realm role ``mfa-required`` in the realm template, so
#: whoever holds one (rank, department, or a grant by hand) is asked for the second factor at every sign-in, never
#: "trusted" (issue 11 item 3); and their areas open only in a session established with a second factor (the
#: workbench's step-up, item 5).
SENSITIVE_PERMISSIONS: frozenset[str] = FINANCE_PERMISSIONS | frozenset({"admin.accounts"})

AREAS: tuple[Area, ...] = (
    Area("workorders", "/workorders", Label("工单", "Work orders"), "workorder.view"),
    Area("billing", "/billing", Label("收费", "Billing"), "billing.view"),
    Area("reports", "/reports", Label("报表", "Reports"), "report.view"),
    Area("rates", "/billing/rates", Label("修改费率", "Edit rates"), "billing.edit-rates"),
    Area("accounts", "/accounts", Label("账号管理", "Accounts"), "admin.accounts"),
)

#: Permissions each rank grants (through realm-role composites), cumulative upwards.
RANK_PERMISSIONS: dict[str, frozenset[str]] = {
    "staff": frozenset({"workorder.view"}),
    "supervisor": frozenset({"workorder.view", "workorder.handle", "report.view"}),
    "manager": frozenset({"workorder.view", "workorder.handle", "report.view"}),
    "admin": frozenset(PERMISSIONS),
}

#: Permissions each department grants (through group role mappings).
DEPARTMENT_PERMISSIONS: dict[str, frozenset[str]] = {
    "service": frozenset({"billing.view"}),
    "engineering": frozenset({"workorder.handle"}),
    "finance": frozenset({"billing.view", "report.finance", "report.view"}),
    "security": frozenset(),
    "cleaning": frozenset(),
    "administration": frozenset(),
}


def extra_realm_roles(rank: str, departments: frozenset[str] | set[str]) -> frozenset[str]:
    """Realm roles a post carries beyond its rank: finance managers may edit rates.

    Composites cannot express "finance AND manager", so provisioning grants ``rate-editor``
    by this rule; admins get it through their rank's composite.
    """
    if "finance" in departments and rank == "manager":
        return frozenset({RATE_EDITOR_ROLE})
    return frozenset()


def department_group_path(department_id: str) -> str:
    return f"/{DEPARTMENTS_GROUP}/{department_id}"


def site_group_path(site_code: str) -> str:
    return f"/{SITES_GROUP}/{site_code}"


# -- second factor (issue 11 items 3 and 5) ---------------------------------------------------------
#: ``amr`` values (RFC 8176 §2) the realm's flows report for a second factor: the ``default.reference.value`` of
#: the OTP and SMS steps' execution configs, put in tokens by Keycloak's ``oidc-amr-mapper``.
SECOND_FACTOR_METHODS: frozenset[str] = frozenset({"otp", "sms"})


def is_sensitive(area: Area) -> bool:
    """The area needs a sensitive permission (and so a second factor in this session)."""
    return area.permission in SENSITIVE_PERMISSIONS


# -- activation by SMS (issue 13 section 2; /work/briefs/s2/activation-contract.md) ------------------
#: User attribute of the activation queue: ``pending`` (an activation SMS is queued), ``sent`` (it left, the person
#: has not activated yet); removed when the person sets their own password. Admin-only (unmanaged, ADMIN_EDIT).
ACTIVATION_ATTRIBUTE = "wuyeActivation"
ACTIVATION_PENDING = "pending"
ACTIVATION_SENT = "sent"
