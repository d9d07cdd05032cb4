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
from salesboard.i18n import N_, _

if TYPE_CHECKING:
    pass


# ------------------------------------------------------------------------- commands


def _use_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--lang``: speak the language asked for (before ``--help`` is printed).

    The root group already read ``--lang`` before parsing (``click_i18n.prepare``); this
    refuses a language salesboard does not know, and speaks the one asked for.
    """
    if value is None:
        return
    from salesboard.cli.click_i18n import localize
    from salesboard.i18n import choose_language, install

    language, problem = choose_language(value)
    if problem is not None:
        raise click.BadParameter(problem.removeprefix("--lang: "))
    install(language)
    localize(ctx.find_root().command)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: what Click's ``version_option`` prints, in the language in force."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    click.echo(
        _("{program}, version {version}").format(program=PROG, version=version("salesboard")),
        color=ctx.color,
    )
    ctx.exit()


_EPILOG = N_(
    "Exit codes: 0 done, 1 the database cannot be used, 2 bad input, "
    "3 refused by the workflow, 4 conflict with another change."
)


@click.group(
    PROG,
    cls=_SalesboardGroup,
    invoke_without_command=True,
    help=N_(
        "A keyboard-driven sales pipeline board for the terminal.\n"
        "\n"
        "Deals move through six stages (Prospect, Qualified, Discovery, Developed, "
        "Proposed, Closed); a deal moves right only when every job of its current stage "
        "is done."
    ),
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "target",
    metavar=N_("PATH_OR_URL"),
    default=None,
    help=N_(
        "SQLite file or SQLAlchemy URL of the database. Default: $SALESBOARD_DB, "
        "else salesboard.db in your user data directory."
    ),
)
@click.option(
    "--demo",
    is_flag=True,
    help=N_(
        "Use the separate demo database (demo.db in your user data directory), filled "
        "with demo deals on first use. Without a command, open the board on it."
    ),
)
@click.option(
    "--lang",
    metavar=N_("LANG"),
    is_eager=True,
    expose_value=False,
    callback=_use_language,
    help=N_(
        "Language: en (English) or nb (Norwegian Bokmål). Default: $SALESBOARD_LANG, "
        "else the locale ($LC_ALL, $LC_MESSAGES, $LANG), else English."
    ),
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help=N_("Show the version and exit."),
)
@click.pass_context
def cli(ctx: click.Context, target: str | None, demo: bool) -> None:
    """The root group: the global options, then a command or (without one) the board.

    Its help text is the ``help`` above, translated when help is printed (``click_i18n``).
    """
    _refuse_empty_target(target)
    if demo and target is not None:
        raise click.UsageError(
            _(
                "--demo uses its own database; to fill another one with demo deals, "
                "run: salesboard --db PATH demo"
            )
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
            _(
                "the board needs a terminal; in scripts use a command such as "
                "'salesboard list' (see salesboard --help)"
            )
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


def _refuse_unusable_time_zone() -> None:
    """A ``TZ`` whose offset is a day or more (``UTC+99``) cannot place any time: one line.

    Due times, "today", periods and the board's dates all read the local zone; Python
    refuses such an offset at the first date shown, which would otherwise be a traceback.
    """
    import os
    from datetime import datetime

    try:
        datetime.now().astimezone()
    except (ValueError, OverflowError):
        zone = os.environ.get("TZ", "")
        click.echo(
            f"{PROG}: "
            + _(
                "the time zone {zone} cannot be used (its offset is a day or more); set one "
                "such as TZ=Europe/Oslo"
            ).format(zone=repr(zone)),
            err=True,
        )
        sys.exit(2)


ESCAPE_ERRORS = "salesboard-escape"
"""The encoding error handler of standard output and error when they are not UTF-8."""


def _escape_unencodable(error: UnicodeError) -> tuple[str | bytes, int]:
    """Write what the output's encoding cannot hold as a JSON ``u``-escape, never fail.

    JSON's own escape (a pair for characters past U+FFFF), so ``--json`` stays exact JSON
    that reads back to the stored text, and a table shows which character it was. A
    surrogate standing for an undecodable byte of a file name is written as that byte,
    as Python's ``surrogateescape`` would.
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    point = ord(error.object[error.start])  # one at a time: each its own way
    if 0xDC80 <= point <= 0xDCFF:
        return bytes([point - 0xDC00]), error.start + 1
    if point > 0xFFFF:
        point -= 0x10000
        high, low = 0xD800 + (point >> 10), 0xDC00 + (point & 0x3FF)
        return f"\\u{high:04x}\\u{low:04x}", error.start + 1
    return f"\\u{point:04x}", error.start + 1


def _output_never_fails_to_encode() -> None:
    """Standard output and error in a non-UTF-8 encoding escape what they cannot hold.

    With ``PYTHONIOENCODING=ascii`` or an ASCII locale (``LC_ALL=C.ascii``), printing a
    dash or a name such as "Bjørn" would otherwise stop the command with an
    ``UnicodeEncodeError``. UTF-8 streams are left exactly as they are.
    """
    import codecs

    codecs.register_error(ESCAPE_ERRORS, _escape_unencodable)
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        reconfigure = getattr(stream, "reconfigure", None)
        if not encoding or reconfigure is None:
            continue  # closed (``>&-``) or not a text file
        try:
            if codecs.lookup(encoding).name != "utf-8":
                reconfigure(errors=ESCAPE_ERRORS)
        except (LookupError, ValueError, OSError):
            continue  # an unknown codec or a stream that cannot change: left as it is


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script ``salesboard`` and ``python -m salesboard``.

    ``argv`` (default: the process's arguments) lets tests run the real entry point.
    """
    # Start-up imports and builds hundreds of thousands of long-lived objects and frees
    # few: collecting garbage meanwhile only rescans them (about 70 ms of the board's
    # start, more at 50,000 deals). Commands turn collection back on as they begin; the
    # board does after its first frame (``exempt_from_gc``).
    gc.disable()
    _output_never_fails_to_encode()
    from salesboard.cli.click_i18n import requested_language
    from salesboard.i18n import choose_language, install

    language, problem = choose_language()
    install(language)
    args = list(argv) if argv is not None else sys.argv[1:]
    _refuse_unusable_time_zone()
    if problem is not None and requested_language(cli, args) is None:  # --lang would win
        _language, problem = choose_language()  # the warning in the language chosen
        click.echo(f"{PROG}: {problem}", err=True)
    try:
        cli.main(args=args, prog_name=PROG)
    finally:
        gc.enable()
    sys.exit(0)  # pragma: no cover - Click's standalone mode always exits
