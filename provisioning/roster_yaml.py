"""Read a YAML roster (the canonical form), keeping the line of every value.

Parsed with PyYAML's node API rather than ``safe_load`` so that each value keeps its line, and so
that ``00123`` or ``13800138000`` stay text as written instead of becoming numbers.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from provisioning.roster import Cell, Location, Problem, RawPerson, RawRoster, RawSite
from provisioning.roster_fields import canonical_field, canonical_setting

_NULL_TAG = "tag:yaml.org,2002:null"


def read_yaml(path: Path) -> RawRoster:
    file = str(path)
    roster = RawRoster(file=file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        roster.problems.append(Problem(Location(file), f"cannot be read: {exc}"))
        return roster
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        roster.problems.append(Problem(Location(file, line=line), f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return roster
    if not isinstance(root, yaml.MappingNode):
        roster.problems.append(
            Problem(Location(file, line=1), "a roster is a mapping with tenant, company, sites, staff")
        )
        return roster
    for key_node, value_node in root.value:
        key, at = str(key_node.value), _loc(file, key_node)
        if key == "staff" or key == "员工":
            _read_people(file, value_node, roster)
        elif key == "sites" or key == "项目":
            _read_sites(file, value_node, roster)
        elif canonical_setting(key) == "tenant":
            roster.tenant = _cell(file, value_node, roster)
        elif canonical_setting(key) == "company":
            roster.company = _cell(file, value_node, roster)
        elif canonical_setting(key) == "email_verified":
            roster.email_verified = _cell(file, value_node, roster)
        else:
            roster.problems.append(
                Problem(at, f"unknown key {key!r} (expected tenant, company, email_verified, sites, staff)")
            )
    return roster


def _loc(file: str, node: yaml.Node) -> Location:
    return Location(file, line=node.start_mark.line + 1)


def _cell(file: str, node: yaml.Node, roster: RawRoster) -> Cell:
    at = _loc(file, node)
    if isinstance(node, yaml.ScalarNode):
        return Cell(None if node.tag == _NULL_TAG or node.value == "" else str(node.value), at)
    if isinstance(node, yaml.SequenceNode):
        items: list[str] = []
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and item.tag != _NULL_TAG:
                items.append(str(item.value))
            else:
                roster.problems.append(Problem(_loc(file, item), "expected a plain value in this list"))
        return Cell(items, at)
    roster.problems.append(Problem(at, "expected a value or a list, found a mapping"))
    return Cell(None, at)


def _read_sites(file: str, node: yaml.Node, roster: RawRoster) -> None:
    if not isinstance(node, yaml.SequenceNode):
        roster.problems.append(Problem(_loc(file, node), "sites must be a list of {code, name}"))
        return
    for item in node.value:
        at = _loc(file, item)
        if not isinstance(item, yaml.MappingNode):
            roster.problems.append(Problem(at, "a site is a mapping {code, name}"))
            continue
        fields = {str(k.value): _cell(file, v, roster) for k, v in item.value}
        code = fields.pop("code", None) or fields.pop("代码", None) or Cell(None, at)
        name = fields.pop("name", None) or fields.pop("名称", None) or Cell(None, at)
        for unknown in fields:
            roster.problems.append(Problem(at, f"unknown site key {unknown!r} (expected code, name)"))
        roster.sites.append(RawSite(code=code, name=name, location=at))


def _read_people(file: str, node: yaml.Node, roster: RawRoster) -> None:
    if not isinstance(node, yaml.SequenceNode):
        roster.problems.append(Problem(_loc(file, node), "staff must be a list of people"))
        return
    for item in node.value:
        at = _loc(file, item)
        if not isinstance(item, yaml.MappingNode):
            roster.problems.append(Problem(at, "a staff entry is a mapping (employee_no, name, mobile, ...)"))
            continue
        person = RawPerson(location=at)
        for key_node, value_node in item.value:
            name = canonical_field(str(key_node.value))
            if name is None:
                roster.problems.append(Problem(_loc(file, key_node), f"unknown staff key {key_node.value!r}"))
                continue
            if name in person.cells:
                roster.problems.append(Problem(_loc(file, key_node), f"{key_node.value!r} given twice"))
                continue
            person.cells[name] = _cell(file, value_node, roster)
        roster.people.append(person)
