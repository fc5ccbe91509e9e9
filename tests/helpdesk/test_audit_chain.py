"""The audit log an auditor accepts: whoever edits, deletes or reorders a line is caught, by line number."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from sso.audit_chain import AuditChain, verify
from sso.audit_cli import main as audit_main


def _log(tmp_path: Path, n: int = 5) -> Path:
    path = tmp_path / "audit.jsonl"
    chain = AuditChain(path)
    for i in range(n):
        chain.append({"operator": "IT001", "action": "unlock", "user_id": f"u{i}", "reason": f"电话核实 {i}"})
    return path


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_an_untouched_log_verifies_and_names_its_head(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _log(tmp_path)
    assert audit_main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "intact, 5 lines" in out and verify(path).head in out


def test_an_insider_who_rewrites_the_reason_of_line_3_is_caught_at_line_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _log(tmp_path)
    lines = _lines(path)
    lines[2] = lines[2].replace("电话核实 2", "本人要求")
    path.write_text("".join(lines), encoding="utf-8")
    assert audit_main(["verify", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 3: changed" in err and "first at line 3" in err


def test_rehashing_the_edited_line_still_breaks_the_next_line(tmp_path: Path) -> None:
    """An attacker who knows the format recomputes line 3's own hash: line 4's ``prev`` no longer matches."""
    from sso.audit_chain import line_hash

    path = _log(tmp_path)
    lines = _lines(path)
    entry = json.loads(lines[2])
    entry["reason"] = "本人要求"
    entry["hash"] = line_hash(entry)
    lines[2] = json.dumps(entry, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    assert [p.line for p in verify(path).problems][:1] == [4]


def test_deleting_line_2_is_caught_at_the_line_that_followed_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _log(tmp_path)
    lines = _lines(path)
    del lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    assert audit_main(["verify", str(path)]) == 1
    assert "line 2: out of chain" in capsys.readouterr().err


def test_swapping_two_lines_is_caught(tmp_path: Path) -> None:
    path = _log(tmp_path)
    lines = _lines(path)
    lines[1], lines[3] = lines[3], lines[1]
    path.write_text("".join(lines), encoding="utf-8")
    verdict = verify(path)
    assert not verdict.intact and verdict.problems[0].line == 2


def test_a_line_that_is_no_longer_json_is_named(tmp_path: Path) -> None:
    path = _log(tmp_path)
    lines = _lines(path)
    lines[4] = lines[4][:20] + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    assert verify(path).problems[0].line == 5


def test_parallel_writers_never_fork_the_chain(tmp_path: Path) -> None:
    """Two workbench instances (threads here, separate fds each append) writing at once leave one valid chain."""
    path = tmp_path / "audit.jsonl"

    def writer(name: str) -> None:
        chain = AuditChain(path)
        for i in range(40):
            chain.append({"operator": name, "action": "unlock", "n": i})

    threads = [threading.Thread(target=writer, args=(f"w{k}",)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verdict = verify(path)
    assert verdict.intact and verdict.lines == 160


def test_a_record_cannot_bring_its_own_chain_fields(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="chain's own fields"):
        AuditChain(tmp_path / "a.jsonl").append({"hash": "0" * 64})


def test_export_of_the_logs_is_formula_safe_csv_for_the_date_range(tmp_path: Path) -> None:
    path = tmp_path / "helpdesk-audit.jsonl"
    chain = AuditChain(path)
    chain.append(
        {
            "time": "2026-11-01T08:00:00.000+00:00",
            "operator": '=HYPERLINK("http://evil")',
            "action": "unlock",
            "user_id": "u1",
            "reason": "locked out",
        }
    )
    chain.append(
        {
            "time": "2026-11-20T08:00:00.000+00:00",
            "operator": "IT001",
            "action": "sign-out",
            "user_id": "u2",
            "reason": "lost phone",
        }
    )
    out = tmp_path / "export.csv"
    code = audit_main(
        [
            "export",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-02",
            "--format",
            "csv",
            "--no-keycloak",
            "--log",
            f"helpdesk={path}",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "unlock" in text and "sign-out" not in text
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
