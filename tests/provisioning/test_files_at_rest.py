"""Files provisioning leaves on IT's disk: the credentials CSV opens in Excel as text, never as formulas;
plan and audit files (they hold mobiles and e-mails) are readable by their owner only, like the credentials."""

from __future__ import annotations

import stat

from tests.provisioning.support import Provisioner, credential_rows, person


def test_a_roster_name_written_as_a_formula_stays_text_in_the_credentials_file(provision: Provisioner) -> None:
    """Keycloak allows ``-``, ``+`` and ``@`` in names; a spreadsheet reads a cell starting with them as a formula."""
    roster = provision.roster([person(1, "-1+2"), person(2, "@王小明"), person(3, "王小明")])
    assert provision("apply", roster).code == 0
    names = {row["username"]: row["display_name"] for row in credential_rows(provision.credentials_file)}
    assert names == {"wy0001": "'-1+2", "wy0002": "'@王小明", "wy0003": "王小明"}
    assert provision.user("WY0001")["lastName"] + provision.user("WY0001")["firstName"] == "-1+2", (
        "Keycloak keeps the name"
    )


def test_plan_and_audit_files_are_readable_by_their_owner_only(provision: Provisioner) -> None:
    roster = provision.roster([person(n) for n in range(10, 13)])
    plan_file = provision.workdir / "plan.json"
    assert provision("plan", roster, "--out", str(plan_file)).code == 2
    assert provision("apply", roster, "--plan", str(plan_file)).code == 0
    for path in (plan_file, provision.audit_log, provision.credentials_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name} is readable by others"
