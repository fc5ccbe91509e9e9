"""Show a plan to a person: grouped by account, field-level before → after, Chinese and English labels."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from provisioning.activation import Activation, joiner_required_actions, queued_line
from provisioning.plan import AccountPlan, ChangeKind, NewAccountPlan, Plan
from provisioning.report import ApplyReport

_HEAD = {
    ChangeKind.CREATE: ("+", "green", "新建 create"),
    ChangeKind.DISABLE: ("-", "red", "停用并登出 disable + sign out"),
    ChangeKind.ENABLE: ("↺", "cyan", "重新启用 re-enable"),
    ChangeKind.RENAME: ("→", "cyan", "改工号 rename"),
}
_LABELS: dict[str, str] = {
    ChangeKind.CREATE: "新建 create",
    ChangeKind.RENAME: "改工号 rename",
    ChangeKind.UPDATE: "修改 update",
    ChangeKind.GRANT: "授予角色 grant",
    ChangeKind.REVOKE: "撤销角色 revoke",
    ChangeKind.JOIN: "加入组 join",
    ChangeKind.LEAVE: "退出组 leave",
    ChangeKind.DISABLE: "停用 disable",
    ChangeKind.ENABLE: "启用 re-enable",
    ChangeKind.CREATE_SITE: "新建项目 create site",
    ChangeKind.UPDATE_SITE: "修改项目 rename site",
}


def render_plan(
    plan: Plan, console: Console, show: int = 200, activation: Activation = Activation.ONE_TIME_PASSWORD
) -> None:
    if not plan.realm_exists:
        console.print(
            f"[bold]realm {plan.realm}[/] does not exist: it will be created from the realm template "
            f"({plan.company_name})"
        )
    for change in plan.sites:
        console.print(
            Text.assemble(
                ("± " if change.kind == ChangeKind.UPDATE_SITE else "+ ", "green"),
                f"site {change.target}: ",
                _arrow(change.before, change.after),
            )
        )
    for account in plan.accounts[:show]:
        _account(account, console, activation)
    if len(plan.accounts) > show:
        console.print(f"… and {len(plan.accounts) - show} more accounts (use --json or --out PLAN.json for all)")
    for note in plan.notes:
        console.print(f"[dim]note: {note}[/]")
    for conflict in plan.conflicts:
        console.print(f"[red]冲突 conflict, not planned: {conflict}[/]")
    console.print(summary_line(plan))
    joiners = plan.count(ChangeKind.CREATE)
    if joiners and activation is Activation.SMS:
        console.print(queued_line(joiners, planned=True))


def summary_line(plan: Plan) -> str:
    counts = plan.summary()
    if plan.empty:
        return f"无变更 No changes: realm {plan.realm} matches the roster ({plan.managed_accounts} managed accounts)."
    parts = [f"{_LABELS[k]} {n}" for k, n in counts.items() if k in _LABELS and n]
    if plan.conflicts:
        parts.append(f"冲突 conflicts {len(plan.conflicts)} (not planned)")
    return f"Plan for realm {plan.realm}: " + ", ".join(parts) + f" ({counts['accounts']} accounts)."


def _account(account: AccountPlan, console: Console, activation: Activation) -> None:
    kinds = account.kinds
    head = (
        ChangeKind.CREATE
        if ChangeKind.CREATE in kinds
        else ChangeKind.DISABLE
        if ChangeKind.DISABLE in kinds
        else ChangeKind.RENAME
        if ChangeKind.RENAME in kinds
        else ChangeKind.ENABLE
        if ChangeKind.ENABLE in kinds
        else ChangeKind.UPDATE
    )
    mark, colour, label = _HEAD.get(head, ("~", "yellow", "变更 change"))
    name = account.name or (account.new.display_name if isinstance(account, NewAccountPlan) else "")
    why = f" ({account.why})" if not isinstance(account, NewAccountPlan) and account.why else ""
    console.print(Text.assemble((f"{mark} {account.username}", f"bold {colour}"), f" {name} ", (label + why, colour)))
    if isinstance(account, NewAccountPlan):
        new = account.new
        console.print(
            f"    roles {', '.join(new.realm_roles)}; groups {', '.join(new.groups) or '-'}; "
            f"required actions {', '.join(joiner_required_actions(new.required_actions, activation)) or '-'}"
        )
        return
    for change in account.changes:
        if change.kind in (ChangeKind.UPDATE, ChangeKind.RENAME):
            console.print(Text.assemble(f"    {change.target}: ", _arrow(change.before, change.after)))
        elif change.kind in (ChangeKind.GRANT, ChangeKind.JOIN):
            console.print(
                Text.assemble(
                    ("    + ", "green"), f"{'role' if change.kind == ChangeKind.GRANT else 'group'} {change.target}"
                )
            )
        elif change.kind in (ChangeKind.REVOKE, ChangeKind.LEAVE):
            console.print(
                Text.assemble(
                    ("    - ", "red"), f"{'role' if change.kind == ChangeKind.REVOKE else 'group'} {change.target}"
                )
            )


def _arrow(before: object, after: object) -> Text:
    return Text.assemble(
        (str(before) if before not in (None, "") else "∅", "red"),
        " → ",
        (str(after) if after not in (None, "") else "∅", "green"),
    )


def render_report(report: ApplyReport, console: Console) -> None:
    done = ", ".join(f"{_LABELS.get(k, k)} {n}" for k, n in sorted(report.done.items())) or "nothing"
    console.print(
        f"[bold]已完成 Done[/] in {report.seconds:.1f} s ({report.requests} requests, {report.writes} writes): {done}"
    )
    if report.create_mode:
        console.print(f"accounts created in {report.create_mode}")
    if report.replanned:
        console.print("the realm changed between plan and apply: planned again from what is there now")
    if report.reconciled:
        console.print(f"{report.reconciled} changes of an earlier, killed apply settled in the audit log")
    for username in report.adopted:
        console.print(f"[yellow]{username}: created by an earlier, killed apply; taken over[/]")
    for username in report.signed_out:
        console.print(f"[yellow]{username}: disabled but still signed in; signed out[/]")
    if report.passwords_written:
        console.print(f"{report.passwords_written} one-time passwords written to the credentials file (mode 0600)")
    if report.invitations_sent:
        console.print(f"{report.invitations_sent} invitation e-mails sent")
    if report.activations_queued:
        console.print(queued_line(report.activations_queued))
    for username in report.skipped:
        console.print(
            f"[yellow]skipped {username}: an account with that username or e-mail already exists and is not "
            f"managed by provisioning (left untouched)[/]"
        )
    for failure in report.failures:
        console.print(f"[red]failed {failure.account} {failure.change}: {failure.error}[/]")
