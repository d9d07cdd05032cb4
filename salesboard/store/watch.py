"""Noticing other sessions' commits cheaply, so a running board can stay live.

SQLite: a commit writes the ``-wal`` file (or, outside WAL mode, the database file), so
when neither file's size nor modification time moved and nothing was written lately,
nothing was committed, and the answer costs two ``stat`` calls and no SQLite call. When
a file moved, ``PRAGMA data_version`` on one dedicated connection says whether another
connection committed (it costs microseconds and touches no table). The connection runs in
autocommit mode so it never sits inside a read transaction, where the value would be
frozen. File times are coarse (a few milliseconds on some file systems), so a file
written in the last ``RECENT_SECONDS`` is never trusted to be unchanged.

PostgreSQL: a trigger on each table a board follows sends ``NOTIFY salesboard_changes``
(migration 0009), naming the table (``schema.table``). ``NotificationListener`` holds one dedicated
autocommit connection that has run ``LISTEN``; reading what the server pushed is a
non-blocking read of the socket, with no query and no round trip, so an idle board asks
the server nothing at all.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from salesboard.errors import DatabaseUnavailable
from salesboard.i18n import _
from salesboard.store.database import Database

CHANNEL = "salesboard_changes"
"""The PostgreSQL notification channel every write that a board must see notifies."""
RECENT_SECONDS = 2.0
"""A file modified this recently may have changed again within its time stamp's grain."""

FileState = tuple[tuple[int, int, int] | None, ...]
"""(inode, size, mtime in ns) of the database file and its ``-wal`` (None: missing)."""


def file_state(path: Path) -> FileState:
    """What a commit to the SQLite file at ``path`` would change, read with ``stat`` only."""
    found: list[tuple[int, int, int] | None] = []
    for name in (path, path.with_name(path.name + "-wal")):
        try:
            info = os.stat(name)
        except OSError:
            found.append(None)
        else:
            found.append((info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(found)


def _inode(state: FileState) -> int | None:
    """The database file's inode in a ``FileState`` (None: no file)."""
    return None if state[0] is None else state[0][0]


def _recent(state: FileState, now_ns: int) -> bool:
    limit = now_ns - int(RECENT_SECONDS * 1e9)
    return any(entry is not None and entry[2] > limit for entry in state)


class ChangeWatcher:
    """Answers "did anyone else commit since I last asked?" for one SQLite database.

    Used from one thread only (its connection belongs to that thread).
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._connection: Any = None
        self._last: int | None = None
        self._files: FileState | None = None
        self.new_file = False
        """Another file took the database's path (``take_new_file``)."""

    def changed(self) -> bool:
        """Whether another connection may have committed since the previous call.

        The first call answers True. Errors (a locked or vanished file) also answer True,
        so the caller's real query reports them in its own words. On other backends the
        answer is always True: see ``NotificationListener`` for PostgreSQL.
        """
        if not self._db.is_sqlite or self._db.path is None:
            return True
        if not self._files_moved(self._db.path):
            return False
        if self._db.read_only:
            # A read-only open may be ``immutable`` (no side files to share), where
            # data_version never moves: the files moved, so let the caller's query decide.
            return True
        try:
            version = int(self._ask("PRAGMA data_version")[0][0])
        except DatabaseUnavailable:
            return True
        changed = version != self._last
        self._last = version
        return changed

    def _files_moved(self, path: Path) -> bool:
        state = file_state(path)
        moved = state != self._files or _recent(state, time.time_ns())
        if self._files is not None and _inode(state) != _inode(self._files):
            # Another file at the path (a backup restored): our connection reads the old
            # one. Start again on the new one; its data_version has no relation to ours.
            self.close()
            self._last = None
            self.new_file = True
        self._files = state
        return moved

    def take_new_file(self) -> bool:
        """Whether another file took the database's path since the previous call."""
        new, self.new_file = self.new_file, False
        return new

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one read-only statement on the watcher's connection.

        It runs outside any transaction, so it sees the newest commit; any failure is a
        ``DatabaseUnavailable``.
        """
        return self._ask(sql)

    def _ask(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            if self._connection is None:
                self._connection = self._db.engine.raw_connection()
            cursor = self._connection.cursor()
            try:
                return [tuple(row) for row in cursor.execute(sql).fetchall()]
            finally:
                cursor.close()
        except DBAPIError as error:
            self.close()
            raise DatabaseUnavailable(str(error.orig)) from None
        except Exception as error:  # the raw sqlite3 error, not wrapped by SQLAlchemy
            if type(error).__module__ != "sqlite3":
                raise
            self.close()
            raise DatabaseUnavailable(str(error)) from None

    def close(self) -> None:
        """Give the dedicated connection back; the next look starts a new baseline."""
        self._files = None
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
                self._last = None


class NotificationListener:
    """One PostgreSQL connection that LISTENs on ``CHANNEL`` and hands out what arrived.

    Used from one thread only. ``connect`` opens it (autocommit, outside the engine's pool
    so that nothing else ever runs on it); ``fileno`` is the socket to wait on; ``drain``
    returns the payloads (table names) that arrived, without blocking and without a query.
    Every failure is a ``DatabaseUnavailable``: the caller reconnects and, having missed
    whatever came meanwhile, treats everything as maybe changed.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._fairy: Any = None
        self._connection: Any = None
        self._prefix = "public."

    @property
    def connected(self) -> bool:
        """Whether a listening connection is open."""
        return self._connection is not None

    def connect(self) -> None:
        """Open the connection and LISTEN; notifications sent from now on are kept."""
        self.close()
        try:
            fairy = self._db.engine.raw_connection()
            connection = fairy.driver_connection
            fairy.detach()  # never handed back to the pool, where others would reuse it
            if connection is None:
                raise RuntimeError("no driver connection")
            connection.autocommit = True
            row = connection.execute("SELECT current_schema()").fetchone()
            connection.execute(f"LISTEN {CHANNEL}")
        except Exception as error:  # the driver's errors: a server gone, refused, …
            raise DatabaseUnavailable(
                _("cannot listen for changes: {error}").format(error=_first_line(error))
            ) from None
        self._fairy, self._connection = fairy, connection
        self._prefix = f"{row[0] if row else 'public'}."

    @property
    def backend_pid(self) -> int | None:
        """The server process serving the listening connection (None: not connected)."""
        return None if self._connection is None else int(self._connection.pgconn.backend_pid)

    def fileno(self) -> int:
        """The socket that becomes readable when the server sends something."""
        if self._connection is None:
            raise DatabaseUnavailable(_("not listening for changes"))
        return int(self._connection.pgconn.socket)

    def drain(self) -> set[str]:
        """The tables named by every notification received so far (empty: none), at once.

        Reads only what already reached the socket: no query, no wait. Notifications
        about another schema's tables (another team in the same database) are dropped.
        """
        if self._connection is None:
            raise DatabaseUnavailable(_("not listening for changes"))
        pgconn = self._connection.pgconn
        payloads: set[str] = set()
        try:
            pgconn.consume_input()
            while (note := pgconn.notifies()) is not None:
                schema, dot, table = bytes(note.extra).decode("utf-8", "replace").rpartition(".")
                if dot and f"{schema}." == self._prefix:
                    payloads.add(table)
        except Exception as error:  # psycopg's OperationalError: the connection broke
            self.close()
            raise DatabaseUnavailable(
                _("lost the connection that listens for changes: {error}").format(
                    error=_first_line(error)
                )
            ) from None
        if pgconn.status != 0:  # CONNECTION_BAD: the server closed it
            self.close()
            raise DatabaseUnavailable(_("lost the connection that listens for changes"))
        return payloads

    def close(self) -> None:
        """Close the listening connection (the server forgets the LISTEN with it)."""
        fairy, self._fairy, self._connection = self._fairy, None, None
        if fairy is not None:
            with contextlib.suppress(Exception):  # already broken: nothing left to release
                fairy.close()


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
