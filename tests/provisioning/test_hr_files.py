"""Real HR files: what Keycloak would refuse mid-apply is refused at validate, naming the row.

Names and e-mails are checked with the realm's user-profile rules (read from the realm by plan and apply,
from the realm template by an offline validate); invisible characters are refused; 工号 typed with a
Chinese input method is folded (NFKC); dates come in every shape Chinese spreadsheets write.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from provisioning.roster import RosterError
from provisioning.validation import load_desired
from tests.provisioning.support import Provisioner, person

HEADER = (
    "# tenant: lvcheng\n# company: 绿城物业\n# site: songyuan 松园\n工号,姓名,手机号,邮箱,部门,职级,项目,入职日期\n"
)


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(RosterError) as caught:
        load_desired(path, today=dt.date(2026, 11, 30))
    return [str(p) for p in caught.value.problems]


def test_a_formula_as_a_name_is_refused_at_validate_naming_the_row(tmp_path: Path) -> None:
    roster = _csv(
        tmp_path,
        "WY0001,王小明,13800138000,a@example.com,客服,普通员工,松园,",
        "WY0002,=cmd|' /C calc'!A0,13800138002,b@example.com,客服,普通员工,松园,",
    )
    problems = _problems(roster)
    assert len(problems) == 1
    assert "row 6, column 姓名 name" in problems[0] and "error-person-name-invalid-character" in problems[0]


def test_invisible_characters_in_an_email_or_a_name_are_refused_naming_the_row(tmp_path: Path) -> None:
    roster = _csv(
        tmp_path,
        "WY0001,王\u200b小明,13800138000,a@example.com,客服,普通员工,松园,",
        "WY0002,李四,13800138002,b\u200b@example.com,客服,普通员工,松园,",
    )
    problems = _problems(roster)
    assert len(problems) == 2
    assert "row 5, column 姓名 name" in problems[0] and "U+200B ZERO WIDTH SPACE" in problems[0]
    assert "row 6, column 邮箱 email" in problems[1] and "U+200B" in problems[1]


def test_a_non_ascii_email_local_part_is_refused_as_keycloak_would(tmp_path: Path) -> None:
    problems = _problems(_csv(tmp_path, "WY0001,王小明,13800138000,王@example.com,客服,普通员工,松园,"))
    assert len(problems) == 1 and "error-non-ascii-local-part-email" in problems[0] and "row 5" in problems[0]


def test_a_name_longer_than_the_realm_allows_is_refused_with_the_realm_s_limit(tmp_path: Path) -> None:
    problems = _problems(_csv(tmp_path, f"WY0001,王{'明' * 300},13800138000,a@example.com,客服,普通员工,松园,"))
    assert len(problems) == 1 and "maximum of 255" in problems[0] and "firstName" in problems[0]


def test_a_full_width_employee_number_is_folded_and_its_twin_refused(tmp_path: Path) -> None:
    ok = load_desired(_csv(tmp_path, "Ｅ００１６,王小明,13800138000,a@example.com,客服,普通员工,松园,"))
    assert list(ok.users) == ["e0016"] and ok.users["e0016"].employee_no == "E0016"
    problems = _problems(
        _csv(
            tmp_path,
            "Ｅ００１６,王小明,13800138000,a@example.com,客服,普通员工,松园,",
            "E0016,李四,13800138002,b@example.com,客服,普通员工,松园,",
        )
    )
    assert len(problems) == 1 and "duplicate employee number 'e0016'" in problems[0] and "row 6" in problems[0]


def test_chinese_dates_are_read_like_the_other_shapes(tmp_path: Path) -> None:
    desired = load_desired(
        _csv(
            tmp_path,
            "WY0001,王小明,13800138000,a@example.com,客服,普通员工,松园,2017年3月3日",
            "WY0002,李四,13800138002,b@example.com,客服,普通员工,松园,2017/3/3",
            "WY0003,张三,13800138003,c@example.com,客服,普通员工,松园,2017.3.3",
            "WY0004,赵六,13800138004,d@example.com,客服,普通员工,松园,2099年1月1日",
        ),
        today=dt.date(2026, 11, 30),
    )
    assert set(desired.users) == {"wy0001", "wy0002", "wy0003"} and desired.not_started == {"wy0004"}


def test_plan_applies_the_realm_s_own_profile_rules_as_the_realm_has_them(provision: Provisioner) -> None:
    """A realm whose admin tightened the profile (last names up to 2 characters): plan refuses, naming the row."""
    admin = provision.realm.admin()
    profile = admin.connection.raw_get(f"admin/realms/{provision.realm.name}/users/profile").json()
    for attribute in profile["attributes"]:
        if attribute["name"] == "lastName":
            attribute["validations"]["length"] = {"max": 2}
    admin.connection.raw_put(f"admin/realms/{provision.realm.name}/users/profile", data=json.dumps(profile))
    roster = provision.roster([person(1, "王小明"), person(2, "欧阳娜娜"), person(3, "Alexander Li")])
    run = provision("plan", roster)
    assert run.code == 1
    assert len(run.out["problems"]) == 1
    assert "roster.yaml:" in run.out["problems"][0] and "'Alexander Li'" in run.out["problems"][0]
    assert "maximum of 2" in run.out["problems"][0] and "lastName" in run.out["problems"][0]
    assert f"realm {provision.realm.name}'s user profile" in run.out["problems"][0]
