"""Column and key names a roster may use, English or Chinese, mapped to one canonical field name."""

from __future__ import annotations

import re
import unicodedata

#: canonical field → accepted spellings (compared after ``normalise_header``).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "employee_no": ("employee_no", "employee number", "employee id", "工号", "员工编号", "员工工号"),
    "previous_employee_no": ("previous_employee_no", "previous employee number", "原工号", "旧工号"),
    "name": ("name", "display_name", "full name", "姓名"),
    "family_name": ("family_name", "last_name", "surname", "姓"),
    "given_name": ("given_name", "first_name", "名"),
    "mobile": ("mobile", "phone", "phone_number", "手机号", "手机", "手机号码"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮箱", "邮件"),
    "departments": ("departments", "department", "部门"),
    "rank": ("rank", "职级", "级别"),
    "sites": ("sites", "site", "项目", "小区", "管理项目"),
    "status": ("status", "状态", "在职状态"),
    "start_date": ("start_date", "start", "入职日期"),
    "end_date": ("end_date", "end", "离职日期"),
}

#: fields every person must have.
REQUIRED_FIELDS = ("employee_no", "name", "mobile", "departments", "rank")

#: roster-level settings (YAML keys, or ``# key: value`` lines above a CSV/XLSX header).
SETTING_ALIASES: dict[str, tuple[str, ...]] = {
    "tenant": ("tenant", "realm", "租户"),
    "company": ("company", "company_name", "公司", "公司名称"),
    "site": ("site", "项目", "小区"),
    "email_verified": ("email_verified", "emails_verified", "邮箱已验证"),
}

#: Chinese display of each canonical field, for messages.
FIELD_LABELS: dict[str, str] = {
    "employee_no": "工号 employee_no",
    "previous_employee_no": "原工号 previous_employee_no",
    "name": "姓名 name",
    "family_name": "姓 family_name",
    "given_name": "名 given_name",
    "mobile": "手机号 mobile",
    "email": "邮箱 email",
    "departments": "部门 departments",
    "rank": "职级 rank",
    "sites": "项目 sites",
    "status": "状态 status",
    "start_date": "入职日期 start_date",
    "end_date": "离职日期 end_date",
}

STATUS_VALUES: dict[str, str] = {
    "active": "active",
    "在职": "active",
    "leaving": "leaving",
    "left": "leaving",
    "离职": "leaving",
    "已离职": "leaving",
}

_LIST_SEPARATORS = re.compile(r"[,，、;；/|]")


def normalise_header(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().replace("-", "_") if text else ""


def _lookup(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, spellings in aliases.items():
        for spelling in spellings:
            table[normalise_header(spelling)] = canonical
            table[normalise_header(spelling).replace("_", " ")] = canonical
    return table


_FIELDS = _lookup(FIELD_ALIASES)
_SETTINGS = _lookup(SETTING_ALIASES)


def canonical_field(header: str) -> str | None:
    return _FIELDS.get(normalise_header(header))


def canonical_setting(key: str) -> str | None:
    return _SETTINGS.get(normalise_header(key))


def split_list(text: str) -> list[str]:
    """``财务、客服`` / ``finance, service`` → ``["财务", "客服"]``."""
    return [part.strip() for part in _LIST_SEPARATORS.split(text) if part.strip()]
