"""One open database: engine, schema check, and the only two ways to get a session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, event
from sqlalchemy import text as sql_text
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from salesboard.errors import Busy, DatabaseUnavailable, LostRace, ReadOnlyDatabase
from salesboard.i18n import _
from salesboard.store import fileguard, sharing
from salesboard.store.engine import (
    BUSY_TIMEOUT_MS,
    WAIT_MS,
    create_db_engine,
    ensure_wal,
    sqlite_file,
    writer,
)
from salesboard.store.engine import busy_timeout_ms as resolve_busy_timeout
from salesboard.store.location import describe, resolve_url, shown_url

INSUFFICIENT_PRIVILEGE: Final = "42501"
"""PostgreSQL's SQLSTATE for "permission denied" (a role without the right to write)."""
READ_ONLY_TRANSACTION: Final = "25006"
"""PostgreSQL's SQLSTATE for a write in a read-only transaction (a standby, say)."""


def quick_check(path: Path) -> str | None:
    """The first finding of ``PRAGMA quick_check``, or None if SQLite finds none.

    It reads the whole file (about 0.2 s for 10,000 deals, 0.9 s for 50,000), far too
    slow for every start, so it runs only after SQLite has reported damage (to say so with
    certainty) and in ``salesboard init`` before an existing file is set up.
    """
    import sqlite3
    from urllib.parse import quote

    try:
        if sharing.write_blocker(path) is None:
            uri = f"file:{quote(os.fsencode(path))}?mode=ro"
        else:
            uri = sharing.read_only_uri(path)
    except (DatabaseUnavailable, OSError):
        return None
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=1)
        try:
            rows = connection.execute("PRAGMA quick_check(1)").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    first = str(rows[0][0]) if rows else "ok"
    if first == "ok":
        return None
    lines = [line for line in first.splitlines() if line and not line.startswith("***")]
    return lines[0] if lines else first


def explain_db_error(
    error: DBAPIError,
    where: str,
    *,
    path: Path | None = None,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> DatabaseUnavailable:
    """Turn a driver error into one sentence a user can act on.

    ``path`` (the SQLite file, when known) lets the message say who may write it, whether
    the disk is full, and what ``quick_check`` finds in a damaged file.
    """
    text = str(error.orig) if error.orig is not None else str(error)
    lowered = text.lower()
    finding: str | None = None
    if (
        "database is locked" in lowered
        or "database is busy" in lowered
        or "lock timeout" in lowered  # PostgreSQL's lock_timeout
    ):
        waited = f"{busy_timeout_ms / 1000:g} s"
        return Busy(
            _(
                "{where}: locked by another session for longer than the busy timeout "
                "({waited}); nothing was changed — try again"
            ).format(where=where, waited=waited)
        )
    elif (
        "readonly" in lowered
        or "read-only" in lowered
        or getattr(error.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE
    ):
        if path is not None:
            return ReadOnlyDatabase(sharing.read_only_message(path))
        return ReadOnlyDatabase(_read_only_for_you(where))
    elif "malformed" in lowered or "corrupt" in lowered:
        finding = quick_check(path) if path is not None else None
        if finding:
            message = _(
                "{where}: the file is damaged (quick_check: {finding}); nothing was changed — "
                "restore it from a backup or ask an administrator to recover it "
                "(sqlite3 .recover)"
            )
        else:
            message = _(
                "{where}: the file is damaged; nothing was changed — restore it from a backup "
                "or ask an administrator to recover it (sqlite3 .recover)"
            )
    elif "not a database" in lowered:
        message = _("{where}: the file is not a salesboard database or is damaged")
    elif ("disk" in lowered and "full" in lowered) or (
        ("disk i/o error" in lowered or "unable to open" in lowered)
        and path is not None
        and _disk_full(path)
    ):
        message = _(
            "{where}: the disk is full; nothing was changed — free some space and try again"
        )
    elif "disk i/o error" in lowered:
        message = _(
            "{where}: the disk failed to read or write it (disk I/O error); nothing was changed"
        )
    elif "unable to open" in lowered:
        message = _("{where}: the file cannot be opened (check the path and permissions)")
    else:  # the driver's own words, as it gave them
        reason = text.splitlines()[0] if text else type(error).__name__
        return DatabaseUnavailable(f"{where}: {reason}")
    return DatabaseUnavailable(message.format(where=where, finding=finding))


_ACCESS_QUERY: Final = """
SELECT current_user,
       current_setting('transaction_read_only') = 'on',
       CASE WHEN to_regclass('deal') IS NULL
            THEN coalesce(has_schema_privilege(current_schema(), 'CREATE'), true)
            ELSE coalesce(has_table_privilege(to_regclass('deal'), 'INSERT'), false)
             AND coalesce(has_table_privilege(to_regclass('deal'), 'UPDATE'), false)
             AND coalesce(has_table_privilege(to_regclass('event'), 'INSERT'), true)
             AND coalesce(has_table_privilege(to_regclass('presence'), 'DELETE'), true)
       END
"""


@dataclass(frozen=True)
class ServerAccess:
    """What a PostgreSQL server lets this role do: the server's counterpart of file modes.

    A role granted only SELECT (or a server that accepts only reads: a standby, or
    ``default_transaction_read_only``) opens the board read-only, as an unwritable SQLite
    file does, instead of failing at the first write or heartbeat.
    """

    role: str
    server_read_only: bool
    may_write: bool

    @property
    def read_only(self) -> bool:
        """Whether every write would be refused."""
        return self.server_read_only or not self.may_write

    def refusal(self, where: str) -> str:
        """The one line for a refused write: which role, why, and what to do."""
        if self.server_read_only:
            hint = _("the server accepts only reads (a standby, or default_transaction_read_only)")
        else:
            hint = _(
                "ask an administrator to grant the role INSERT, UPDATE and DELETE on "
                "salesboard's tables"
            )
        return _("{where}: read-only for you (role {role}); nothing was changed — {hint}").format(
            where=where, role=self.role, hint=hint
        )


def server_access(engine: Engine) -> ServerAccess:
    """Ask the server whether this role may write salesboard's tables (or create them).

    Checked once at open, in one round trip: INSERT and UPDATE on ``deal``, INSERT on
    ``event`` and DELETE on ``presence`` (the least a board writes); where the tables do
    not exist yet, CREATE on the schema they would go in (with no schema on the search
    path, creating them fails and says so itself).
    """
    with engine.connect() as connection:
        row = connection.execute(sql_text(_ACCESS_QUERY)).one()
    return ServerAccess(role=str(row[0]), server_read_only=bool(row[1]), may_write=bool(row[2]))


def _read_only_for_you(where: str) -> str:
    """The refusal of a write where no file can be named (a database server)."""
    return _("{where}: read-only for you; nothing was changed").format(where=where)


def text_or_bytes(raw: bytes) -> str | bytes:
    """A SQLite TEXT value as ``str``, or its bytes as stored when they are not UTF-8.

    Anyone may write a TEXT value that is not UTF-8 with ``sqlite3``; the driver's default
    would then fail the whole query ("Could not decode to UTF-8"), so one such row would
    stop ``list``, ``doctor`` and the board. Handed back as ``bytes``, it takes the path
    of a BLOB in a text column: its deal is shown as damaged, named, and the rest goes on.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _tolerate_undecodable_text(dbapi_connection: Any, _record: Any) -> None:
    """Give every new SQLite connection ``text_or_bytes`` as its text factory."""
    dbapi_connection.text_factory = text_or_bytes


class FileReplaced(DatabaseUnavailable):
    """The SQLite file was swapped for another under an open session (a backup restored).

    A change made from what was read in the old one is refused once
    (``Database.follow_the_file``).
    """


def _identity_of(path: Path | None) -> tuple[int, int] | None:
    """The file at ``path`` (device and inode), or None when there is none."""
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _disk_full(path: Path) -> bool:
    """Whether the file system holding ``path`` has no space left for us."""
    try:
        found = os.statvfs(path.parent)
    except OSError:
        return False
    # /proc and other pseudo file systems report no blocks at all: not a full disk.
    return found.f_blocks > 0 and found.f_bavail == 0


class Database:
    """An opened, schema-checked database shared by every use case of one process.

    ``read_only`` is True when this user may not write the database (a SQLite file they
    may not write; on PostgreSQL a role without the rights to write salesboard's tables,
    or a server that accepts only reads: see ``ServerAccess``): reads work, every
    ``write()`` raises ``ReadOnlyDatabase`` at once. It also becomes True when the
    database refuses a write as read-only later (its permissions changed meanwhile).
    """

    def __init__(
        self,
        engine: Engine,
        url: str,
        *,
        read_only: bool = False,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        self.engine = engine
        self.url = url
        self.read_only = read_only
        self.busy_timeout_ms = busy_timeout_ms
        self.path = sqlite_file(url)
        self.server_access: ServerAccess | None = None
        """What a database server lets this role do, learnt at open (None on SQLite)."""
        if engine.dialect.name == "sqlite":  # PostgreSQL's text is always valid UTF-8
            event.listen(engine, "connect", _tolerate_undecodable_text)
        self._file = _identity_of(self.path)
        self.replacements = 0
        """How often the SQLite file was found swapped for another one since it was opened
        (a backup restored): a running board shows the new file whole when this moves."""
        self._writer = writer(engine)
        # A read is one snapshot on both backends: SQLite's WAL gives each read transaction
        # one; PostgreSQL's default (READ COMMITTED) gives each statement its own, so the
        # board's counts and lists, or a report's queries, could disagree after a commit.
        # psycopg puts the level in its own BEGIN: no extra round trip.
        self._reader = (
            engine
            if engine.dialect.name == "sqlite"
            else engine.execution_options(isolation_level="REPEATABLE READ")
        )

    @classmethod
    def open(
        cls,
        target: str | None = None,
        *,
        create: bool = False,
        migrate: bool = True,
        busy_timeout_ms: int | None = None,
    ) -> Database:
        """Open ``target`` (path, URL or default), upgrading its schema if it is older.

        Only ``create=True`` (``salesboard init``, the first board on the default file,
        the demo) makes a new database: otherwise a missing file, or a database without
        salesboard's tables, is refused with ``DatabaseMissing``, so that a mistyped
        path never becomes a new, empty database. A SQLite file this user may read but
        not write, or a PostgreSQL database this role may only read, is opened read-only
        (never migrated). ``busy_timeout_ms`` defaults to
        ``$SALESBOARD_BUSY_TIMEOUT_MS`` or 30 s. Every failure (missing directory, a link
        in place of the file, not a database, damaged, newer schema, no permission)
        becomes a ``DatabaseUnavailable`` with a one-line reason.
        """
        from salesboard.store.schema import ensure_schema

        timeout = resolve_busy_timeout(busy_timeout_ms)
        url = resolve_url(target)
        _check_backend(url)
        try:
            path = sqlite_file(url)
            read_only = False
            if path is not None:
                read_only = _prepare_file(path, create=create)
            engine = create_db_engine(url, busy_timeout_ms=timeout, read_only=read_only)
        except ArgumentError as error:
            raise _cannot_use(url, str(error)) from None
        except ModuleNotFoundError as error:
            raise DatabaseUnavailable(
                _(
                    "the driver for {database} is not installed ({module}); "
                    "install salesboard[postgres] for PostgreSQL"
                ).format(database=describe(url), module=error.name)
            ) from None
        db = cls(engine, url, read_only=read_only, busy_timeout_ms=timeout)
        try:
            if path is None:
                db.server_access = server_access(engine)
                db.read_only = db.server_access.read_only
            if migrate:
                ensure_schema(db, create=create)
            if db.is_sqlite and not read_only and (migrate or create):
                ensure_wal(engine, timeout)
        except DBAPIError as error:
            engine.dispose()
            raise db._explain(error) from None
        except DatabaseUnavailable:
            engine.dispose()
            raise
        return db

    @property
    def name(self) -> str:
        """Where the data is, for messages and the status line (no password)."""
        return describe(self.url)

    @property
    def is_sqlite(self) -> bool:
        """Whether SQLite-only statements apply."""
        return self.engine.dialect.name == "sqlite"

    def read_only_error(self) -> ReadOnlyDatabase:
        """The error for a change refused because this user may not write the database."""
        if self.path is not None:
            return ReadOnlyDatabase(sharing.read_only_message(self.path))
        if self.server_access is not None:
            return ReadOnlyDatabase(self.server_access.refusal(self.name))
        return ReadOnlyDatabase(_read_only_for_you(self.name))

    def _explain(self, error: DBAPIError, waited_ms: int | None = None) -> DatabaseUnavailable:
        """``explain_db_error`` for this database; a read-only refusal marks it read-only."""
        explained = explain_db_error(
            error,
            self.name,
            path=self.path,
            busy_timeout_ms=self.busy_timeout_ms if waited_ms is None else waited_ms,
        )
        if isinstance(explained, ReadOnlyDatabase):
            self.read_only = True
            if self.server_access is not None:  # the server refused: say why, as at open
                code = getattr(error.orig, "sqlstate", None)
                self.server_access = ServerAccess(
                    role=self.server_access.role,
                    server_read_only=code == READ_ONLY_TRANSACTION,
                    may_write=code != INSUFFICIENT_PRIVILEGE,
                )
                return self.read_only_error()
        return explained

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for a consistent read (one snapshot); it never takes the write lock."""
        self.follow_the_file()
        try:
            with Session(self._reader) as session, session.begin():
                yield session
        except IntegrityError:
            raise
        except DBAPIError as error:
            raise self._explain(error) from None

    @contextmanager
    def write(self, *, wait_ms: int | None = None) -> Iterator[Session]:
        """A short write transaction that holds the write lock from its first statement.

        ``wait_ms`` waits that long at most for another session's lock (``Busy`` after),
        instead of the busy timeout: the board tries a change for a moment on its event
        loop and hands it to a worker thread if the database is busy.

        On SQLite this is ``BEGIN IMMEDIATE``: concurrent writers wait (busy timeout)
        instead of failing halfway, and a read-check-write inside cannot be interleaved.
        On PostgreSQL, use cases lock the rows they change with ``SELECT … FOR UPDATE``.
        On a read-only database it raises ``ReadOnlyDatabase`` before touching anything.
        Driver errors become ``DatabaseUnavailable``, except constraint violations
        (``IntegrityError``), which are the caller's to handle.
        """
        if self.read_only:
            raise self.read_only_error()
        if self.follow_the_file():
            raise FileReplaced(
                _(
                    "{where}: the database file was replaced since it was opened (a backup "
                    "restored?); nothing was changed — look at it again and retry"
                ).format(where=self.name)
            )
        engine = self._writer
        if wait_ms is not None:
            engine = engine.execution_options(**{WAIT_MS: wait_ms})
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                if wait_ms is not None and not self.is_sqlite:
                    session.execute(sql_text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
                yield session
        except IntegrityError:
            raise
        except DBAPIError as error:
            raise self._explain(error, wait_ms) from None
        except StaleDataError:  # the version guard on a deal's UPDATE matched no row
            raise LostRace() from None

    def follow_the_file(self) -> bool:
        """Whether the SQLite file at our path was replaced; from now on use the new one.

        An open connection follows the file it opened, not its path: after an operator
        moved a backup over the path, every change went on into the old, unlinked file and
        was lost (acknowledged all the same). One ``stat`` per transaction finds the swap;
        the pooled connections are then dropped, so the next ones open the file now at
        the path. A path with no file any more is an error, not a new empty database.
        """
        if self.path is None:
            return False
        found = _identity_of(self.path)
        if found == self._file:  # (or there was no file yet and there is none still)
            return False
        if found is None:
            raise DatabaseUnavailable(
                _(
                    "{where}: the database file is gone (moved or deleted) since it was "
                    "opened; nothing was changed"
                ).format(where=self.name)
            )
        replaced = self._file is not None
        self._file = found
        if replaced:
            self.engine.dispose()
            self.replacements += 1
        return replaced

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


_BACKEND_NAMES = {
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "mssql": "Microsoft SQL Server",
    "oracle": "Oracle",
}


def backend_of(url: str) -> str:
    """The backend a URL names (``sqlite``, ``postgresql``…); ``BadDatabaseUrl`` if unreadable.

    Every URL the user gives is read here first, so that a mistyped one is refused in one
    line (exit 2, password hidden) instead of failing later inside SQLAlchemy.
    """
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).get_backend_name()
    except ArgumentError:
        reason = _("it is not a URL such as postgresql+psycopg://user@host/dbname")
        raise _cannot_use(url, reason) from None
    except ValueError:  # SQLAlchemy reads the port with int()
        raise _cannot_use(url, _("its port is not a number")) from None


def _check_backend(url: str) -> None:
    """Refuse, in words, a database server salesboard does not run on."""
    backend = backend_of(url)
    if backend not in ("sqlite", "postgresql"):
        name = _BACKEND_NAMES.get(backend, backend)
        raise DatabaseUnavailable(
            _(
                "{name} is not supported; salesboard keeps its data in a SQLite file (give a "
                "path) or a PostgreSQL database (postgresql+psycopg://user@host/dbname)"
            ).format(name=name)
        )


class BadDatabaseUrl(DatabaseUnavailable):
    """A database URL that cannot be used as written: bad input (exit 2), not a failure."""

    exit_code = 2


def _cannot_use(url: str, reason: str) -> BadDatabaseUrl:
    """The refusal of a database URL SQLAlchemy cannot make sense of (password hidden)."""
    return BadDatabaseUrl(
        _("bad database URL {url}: {reason}").format(url=repr(shown_url(url)), reason=reason)
    )


def _prepare_file(path: Path, *, create: bool) -> bool:
    """Check the SQLite file before anything opens it; True if it is read-only for us.

    Links and other non-files are refused (``fileguard``); a missing file is created,
    never through a link, only when ``create`` is set. A file that cannot be read at all
    is refused here, with the reason and whom to ask.
    """
    try:
        exists = fileguard.check_database_file(path)
    except PermissionError:
        raise DatabaseUnavailable(sharing.no_access_message(path)) from None
    blocker = sharing.write_blocker(path)
    if not exists:
        if not create:
            raise fileguard.missing_database(path)
        if blocker is not None:
            raise DatabaseUnavailable(
                _("cannot create {path}: you may not create files in {blocker}").format(
                    path=path, blocker=blocker
                )
            )
        fileguard.create_database_file(path)
        fileguard.check_database_file(path)
        return False
    if sharing.readable(path):
        _check_header(path)
    if blocker is None:
        return False
    if not sharing.readable(path):
        raise DatabaseUnavailable(sharing.no_access_message(path))
    return True


_SQLITE_HEADER = b"SQLite format 3\x00"


def _check_header(path: Path) -> None:
    """Refuse a file that has content but is no SQLite database, before SQLite opens it."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return  # SQLite's own open will say why
    try:
        start = os.read(handle, len(_SQLITE_HEADER))
    except OSError:
        return
    finally:
        os.close(handle)
    if start and start != _SQLITE_HEADER:
        raise DatabaseUnavailable(
            _(
                "{path} is not a salesboard database (it is not a SQLite file); nothing was "
                "changed — check the path, or choose a new file"
            ).format(path=path)
        )
