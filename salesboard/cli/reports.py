"""``salesboard report``: forecast, funnel, velocity, stuck deals, outcomes, owners, digest.

Each report is computed by its module in ``salesboard.reports`` from the facts of the
database; this module only reads the options, picks the period and prints the result:
Rich tables for people (every cell literal text, never markup), exact JSON for scripts,
CSV for spreadsheets. The digest is plain text for a mail.

Problems with the options (a date that is not one, ``--from`` after ``--to``,
``--json`` with ``--csv``) are one ``salesboard: …`` line on stderr and exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

import click

from salesboard.cli.main import cli
from salesboard.cli.params import PROG
from salesboard.cli.runtime import CommandFailed, _SalesboardCommand, _session
from salesboard.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from rich.console import Console

    from salesboard.reports.facts import Facts, Period, Report, Table
    from salesboard.store import Database


class _ReportGroup(click.Group):
    """``salesboard report``: its commands take ``--db`` after their name too."""

    command_class = _SalesboardCommand


def _clock() -> datetime:
    """Now, for every report of one run (a test may put its own clock here)."""
    return datetime.now(UTC)


@cli.group(
    "report",
    cls=_ReportGroup,
    short_help=N_("Forecast, funnel, velocity, stuck deals, outcomes."),
    help=N_(
        "Insight computed from the deals and their history, for a period (--from, --to; "
        "default: this quarter in your time zone) and optionally one owner.\n\n"
        "Money is in the team's base currency at the current exchange rates (see "
        "'salesboard rates'); deals in a currency without a rate are counted apart. Print a "
        "table, JSON (--json) or CSV (--csv)."
    ),
)
def report_group() -> None:
    """The group of reports; each subcommand is one report."""


# ------------------------------------------------------------------------- options


def _report_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--from``, ``--to``, ``--owner``, ``--json``, ``--csv``: what every report takes."""
    options = (
        click.option(
            "--from",
            "first",
            default=None,
            metavar=N_("YYYY-MM-DD"),
            help=N_("The first day of the period (default: the start of this quarter)."),
        ),
        click.option(
            "--to",
            "last",
            default=None,
            metavar=N_("YYYY-MM-DD"),
            help=N_("The last day of the period, included (default: the end of the quarter)."),
        ),
        click.option(
            "--owner",
            default=None,
            metavar=N_("LOGIN"),
            help=N_("Only this owner's deals (default: everyone's)."),
        ),
        click.option("--json", "as_json", is_flag=True, help=N_("Print JSON instead of a table.")),
        click.option(
            "--csv", "as_csv", is_flag=True, help=N_("Print CSV (for a spreadsheet) instead.")
        ),
    )
    for option in reversed(options):
        function = option(function)
    return function


def _day(option: str, value: str | None) -> date | None:
    """A ``--from`` or ``--to`` date, or a one-line usage failure (exit 2)."""
    if value is None:
        return None
    from salesboard.errors import InvalidInput
    from salesboard.validation import parse_date

    try:
        return parse_date(value)
    except InvalidInput as error:
        raise CommandFailed(
            _("{option}: {problem}").format(option=option, problem=error), 2
        ) from None


def period_of(first: date | None, last: date | None, today: date) -> Period:
    """The period the options ask for: by default this quarter, as ``--help`` says.

    ``--from`` alone runs to the end of this quarter (of its own quarter, if it starts
    after this one); ``--to`` alone runs from the start of this quarter (of its own
    quarter, if it ends before this one starts); neither: this quarter.
    """
    from salesboard.reports.facts import FIRST_YEAR, LAST_YEAR, Period

    for given in (first, last):
        if given is not None and not FIRST_YEAR <= given.year <= LAST_YEAR:
            raise CommandFailed(
                _("a report's period lies between {first} and {last}, not {day}").format(
                    first=f"{FIRST_YEAR}-01-01", last=f"{LAST_YEAR}-12-31", day=given.isoformat()
                ),
                2,
            )
    this = Period.quarter_of(today)
    if first is None:
        first = this.first if last is None or last >= this.first else Period.quarter_of(last).first
    if last is None:
        last = this.last if first <= this.last else Period.quarter_of(first).last
    if last < first:
        raise CommandFailed(
            _("--from {first} is after --to {last}").format(
                first=first.isoformat(), last=last.isoformat()
            ),
            2,
        )
    return Period(first, last)


def _check_formats(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        raise CommandFailed(_("give --json or --csv, not both"), 2)


def _owner(value: str | None) -> str | None:
    """``--owner``: a login, checked as the deals' owners are (exit 2 if it cannot be one)."""
    if value is None:
        return None
    from salesboard.validation import clean_owner

    return clean_owner(value)


# ------------------------------------------------------------------------ commands

_REPORTS: Final = (
    (
        "forecast",
        N_("Open deals by expected close month, weighted."),
        N_(
            "Open deals by the month they are expected to close: how many, their value and "
            "their weighted value (value × the win probability of the deal's stage). Deals "
            "without a close date, with a close date already past, or closing outside the "
            "period are listed apart; the total is the months of the period."
        ),
        "none",
    ),
    (
        "funnel",
        N_("How many deals get through each stage."),
        N_(
            "Of the deals that entered each stage in the period: how many went on to the "
            "next stage, were lost there, are still there or went elsewhere; the conversion "
            "rate, and the median and 80th-percentile days spent in the stage."
        ),
        "all",
    ),
    (
        "velocity",
        N_("How fast the pipeline turns into revenue."),
        N_(
            "Sales velocity: open deals × average won value × win rate ÷ average days to "
            "win, from the deals won and lost in the period."
        ),
        "endings",
    ),
    (
        "stuck",
        N_("Open deals stuck in their stage."),
        N_(
            "Open deals that have been in their stage longer than its 'stuck after N days', "
            "or whose next step is overdue or missing, the furthest over their limit first. "
            "Stuck is about now: the period does not apply."
        ),
        "none",
    ),
    (
        "outcomes",
        N_("Win rate, lost reasons and satisfaction."),
        N_(
            "The deals won and lost in the period: the win rate, the reasons deals were "
            "lost (most common first), and the customers' satisfaction, overall and by "
            "outcome (success or failure)."
        ),
        "endings",
    ),
    (
        "owners",
        N_("The headline figures per owner."),
        N_(
            "One row per owner with open deals or deals won or lost in the period: open "
            "deals, their value and weighted value, won and lost, win rate, average days "
            "to win and stuck deals; then the team."
        ),
        "endings",
    ),
)
"""Each report: its name (and module), short help, help, and which moves it reads (none,
all, or only the wins and losses: a tenth of the log)."""


def _add_report(name: str, short_help: str, help_text: str, moves: str) -> None:
    """Register ``salesboard report NAME`` with the options every report takes."""

    @report_group.command(name, short_help=short_help, help=help_text)
    @_report_options
    @click.pass_context
    def command(
        ctx: click.Context,
        first: str | None,
        last: str | None,
        owner: str | None,
        as_json: bool,
        as_csv: bool,
    ) -> None:
        _check_formats(as_json, as_csv)
        start, end = _day("--from", first), _day("--to", last)
        whose = _owner(owner)
        if start is not None and end is not None:
            period_of(start, end, start)  # refuse --from after --to before reading
        from salesboard.reports.source import ENDINGS, load_facts

        wanted = ENDINGS if moves == "endings" else moves == "all"
        steps = name in ("stuck", "owners")  # the reports that count stuck deals
        facts = load_facts(_database(ctx), now=_clock(), moves=wanted, steps=steps)
        facts.check_owner(whose)
        period = period_of(start, end, facts.today)
        found = _compute(name, facts.of_owner(whose), period)
        _warn_damaged([deal_id for deal_id, _why in facts.damaged])
        if as_json:
            from salesboard.cli.output import _print_json

            _print_json(found.to_json())
        elif as_csv:
            _print_csv(found.csv_rows())
        else:
            _print_tables(found.tables())

    command.__doc__ = f"``salesboard report {name}``: the report as a table, JSON or CSV."


def _add_reports() -> None:
    for name, short_help, help_text, moves in _REPORTS:
        _add_report(name, short_help, help_text, moves)


_add_reports()


def _database(ctx: click.Context) -> Database:
    """The database, opened to be read only: never upgraded, never switched to WAL.

    Reports change nothing, so a database of another schema is refused (as ``doctor``
    refuses it) rather than upgraded by someone who only wanted a figure.
    """
    from salesboard.errors import DatabaseUnavailable
    from salesboard.store.schema import HEAD_REVISION, current_revision

    db = _session(ctx).database(migrate=False)
    with db.engine.connect() as connection:
        found = current_revision(connection)
    if found != HEAD_REVISION:
        raise DatabaseUnavailable(
            _(
                "{name}: its schema is {found}, this salesboard reads {head}; reports change "
                "nothing — upgrade it with 'salesboard init' (or use the salesboard that "
                "wrote it), then ask again"
            ).format(name=db.name, found=found or "-", head=HEAD_REVISION)
        )
    return db


def _compute(name: str, facts: Facts, period: Period) -> Report:
    """Run report ``name`` (a module of ``salesboard.reports``) on the facts."""
    import importlib

    module: Any = importlib.import_module(f"salesboard.reports.{name}")
    found: Report = module.report(facts, period)
    return found


@report_group.command(
    "digest",
    short_help=N_("A short weekly summary, for a mail."),
    help=N_(
        "A short plain-text summary of the last seven days, for people who do not open the "
        "board: what moved, what is stuck, what is due, and how this quarter's weighted "
        "forecast changed since a week ago. Made for a cron job that mails it, such as: "
        "salesboard report digest --owner alice | mail -s 'Pipeline' alice"
    ),
)
@click.option(
    "--owner",
    default=None,
    metavar=N_("LOGIN"),
    help=N_("Only this owner's deals and activities (default: everyone's)."),
)
@click.pass_context
def digest_command(ctx: click.Context, owner: str | None) -> None:
    """``salesboard report digest``: the week in plain text."""
    whose = _owner(owner)
    from salesboard.reports.digest import load_digest

    found = load_digest(_database(ctx), now=_clock(), owner=whose)
    _warn_damaged(found.damaged)
    click.echo(found.text(), nl=False)


# ------------------------------------------------------------------------ printing


def _warn_damaged(damaged: Sequence[int]) -> None:
    """One line on stderr when deals could not be read and were left out of the figures."""
    if not damaged:
        return
    count = len(damaged)
    ids = ", ".join(str(deal_id) for deal_id in damaged[:10])
    if count > 10:
        ids += ", …"
    warning = ngettext(
        "warning: {count} damaged deal ({ids}) is left out of the figures; "
        "run 'salesboard doctor' to see every problem",
        "warning: {count} damaged deals ({ids}) are left out of the figures; "
        "run 'salesboard doctor' to see every problem",
        count,
    ).format(count=count, ids=ids)
    click.echo(f"{PROG}: {warning}", err=True)


_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes as the start of a formula when a cell begins with it."""


def csv_cell(value: str) -> str:
    """A cell safe to open in a spreadsheet and to print on a terminal.

    Control characters are removed (CSV has no way to escape them), and text that a
    spreadsheet would run as a formula (``=HYPERLINK(…)``, ``@SUM(…)``) gets a leading
    apostrophe, the usual guard; numbers such as ``-12.50`` are left as they are.
    """
    from salesboard.validation import display_safe

    cell = display_safe(value, multiline=True)
    if cell.startswith(_FORMULA_START) and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _print_csv(rows: list[list[str]]) -> None:
    """CSV for spreadsheets: the report's header row, then its rows, one line each."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([csv_cell(str(cell)) for cell in row] for row in rows)
    click.echo(buffer.getvalue(), nl=False)


def _print_tables(tables: list[Table]) -> None:
    """Each table as Rich draws it: title, columns (figures aligned right), notes under it."""
    from salesboard.cli.output import _console

    console = _console()
    for n, table in enumerate(tables):
        if n:
            console.print()
        _print_table(console, table)


def _print_table(console: Console, table: Table) -> None:
    """One table as aligned lines of literal text: quick at thousands of rows.

    Figures are aligned right and never cut; when the table is wider than the terminal,
    the widest text columns give way first and their cells end in "…" (``--json`` and
    ``--csv`` keep every character); headings wrap at spaces.
    """
    import os

    from rich.text import Text

    from salesboard.reports.layout import table_lines
    from salesboard.validation import display_safe

    fit = console.is_terminal or "COLUMNS" in os.environ  # a pipe or a file: no wrapping
    console.print(Text(display_safe(table.title), style="bold"), soft_wrap=not fit)
    if table.columns:
        heading, lines = table_lines(table, console.width if fit else None)
        console.print(Text("\n".join(heading), style="bold"), soft_wrap=True)
        if lines:
            console.print(Text("\n".join(lines)), soft_wrap=True)
    for note in table.notes:
        console.print(Text(display_safe(note)), soft_wrap=not fit)
