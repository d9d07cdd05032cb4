"""What other sessions changed since the board last looked, found cheaply.

Fifty boards idle on one server must cost next to nothing, so a board is woken only when
something it shows was committed elsewhere. ``ChangeSignal`` watches on a thread of its
own and says *what kind* of thing moved (deals, rates, the pipeline, who is online):

* SQLite: every ``CHECK_SECONDS`` it looks at the database files (``stat`` only, see
  ``ChangeWatcher``); only when they moved does it ask ``PRAGMA data_version`` and then
  read a few counters in one statement (newest event id, rates, pipeline version, the
  presence rows). A heartbeat commits but moves none of the counters a board shows, so
  it wakes no board.
* PostgreSQL: it blocks on a ``LISTEN`` connection's socket; triggers name the table
  each write changed (migration 0009). No query at all while nothing happens.

``ChangeFeed`` then turns "deals moved" into the changed deal ids, on the board's thread.
Its ``poll`` is the same check done synchronously, for callers without a thread.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import func
from sqlmodel import col
from sqlmodel import select as sql_select

from salesboard.errors import DatabaseUnavailable
from salesboard.service.board import BoardQueries, ChangedDeals
from salesboard.service.rates import BASE_KEY
from salesboard.store import EXCHANGE_RATE, PIPELINE_VERSION, SETTING, Database, Event, Presence
from salesboard.store.watch import ChangeWatcher, NotificationListener

DEALS: Final = "deals"
RATES: Final = "rates"
PIPELINE: Final = "pipeline"
PRESENCE: Final = "presence"
EVERYTHING: Final = frozenset({DEALS, RATES, PIPELINE, PRESENCE})
"""What to look at again when the signal may have missed something (start, errors)."""
TABLE_KINDS: Final = {
    "event": DEALS,
    "exchange_rate": RATES,
    "setting": RATES,
    "pipeline_version": PIPELINE,
    "presence": PRESENCE,
}
"""The payload of a PostgreSQL notification (the table written) and what it changes."""
CHECK_SECONDS = 1.0
"""How often a SQLite board looks at the files (two ``stat`` calls): a change shows within
about a second, and fifty idle boards wake fifty times a second in all, not a hundred."""
RETRY_SECONDS: Final = (0.5, 1.0, 2.0, 5.0, 10.0)
"""Waits before reconnecting a lost PostgreSQL listener, growing to the last one."""


@dataclass(frozen=True)
class Poll:
    """One look at the database: whether anything was committed, and which deals changed."""

    committed: bool
    deals: ChangedDeals | None = None


class ChangeFeed:
    """Tracks the newest event this board has shown, and reports what came after it."""

    def __init__(self, db: Database, queries: BoardQueries) -> None:
        self._queries = queries
        self._db = db
        self._replacements = db.replacements
        self._watcher = ChangeWatcher(db)
        self._own_watcher = True
        self.seen_event_id = 0

    def mark_shown(self) -> None:
        """The board is loading from scratch: everything committed up to now will be shown.

        Called before the board reads, so a commit landing during the load is reported
        by the next poll (redrawing a deal already shown is harmless).
        """
        if self._own_watcher:
            self._watcher.changed()  # the baseline for "committed since"
        self.seen_event_id = self._queries.last_event_id()

    def poll(self) -> Poll:
        """What changed since the previous poll (``committed`` False: nothing at all)."""
        if not self._watcher.changed():
            return Poll(committed=False)
        return self.look({DEALS})

    def look(self, kinds: frozenset[str] | set[str]) -> Poll:
        """The changed deals, when a ``ChangeSignal`` said ``kinds`` moved (no own check)."""
        if DEALS not in kinds or self._queries.last_event_id() == self.seen_event_id:
            return Poll(committed=True)
        changed = self._queries.changed_since(self.seen_event_id)
        self.seen_event_id = changed.last_event_id
        return Poll(committed=True, deals=changed)

    def file_replaced(self) -> bool:
        """Whether the database file was swapped for another since the previous call.

        A restored backup is another history: what changed since the last event this
        board saw means nothing there, so the board must read it whole.
        """
        self._db.follow_the_file()
        count = self._db.replacements
        replaced, self._replacements = count != self._replacements, count
        return replaced

    def signalled(self) -> None:
        """From now on a ``ChangeSignal`` watches and ``look`` is used: release the watcher."""
        self._own_watcher = False
        self._watcher.close()

    def close(self) -> None:
        """Release the watcher's connection (``poll`` opens it again if called)."""
        self._watcher.close()


def counters_sql(db: Database) -> tuple[str, str]:
    """The two statements a SQLite signal reads after a commit.

    The counters that change with what a board shows (one row), and the presence rows
    (session, open deal). Compiled once to plain SQL, to run on the watcher's own raw connection.
    """
    counters = sql_select(
        sql_select(func.max(col(Event.id))).scalar_subquery(),
        sql_select(func.max(EXCHANGE_RATE.c.id)).scalar_subquery(),
        sql_select(SETTING.c.value).where(SETTING.c.key == BASE_KEY).scalar_subquery(),
        sql_select(func.max(PIPELINE_VERSION.c.version)).scalar_subquery(),
    )
    people = sql_select(col(Presence.session_id), col(Presence.deal_id))
    dialect = db.engine.dialect
    return tuple(  # type: ignore[return-value]
        str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        for query in (counters, people)
    )


def kinds_of(payloads: set[str]) -> set[str]:
    """What the tables named by notifications change (an unknown name: everything)."""
    kinds: set[str] = set()
    for payload in payloads:
        kind = TABLE_KINDS.get(payload)
        kinds |= {kind} if kind is not None else EVERYTHING
    return kinds


class ChangeSignal:
    """Notices other sessions' commits on its own thread and tells what kind moved.

    ``start(wake)`` begins watching; ``wake`` is called (on the signal's thread) when
    something moved and nothing was waiting to be taken, so a burst of commits wakes the
    board once. ``take`` returns the kinds that moved since the previous ``take``. The
    first look after ``start`` (and after any error or reconnect) reports ``EVERYTHING``,
    since what happened before it is unknown.
    """

    def __init__(self, db: Database, *, every: float = CHECK_SECONDS) -> None:
        self._db = db
        self._every = every
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake: Callable[[], None] = lambda: None
        self._thread: threading.Thread | None = None
        self._pipe: tuple[int, int] | None = None
        self.looks = 0
        """How many times the thread looked past the cheap check (tests, benchmarks)."""
        self.listener_pid: int | None = None
        """PostgreSQL: the server process of the listening connection, once listening."""

    def start(self, wake: Callable[[], None]) -> None:
        """Begin watching; ``wake`` is called from the signal's thread."""
        self._wake = wake
        if self._db.is_sqlite:
            target = self._watch_files
        else:
            self._pipe = os.pipe()
            target = self._listen
        self._thread = threading.Thread(target=target, name="salesboard-changes", daemon=True)
        self._thread.start()

    def take(self) -> frozenset[str]:
        """What moved since the previous ``take`` (empty: nothing)."""
        with self._lock:
            kinds = frozenset(self._pending)
            self._pending.clear()
        return kinds

    def stop(self, *, timeout: float = 2.0) -> None:
        """Stop watching and release the connection."""
        self._stopping.set()
        if self._pipe is not None:
            os.write(self._pipe[1], b"x")
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout)
        if self._pipe is not None and (self._thread is None or not self._thread.is_alive()):
            for end in self._pipe:
                os.close(end)
            self._pipe = None

    def _post(self, kinds: frozenset[str] | set[str]) -> None:
        if not kinds or self._stopping.is_set():
            return
        with self._lock:
            waiting = bool(self._pending)
            self._pending |= kinds
        if not waiting:
            self._wake()

    # ------------------------------------------------------------------ SQLite

    def _watch_files(self) -> None:
        watcher = ChangeWatcher(self._db)
        statements = counters_sql(self._db)
        last: dict[str, Any] | None = None
        try:
            while True:
                try:
                    if watcher.changed():
                        self.looks += 1
                        now = self._counters(watcher, statements)
                        if last is None or watcher.take_new_file():
                            moved: frozenset[str] | set[str] = EVERYTHING
                        else:
                            moved = {k for k in now if now[k] != last[k]}
                        last = now
                        self._post(moved)
                except DatabaseUnavailable:
                    last = None  # the board's own query will say what is wrong
                    self._post(EVERYTHING)
                if self._stopping.wait(self._every):
                    return
        finally:
            watcher.close()

    @staticmethod
    def _counters(watcher: ChangeWatcher, statements: tuple[str, str]) -> dict[str, Any]:
        counters, people = statements
        event_id, rate_id, base, pipeline = watcher.rows(counters)[0]
        return {
            DEALS: event_id,
            RATES: (rate_id, base),
            PIPELINE: pipeline,
            PRESENCE: frozenset(watcher.rows(people)),
        }

    # -------------------------------------------------------------- PostgreSQL

    def _listen(self) -> None:
        assert self._pipe is not None
        stop_fd = self._pipe[0]
        listener = NotificationListener(self._db)
        failures = 0
        try:
            while not self._stopping.is_set():
                if not listener.connected:
                    try:
                        listener.connect()
                    except DatabaseUnavailable:
                        self._post(EVERYTHING)  # the board's own query reports it
                        wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                        failures += 1
                        if self._stopping.wait(wait):
                            return
                        continue
                    failures = 0
                    self._post(EVERYTHING)  # whatever was committed while not listening
                    self.listener_pid = listener.backend_pid
                try:
                    readable, _w, _x = select.select([listener.fileno(), stop_fd], [], [])
                    if stop_fd in readable:
                        return
                    payloads = listener.drain()
                except (DatabaseUnavailable, OSError, ValueError):
                    listener.close()
                    self._post(EVERYTHING)
                    continue
                self.looks += 1
                self._post(kinds_of(payloads))
        finally:
            listener.close()
