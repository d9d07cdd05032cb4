"""``salesboard agenda``: open activities by due time, overdue first, or as iCalendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _console, _print_json, _safe
from salesboard.cli.part_params import DAYS, substance
from salesboard.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from salesboard.service.part_rows import AgendaEntry


@cli.command(
    "agenda",
    short_help=N_("Your open activities, overdue first."),
    help=N_(
        "Your open activities across every deal, by due time: overdue ones first, each with "
        "its deal. Times are shown in your time zone.\n\n"
        "--ics FILE writes them as an iCalendar file (each activity an event with a lasting "
        "id) that a calendar app can subscribe to; run it again to refresh the file."
    ),
)
@click.option(
    "--owner", default=None, metavar=N_("LOGIN"), help=N_("Whose agenda (default: yours).")
)
@click.option("--all", "everyone", is_flag=True, help=N_("Everyone's open activities."))
@click.option(
    "--days",
    type=DAYS,
    default=None,
    metavar=N_("N"),
    help=N_("Only what is due within N days from now (overdue ones always)."),
)
@click.option(
    "--ics",
    "ics_file",
    default=None,
    metavar=N_("FILE"),
    help=N_("Write an iCalendar file instead ('-' for standard output)."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of a table."))
@click.pass_context
def agenda_command(
    ctx: click.Context,
    owner: str | None,
    everyone: bool,
    days: int | None,
    ics_file: str | None,
    as_json: bool,
) -> None:
    """``salesboard agenda``: a table, JSON, or an iCalendar file."""
    if everyone and owner is not None:
        raise click.UsageError(_("give --owner or --all, not both"))
    if as_json and ics_file is not None:
        raise click.UsageError(_("give --json or --ics, not both"))
    if ics_file is not None and not ics_file.strip():
        raise click.UsageError(_("--ics needs a file name, or '-' for standard output"))
    work = substance(ctx)
    whose = None if everyone else (owner if owner is not None else work.pipeline.actor)
    now = work.pipeline.now()
    entries = work.agenda(whose, days, now=now)
    if ics_file is not None:
        _write_ics(entries, now, whose, ics_file)
    elif as_json:
        _print_json([{**e.to_json(), "overdue": e.activity.overdue(now)} for e in entries])
    else:
        from salesboard.cli.part_output import agenda_table, count_line

        console = _console()
        if not entries:
            console.print(_("No open activities."))
            return
        console.print(agenda_table(entries, now, with_owner=whose is None))
        overdue = sum(entry.activity.overdue(now) for entry in entries)
        console.print(count_line(len(entries), overdue))


def _write_ics(
    entries: Sequence[AgendaEntry], now: datetime, whose: str | None, target: str
) -> None:
    """The agenda as iCalendar, to ``target`` (``-``: standard output)."""
    from salesboard.cli.ics import agenda_calendar, write_atomically

    if whose is None:
        name = _("salesboard agenda")
    else:
        name = _("salesboard agenda of {owner}").format(owner=whose)
    data = agenda_calendar(entries, now, name)
    if target == "-":
        click.echo(data, nl=False)
        return
    write_atomically(target, data)
    click.echo(
        ngettext(
            "wrote {count} activity to {file}", "wrote {count} activities to {file}", len(entries)
        ).format(count=len(entries), file=_safe(target))
    )
