"""The desired state a valid roster describes, in Keycloak's terms (identity model in docs/ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import dataclass

from sso import catalog

#: Realm roles provisioning grants and revokes; any other role (owner, mfa-required given by hand) is left alone.
MANAGED_REALM_ROLES: tuple[str, ...] = (*catalog.RANKS, catalog.RATE_EDITOR_ROLE)
#: Group parents whose children provisioning manages memberships of.
MANAGED_GROUP_PARENTS: tuple[str, ...] = (catalog.DEPARTMENTS_GROUP, catalog.SITES_GROUP)

UPDATE_PASSWORD = "UPDATE_PASSWORD"
CONFIGURE_TOTP = "CONFIGURE_TOTP"


@dataclass(frozen=True)
class DesiredUser:
    username: str
    employee_no: str
    display_name: str
    first_name: str
    last_name: str
    email: str | None
    phone: str
    rank: str
    departments: frozenset[str]
    sites: frozenset[str]
    active: bool
    source: str  # where the person is in the roster, for messages
    #: the account's username before an employee-number change (原工号): the same account is renamed
    previous_username: str | None = None

    @property
    def realm_roles(self) -> frozenset[str]:
        return frozenset({self.rank}) | catalog.extra_realm_roles(self.rank, self.departments)

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(catalog.department_group_path(d) for d in self.departments) | frozenset(
            catalog.site_group_path(s) for s in self.sites
        )

    @property
    def attributes(self) -> dict[str, str]:
        """The attributes provisioning owns on the account (single values)."""
        return {
            catalog.MANAGED_ATTRIBUTE: "true",
            catalog.EMPLOYEE_NO_ATTRIBUTE: self.employee_no,
            catalog.PHONE_ATTRIBUTE: self.phone,
            catalog.DISPLAY_NAME_ATTRIBUTE: self.display_name,
        }

    @property
    def privileged(self) -> bool:
        """Asked for a second factor: manager/admin ranks and anyone in finance."""
        return self.rank in catalog.PRIVILEGED_RANKS or "finance" in self.departments

    def joiner_required_actions(self) -> list[str]:
        return [UPDATE_PASSWORD, CONFIGURE_TOTP] if self.privileged else [UPDATE_PASSWORD]


@dataclass(frozen=True)
class DesiredState:
    tenant: str
    company_name: str
    sites: dict[str, str]  # code → Chinese name
    users: dict[str, DesiredUser]  # username → user
    not_started: frozenset[str]  # usernames whose start date is in the future: neither created nor disabled
    #: HR's roster is the authority for company e-mails (``emailVerified``); off for rosters of personal addresses
    email_verified: bool = True


# Two-character surnames common enough to matter when splitting 姓名 into family and given name.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "万俟",
        "澹台",
        "公冶",
        "太史",
        "申屠",
        "钟离",
        "闻人",
        "赫连",
        "单于",
    ]
)


def split_name(display_name: str) -> tuple[str, str]:
    """(family, given): 王小明 → (王, 小明), 欧阳娜娜 → (欧阳, 娜娜), ``Li Lei`` → (Li, Lei)."""
    name = display_name.strip()
    if " " in name:
        family, given = name.split(None, 1)
        return family, given
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    if len(name) >= 2:
        return name[:1], name[1:]
    return name, name
