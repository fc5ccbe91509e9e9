"""No test reads the clock while pytest collects: a value computed then is stale by the time the test runs.

Story: ``iat = time.time() + 600`` in a parametrize list stops being "in the future" once the suite has run for ten
minutes (a loaded machine took 14), and the test of a real refusal starts failing for no reason. Every clock read
must happen inside a test or fixture body; this walks each test file's syntax tree and names the offending lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
#: Calls that read a clock (matched on the dotted name's tail).
CLOCK_CALLS = frozenset(
    {"time.time", "time.time_ns", "time.monotonic", "time.perf_counter", "datetime.now", "datetime.utcnow",
     "date.today", "datetime.today"}
)  # fmt: skip


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def clock_reads_at_import(tree: ast.AST) -> list[int]:
    """Lines of clock calls that run when the module is imported: outside every function and lambda body.

    Decorator arguments (``@pytest.mark.parametrize(...)``) and default values run at import too.
    """
    found: list[int] = []

    def visit(node: ast.AST, in_body: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for outer in (*node.decorator_list, *node.args.defaults, *node.args.kw_defaults):
                if outer is not None:
                    visit(outer, in_body)
            for statement in node.body:
                visit(statement, True)
            return
        if isinstance(node, ast.Lambda):
            visit(node.body, True)
            return
        if not in_body and isinstance(node, ast.Call):
            name = _dotted(node.func)
            if any(name == call or name.endswith("." + call) for call in CLOCK_CALLS):
                found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child, in_body)

    visit(tree, False)
    return found


def test_the_walker_sees_a_clock_read_in_a_parametrize_list() -> None:
    source = "import time, pytest\n@pytest.mark.parametrize('iat', [int(time.time()) + 600])\ndef test(iat): t = time.time()\n"
    assert clock_reads_at_import(ast.parse(source)) == [2]


def test_no_test_module_reads_the_clock_at_collection() -> None:
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in clock_reads_at_import(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    ]
    assert not offenders, f"clock read at collection (move it into the test body): {', '.join(offenders)}"
