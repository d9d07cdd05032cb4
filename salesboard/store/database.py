"""One open database: engine, schema check, and the only two ways to get a session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

from salesboard.errors import DatabaseUnavailable
from salesboard.store.engine import create_db_engine, writer
from salesboard.store.location import describe, resolve_url


def explain_db_error(error: DBAPIError, where: str) -> DatabaseUnavailable:
    """Turn a driver error into one sentence a user can act on."""
    text = str(error.orig) if error.orig is not None else str(error)
    lowered = text.lower()
    if "database is locked" in lowered or "database is busy" in lowered:
        reason = "another session kept the database locked for too long; nothing was changed"
    elif "readonly" in lowered or "read-only" in lowered:
        reason = "the database is read-only for you; nothing was changed"
    elif "not a database" in lowered or "malformed" in lowered:
        reason = "the file is not a salesboard database or is damaged"
    elif "disk" in lowered and "full" in lowered:
        reason = "the disk is full; nothing was changed"
    elif "unable to open" in lowered:
        reason = "the file cannot be opened (check the path and permissions)"
    else:
        reason = text.splitlines()[0] if text else type(error).__name__
    return DatabaseUnavailable(f"{where}: {reason}")


class Database:
    """An opened, schema-checked database shared by every use case of one process."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._writer = writer(engine)

    @classmethod
    def open(cls, target: str | None = None, *, migrate: bool = True) -> Database:
        """Open ``target`` (path, URL or default), creating or upgrading its schema.

        Every failure (missing directory, not a database, newer schema, no permission)
        becomes a ``DatabaseUnavailable`` with a one-line reason.
        """
        from salesboard.store.schema import ensure_schema

        url = resolve_url(target)
        try:
            engine = create_db_engine(url)
        except ArgumentError as error:
            raise DatabaseUnavailable(f"cannot use database {target!r}: {error}") from None
        except ModuleNotFoundError as error:
            raise DatabaseUnavailable(
                f"the driver for {describe(url)} is not installed ({error.name}); "
                "install salesboard[postgres] for PostgreSQL"
            ) from None
        db = cls(engine, url)
        try:
            if migrate:
                ensure_schema(db)
        except DBAPIError as error:
            engine.dispose()
            raise explain_db_error(error, db.name) from None
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

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for a consistent read; it never takes the write lock."""
        try:
            with Session(self.engine) as session, session.begin():
                yield session
        except OperationalError as error:
            raise explain_db_error(error, self.name) from None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A short write transaction that holds the write lock from its first statement.

        On SQLite this is ``BEGIN IMMEDIATE``: concurrent writers wait (busy timeout)
        instead of failing halfway, and a read-check-write inside cannot be interleaved.
        On PostgreSQL, use cases lock the rows they change with ``SELECT … FOR UPDATE``.
        """
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as error:
            raise explain_db_error(error, self.name) from None

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
