"""How a command runs: one-line failures with documented exit codes, and the database session."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import click

from salesboard.cli.params import DEMO_DEALS, EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, PROG, _WholeNumber
from salesboard.errors import os_reason
from salesboard.i18n import N_, _

if TYPE_CHECKING:
    from pathlib import Path

    from salesboard.service import Pipeline
    from salesboard.store import Database


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

        return CommandFailed(str(explain_db_error(error, _("the database"))), 1)
    if isinstance(error, OSError):
        if error.filename:
            return CommandFailed(
                _("cannot use {file}: {reason}").format(
                    file=error.filename, reason=os_reason(error)
                ),
                1,
            )
        # No file named: a write to standard output failed (``> /dev/full``).
        return CommandFailed(
            _("cannot write the output: {reason}").format(reason=os_reason(error)), 1
        )
    first_line = (str(error).splitlines() or [""])[0]
    return CommandFailed(
        _("internal error ({kind}: {detail}); please report this bug").format(
            kind=type(error).__name__, detail=first_line
        ),
        1,
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
        raise click.UsageError(_("--demo uses its own database; leave out --db"))
    if state.target is not None and state.target != value:
        raise click.UsageError(_("give the database once: --db before the command or after it"))
    _refuse_empty_target(value)
    state.target = value


def _refuse_empty_target(value: str | None) -> None:
    if value is not None and not value.strip():
        raise click.UsageError(_("--db needs a file path or a database URL, not an empty string"))


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
                metavar=N_("PATH_OR_URL"),
                expose_value=False,
                callback=_take_db,
                help=N_("The database, as salesboard --db (given before or after the command)."),
            )
        )
        if any(
            isinstance(param, click.Argument) and isinstance(param.type, _WholeNumber)
            for param in self.params
        ):
            self.ignore_unknown_options = True


class _SalesboardGroup(click.Group):
    """The top-level group; turns every error of a command into a message and exit code.

    It also speaks the language asked for before it parses a command line: Click's own
    messages and every command's help in that language (``click_i18n``).
    """

    command_class = _SalesboardCommand
    command_modules: tuple[str, ...] = tuple(
        f"salesboard.cli.{name}"
        for name in (
            "activities", "agenda", "changes", "deals", "doctor", "migrate", "pipeline",
            "problems", "rates", "reports", "setup", "stakeholders",
        )
    )  # fmt: skip
    """The modules whose commands join this group when imported."""
    _commands_loaded = False

    def load_commands(self) -> None:
        """Import every command module, once: on the first command looked up or listed.

        The board (no command) needs none of them; importing them all took about 40 ms
        of its start.
        """
        if not self._commands_loaded:
            self._commands_loaded = True
            for module in self.command_modules:
                importlib.import_module(module)
            from salesboard.cli.click_i18n import localize

            localize(self)  # their help in the language in force, as the group's

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command called ``cmd_name``, its module imported first."""
        self.load_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name (for ``--help`` and completion), all modules imported."""
        self.load_commands()
        return super().list_commands(ctx)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """The context, parsed in the language in force or asked for by ``--lang``."""
        if parent is None:
            from salesboard.cli.click_i18n import prepare

            prepare(self, args)
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, translating domain, database and interrupt errors."""
        if sys.stdout is None:  # started with standard output closed (``>&-``)
            raise CommandFailed(_("cannot write the output: standard output is closed"), 1)
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
            raise CommandFailed(_("interrupted"), EXIT_INTERRUPTED) from None
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
            _("cannot create directory {directory}: {reason}").format(
                directory=path.parent, reason=os_reason(error)
            )
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
