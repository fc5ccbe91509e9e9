"""The planner and the change detection are pure: desired + actual (+ events) → plan, no Keycloak needed."""

from __future__ import annotations

from provisioning.actual import ActualState, ActualUser
from provisioning.desired import DesiredState, DesiredUser
from provisioning.marker import Marker, _decode, _decode_ids, _encode, _encode_ids, state_digest
from provisioning.planner import make_plan
from provisioning.state_reader import Since, _classify


def _wanted(
    no: int, rank: str = "staff", active: bool = True, departments: frozenset[str] = frozenset({"service"})
) -> DesiredUser:
    return DesiredUser(
        username=f"wy{no:04d}",
        employee_no=f"WY{no:04d}",
        display_name="王小明",
        first_name="小明",
        last_name="王",
        email=None,
        phone=f"+86138{no:08d}",
        rank=rank,
        departments=departments,
        sites=frozenset({"songyuan"}),
        active=active,
        source=f"roster.yaml:{no}",
    )


def _have(wanted: DesiredUser, enabled: bool = True, **changes: object) -> ActualUser:
    user = ActualUser(
        id=f"id-{wanted.username}",
        username=wanted.username,
        enabled=enabled,
        first_name=wanted.first_name,
        last_name=wanted.last_name,
        email=wanted.email,
        attributes=dict(wanted.attributes),
        realm_roles=set(wanted.realm_roles),
        groups=set(wanted.groups),
    )
    for name, value in changes.items():
        setattr(user, name, value)
    return user


def _state(users: list[DesiredUser], not_started: frozenset[str] = frozenset()) -> DesiredState:
    return DesiredState("lvcheng", "绿城物业", {"songyuan": "松园"}, {u.username: u for u in users}, not_started)


def _actual(users: list[ActualUser]) -> ActualState:
    return ActualState(
        realm="lvcheng",
        users={u.username: u for u in users},
        group_ids={},
        site_names={"songyuan": "松园"},
        roles={},
        marker=Marker(group_id=None),
        read_mode="full",
        read_reason="test",
        attributes_read=0,
        roster=frozenset(u.username for u in users),
    )


def test_an_unchanged_realm_plans_nothing() -> None:
    people = [_wanted(1), _wanted(2, rank="manager", departments=frozenset({"finance"}))]
    plan = make_plan(_state(people), _actual([_have(p) for p in people]), "roster.yaml")
    assert plan.empty and plan.summary()["accounts"] == 0


def test_a_finance_promotion_grants_rank_and_rate_editor_and_revokes_the_old_rank() -> None:
    before = _wanted(1)
    after = _wanted(1, rank="manager", departments=frozenset({"finance"}))
    plan = make_plan(_state([after]), _actual([_have(before)]), "roster.yaml")
    kinds = {(c.kind, c.target) for c in plan.accounts[0].changes}
    assert kinds == {
        ("grant", "manager"),
        ("grant", "rate-editor"),
        ("revoke", "staff"),
        ("join", "/departments/finance"),
        ("leave", "/departments/service"),
    }


def test_leavers_absent_or_marked_are_disabled_once_and_people_not_started_are_left_alone() -> None:
    stays, marked, absent, later = _wanted(1), _wanted(2, active=False), _wanted(3), _wanted(4)
    actual = _actual([_have(stays), _have(marked), _have(absent), _have(later), _have(_wanted(5), enabled=False)])
    plan = make_plan(_state([stays, marked], not_started=frozenset({"wy0004"})), actual, "roster.yaml")
    assert {(a.username, a.why) for a in plan.accounts} == {
        ("wy0002", "status leaving"),
        ("wy0003", "absent from the roster"),
    }
    assert plan.disable_share == 2 / 5


def test_a_rehire_is_re_enabled_and_a_joiner_is_created_with_required_actions() -> None:
    rehire, joiner = _wanted(1), _wanted(2, rank="admin", departments=frozenset({"administration"}))
    plan = make_plan(_state([rehire, joiner]), _actual([_have(rehire, enabled=False)]), "roster.yaml")
    by_user = {a.username: a for a in plan.accounts}
    assert [c.kind for c in by_user["wy0001"].changes] == ["enable"]
    assert by_user["wy0002"].new is not None
    assert by_user["wy0002"].new.required_actions == ["UPDATE_PASSWORD", "CONFIGURE_TOTP"]


def test_a_saved_plan_round_trips_through_json() -> None:
    from provisioning.plan import Plan

    plan = make_plan(_state([_wanted(1)]), _actual([]), "roster.yaml")
    again = Plan.from_json(plan.to_json())
    assert again == plan


def test_the_snapshot_survives_keycloak_s_255_character_attribute_values() -> None:
    digests = {state_digest(f"wy{n}", {"phone_number": str(n)}, {"staff"}, {"/sites/a"}) for n in range(1000)}
    chunks = _encode(sorted(digests))
    assert all(len(c) <= 255 for c in chunks)
    assert _decode(list(reversed(chunks))) == digests
    ids = ["0b2f1f2c-8a41-4d6e-9d7a-2f4a8e3b1c5d", "54d09b15-7e93-413a-8eac-6e8b9326ed90"]
    assert _decode_ids(_encode_ids(ids)) == ids


def _event(kind: str, operation: str, path: str, by: str = "someone") -> dict[str, object]:
    return {
        "resourceType": kind,
        "operationType": operation,
        "resourcePath": path,
        "time": 1,
        "authDetails": {"userId": by},
    }


def test_events_name_the_accounts_someone_else_changed_and_skip_the_apply_s_own() -> None:
    marker = Marker(group_id="marker", applier="me", touched=frozenset({"u-moved"}), lock_id="lock")
    since = Since()
    for event, during in (
        (_event("USER", "UPDATE", "users/u-moved", by="me"), True),  # our own edit during the apply
        (_event("REALM", "CREATE", "users/u-new", by="me"), True),  # our partialImport
        (_event("GROUP", "DELETE", "groups/lock", by="me"), True),  # our lock released
        (_event("GROUP", "UPDATE", "groups/marker", by="me"), False),  # our records
        (_event("USER", "UPDATE", "users/u-phone"), True),  # someone else, during the apply
        (_event("REALM_ROLE_MAPPING", "CREATE", "users/u-role/role-mappings/realm"), False),
        (_event("GROUP_MEMBERSHIP", "CREATE", "users/u-group/groups/g1"), False),
        (_event("USER", "UPDATE", "users/u-moved", by="me"), False),  # same admin, by hand, after the apply
    ):
        _classify(event, marker, since, during_apply=during)
    assert since.accounts == {"u-phone", "u-role", "u-group", "u-moved"}
    assert not since.memberships and not since.everything

    _classify(_event("GROUP", "DELETE", "groups/site-x"), marker, since, during_apply=False)
    assert since.memberships
    _classify(_event("REALM", "UPDATE", "events/config"), marker, since, during_apply=False)
    assert since.everything
