"""The ``salesboard`` command line: every use case of the pipeline, scriptable.

The CLI is a thin client of the service layer, like the board: it parses arguments, calls
one ``Pipeline`` use case, and prints the result as a table, a short confirmation or JSON.
Every failure becomes one line on stderr (``salesboard: <why>``) and a documented exit
code, never a traceback:

    0 done · 1 the database cannot be used · 2 bad input · 3 refused by the workflow ·
    4 conflict with another change · 130 interrupted (Ctrl-C) · 141 the reader of the
    output stopped early (``salesboard list | head -1``)

Only ``click`` and the standard library are imported at module level, so that
``salesboard --help`` stays instant: the service, the store (SQLAlchemy, SQLModel) and
Rich are imported inside the commands that need them.
"""

from __future__ import annotations

import gc
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from datetime import date, datetime
    from pathlib import Path

    from rich.console import Console
    from rich.text import Text

    from salesboard.service import DealSummary, DealView, EventView, JobView, Pipeline
    from salesboard.store import Database
    from salesboard.workflow import Stage

PROG = "salesboard"
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
DEMO_DEALS = 200
"""How many deals ``salesboard --demo`` puts into a new demo database."""

_ID_MAX = 2**63 - 1  # SQLite and PostgreSQL BIGINT; larger ids could only be typos
_JOB_MAX = 10_000


class _WholeNumber(click.types.IntParamType):
    """A whole number in plain ASCII digits within bounds, or a usage error (exit 2).

    Python's ``int`` also takes ``١٢٣``, ``1_000`` and ``+5``; a command line should take
    only what it documents, and numbers beyond the database's integers could only be
    typos.
    """

    def __init__(self, what: str, low: int = 1, high: int = _ID_MAX) -> None:
        self.what = what
        self.low = low
        self.high = high
        self.name = f"{what} ({low}-{high})" if high < _ID_MAX else what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """The number, or a usage error that says what is acceptable."""
        from salesboard.errors import InvalidInput
        from salesboard.validation import parse_whole_number

        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        try:
            return parse_whole_number(value, self.what, self.low, self.high)
        except InvalidInput as error:
            self.fail(str(error), param, ctx)


DEAL_ID = _WholeNumber("a deal id")
VERSION = _WholeNumber("a version")
JOB_NUMBER = _WholeNumber("a job number", 1, _JOB_MAX)
SATISFACTION = _WholeNumber("satisfaction", 1, 5)
STATUS_CHOICES = ("open", "finished", "lost", "all")
ORDER_CHOICES = ("board", "value", "close", "days", "changed")
"""``CardOrder``'s values, written out so that ``--help`` needs no import of the service."""

F = TypeVar("F", bound=Callable[..., Any])


# --------------------------------------------------------------------------- failures


class CommandFailed(click.ClickException):
    """A failure reported as one ``salesboard: …`` line on stderr with its exit code.

    Click prints a ``ClickException`` and exits with its ``exit_code`` in standalone mode,
    so raising this from a command is all it takes for the CLI and ``CliRunner`` alike.
    """

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        # Click declares ``exit_code`` a class variable; each failure carries its own.
        vars(self)["exit_code"] = exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``salesboard: <message>`` (safe for a terminal) to stderr."""
        from salesboard.validation import visible_controls

        click.echo(f"{PROG}: {visible_controls(self.message)}", err=True, file=file)


def _failure_for(error: Exception) -> CommandFailed:
    """The message and exit code for an error a command did not handle itself.

    The imports are of light, dependency-free modules; SQLAlchemy is only consulted if it
    is already loaded (an error cannot come from it otherwise).
    """
    from salesboard.errors import SalesboardError
    from salesboard.workflow import WorkflowRefusal

    if isinstance(error, SalesboardError):
        return CommandFailed(str(error), error.exit_code)
    if isinstance(error, WorkflowRefusal):
        return CommandFailed(str(error), 3)
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None and isinstance(error, sa_exc.DBAPIError):
        from salesboard.store.database import explain_db_error

        return CommandFailed(str(explain_db_error(error, "the database")), 1)
    if isinstance(error, OSError):
        if error.filename:
            return CommandFailed(f"cannot use {error.filename}: {error.strerror or error}", 1)
        # No file named: a write to standard output failed (``> /dev/full``).
        return CommandFailed(f"cannot write the output: {error.strerror or error}", 1)
    first_line = (str(error).splitlines() or [""])[0]
    return CommandFailed(
        f"internal error ({type(error).__name__}: {first_line}); please report this bug", 1
    )


def _silence_closed_stdout() -> None:
    """Point stdout at /dev/null so the final flush of a closed pipe raises nothing."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file descriptor (a test's runner)
        pass


def _take_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--db`` given after the command: the same as before it, but only once."""
    if value is None:
        return
    state = _session(ctx)
    if state.demo:
        raise click.UsageError("--demo uses its own database; leave out --db")
    if state.target is not None and state.target != value:
        raise click.UsageError("give the database once: --db before the command or after it")
    _refuse_empty_target(value)
    state.target = value


def _refuse_empty_target(value: str | None) -> None:
    if value is not None and not value.strip():
        raise click.UsageError("--db needs a file path or a database URL, not an empty string")


class _SalesboardCommand(click.Command):
    """A subcommand that also takes ``--db`` after its name, and negative numbers as values.

    ``salesboard list --db X`` works like ``salesboard --db X list``. Commands with a
    number argument let ``-1`` through as that argument, so it is refused as a number
    ("from 1") rather than reported as an unknown option.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["--db"],
                metavar="PATH_OR_URL",
                expose_value=False,
                callback=_take_db,
                help="The database, as salesboard --db (given before or after the command).",
            )
        )
        if any(
            isinstance(param, click.Argument) and isinstance(param.type, _WholeNumber)
            for param in self.params
        ):
            self.ignore_unknown_options = True


class _SalesboardGroup(click.Group):
    """The top-level group; turns every error of a command into a message and exit code."""

    command_class = _SalesboardCommand

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, translating domain, database and interrupt errors."""
        if sys.stdout is None:  # started with standard output closed (``>&-``)
            raise CommandFailed("cannot write the output: standard output is closed", 1)
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            # The reader stopped early (`salesboard list | head -1`): no error of ours.
            # Exit as a process killed by SIGPIPE would (128 + 13), as git does, and keep
            # the interpreter from complaining when it flushes the closed pipe at exit.
            _silence_closed_stdout()
            raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
        except KeyboardInterrupt:
            raise CommandFailed("interrupted", EXIT_INTERRUPTED) from None
        except Exception as error:
            raise _failure_for(error) from None


# ------------------------------------------------------------------------ the database


@dataclass
class _Session:
    """What the global options chose, and the database opened on first use.

    Opening is lazy so that usage errors and ``--help`` never touch a database.
    """

    target: str | None
    demo: bool
    _db: Database | None = field(default=None, repr=False)

    def database(self, *, create: bool = False, migrate: bool = True) -> Database:
        """The selected database, opened (and for ``--demo`` seeded) once per run.

        Only ``create`` (``init``, ``demo``, the first board on the default file) and
        ``--demo`` make a new database; every other command refuses a missing one, so a
        mistyped path is reported instead of silently taking the user's changes.
        ``migrate=False`` leaves an older schema as it is (``doctor`` changes nothing).
        """
        if self._db is None:
            from salesboard.store import Database

            if self.demo:
                from salesboard.store import default_db_path

                path = default_db_path("demo.db")
                _make_data_directory(path)
                self._db = Database.open(str(path), create=True)
                _seed_if_empty(self._db)
            else:
                self._db = Database.open(self.target, create=create, migrate=migrate)
        return self._db

    def pipeline(self) -> Pipeline:
        """The use cases, acting as the OS user running this process."""
        from salesboard.service import Pipeline

        return Pipeline(self.database())

    def close(self) -> None:
        """Release the database's connections at the end of the command."""
        if self._db is not None:
            self._db.close()
            self._db = None


def _make_data_directory(path: Path) -> None:
    """Create the user data directory for the default or demo database, if missing."""
    from salesboard.errors import DatabaseUnavailable

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(
            f"cannot create directory {path.parent}: {error.strerror or error}"
        ) from None


def _seed_if_empty(db: Database) -> None:
    """Give the demo database its demo deals the first time it is used.

    ``seed_demo`` refuses a database that already holds deals; that refusal is the
    (race-free) "already seeded" answer, so it is only passed on if the database is in
    fact empty (some other input problem).
    """
    from salesboard.errors import InvalidInput
    from salesboard.service import Pipeline
    from salesboard.service.demo import seed_demo

    try:
        seed_demo(db, deals=DEMO_DEALS)
    except InvalidInput:
        if not Pipeline(db).list_deals(status=None):
            raise


def _session(ctx: click.Context) -> _Session:
    """The ``_Session`` the top-level group stored for its subcommands."""
    state = ctx.find_object(_Session)
    if state is None:  # a subcommand run on its own, without the group
        state = _Session(target=None, demo=False)
        ctx.obj = state
        ctx.call_on_close(state.close)
    return state


# ------------------------------------------------------------------------- rendering


def _console() -> Console:
    """A Rich console for stdout that never interprets markup, emoji codes or numbers.

    User text is passed as ``Text`` anyway; these switches make sure no plain string is
    ever styled either. Rich drops colour by itself when stdout is not a terminal.
    """
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich would exit with 1, the code for "the database cannot be used".
            raise BrokenPipeError

    return _Console(highlight=False, markup=False, emoji=False)


def _text(value: str, style: str = "", *, multiline: bool = False, cut: bool = False) -> Text:
    """User text as a Rich ``Text``: shown literally, terminal control bytes removed.

    ``cut`` keeps it on one line, ending in an ellipsis where the column is too narrow.
    """
    from rich.text import Text

    from salesboard.validation import display_safe

    if cut:
        return Text(display_safe(value), style=style, no_wrap=True, overflow="ellipsis")
    return Text(display_safe(value, multiline=multiline), style=style)


def _money(value_minor: int, currency: str) -> str:
    """An amount as ``12 500.00 EUR``: the one way money is written, which input takes back."""
    from salesboard.money import money_text
    from salesboard.validation import display_safe

    return display_safe(money_text(value_minor, currency))


def _when(moment: datetime) -> str:
    """A stored (UTC) time to the minute, as shown in tables ("time unknown" if damaged)."""
    from salesboard.service.views import UNKNOWN_TIME

    if moment == UNKNOWN_TIME:
        return "time unknown"
    return moment.strftime("%Y-%m-%d %H:%M")


def _day(value: date | None) -> str:
    """A date, or a dash for none."""
    return value.isoformat() if value else "—"


def _safe(text: str) -> str:
    """A path or name for a message line, with terminal control characters removed."""
    from salesboard.validation import display_safe

    return display_safe(text)


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Characters a terminal (or a JavaScript reader) could act on, besides the C0 controls
that ``json.dumps`` escapes itself: DEL and C1 controls, line and paragraph separators,
direction overrides, and lone surrogates (which could not even be encoded)."""


def json_text(data: Any, *, indent: int | None = None) -> str:
    """Exact JSON whose strings can never drive a terminal.

    Non-ASCII text stays readable; every character in ``_UNSAFE_IN_JSON`` is written as
    a JSON ``u``-escape (backslash, u, four hex digits), so a script reading the JSON gets
    the stored text back exactly while a person looking at it sees only plain characters.
    """
    encoded = json.dumps(data, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", encoded)


def _print_json(data: Any) -> None:
    """JSON for scripts: text kept as is (non-ASCII unescaped, controls escaped).

    Indented for a person at a terminal; one line when piped, because only the compact
    form uses the json module's C encoder (four times faster on 10,000 deals).
    """
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json_text(data, indent=indent))


def _deal_table(deals: Sequence[DealSummary], *, with_status: bool, width: int) -> Any:
    """The pipeline as a table: one row per deal, long text cut with an ellipsis.

    Figures never shrink; the text columns give way first (their cells are cut with an
    ellipsis rather than wrapped, so every deal stays one line). Below 100 columns the
    expected close date is left out so that titles stay readable in an 80-column terminal.
    """
    from rich import box
    from rich.table import Table

    with_close = width >= 100
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Title", max_width=60)
    table.add_column("Company", max_width=40)
    table.add_column("Stage", no_wrap=True)
    table.add_column("Jobs", justify="right", no_wrap=True)
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("Owner", max_width=16)
    if with_close:
        table.add_column("Close", no_wrap=True)
    if with_status:
        table.add_column("Status", no_wrap=True)
    for deal in deals:
        if deal.damage is not None:
            table.add_row(*_damaged_row(deal, with_close=with_close, with_status=with_status))
            continue
        row: list[Any] = [
            str(deal.id),
            _text(deal.title, cut=True),
            _text(deal.company, cut=True),
            deal.stage.label,
            f"{deal.jobs_done}/{deal.jobs_total}",
            _money(deal.value_minor, deal.currency),
            _text(deal.owner, cut=True),
        ]
        if with_close:
            row.append(_day(deal.expected_close))
        if with_status:
            row.append(deal.status.value)
        table.add_row(*row)
    return table


def _total_line(db: Database, deals: Sequence[DealSummary]) -> str:
    """What the listed deals are worth together, in the base currency, never mixed."""
    from salesboard.money import money_text
    from salesboard.service.rates import RateBook

    rates = RateBook(db).current()
    total, converted = 0, False
    apart: dict[str, int] = {}
    for deal in deals:
        if deal.damage is not None:
            continue
        value = rates.convert(deal.value_minor, deal.currency)
        if value is None:
            apart[deal.currency] = apart.get(deal.currency, 0) + deal.value_minor
        else:
            total += value
            converted = converted or deal.currency != rates.base
    line = f"total {'≈' if converted else ''}{money_text(total, rates.base)}"
    if converted:
        line += " (converted at the team's rates)"
    if apart:
        amounts = ", ".join(money_text(value, code) for code, value in sorted(apart.items()))
        line += f"; without a rate, not added: {_safe(amounts)}"
    return line


def _damaged_row(deal: DealSummary, *, with_close: bool, with_status: bool) -> list[Any]:
    """A table row for a deal that cannot be read: its id, title and what is wrong."""
    row: list[Any] = [
        str(deal.id),
        _text(deal.title, cut=True),
        _text("⚠ damaged (below)", "bold red", cut=True),
        "?",
        "?",
        "?",
        "?",
    ]
    if with_close:
        row.append("?")
    if with_status:
        row.append("damaged")
    return row


def _warn_damaged(deals: Sequence[DealSummary]) -> None:
    """One line on stderr when some rows could not be read (the command still succeeds)."""
    damaged = [deal for deal in deals if deal.damage is not None]
    if damaged:
        ids = ", ".join(str(deal.id) for deal in damaged[:10]) + (
            ", …" if len(damaged) > 10 else ""
        )
        noun = "deal" if len(damaged) == 1 else "deals"
        click.echo(
            f"{PROG}: warning: {len(damaged)} damaged {noun} ({ids}) could not be read; "
            "run 'salesboard doctor' to see every problem",
            err=True,
        )


def _show_deal(console: Console, deal: DealView) -> None:
    """The human form of one deal: its fields, then every stage's checklist."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    from salesboard.validation import display_safe
    from salesboard.workflow import Stage, Status

    s = deal.summary
    console.print(Text.assemble(Text(f"Deal {s.id}: ", style="bold"), _text(s.title, "bold")))
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="dim", no_wrap=True)
    fields.add_column(overflow="fold")
    fields.add_row("Company", _text(s.company))
    fields.add_row("Value", _money(s.value_minor, s.currency))
    fields.add_row("Owner", _text(s.owner))
    from datetime import UTC
    from datetime import datetime as clock

    days = max(0, (clock.now(UTC) - s.stage_entered_at).days)  # as the card counts them
    noun = "day" if days == 1 else "days"
    fields.add_row(
        "Stage", f"{s.stage.label} ({int(s.stage)} of {len(Stage)}), {days} {noun} in stage"
    )
    if s.status is Status.LOST:
        fields.add_row("Status", Text.assemble("lost — ", _text(s.lost_reason or "")))
    elif s.status is Status.FINISHED:
        outcome = s.outcome.value if s.outcome else "?"
        fields.add_row("Status", f"finished: {outcome}, satisfaction {s.satisfaction}/5")
    else:
        fields.add_row("Status", s.status.value)
    fields.add_row("Close", _day(s.expected_close))
    fields.add_row("Updated", Text.assemble(f"{_when(s.updated_at)} UTC by ", _text(s.updated_by)))
    fields.add_row("Version", str(s.version))
    if s.notes:
        fields.add_row("Notes", _text(s.notes, multiline=True))
    console.print(fields)
    console.print()

    # One width for the job texts of every stage, so that "who and when" lines up down the
    # page; on a narrow terminal the texts wrap and the rest keeps its place.
    def who_ticked(job: JobView) -> Text:
        if not job.done:
            return Text()
        who = Text.assemble(" ", _text(job.done_by or "?"))
        if job.done_at is not None:
            who.append(f" {_when(job.done_at)}")
        return who

    who_width = max((who_ticked(job).cell_len for job in deal.checklist), default=0)
    text_width = max((cell_len(display_safe(job.text)) for job in deal.checklist), default=1)
    text_width = max(10, min(text_width, console.width - who_width - 10))
    for stage in Stage:
        jobs = deal.jobs(stage)
        done = sum(job.done for job in jobs)
        current = stage is s.stage
        marker = "▶" if current else " "
        heading = f"{marker} {int(stage)} {stage.label}  {done}/{len(jobs)}"
        if current:
            heading += "  (current stage)"
        console.print(Text(heading, style="bold reverse" if current else "bold"))
        rows = Table.grid(padding=(0, 1))
        rows.add_column(no_wrap=True)  # indent and mark
        rows.add_column(justify="right", no_wrap=True)
        rows.add_column(overflow="fold", width=text_width)
        rows.add_column(no_wrap=True, style="dim")
        for job in jobs:
            mark = Text("  ✓", style="green") if job.done else Text("  ·", style="dim")
            rows.add_row(mark, f"{job.n}.", _text(job.text), who_ticked(job))
        console.print(rows)


def _history_table(events: Sequence[EventView]) -> Any:
    """A deal's history, newest first: when, who, what kind, and what changed."""
    from rich import box
    from rich.table import Table

    from salesboard.service.history_text import describe_entry, event_label

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("When (UTC)", no_wrap=True)
    table.add_column("Who", no_wrap=True, overflow="ellipsis", max_width=16)
    table.add_column("Event", no_wrap=True)
    table.add_column("Change", overflow="fold", ratio=1)
    for event in events:
        style = "bold red" if event.damage else ""
        table.add_row(
            _when(event.at),
            _text(event.actor),
            _text(event_label(event.kind, event.damage), style),
            _text(describe_entry(event.kind, event.before, event.after, event.damage), style),
        )
    return table


def _confirm(deal: DealView, what: str) -> None:
    """The one-line answer to a change: what happened and the version to chain on."""
    click.echo(f"deal {deal.id}: {what} (version {deal.version})")


# -------------------------------------------------------------------------- options


def _parse_stage(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Stage | None:
    """``--stage``: a name, unique prefix or number, as ``Stage.parse`` accepts."""
    if value is None:
        return None
    from salesboard.workflow import Stage

    try:
        return Stage.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _if_version(function: F) -> F:
    """The ``--if-version N`` option every changing command shares."""
    return click.option(
        "--if-version",
        "if_version",
        type=VERSION,
        default=None,
        metavar="N",
        help="Refuse (exit 4) unless the deal is still at version N.",
    )(function)


def _json_flag(function: F) -> F:
    """The ``--json`` option of the reading commands."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        function
    )


# ------------------------------------------------------------------------- commands

_EPILOG = (
    "Exit codes: 0 done, 1 the database cannot be used, 2 bad input, "
    "3 refused by the workflow, 4 conflict with another change."
)


@click.group(
    PROG,
    cls=_SalesboardGroup,
    invoke_without_command=True,
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "target",
    metavar="PATH_OR_URL",
    default=None,
    help=(
        "SQLite file or SQLAlchemy URL of the database. Default: $SALESBOARD_DB, "
        "else salesboard.db in your user data directory."
    ),
)
@click.option(
    "--demo",
    is_flag=True,
    help=(
        "Use the separate demo database (demo.db in your user data directory), filled "
        "with demo deals on first use. Without a command, open the board on it."
    ),
)
@click.version_option(package_name="salesboard", prog_name=PROG)
@click.pass_context
def cli(ctx: click.Context, target: str | None, demo: bool) -> None:
    """A keyboard-driven sales pipeline board for the terminal.

    Deals move through six stages (Prospect, Qualified, Discovery, Developed, Proposed,
    Closed); a deal moves right only when every job of its current stage is done.
    """
    _refuse_empty_target(target)
    if demo and target is not None:
        raise click.UsageError(
            "--demo uses its own database; to fill another one with demo deals, "
            "run: salesboard --db PATH demo"
        )
    state = _Session(target=target, demo=demo)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        _open_board(state)
    else:
        gc.enable()  # off only to speed up the board's start (see main)


def _open_board(state: _Session) -> None:
    """Run the board on the selected (or demo) database; it needs a real terminal."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise click.UsageError(
            "the board needs a terminal; in scripts use a command such as "
            "'salesboard list' (see salesboard --help)"
        )
    from salesboard.store import default_db_path
    from salesboard.store.location import is_default
    from salesboard.ui.launch import run_board

    first_run = not state.demo and is_default(state.target)
    if first_run:
        _make_data_directory(default_db_path())
    code = run_board(state.database(create=first_run))
    if code:
        raise click.exceptions.Exit(code)


@cli.command("add", short_help="Create a deal in Prospect; print its id.")
@click.argument("title")
@click.option("--company", required=True, help="The customer's company.")
@click.option("--value", default="0", show_default=True, help="Deal value, e.g. 12500.50.")
@click.option("--currency", default="EUR", show_default=True, help="Three-letter code.")
@click.option("--owner", default=None, help="Login of the owner (default: you).")
@click.option("--close", "close", default=None, metavar="YYYY-MM-DD", help="Expected close.")
@click.option("--notes", default="", help="Free-form notes (newlines and tabs kept).")
@click.pass_context
def add_command(
    ctx: click.Context,
    title: str,
    company: str,
    value: str,
    currency: str,
    owner: str | None,
    close: str | None,
    notes: str,
) -> None:
    """Create a deal in Prospect and print its id.

    Only the number goes to stdout, so a script can write ``id=$(salesboard add …)``.
    """
    deal = (
        _session(ctx)
        .pipeline()
        .create_deal(
            title,
            company=company,
            value=value,
            currency=currency,
            owner=owner,
            expected_close=close,
            notes=notes,
        )
    )
    click.echo(str(deal.id))


@cli.command("list", short_help="The pipeline as a table (or JSON).")
@click.option("--stage", callback=_parse_stage, help="Only this stage (name, prefix or 1-6).")
@click.option(
    "--status",
    type=click.Choice(STATUS_CHOICES),
    default="open",
    show_default=True,
    help="Which deals by status.",
)
@click.option("--owner", default=None, help="Only deals owned by this login.")
@click.option("--search", default=None, help="Only deals whose title, company or owner has this.")
@click.option(
    "--sort",
    "order",
    type=click.Choice(ORDER_CHOICES),
    default="board",
    show_default=True,
    help="Order within each stage, as on the board: value (highest first), close (soonest), "
    "days (longest in stage), changed (newest).",
)
@_json_flag
@click.pass_context
def list_command(
    ctx: click.Context,
    stage: Stage | None = None,
    status: str = "open",
    owner: str | None = None,
    search: str | None = None,
    order: str = "board",
    as_json: bool = False,
) -> None:
    """List deals by stage, each stage in board order (oldest first) or ``--sort``."""
    from salesboard.service.rates import RateBook
    from salesboard.service.sorting import CardOrder, in_board_order
    from salesboard.workflow import Status

    wanted = None if status == "all" else Status(status)
    deals = (
        _session(ctx).pipeline().list_deals(stage=stage, status=wanted, owner=owner, text=search)
    )
    if order != CardOrder.BOARD.value:
        rates = RateBook(_session(ctx).database()).current()
        deals = in_board_order(deals, CardOrder(order), rates.convert)
    if as_json:
        _print_json([deal.to_json() for deal in deals])
        _warn_damaged(deals)
        return
    console = _console()
    if not deals:
        console.print("No deals match.")
        return
    console.print(_deal_table(deals, with_status=wanted is not Status.OPEN, width=console.width))
    noun = "deal" if len(deals) == 1 else "deals"
    console.print(f"{len(deals)} {noun}; {_total_line(_session(ctx).database(), deals)}")
    for deal in deals:
        if deal.damage is not None:
            console.print(_text(f"⚠ deal {deal.id} is damaged: {deal.damage}", "red"))
    _warn_damaged(deals)


@cli.command("show", short_help="One deal with every stage's checklist.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@_json_flag
@click.pass_context
def show_command(ctx: click.Context, deal_id: int, as_json: bool) -> None:
    """Show one deal with the checklist of every stage: who ticked each job and when."""
    deal = _session(ctx).pipeline().get_deal(deal_id)
    if as_json:
        _print_json(deal.to_json())
    else:
        _show_deal(_console(), deal)


@cli.command("check", short_help="Tick (untick) job N of the current stage.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.argument("n", metavar="N", type=JOB_NUMBER)
@click.option("--undo", is_flag=True, help="Untick the job instead.")
@_if_version
@click.pass_context
def check_command(
    ctx: click.Context, deal_id: int, n: int, undo: bool, if_version: int | None
) -> None:
    """Tick (or with --undo untick) job N, counted from 1, of the deal's current stage."""
    from salesboard.workflow import LAST_STAGE

    deal = _session(ctx).pipeline().set_job(deal_id, n, not undo, expected_version=if_version)
    s = deal.summary
    verb = "unticked" if undo else "ticked"
    _confirm(deal, f"{s.stage.label} job {n} {verb}, {s.jobs_done}/{s.jobs_total} done")
    if not undo and s.jobs_done == s.jobs_total and s.stage is not LAST_STAGE:
        click.echo(f"all jobs of {s.stage.label} are done: salesboard move {deal.id} next")


@cli.command("move", short_help="Advance (gated) or move back one stage.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.argument("direction", type=click.Choice(["next", "back"]))
@_if_version
@click.pass_context
def move_command(ctx: click.Context, deal_id: int, direction: str, if_version: int | None) -> None:
    """Move a deal one stage right (only with a complete checklist) or left.

    A refused move lists every unfinished job of the current stage (exit 3).
    """
    pipeline = _session(ctx).pipeline()
    if direction == "next":
        deal = pipeline.advance(deal_id, expected_version=if_version)
    else:
        deal = pipeline.move_back(deal_id, expected_version=if_version)
    _confirm(deal, f"moved to {deal.stage.label}")


@cli.command("edit", short_help="Change a deal's fields.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.option("--title", default=None, help="New title.")
@click.option("--company", default=None, help="New company.")
@click.option("--value", default=None, help="New value, e.g. 12500.50.")
@click.option("--currency", default=None, help="New three-letter currency code.")
@click.option("--owner", default=None, help="New owner login.")
@click.option("--close", default=None, metavar="YYYY-MM-DD", help='Expected close ("" clears).')
@click.option("--notes", default=None, help='New notes ("" clears).')
@_if_version
@click.pass_context
def edit_command(
    ctx: click.Context,
    deal_id: int,
    title: str | None,
    company: str | None,
    value: str | None,
    currency: str | None,
    owner: str | None,
    close: str | None,
    notes: str | None,
    if_version: int | None,
) -> None:
    """Change a deal's fields; only the options given are changed."""
    given = {
        "title": title,
        "company": company,
        "value": value,
        "currency": currency,
        "owner": owner,
        "expected_close": close,
        "notes": notes,
    }
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    pipeline = _session(ctx).pipeline()
    seen = if_version if if_version is not None else pipeline.get_deal(deal_id).version
    deal = pipeline.edit_deal(deal_id, expected_version=if_version, **changes)
    if deal.version == seen:
        _confirm(deal, "nothing to change, it already has those values")
    else:
        _confirm(deal, "saved")


@cli.command("lost", short_help="Give a deal up, with a reason.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.option("--reason", required=True, help="Why the deal was lost.")
@_if_version
@click.pass_context
def lost_command(ctx: click.Context, deal_id: int, reason: str, if_version: int | None) -> None:
    """Mark an open deal lost, with a reason; it keeps its stage for a later reopen."""
    deal = _session(ctx).pipeline().mark_lost(deal_id, reason, expected_version=if_version)
    _confirm(deal, f"lost in {deal.stage.label}")


@cli.command("reopen", short_help="Bring a lost or finished deal back.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@_if_version
@click.pass_context
def reopen_command(ctx: click.Context, deal_id: int, if_version: int | None) -> None:
    """Bring a lost or finished deal back onto the board, at the stage it left."""
    deal = _session(ctx).pipeline().reopen(deal_id, expected_version=if_version)
    _confirm(deal, f"reopened in {deal.stage.label}")


@cli.command("finish", short_help="Finish a complete Closed deal.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.option("--outcome", required=True, type=click.Choice(["success", "failure"]))
@click.option("--satisfaction", required=True, type=SATISFACTION, help="Score 1-5.")
@click.option("--comment", default=None, help="How it went, in a few words (optional).")
@_if_version
@click.pass_context
def finish_command(
    ctx: click.Context,
    deal_id: int,
    outcome: str,
    satisfaction: int,
    comment: str | None,
    if_version: int | None,
) -> None:
    """Finish a Closed deal whose checklist is complete, with its outcome and score."""
    deal = (
        _session(ctx)
        .pipeline()
        .finish(deal_id, outcome, satisfaction, comment=comment, expected_version=if_version)
    )
    _confirm(deal, f"finished: {outcome}, satisfaction {satisfaction}/5")


@cli.command("undo", short_help="Take back your own last change.")
@click.argument("deal_id", metavar="[ID]", type=DEAL_ID, required=False)
@click.pass_context
def undo_command(ctx: click.Context, deal_id: int | None) -> None:
    """Take back your last change (to deal ID), if it is recent and nobody changed it since.

    The change is taken back by its opposite, recorded as a new change under the same
    rules (the opposite of a move back is a gated advance); history is never rewritten.
    """
    from salesboard.service.undo import undo_last

    undone = undo_last(_session(ctx).pipeline(), deal_id)
    _confirm(undone.deal, f"undid {undone.what}")


@cli.command("history", short_help="Every change of a deal, newest first.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@_json_flag
@click.pass_context
def history_command(ctx: click.Context, deal_id: int, as_json: bool) -> None:
    """Every change of a deal, newest first: who, when (UTC), what, before and after."""
    events = _session(ctx).pipeline().history(deal_id)
    if as_json:
        _print_json([event.to_json() for event in events])
    else:
        _console().print(_history_table(events))


@cli.group("rates", invoke_without_command=True, short_help="The base currency and rates.")
@click.pass_context
def rates_group(ctx: click.Context) -> None:
    """The team's base currency and exchange rates, which totals are converted with.

    Without a subcommand: the base currency and the current rate of every currency.
    Amounts in a currency without a rate are counted apart, never added as if they were
    in the base currency.
    """
    if ctx.invoked_subcommand is None:
        from salesboard.service.rates import RateBook, rate_text

        current = RateBook(_session(ctx).database()).current()
        click.echo(f"base currency: {current.base}")
        if not current.rates and not current.damaged:
            click.echo("no rates yet: set one with 'salesboard rates set USD 0.92'")
        for code, rate in sorted(current.rates.items()):
            click.echo(f"1 {_safe(code)} = {rate_text(rate)} {current.base}")
        for code, problem in sorted(current.damaged.items()):
            click.echo(
                f"{_safe(code)}: the newest rate is damaged ({_safe(problem)}); amounts in it "
                f"are counted apart — set it again with 'salesboard rates set'"
            )


@rates_group.command(
    "set",
    short_help="Set a currency's rate against the base.",
    context_settings={"ignore_unknown_options": True},  # '-1' is a rate to refuse as one
)
@click.argument("currency")
@click.argument("rate")
@click.pass_context
def rates_set_command(ctx: click.Context, currency: str, rate: str) -> None:
    """Record that one CURRENCY is worth RATE of the base currency (e.g. USD 0.92)."""
    from salesboard.service.rates import RateBook, rate_text

    found = RateBook(_session(ctx).database()).set_rate(currency, rate)
    assert found.rate is not None
    click.echo(
        f"1 {found.currency} = {rate_text(found.rate)} {found.base} (set by {_safe(found.set_by)})"
    )


@rates_group.command("base", short_help="Choose the team's base currency.")
@click.argument("currency")
@click.pass_context
def rates_base_command(ctx: click.Context, currency: str) -> None:
    """Make CURRENCY the base of every total; rates set against another base lapse."""
    from salesboard.service.rates import RateBook

    book = RateBook(_session(ctx).database())
    code = book.set_base(currency)
    missing = "no rates against it yet" if not book.current().rates else "its rates apply"
    click.echo(f"base currency: {code} ({missing})")


@rates_group.command("history", short_help="Every rate ever set, newest first.")
@click.argument("currency", required=False)
@click.pass_context
def rates_history_command(ctx: click.Context, currency: str | None) -> None:
    """Every rate the team has set (of CURRENCY), newest first, with who and when."""
    from salesboard.service.rates import RateBook, rate_text

    found = RateBook(_session(ctx).database()).history(currency)
    if not found:
        click.echo("no rates set yet" if currency is None else f"no rates set for {currency}")
    for rate in found:
        when = "time unknown    " if rate.set_at is None else _when(rate.set_at)
        value = (
            f"⚠ damaged ({_safe(rate.damage or '')})" if rate.rate is None else rate_text(rate.rate)
        )
        click.echo(
            f"{when}  1 {_safe(rate.currency)} = {value} {_safe(rate.base)}  "
            f"by {_safe(rate.set_by)}"
        )


def _parse_head(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    """``--expect-head EVENT:HASH`` as printed by an earlier ``doctor`` run."""
    if value is None:
        return None
    event, _, digest = value.strip().partition(":")
    digest = digest.strip().lower()
    if not (event.isascii() and event.isdigit() and len(event) <= 19 and len(digest) == 64):
        raise click.BadParameter(f"give EVENT:HASH as doctor prints it, not {value!r}")
    if any(ch not in "0123456789abcdef" for ch in digest):
        raise click.BadParameter(f"the hash must be 64 hexadecimal digits, not {digest!r}")
    return int(event), digest


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


@cli.command("demo", short_help="Fill an empty database with demo deals.")
@click.option(
    "--deals",
    default=DEMO_DEALS,
    show_default=True,
    type=_WholeNumber("the number of demo deals", 0, 1_000_000),
    metavar="N",
    help="How many deals (0 to 1000000).",
)
@click.option(
    "--seed",
    default=7,
    show_default=True,
    type=_WholeNumber("the seed", -(2**31), 2**31 - 1),
    metavar="SEED",
    help="Same seed, same data (a whole number).",
)
@click.pass_context
def demo_command(ctx: click.Context, deals: int, seed: int) -> None:
    """Fill an empty database with a realistic, deterministic demo pipeline."""
    from salesboard.service.demo import seed_demo

    db = _session(ctx).database(create=True)
    created = seed_demo(db, deals=deals, seed=seed)
    noun = "deal" if created == 1 else "deals"
    click.echo(f"created {created} demo {noun} in {_safe(db.name)}")


@cli.command("init", short_help="Create or upgrade the database; --shared GROUP for a team.")
@click.option(
    "--shared",
    "group",
    metavar="GROUP",
    default=None,
    help="Set it up for every member of GROUP: directory 2770 (setgid), files 660.",
)
@click.option(
    "--take-over",
    is_flag=True,
    help="With --shared, as root: take over a database file that belongs to another user.",
)
@click.pass_context
def init_command(ctx: click.Context, group: str | None, take_over: bool) -> None:
    """Create the database and its directory, or upgrade its schema; safe to run again.

    With --shared GROUP the directory gets group GROUP and mode 2770 (setgid, so that the
    -wal and -shm files any member creates later get the group too) and the database
    file group GROUP and mode 660, so that every member of GROUP can use the board. It
    refuses a directory, or a directory on the way, that belongs to or may be written by
    anyone but root and you, a link or hard link where a database file belongs, and a
    database file of another user (unless --take-over). An existing file is checked
    (PRAGMA quick_check) before anything is changed.
    """
    state = _session(ctx)
    if state.demo and group is not None:
        raise click.UsageError("--demo uses its own database; init --shared needs --db PATH")
    if take_over and group is None:
        raise click.UsageError("--take-over goes with --shared GROUP")
    path = _init_file(state, shared=group is not None)
    if group is None:
        db = state.database(create=True)
        if db.read_only:
            raise db.read_only_error()
        click.echo(f"database ready: {_safe(db.name)}")
        return
    if path is None:
        from salesboard.errors import InvalidInput

        raise InvalidInput(
            "--shared sets up a SQLite file; on a database server, grant the team's "
            "role access instead"
        )
    _share(path, group, take_over=take_over)


def _init_file(state: _Session, *, shared: bool) -> Path | None:
    """The SQLite file ``init`` works on (None for a server URL), checked if it exists.

    Plain ``init`` creates a missing directory; ``--shared`` makes and checks its own
    (``prepare_shared``), so nothing is looked at here.
    """
    from salesboard.errors import DatabaseUnavailable
    from salesboard.store import resolve_url
    from salesboard.store.engine import sqlite_file

    if state.demo:
        return None
    path = sqlite_file(resolve_url(state.target))
    if path is None or shared:
        return path
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True)
        except OSError as error:
            raise DatabaseUnavailable(
                f"cannot create directory {path.parent}: {error.strerror or error}"
            ) from None
    _check_existing(path)
    return path


def _check_existing(path: Path) -> None:
    """Refuse to set up a file that is a link, or damaged, or not a salesboard database."""
    import os

    from salesboard.errors import DatabaseUnavailable
    from salesboard.store.database import quick_check
    from salesboard.store.fileguard import check_database_file
    from salesboard.store.sharing import no_access_message

    try:
        existing = check_database_file(path) and os.lstat(path).st_size > 0
    except PermissionError:
        raise DatabaseUnavailable(no_access_message(path)) from None
    if existing:
        finding = quick_check(path)
        if finding is not None:
            raise DatabaseUnavailable(
                f"{path}: the file is damaged or not a salesboard database (quick_check: "
                f"{finding}); nothing was changed"
            )


def _share(path: Path, group: str, *, take_over: bool) -> None:
    """``init --shared``: set the file up for the group and say what was done."""
    from salesboard.store import Database
    from salesboard.store.shared_setup import prepare_shared

    def create(database: Path) -> None:
        _check_existing(database)
        db = Database.open(str(database), create=True)
        try:
            if db.read_only:
                raise db.read_only_error()
        finally:
            db.close()

    setup = prepare_shared(path, group, create, take_over=take_over)
    click.echo(f"shared {_safe(str(setup.database))} with group {setup.group}:")
    for done in setup.paths:
        click.echo(f"  {_safe(done.describe())}")
    click.echo(
        f"every member of {setup.group} can now read and write it; add people with "
        f"'usermod -aG {setup.group} LOGIN' (they must log in again)"
    )


# ---------------------------------------------------------------------------- entry


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script ``salesboard`` and ``python -m salesboard``.

    ``argv`` (default: the process's arguments) lets tests run the real entry point.
    """
    # Start-up imports and builds hundreds of thousands of long-lived objects and frees
    # few: collecting garbage meanwhile only rescans them (about 70 ms of the board's
    # start, more at 50,000 deals). Commands turn collection back on as they begin; the
    # board does after its first frame (``exempt_from_gc``).
    gc.disable()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name=PROG)
    finally:
        gc.enable()
    sys.exit(0)  # pragma: no cover - Click's standalone mode always exits
