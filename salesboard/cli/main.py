"""The ``salesboard`` group, its global options, the board without a command, and ``main``."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

import click

from salesboard.cli.params import PROG
from salesboard.cli.runtime import (
    _make_data_directory,
    _refuse_empty_target,
    _SalesboardGroup,
    _Session,
)

if TYPE_CHECKING:
    pass


# ------------------------------------------------------------------------- commands


def _use_language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--lang``: speak the language asked for (before ``--help`` is printed)."""
    if value is None:
        return
    from salesboard.i18n import choose_language, install

    language, problem = choose_language(value)
    if problem is not None:
        raise click.BadParameter(problem.removeprefix("--lang: "))
    install(language)


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
@click.option(
    "--lang",
    metavar="LANG",
    is_eager=True,
    expose_value=False,
    callback=_use_language,
    help=(
        "Language: en (English) or nb (Norwegian Bokmål, a preview). Default: "
        "$SALESBOARD_LANG, else English."
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


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script ``salesboard`` and ``python -m salesboard``.

    ``argv`` (default: the process's arguments) lets tests run the real entry point.
    """
    # Start-up imports and builds hundreds of thousands of long-lived objects and frees
    # few: collecting garbage meanwhile only rescans them (about 70 ms of the board's
    # start, more at 50,000 deals). Commands turn collection back on as they begin; the
    # board does after its first frame (``exempt_from_gc``).
    gc.disable()
    from salesboard.i18n import choose_language, install

    language, problem = choose_language()
    if problem is not None:
        click.echo(f"{PROG}: {problem}; speaking English", err=True)
    install(language)
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name=PROG)
    finally:
        gc.enable()
    sys.exit(0)  # pragma: no cover - Click's standalone mode always exits
