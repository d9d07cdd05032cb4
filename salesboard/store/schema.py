"""Creating and upgrading the schema with Alembic, safely when several processes start.

Opening a database that is already at the newest revision (the everyday case) compares its
stamp with ``HEAD_REVISION`` and never imports Alembic, whose import costs more than the
rest of opening; Alembic is loaded only to create, upgrade or judge an unknown revision.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, inspect, text

from salesboard.errors import DatabaseMissing, DatabaseUnavailable, ReadOnlyDatabase
from salesboard.i18n import _

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from salesboard.store.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
HEAD_REVISION: Final = "0009"
"""The newest migration's revision; a test checks that it equals Alembic's real head."""


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest schema revision this version of salesboard knows."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision stamped in the database, or None for a database without our schema."""
    names = set(inspect(connection).get_table_names())
    if VERSION_TABLE not in names:
        if names - {VERSION_TABLE}:
            raise DatabaseUnavailable(
                _("it holds tables but is not a salesboard database; choose another file")
            )
        return None
    row = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def _check_known(revision: str | None, db_name: str) -> None:
    if revision is None:
        return
    known = {script.revision for script in _scripts().walk_revisions()}
    if revision not in known:
        raise DatabaseUnavailable(
            _(
                "{database}: its schema ({revision}) is newer than this salesboard understands; "
                "upgrade salesboard to use it"
            ).format(database=db_name, revision=revision)
        )


def _refuse_read_only(found: str | None, db: Database) -> None:
    """Why a database this user may only read cannot be used as it is."""
    if found is None:
        raise DatabaseUnavailable(
            _(
                "{database}: not set up yet, and read-only for you; someone with write access "
                "must run 'salesboard init' first"
            ).format(database=db.name)
        )
    _check_known(found, db.name)
    raise DatabaseUnavailable(
        _(
            "{database}: needs an upgrade of its schema ({found} to {head}), but it "
            "is read-only for you; ask someone with write access to run 'salesboard init'"
        ).format(database=db.name, found=found, head=head_revision())
    )


SCHEMA_LOCK: Final = 0x5A1E5B0A
"""PostgreSQL advisory lock key held while the schema is created or upgraded."""


def _not_set_up(db: Database) -> DatabaseMissing:
    """The refusal for a database without salesboard's tables, when not asked to create."""
    if db.path is not None:
        return DatabaseMissing(
            _(
                "{path} is not set up as a salesboard database yet; create it with "
                "'salesboard init --db {path}'"
            ).format(path=db.path)
        )
    return DatabaseMissing(
        _(
            "{database} has no salesboard tables yet; create them with 'salesboard init --db URL'"
        ).format(database=db.name)
    )


def ensure_schema(db: Database, *, create: bool = False) -> None:
    """Bring the database to the head revision, or refuse one from a newer version.

    The common case (already at head) is one cheap read, without Alembic. A database
    without our tables is set up only when ``create`` is given (``salesboard init``);
    an older one is upgraded by whoever opens it first. The work runs inside one write
    transaction that first takes the schema lock (``BEGIN IMMEDIATE`` on SQLite, an
    advisory lock on PostgreSQL) and looks again, so several processes starting at once
    on a new or old database do not both try to change it. A read-only database is never
    migrated: unless it is at head, it is refused with a message saying who can upgrade it.
    """
    with db.engine.connect() as connection:
        try:
            found = current_revision(connection)
        except DatabaseUnavailable as error:
            raise DatabaseUnavailable(f"{db.name}: {error}") from None
    if found == HEAD_REVISION:
        return
    if db.read_only:
        _refuse_read_only(found, db)
    if found is None and not create:
        raise _not_set_up(db)
    head = head_revision()
    if found == head:
        return
    _check_known(found, db.name)
    from alembic import command

    try:
        with db.write() as session:
            connection = session.connection()
            if not db.is_sqlite:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            found = current_revision(connection)
            if found is None and not create:
                raise _not_set_up(db)
            _check_known(found, db.name)
            if found != head:
                command.upgrade(_config(connection), "head")
    except ReadOnlyDatabase:
        if db.is_sqlite:
            raise
        # A member's role may write the rows but not change the tables: only their
        # owner can upgrade them. Say that, not "read-only".
        raise DatabaseUnavailable(
            _(
                "{database}: needs its schema set up or upgraded ({found} to {head}), which "
                "only the owner of its tables may do; ask them to run 'salesboard init'"
            ).format(database=db.name, found=found or "-", head=head)
        ) from None
