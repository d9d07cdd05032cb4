"""Noticing other sessions' commits cheaply, so a running board can stay live.

On SQLite, ``PRAGMA data_version`` on one dedicated connection changes exactly when
another connection has committed (it costs microseconds and touches no table). The
connection runs in autocommit mode so it never sits inside a read transaction, where the
value would be frozen. On other backends there is no such counter, so every poll answers
"maybe" and the caller's own cheap check (the newest event id) decides; LISTEN/NOTIFY
could replace that for PostgreSQL without changing callers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError

from salesboard.store.database import Database


class ChangeWatcher:
    """Answers "did anyone else commit since I last asked?" for one database."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._connection: Any = None
        self._last: int | None = None

    def changed(self) -> bool:
        """Whether another connection may have committed since the previous call.

        The first call answers True. Errors (a locked or vanished file) also answer True,
        so the caller's real query reports them in its own words.
        """
        if not self._db.is_sqlite or self._db.read_only:
            # A read-only open may be ``immutable`` (no side files to share), where
            # data_version never moves: let the caller's own query decide instead.
            return True
        try:
            if self._connection is None:
                self._connection = self._db.engine.raw_connection()
            cursor = self._connection.cursor()
            try:
                version = int(cursor.execute("PRAGMA data_version").fetchone()[0])
            finally:
                cursor.close()
        except DBAPIError:
            self.close()
            return True
        except Exception as error:  # the raw sqlite3 error, not wrapped by SQLAlchemy
            if type(error).__module__ != "sqlite3":
                raise
            self.close()
            return True
        changed = version != self._last
        self._last = version
        return changed

    def close(self) -> None:
        """Give the dedicated connection back."""
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
                self._last = None
