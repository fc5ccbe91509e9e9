"""Every problem in a roster is reported at once, with file and line (YAML) or row (CSV/XLSX)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from provisioning.roster import RosterError
from provisioning.validation import load_desired

BAD_YAML = """\
tenant: lvcheng
company: 绿城物业
sites:
  - code: songyuan
    name: 松园
staff:
  - employee_no: WY0001
    name: 王小明
    mobile: 138 0013 8000
    email: Wang@Example.com
    departments: [service]
    rank: staff
    sites: [songyuan]
  - employee_no: wy0001
    name: 王小明二
    mobile: "1380013800"
    email: wang@example.com
    departments: [客服]
    rank: staff
  - employee_no: WY0003
    name: 李四
    mobile: 13900000003
    departments: [plumbing]
    rank: boss
    sites: [nowhere]
  - employee_no: WY0004
    mobile: 13900000004
    departments: [finance]
    rank: 经理
    emial: typo@example.com
"""


def _messages(path: Path) -> list[str]:
    with pytest.raises(RosterError) as caught:
        load_desired(path)
    return [str(p) for p in caught.value.problems]


def _has(messages: list[str], where: str, *words: str) -> None:
    assert any(m.startswith(where) and all(w in m for w in words) for m in messages), (
        f"no {where} {words} in:\n" + "\n".join(messages)
    )


def test_a_yaml_roster_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(BAD_YAML, encoding="utf-8")
    messages = _messages(path)
    _has(messages, f"{path}:14", "duplicate employee number", "wy0001", f"{path}:7")
    _has(messages, f"{path}:16", "not a mainland mobile")
    _has(messages, f"{path}:17", "duplicate e-mail")
    _has(messages, f"{path}:23", "unknown department 'plumbing'")
    _has(messages, f"{path}:24", "unknown rank 'boss'")
    _has(messages, f"{path}:25", "unknown site 'nowhere'")
    _has(messages, f"{path}:26", "姓名 name: missing")
    _has(messages, f"{path}:30", "unknown staff key 'emial'")
    assert len(messages) == 8


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text("tenant: lvcheng\nstaff:\n  - employee_no: [WY1\n", encoding="utf-8")
    _has(_messages(path), f"{path}:", "not valid YAML")


CSV_HEADER = "工号,姓名,手机号,邮箱,部门,职级,项目,状态\n"


def test_a_csv_roster_reports_rows_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "# tenant: lvcheng\n# company: 绿城物业\n# site: songyuan 松园\n"
        + CSV_HEADER
        + "WY0001,王小明,13800138000,a@example.com,客服,普通员工,松园,在职\n"
        + "WY0002,李雷,010-12345678,A@example.com,客服,普通员工,松园,在职\n"
        + "WY0003,韩梅梅,13800138003,,保安部,普通员工,松园,休假\n"
        + ",无名,13800138004,,客服,普通员工,,\n",
        encoding="utf-8",
    )
    messages = _messages(path)
    _has(messages, f"{path}: row 6, column 手机号", "'010-12345678' is not a mainland mobile")
    _has(messages, f"{path}: row 6, column 邮箱", "duplicate e-mail")
    _has(messages, f"{path}: row 7, column 部门", "unknown department '保安部'")
    _has(messages, f"{path}: row 7, column 状态", "'休假'")
    _has(messages, f"{path}: row 8", "工号 employee_no: missing")
    assert len(messages) == 5


def test_a_csv_without_a_tenant_or_required_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名\nWY1,王\n", encoding="gb18030")
    messages = _messages(path)
    _has(messages, f"{path}: row 1", "no column 手机号")
    _has(messages, f"{path}: row 1", "no column 职级")
    _has(messages, str(path), "no tenant")


def test_an_xlsx_roster_reports_rows(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["# tenant: lvcheng"])
    sheet.append(["# company: 绿城物业"])
    sheet.append(["employee_no", "name", "mobile", "department", "rank", "start_date"])
    sheet.append(["WY0001", "王小明", 13800138000, "service", "staff", dt.date(2024, 3, 1)])
    sheet.append(["WY0002", "李雷", 1380013800, "service", "staff", "someday"])
    sheet.append(["WY0001", "韩梅梅", "13800138000", "service", "staff", None])
    book.save(path)
    messages = _messages(path)
    _has(messages, f"{path}: row 5, column 手机号", "'1380013800'")
    _has(messages, f"{path}: row 5, column 入职日期", "not a date")
    _has(messages, f"{path}: row 6, column 工号", "duplicate employee number", "row 4")
    _has(messages, f"{path}: row 6, column 手机号", "duplicate mobile")
    assert len(messages) == 4


def test_the_sample_rosters_in_three_formats_describe_the_same_company() -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    states = [load_desired(examples / f"roster.{suffix}") for suffix in ("yaml", "csv", "xlsx")]
    assert states[0].users == {u: d for u, d in states[0].users.items()}
    for other in states[1:]:
        assert other.tenant == states[0].tenant and other.sites == states[0].sites
        assert {u: (d.phone, d.rank, d.departments, d.sites, d.email) for u, d in other.users.items()} == {
            u: (d.phone, d.rank, d.departments, d.sites, d.email) for u, d in states[0].users.items()
        }
    assert len(states[0].users) == 50 and len(states[0].sites) == 2


def test_end_dates_and_start_dates_decide_who_is_active(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(
        "tenant: lvcheng\ncompany: 绿城物业\nstaff:\n"
        "  - {employee_no: A1, name: 甲, mobile: '13800000001', departments: [service], rank: staff, end_date: 2020-01-31}\n"
        "  - {employee_no: A2, name: 乙, mobile: '13800000002', departments: [service], rank: staff, start_date: 2999-01-01}\n"
        "  - {employee_no: A3, name: 丙, mobile: '13800000003', departments: [service], rank: staff, status: 离职}\n",
        encoding="utf-8",
    )
    state = load_desired(path)
    assert state.users["a1"].active is False and state.users["a3"].active is False
    assert "a2" in state.not_started and "a2" not in state.users
