"""``salesboard doctor``: check the file, every rule and the history chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _console, _print_json, _text
from salesboard.cli.params import _json_flag
from salesboard.cli.rates import _parse_head
from salesboard.cli.runtime import _session
from salesboard.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from salesboard.store import Database


@cli.command(
    "doctor",
    short_help=N_("Check the file, every rule and the history chain."),
    help=N_(
        "Check the database: the file's integrity, every row, every rule, the history "
        "chain.\n\n"
        "Prints what it finds and the history's head (the newest event and its hash); keep "
        "the head somewhere else, and a later --expect-head shows whether the history up to "
        "it was rewritten. Exit code 0 when all is well, 1 when anything is wrong."
    ),
)
@click.option(
    "--expect-head",
    metavar=N_("EVENT:HASH"),
    callback=_parse_head,
    help=N_("Also check that EVENT still has HASH, as an earlier doctor run printed it."),
)
@_json_flag
@click.pass_context
def doctor_command(ctx: click.Context, expect_head: tuple[int, str] | None, as_json: bool) -> None:
    """``salesboard doctor``: check everything, print the report and the history's head."""
    from salesboard.service.doctor import examine, schema_revision

    db = _session(ctx).database(migrate=False)
    _refuse_other_schema(db)
    checkup = examine(db, expect_head=expect_head)
    head = f"{checkup.head_event}:{checkup.head_hash}" if checkup.head_event else None
    if as_json:
        _print_json(
            {
                "database": db.name,
                "ok": checkup.ok,
                "checks": [
                    {"name": c.name, "ok": c.ok, "summary": c.summary, "problems": c.problems}
                    for c in checkup.checks
                ],
                "head": head,
            }
        )
    else:
        _print_checkup(checkup, db.name, schema_revision(db), head)
    if not checkup.ok:
        ctx.exit(1)


def _refuse_other_schema(db: Database) -> None:
    """``doctor`` looks at a database of this version only, and never upgrades one.

    An upgrade changes the file (the upgrade to schema 0003 seals the history as it
    stands), which is no business of a check.
    """
    from salesboard.errors import DatabaseUnavailable
    from salesboard.store.schema import HEAD_REVISION, current_revision

    with db.engine.connect() as connection:
        found = current_revision(connection)
    if found != HEAD_REVISION:
        if found:
            refusal = _(
                "{name}: its schema is {found}, this salesboard checks {head}; doctor "
                "changes nothing — upgrade it with 'salesboard init' (or use the salesboard "
                "that wrote it), then run doctor again"
            )
        else:
            refusal = _(
                "{name}: its schema is not set up, this salesboard checks {head}; doctor "
                "changes nothing — upgrade it with 'salesboard init' (or use the salesboard "
                "that wrote it), then run doctor again"
            )
        raise DatabaseUnavailable(refusal.format(name=db.name, found=found, head=HEAD_REVISION))


_SHOWN_PER_CHECK = 50


def _print_checkup(checkup: Any, where: str, revision: str, head: str | None) -> None:
    """The human report: one line per check, its problems below it, then the head."""
    from rich.cells import cell_len

    console = _console()
    console.print(
        _text(
            _("salesboard doctor: {where} (schema {revision})").format(
                where=where, revision=revision
            )
        )
    )
    # The marks are padded to one width, so that the check names line up.
    ok_mark, fail_mark = _("ok"), _("FAIL")
    width = max(cell_len(ok_mark), cell_len(fail_mark))
    for check in checkup.checks:
        mark, style = (ok_mark, "green") if check.ok else (fail_mark, "bold red")
        mark += " " * (width - cell_len(mark))
        line = _text(f"{mark}  {check.label}: {check.summary}", style)
        console.print(line)
        for problem in check.problems[:_SHOWN_PER_CHECK]:
            console.print(_text(f"        {problem}"))
        hidden = len(check.problems) - _SHOWN_PER_CHECK
        if hidden > 0:
            more = ngettext("… and {count} more", "… and {count} more", hidden)
            console.print("        " + more.format(count=hidden))
    if head:  # one line, to copy
        click.echo(_("history head: {head}").format(head=head))
    else:
        click.echo(_("history head: none (no events yet)"))
    if checkup.ok:
        console.print(_("no problems found"))
    else:
        count = checkup.problem_count
        found = ngettext("{count} problem found", "{count} problems found", count)
        console.print(_text(found.format(count=count), "bold"))
