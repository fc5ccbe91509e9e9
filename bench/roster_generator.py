"""Generate a fictional property company's roster (YAML, CSV or XLSX) for benchmarks and the sample data.

Deterministic for a seed: the same ``--staff N`` gives the same people, so benchmark runs compare.
``python -m bench.roster_generator --staff 10000 --sites 40 out.yaml``
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from sso.csv_safe import csv_text

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰建国志红文斌海波鹏辉飞宇晨浩然子轩欣怡梓涵雨萱俊杰嘉豪思远佳琪子涵一诺"
SITE_NAMES = [
    "松园",
    "湖畔花园",
    "翠竹苑",
    "桂花城",
    "丹桂苑",
    "枫林湾",
    "明月府",
    "锦绣园",
    "春江花月",
    "滨江府",
    "紫薇苑",
    "兰亭",
    "梧桐里",
    "金色家园",
    "玫瑰园",
    "海棠湾",
    "云栖",
    "西溪里",
    "月桂苑",
    "星河湾",
]
DEPARTMENTS = ("service", "engineering", "security", "cleaning", "finance", "administration")
DEPT_WEIGHTS = (30, 25, 20, 15, 5, 5)
RANKS = ("staff", "supervisor", "manager", "admin")
RANK_WEIGHTS = (80, 14, 5, 1)


@dataclass(frozen=True)
class Company:
    tenant: str
    company: str
    sites: list[tuple[str, str]]
    staff: list[dict[str, object]]


def generate(
    staff: int, sites: int = 2, tenant: str = "lvcheng", company: str = "绿城物业", seed: int = 7, prefix: str = "WY"
) -> Company:
    rnd = random.Random(seed)
    site_list = []
    for i in range(sites):
        name = SITE_NAMES[i % len(SITE_NAMES)] + ("" if i < len(SITE_NAMES) else f"{i // len(SITE_NAMES) + 1}期")
        site_list.append((f"site{i + 1:03d}" if sites > 2 else ("songyuan", "hupan")[i], name))
    people: list[dict[str, object]] = []
    width = max(4, len(str(staff)))
    for n in range(1, staff + 1):
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
        department = rnd.choices(DEPARTMENTS, DEPT_WEIGHTS)[0]
        rank = "admin" if n == 2 else rnd.choices(RANKS, RANK_WEIGHTS)[0]
        if n == 1:  # the sample's first person: a service-desk clerk, the easiest demo login (no OTP)
            department, rank = "service", "staff"
        if rank == "admin":
            department = "administration"
        employee_no = f"{prefix}{n:0{width}d}"
        person: dict[str, object] = {
            "employee_no": employee_no,
            "name": name,
            "mobile": f"13{rnd.randint(5, 9)}{n:08d}",
            "email": f"{employee_no.lower()}@{tenant}.example.com",
            "departments": [department],
            "rank": rank,
            "sites": [] if department in ("finance", "administration") else [rnd.choice(site_list)[0]],
            "status": "active",
        }
        people.append(person)
    return Company(tenant, company, site_list, people)


def write_yaml(company: Company, path: Path) -> None:
    data = {
        "tenant": company.tenant,
        "company": company.company,
        "sites": [{"code": c, "name": n} for c, n in company.sites],
        "staff": company.staff,
    }
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200, default_flow_style=None)
    header = f"# {company.company}: staff roster (fictional). Schema: docs/PROVISIONING.md\n"
    path.write_text(header + text, encoding="utf-8")


HEADER_ZH = ("工号", "姓名", "手机号", "邮箱", "部门", "职级", "项目", "状态")


def rows(company: Company) -> list[list[str]]:
    site_names = dict(company.sites)
    zh_dept = {
        "service": "客服",
        "engineering": "工程",
        "finance": "财务",
        "security": "安保",
        "cleaning": "保洁",
        "administration": "行政",
    }
    zh_rank = {"staff": "普通员工", "supervisor": "主管", "manager": "经理", "admin": "系统管理员"}
    out = []
    for p in company.staff:
        out.append(
            [
                str(p["employee_no"]),
                str(p["name"]),
                str(p["mobile"]),
                str(p["email"]),
                "、".join(zh_dept[d] for d in p["departments"]),  # type: ignore[attr-defined]
                zh_rank[str(p["rank"])],
                "、".join(site_names[s] for s in p["sites"]),  # type: ignore[attr-defined]
                "在职" if p["status"] == "active" else "离职",
            ]
        )
    return out


def preamble(company: Company) -> list[str]:
    return [f"# tenant: {company.tenant}", f"# company: {company.company}"] + [
        f"# site: {code} {name}" for code, name in company.sites
    ]


def write_csv(company: Company, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(csv_text([[line] for line in preamble(company)] + [list(HEADER_ZH)] + rows(company)))


def write_xlsx(company: Company, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "员工"
    for line in preamble(company):
        sheet.append([line])
    sheet.append(list(HEADER_ZH))
    for row in rows(company):
        sheet.append(row)
    book.save(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help=".yaml, .csv or .xlsx")
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--sites", type=int, default=2)
    parser.add_argument("--tenant", default="lvcheng")
    parser.add_argument("--company", default="绿城物业")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    company = generate(args.staff, args.sites, args.tenant, args.company, args.seed)
    writer = {".yaml": write_yaml, ".yml": write_yaml, ".csv": write_csv, ".xlsx": write_xlsx}[args.output.suffix]
    writer(company, args.output)
    print(f"wrote {len(company.staff)} staff across {len(company.sites)} sites to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
