"""``salesboard doctor``: check the file, every rule and the history chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _console, _print_json, _text
from salesboard.cli.params import _json_flag
from salesboard.cli.rates import _parse_head
from salesboard.cli.runtime import _session

if TYPE_CHECKING:
    from salesboard.store import Database


@cli.command("doctor", short_help="Check the file, every rule and the history chain.")
@click.option(
    "--expect-head",
    metavar="EVENT:HASH",
    callback=_parse_head,
    help="Also check that EVENT still has HASH, as an earlier doctor run printed it.",
)
@_json_flag
@click.pass_context
def doctor_command(ctx: click.Context, expect_head: tuple[int, str] | None, as_json: bool) -> None:
    """Check the database: the file's integrity, every row, every rule, the history chain.

    Prints what it finds and the history's head (the newest event and its hash); keep
    the head somewhere else, and a later --expect-head shows whether the history up to
    it was rewritten. Exit code 0 when all is well, 1 when anything is wrong.
    """
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
        raise DatabaseUnavailable(
            f"{db.name}: its schema is {found or 'not set up'}, this salesboard checks "
            f"{HEAD_REVISION}; doctor changes nothing — upgrade it with 'salesboard init' "
            "(or use the salesboard that wrote it), then run doctor again"
        )


_SHOWN_PER_CHECK = 50


def _print_checkup(checkup: Any, where: str, revision: str, head: str | None) -> None:
    """The human report: one line per check, its problems below it, then the head."""
    console = _console()
    console.print(_text(f"salesboard doctor: {where} (schema {revision})"))
    for check in checkup.checks:
        mark, style = ("ok  ", "green") if check.ok else ("FAIL", "bold red")
        line = _text(f"{mark}  {check.name}: {check.summary}", style)
        console.print(line)
        for problem in check.problems[:_SHOWN_PER_CHECK]:
            console.print(_text(f"        {problem}"))
        hidden = len(check.problems) - _SHOWN_PER_CHECK
        if hidden > 0:
            console.print(f"        … and {hidden} more")
    click.echo(f"history head: {head or 'none (no events yet)'}")  # one line, to copy
    if checkup.ok:
        console.print("no problems found")
    else:
        count = checkup.problem_count
        console.print(_text(f"{count} problem{'s' if count != 1 else ''} found", "bold"))
