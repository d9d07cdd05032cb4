"""``salesboard migrate --to URL``: move the team's SQLite database to PostgreSQL."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _console, _print_json, _safe
from salesboard.cli.params import PROG, _json_flag
from salesboard.cli.runtime import CommandFailed, _session
from salesboard.i18n import N_, _

if TYPE_CHECKING:
    from salesboard.service.transfer import Migration
    from salesboard.store.transfer import TableResult

BIG_TABLE = 20_000
"""Tables with at least this many rows report their progress on stderr."""


@cli.command(
    "migrate",
    short_help=N_("Copy this SQLite database into an empty PostgreSQL database."),
    help=N_(
        "Copy the whole SQLite database (--db) into an empty PostgreSQL database: every "
        "deal, checklist, activity, stakeholder, problem, rate, setting, pipeline version "
        "and event, with their ids, versions and history (who is online is not copied).\n\n"
        "The SQLite file is only read, in one read transaction, so boards may go on using "
        "it meanwhile (their later changes are not copied). The target must be empty; its "
        "schema is created, the rows are copied in one transaction, and it is committed "
        "only if every table's row count and checksum read back from PostgreSQL equal the "
        "source's. Prints the table of counts and checksums. Exit code 0 when copied, 1 "
        "when the target is not empty or the copy differs (nothing is kept), 2 for bad "
        "input."
    ),
)
@click.option(
    "--to",
    "target",
    required=True,
    metavar=N_("URL"),
    help=N_("The PostgreSQL database to fill, e.g. postgresql+psycopg://sales@db/salesboard."),
)
@_json_flag
@click.pass_context
def migrate_command(ctx: click.Context, target: str, as_json: bool) -> None:
    """``salesboard migrate``: copy, then print each table's counts and checksums."""
    from salesboard.service.transfer import CopyDiffers, migrate
    from salesboard.store import default_db_path

    state = _session(ctx)
    source = str(default_db_path("demo.db")) if state.demo else state.target
    try:
        done = migrate(source, target, progress=_Progress())
    except CopyDiffers as differs:
        if not as_json:
            _console().print(_results_table(differs.tables))
        raise CommandFailed(str(differs), differs.exit_code) from None
    if as_json:
        _print_json(_as_json(done))
        return
    _console().print(_results_table(done.tables))
    click.echo(
        _(
            "copied {rows} rows from {source} to {target} in {seconds:.1f} s "
            "(schema {revision}); every count and checksum matches"
        ).format(
            rows=done.rows,
            source=_safe(done.source),
            target=_safe(done.target),
            seconds=done.seconds,
            revision=done.revision,
        )
    )
    click.echo(
        _(
            "next: check the history there with 'salesboard --db URL doctor'; then point "
            "everyone's --db (or SALESBOARD_DB) at it"
        )
    )


class _Progress:
    """Rows copied of each big table, on stderr: rewritten in place on a terminal."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()

    def __call__(self, table: str, done: int, total: int) -> None:
        if total < BIG_TABLE:
            return
        line = _("{prog}: copying {table}: {done} of {total} rows").format(
            prog=PROG, table=table, done=done, total=total
        )
        if self.live:
            click.echo("\r" + line, err=True, nl=done >= total)
        elif done >= total:
            click.echo(line, err=True)


def _results_table(tables: list[TableResult]) -> Any:
    """One row per table: rows on each side, the checksums, and whether they match."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)
    table.add_column(_("Table"), no_wrap=True)
    table.add_column(_("SQLite rows"), justify="right", no_wrap=True)
    table.add_column(_("PostgreSQL rows"), justify="right", no_wrap=True)
    table.add_column(_("Checksum (SHA-256)"), no_wrap=True)
    table.add_column(_("Match"), no_wrap=True)
    for result in tables:
        if result.ok:
            checksum, mark = result.source_sum[:16], _("ok")
        else:
            checksum = f"{result.source_sum[:16]} ≠ {result.target_sum[:16]}"
            mark = _("DIFFERS")
        table.add_row(
            result.name, str(result.source_count), str(result.target_count), checksum, mark
        )
    return table


def _as_json(done: Migration) -> dict[str, Any]:
    """The result for scripts: where from, where to, and each table's proof in full."""
    return {
        "source": done.source,
        "target": done.target,
        "revision": done.revision,
        "seconds": round(done.seconds, 3),
        "rows": done.rows,
        "tables": [
            {
                "table": t.name,
                "source_rows": t.source_count,
                "target_rows": t.target_count,
                "source_sha256": t.source_sum,
                "target_sha256": t.target_sum,
                "ok": t.ok,
            }
            for t in done.tables
        ],
    }
