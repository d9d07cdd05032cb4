"""Creating a database (alone or shared with a team) and filling it with demo deals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _safe
from salesboard.cli.params import DEMO_DEALS, _WholeNumber
from salesboard.cli.runtime import _Session, _session
from salesboard.errors import os_reason
from salesboard.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from pathlib import Path


@cli.command(
    "demo",
    short_help=N_("Fill an empty database with demo deals."),
    help=N_("Fill an empty database with a realistic, deterministic demo pipeline."),
)
@click.option(
    "--deals",
    default=DEMO_DEALS,
    show_default=True,
    type=_WholeNumber(N_("the number of demo deals"), 0, 1_000_000),
    metavar=N_("N"),
    help=N_("How many deals (0 to 1000000)."),
)
@click.option(
    "--seed",
    default=7,
    show_default=True,
    type=_WholeNumber(N_("the seed"), -(2**31), 2**31 - 1),
    metavar=N_("SEED"),
    help=N_("Same seed, same data (a whole number)."),
)
@click.pass_context
def demo_command(ctx: click.Context, deals: int, seed: int) -> None:
    """``salesboard demo``: seed the selected database (``seed_demo`` refuses a full one)."""
    from salesboard.service.demo import seed_demo

    db = _session(ctx).database(create=True)
    created = seed_demo(db, deals=deals, seed=seed)
    click.echo(
        ngettext(
            "created {count} demo deal in {database}",
            "created {count} demo deals in {database}",
            created,
        ).format(count=created, database=_safe(db.name))
    )


@cli.command(
    "init",
    short_help=N_("Create or upgrade the database; --shared GROUP for a team."),
    help=N_(
        "Create the database and its directory, or upgrade its schema; safe to run again.\n"
        "\n"
        "With --shared GROUP the directory gets group GROUP and mode 2770 (setgid, so that "
        "the -wal and -shm files any member creates later get the group too) and the "
        "database file group GROUP and mode 660, so that every member of GROUP can use the "
        "board. It refuses a directory, or a directory on the way, that belongs to or may "
        "be written by anyone but root and you, a link or hard link where a database file "
        "belongs, and a database file of another user (unless --take-over). An existing "
        "file is checked (PRAGMA quick_check) before anything is changed."
    ),
)
@click.option(
    "--shared",
    "group",
    metavar=N_("GROUP"),
    default=None,
    help=N_("Set it up for every member of GROUP: directory 2770 (setgid), files 660."),
)
@click.option(
    "--take-over",
    is_flag=True,
    help=N_("With --shared, as root: take over a database file that belongs to another user."),
)
@click.pass_context
def init_command(ctx: click.Context, group: str | None, take_over: bool) -> None:
    """``salesboard init``: create or upgrade the database, or (``--shared``) share it.

    Plain ``init`` opens the database with ``create=True`` (which migrates it);
    ``--shared`` hands the file to ``prepare_shared`` (``_share``).
    """
    state = _session(ctx)
    if state.demo and group is not None:
        raise click.UsageError(_("--demo uses its own database; init --shared needs --db PATH"))
    if take_over and group is None:
        raise click.UsageError(_("--take-over goes with --shared GROUP"))
    path = _init_file(state, shared=group is not None)
    if group is None:
        db = state.database(create=True)
        if db.read_only:
            raise db.read_only_error()
        click.echo(_("database ready: {database}").format(database=_safe(db.name)))
        return
    if path is None:
        from salesboard.errors import InvalidInput

        raise InvalidInput(
            _(
                "--shared sets up a SQLite file; on a database server, grant the team's "
                "role access instead"
            )
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
                _("cannot create directory {directory}: {reason}").format(
                    directory=path.parent, reason=os_reason(error)
                )
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
                _(
                    "{path}: the file is damaged or not a salesboard database "
                    "(quick_check: {finding}); nothing was changed"
                ).format(path=path, finding=finding)
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
    click.echo(
        _("shared {database} with group {group}:").format(
            database=_safe(str(setup.database)), group=setup.group
        )
    )
    for done in setup.paths:
        click.echo(f"  {_safe(done.describe())}")
    click.echo(
        _(
            "every member of {group} can now read and write it; add people with "
            "'usermod -aG {group} LOGIN' (they must log in again)"
        ).format(group=setup.group)
    )


# ---------------------------------------------------------------------------- entry
