"""Engine creation with the concurrency recipe; never done at import time.

SQLite (the default) is made safe for many processes on one file: WAL journal, a busy
timeout, foreign keys, pysqlite's own transaction handling switched off, and write
transactions that take the write lock up front with ``BEGIN IMMEDIATE`` so that concurrent
writers queue instead of failing or losing updates. These hooks are registered on SQLite
engines only, so the same code runs unchanged on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from salesboard.errors import DatabaseUnavailable

BUSY_TIMEOUT_MS = 30_000
BEGIN_MODE = "salesboard_begin"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transactions away from pysqlite: it would otherwise BEGIN (deferred) lazily
    # and COMMIT behind our back; we emit BEGIN ourselves in ``_sqlite_on_begin``.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get(BEGIN_MODE, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_db_engine(url: str) -> Engine:
    """An engine for ``url`` with the right recipe for its backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            parent = Path(database).parent
            if not parent.is_dir():
                raise DatabaseUnavailable(
                    f"cannot open {database}: directory {parent} does not exist"
                )
            if Path(database).is_dir():
                raise DatabaseUnavailable(f"cannot open {database}: it is a directory")
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions take the write lock at BEGIN (SQLite)."""
    return engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
