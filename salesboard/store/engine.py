"""Engine creation with the concurrency recipe; never done at import time.

SQLite (the default) is made safe for many processes on one file: WAL journal, a busy
timeout, foreign keys, pysqlite's own transaction handling switched off, and write
transactions that take the write lock up front with ``BEGIN IMMEDIATE`` so that concurrent
writers queue instead of failing or losing updates. These hooks are registered on SQLite
engines only, so the same code runs unchanged on PostgreSQL.

A database the user may not write gets a read-only engine instead: every connection is
opened with a URI that neither writes nor creates a file (``sharing.read_only_uri``), is
made anew for each use (the right URI depends on which side files exist at that moment),
and refuses writes itself (``PRAGMA query_only``).
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from salesboard.errors import DatabaseUnavailable, InvalidInput
from salesboard.i18n import _
from salesboard.store.fileguard import check_database_file, check_opened_file
from salesboard.store.location import shown_url

BUSY_TIMEOUT_MS: Final = 30_000
BUSY_TIMEOUT_ENV: Final = "SALESBOARD_BUSY_TIMEOUT_MS"
BEGIN_MODE: Final = "salesboard_begin"
WAIT_MS: Final = "salesboard_wait_ms"
"""Execution option: how long this transaction may wait for the lock (ms), if not the
engine's busy timeout."""


def busy_timeout_ms(value: int | None = None) -> int:
    """How long (ms) a write waits for another session's lock before it is refused.

    ``value`` if given, else ``$SALESBOARD_BUSY_TIMEOUT_MS`` (read here and nowhere else,
    so that tests and operators can lower it), else 30 seconds.
    """
    if value is None:
        raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
        if not raw:
            return BUSY_TIMEOUT_MS
        value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1
        if value < 0:
            raise InvalidInput(
                _(
                    "{variable} must be a whole number of milliseconds (0 or more), not {value}"
                ).format(variable=BUSY_TIMEOUT_ENV, value=repr(raw))
            )
    if value < 0:
        raise InvalidInput(
            _("the busy timeout must be 0 ms or more, not {value}").format(value=value)
        )
    return value


def _sqlite_on_connect(
    dbapi_connection: Any,
    _record: Any,
    *,
    timeout_ms: int,
    read_only: bool,
    path: Path | None = None,
) -> None:
    # Before anything is read or written: is this the file we checked, not a link?
    if path is not None:
        check_opened_file(dbapi_connection, path)
    # Take transactions away from pysqlite: it would otherwise BEGIN (deferred) lazily
    # and COMMIT behind our back; we emit BEGIN ourselves in ``_sqlite_on_begin``.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if read_only:
            cursor.execute("PRAGMA query_only = ON")
            return
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def ensure_wal(engine: Engine, timeout_ms: int) -> None:
    """Put a salesboard database into WAL mode (once; the mode is kept in the file).

    Called only after the schema check has shown that the file is a salesboard database
    (or has just made it one): switching the journal mode writes to the file, and a file
    of another program must be refused unchanged.
    """
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                _switch_to_wal(cursor, timeout_ms)
        finally:
            cursor.close()
    except sqlite3.Error as error:  # the driver's own error: hand it on as SQLAlchemy would
        raise DBAPIError.instance("PRAGMA journal_mode", None, error, sqlite3.Error) from error
    finally:
        raw.close()


def _switch_to_wal(cursor: Any, timeout_ms: int) -> None:
    """Turn a new file to WAL, waiting for other openers like a busy timeout would.

    Switching needs an exclusive lock. When several sessions open a new file at the same
    moment, a loser may get "database is locked", or the pragma may answer the old mode
    without switching; it retries here until the file is in WAL mode (a winner's switch
    counts) or the busy timeout has passed.
    """
    import sqlite3
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            # The pragma answers the mode in force: the old one if it could not switch.
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() == "wal":
                return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            if time.monotonic() >= deadline:
                raise
        if time.monotonic() >= deadline:
            return  # the file may still turn WAL under us; transactions will tell
        time.sleep(0.005)


def _sqlite_on_begin(conn: Any, *, timeout_ms: int) -> None:
    options = conn.get_execution_options()
    mode = options.get(BEGIN_MODE, "DEFERRED")
    wait = int(options.get(WAIT_MS, timeout_ms))
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")  # per transaction: see WAIT_MS
    conn.exec_driver_sql(f"BEGIN {mode}")


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL; None for other backends.

    A SQLite URL that names no file (in memory, ``sqlite://``) or a SQLite URI
    (``file:…?mode=memory``) is refused: it would keep nothing, or bypass the checks
    that keep planted links out (``fileguard``).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or parsed.query:
        raise DatabaseUnavailable(
            _(
                "cannot use {url}: give a database file (a path such as ~/sales.db); "
                "in-memory and URI-style SQLite databases are refused — they keep nothing, "
                "or skip the checks that keep a shared file safe"
            ).format(url=repr(shown_url(url)))
        )
    return Path(database)


def _read_only_connector(path: Path, timeout_s: float) -> Any:
    """A pool ``creator`` opening ``path`` read-only, choosing the URI at each connect."""

    def connect() -> Any:
        import sqlite3

        from salesboard.store.sharing import read_only_uri

        check_database_file(path)
        return sqlite3.connect(
            read_only_uri(path), uri=True, timeout=timeout_s, check_same_thread=False
        )

    return connect


def _writer_connector(path: Path, timeout_s: float) -> Any:
    """A pool ``creator`` opening ``path`` for reading and writing, never creating it.

    ``mode=rw`` makes SQLite fail on a missing file instead of creating it, so even a
    link swapped in after the checks cannot make it create a file elsewhere.
    """
    uri = "file:" + quote(os.fsencode(path)) + "?mode=rw"  # any bytes a file name may hold

    def connect() -> Any:
        import sqlite3

        check_database_file(path)
        return sqlite3.connect(uri, uri=True, timeout=timeout_s, check_same_thread=False)

    return connect


def create_db_engine(
    url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, read_only: bool = False
) -> Engine:
    """An engine for ``url`` with the right recipe for its backend.

    ``read_only`` (SQLite files only) gives the engine that never writes a file; see the
    module's docstring.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        assert path is not None
        check_database_file(path)
        timeout_s = busy_timeout_ms / 1000
        if read_only:
            engine = create_engine(
                url, creator=_read_only_connector(path, timeout_s), poolclass=NullPool
            )
        else:
            engine = create_engine(url, creator=_writer_connector(path, timeout_s))
        on_connect = partial(
            _sqlite_on_connect, timeout_ms=busy_timeout_ms, read_only=read_only, path=path
        )
        event.listen(engine, "connect", on_connect)
        event.listen(engine, "begin", partial(_sqlite_on_begin, timeout_ms=busy_timeout_ms))
        return engine
    return create_engine(url, pool_pre_ping=True)


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions take the write lock at BEGIN (SQLite)."""
    return engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
