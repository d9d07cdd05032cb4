"""One consistent, read-only look at a SQLite database file, for copying it elsewhere.

``salesboard migrate`` reads a team's whole database while boards and the CLI may go on
writing it. Everything it reads comes from one read transaction, so the copy is the
database as it stood at one moment, never half of a change. The file is opened with
``mode=ro`` (SQLite then never writes the database file itself; it may create the
``-wal``/``-shm`` side files as any reader does). A user who may not write the database
reads it the way ``sharing.read_only_uri`` says; when that is ``immutable=1`` (no side
files: nobody had it open), SQLite takes no lock, so the file's size and time are
compared before and after, and a copy during which the file changed is refused.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Generator
from pathlib import Path
from types import TracebackType
from typing import Any, Final
from urllib.parse import quote

from salesboard.errors import DatabaseUnavailable
from salesboard.i18n import _
from salesboard.store import fileguard, sharing

BATCH: Final = 5_000
"""Rows fetched from SQLite at a time."""


def quoted(name: str) -> str:
    """``name`` as an SQL identifier, for SQLite and PostgreSQL alike."""
    return '"' + name.replace('"', '""') + '"'


def _file_state(path: Path) -> tuple[int, int, int]:
    info = os.stat(path)
    return (info.st_ino, info.st_size, info.st_mtime_ns)


class Snapshot:
    """A read transaction on a SQLite file, opened so that it never writes the file."""

    def __init__(self, path: Path, *, busy_timeout_ms: int) -> None:
        self.path = path
        try:
            exists = fileguard.check_database_file(path)
        except PermissionError:
            raise DatabaseUnavailable(sharing.no_access_message(path)) from None
        if not exists:
            raise fileguard.missing_database(path)
        if not sharing.readable(path):
            raise DatabaseUnavailable(sharing.no_access_message(path))
        if sharing.write_blocker(path) is None:
            uri = "file:" + quote(os.fsencode(path)) + "?mode=ro"
        else:
            uri = sharing.read_only_uri(path)
        self._unlocked = "immutable=1" in uri
        self._before = _file_state(path)
        self._connection = sqlite3.connect(
            uri, uri=True, timeout=busy_timeout_ms / 1000, isolation_level=None
        )
        try:
            fileguard.check_opened_file(self._connection, path)
            self._connection.execute("PRAGMA query_only = ON")
            self._connection.execute("BEGIN")
        except BaseException:
            self._connection.close()
            raise

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the read transaction and close the file."""
        with contextlib.suppress(sqlite3.Error):
            self._connection.execute("ROLLBACK")
        self._connection.close()

    def scalar(self, query: str, *params: Any) -> Any:
        """The first value of the first row of ``query`` (None if no row)."""
        row = self._connection.execute(query, params).fetchone()
        return None if row is None else row[0]

    def tables(self) -> set[str]:
        """The names of the database's own tables (SQLite's internal ones left out)."""
        found = self._connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\'"
        ).fetchall()
        return {str(name) for (name,) in found}

    def columns(self, table: str) -> list[str]:
        """The column names of ``table``, in their order."""
        rows = self._connection.execute(f"PRAGMA table_info({quoted(table)})").fetchall()
        return [str(row[1]) for row in rows]

    def count(self, table: str) -> int:
        """How many rows ``table`` holds in this snapshot."""
        return int(self.scalar(f"SELECT count(*) FROM {quoted(table)}"))

    def autoincrement(self, table: str) -> int:
        """The highest id ``table`` ever gave out (``AUTOINCREMENT`` tables keep it), or 0."""
        if not self.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'"):
            return 0
        found = self.scalar("SELECT seq FROM sqlite_sequence WHERE name = ?", table)
        return int(found) if isinstance(found, int) else 0

    def rows(
        self, table: str, columns: tuple[str, ...], key: tuple[str, ...]
    ) -> Generator[tuple[Any, ...], None, None]:
        """Every row of ``table`` (these columns), in primary-key order, as SQLite stores it."""
        names = ", ".join(quoted(column) for column in columns)
        order = ", ".join(quoted(column) for column in key)
        cursor = self._connection.execute(f"SELECT {names} FROM {quoted(table)} ORDER BY {order}")
        try:
            while batch := cursor.fetchmany(BATCH):
                yield from batch
        finally:
            cursor.close()

    def check_unchanged(self) -> None:
        """Refuse a copy read without a lock (``immutable``) if the file changed meanwhile."""
        if self._unlocked and _file_state(self.path) != self._before:
            raise DatabaseUnavailable(
                _(
                    "{path} changed while it was being copied; nothing was kept — run "
                    "migrate again (or when nobody is writing)"
                ).format(path=self.path)
            )
