"""Set-up errors that tell a person what went wrong and what to do, in one paragraph."""

from __future__ import annotations


class SetupError(RuntimeError):
    """A problem on this machine that stops the stack; ``str()`` is the one-paragraph advice."""

    def __init__(self, problem: str, remedy: str, detail: str = "") -> None:
        self.problem = problem
        self.remedy = remedy
        self.detail = detail
        text = f"{problem} {remedy}"
        if detail:
            text += f"\n--- details ---\n{detail}"
        super().__init__(text)
