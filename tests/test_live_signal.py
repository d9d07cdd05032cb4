"""Idle boards cost nothing: the change signal wakes a board only for what it shows.

SQLite boards look at the files (``stat``) and ask SQLite only when they moved; PostgreSQL
boards LISTEN and run no query at all while nothing happens. Heartbeats, which every
board commits every 15 s, must wake no board.
"""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from salesboard.errors import DatabaseUnavailable
from salesboard.service import Pipeline
from salesboard.service.live import DEALS, EVERYTHING, PRESENCE, RATES, ChangeSignal
from salesboard.service.presence import PresenceBook
from salesboard.service.rates import RateBook
from salesboard.store import Database
from salesboard.store.watch import ChangeWatcher, NotificationListener, file_state

WAIT_S = 10.0
"""Generous: only a broken signal waits this long (the events themselves come at once)."""


class Woken:
    """Collects what a signal reports, and lets a test wait for the next report."""

    def __init__(self, signal: ChangeSignal) -> None:
        self.signal = signal
        self._event = threading.Event()
        self.seen: list[frozenset[str]] = []

    def wake(self) -> None:
        self._event.set()

    def next(self) -> frozenset[str]:
        """Wait for the next wake-up and take what it reported."""
        assert self._event.wait(WAIT_S), "the signal never woke the board"
        self._event.clear()
        kinds = self.signal.take()
        self.seen.append(kinds)
        return kinds

    def until(self, kind: str) -> set[str]:
        """Everything reported up to and including the first report of ``kind``."""
        union: set[str] = set()
        while kind not in union:
            union |= self.next()
        return union


@pytest.fixture
def two(db_url: str) -> Iterator[tuple[Database, Database]]:
    """Two opens of one database, as two boards in two processes have."""
    mine, theirs = Database.open(db_url, create=True), Database.open(db_url, create=True)
    yield mine, theirs
    mine.close()
    theirs.close()


def _watch(two: tuple[Database, Database]) -> Iterator[tuple[Woken, Database]]:
    mine, theirs = two
    signal = ChangeSignal(mine, every=0.02)
    woken = Woken(signal)
    signal.start(woken.wake)
    assert woken.next() == EVERYTHING  # what happened before it started is unknown
    yield woken, theirs
    signal.stop()


@pytest.fixture
def watching(two: tuple[Database, Database]) -> Iterator[tuple[Woken, Database]]:
    """A started signal on the first open (its first report taken), and the other open."""
    yield from _watch(two)


@pytest.fixture
def pg_watching(pg_url: str) -> Iterator[tuple[Woken, Database]]:
    """The same on PostgreSQL only."""
    mine, theirs = Database.open(pg_url, create=True), Database.open(pg_url, create=True)
    yield from _watch((mine, theirs))
    mine.close()
    theirs.close()


def test_a_heartbeat_wakes_nobody_a_deal_a_rate_and_a_colleague_do(
    watching: tuple[Woken, Database],
) -> None:
    woken, theirs = watching
    bob = PresenceBook(theirs, "bob")
    bob.beat(None)  # bob joins: the people online changed
    assert woken.until(PRESENCE) == {PRESENCE}
    bob.beat(None)  # a heartbeat: a commit, but nothing any board shows
    bob.beat(None)
    RateBook(theirs, actor="bob").set_rate("USD", "0.9")  # then something that shows
    # Reports arrive in commit order: had a heartbeat woken the board, PRESENCE would be
    # reported before (or with) the rate.
    assert woken.until(RATES) == {RATES}
    Pipeline(theirs, actor="bob").create_deal("From elsewhere", owner="bob")
    assert woken.until(DEALS) == {DEALS}
    bob.beat(7)  # bob opens a deal: colleagues show it
    assert woken.until(PRESENCE) == {PRESENCE}
    bob.leave()
    assert woken.until(PRESENCE) == {PRESENCE}


def test_a_burst_of_commits_wakes_the_board_once_until_it_takes(
    watching: tuple[Woken, Database],
) -> None:
    woken, theirs = watching
    calls: list[int] = []
    woken.signal._wake = lambda: calls.append(1)  # count the wake-ups, take nothing
    bob = Pipeline(theirs, actor="bob")
    for n in range(3):
        bob.create_deal(f"Burst {n}", owner="bob")
    RateBook(theirs, actor="bob").set_rate("USD", "0.9")
    deadline = threading.Event()
    while RATES not in woken.signal._pending and not deadline.wait(0.02):
        pass
    assert calls == [1]  # one wake-up; the board takes everything at once
    assert woken.signal.take() >= {DEALS, RATES}


def test_the_sqlite_watcher_asks_sqlite_nothing_while_the_files_rest(sqlite_url: str) -> None:
    mine = Database.open(sqlite_url, create=True)
    theirs = Database.open(sqlite_url, create=True)
    try:
        watcher = ChangeWatcher(mine)
        assert watcher.changed() is True  # the baseline
        assert mine.path is not None
        for name in (mine.path, mine.path.with_name(mine.path.name + "-wal")):
            if name.exists():  # as if the last write were a minute ago
                os.utime(name, ns=(0, os.stat(name).st_mtime_ns - 60 * 10**9))
        assert watcher.changed() is False  # the times moved (by us): one more look
        asked: list[str] = []

        def refuse(sql: str) -> list[tuple[object, ...]]:
            asked.append(sql)
            raise AssertionError("the watcher asked SQLite although no file moved")

        watcher._ask = refuse  # type: ignore[method-assign]
        for _ in range(3):
            assert watcher.changed() is False
        assert asked == []
        del watcher._ask  # back to the real method
        Pipeline(theirs, actor="bob").create_deal("From elsewhere", owner="bob")
        before = file_state(mine.path)
        assert watcher.changed() is True
        assert file_state(mine.path) == before  # looking changed no file
        watcher.close()
    finally:
        mine.close()
        theirs.close()


def test_the_listener_answers_without_a_query_even_with_every_table_locked(pg_url: str) -> None:
    mine = Database.open(pg_url, create=True)
    theirs = Database.open(pg_url, create=True)
    listener = NotificationListener(mine)
    try:
        listener.connect()
        assert listener.drain() == set()
        with theirs.engine.connect() as locker:  # a query on any table would wait for it
            locker.execute(
                text("LOCK TABLE event, deal, presence, setting IN ACCESS EXCLUSIVE MODE")
            )
            assert listener.drain() == set()
            locker.rollback()
        Pipeline(theirs, actor="bob").create_deal("From elsewhere", owner="bob")
        readable, _w, _x = select.select([listener.fileno()], [], [], WAIT_S)
        assert readable, "no notification arrived"
        assert "event" in listener.drain()
        assert listener.drain() == set()  # each notification is handed out once
    finally:
        listener.close()
        mine.close()
        theirs.close()


def test_a_dropped_listener_reconnects_and_reports_maybe_changed(
    pg_watching: tuple[Woken, Database],
) -> None:
    woken, theirs = pg_watching
    pid = woken.signal.listener_pid
    assert pid is not None
    with theirs.engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.commit()
    assert woken.next() == EVERYTHING  # it may have missed something: look at everything
    pause = threading.Event()
    for _ in range(int(WAIT_S / 0.02)):  # until it listens again (set after it reported)
        if woken.signal.listener_pid not in (None, pid):
            break
        pause.wait(0.02)
    assert woken.signal.listener_pid not in (None, pid)
    woken.signal.take()  # the reconnection's "everything"
    woken._event.clear()
    Pipeline(theirs, actor="bob").create_deal("After the drop", owner="bob")
    assert woken.until(DEALS) == {DEALS}  # a notification on the new connection


def test_a_listener_that_cannot_connect_says_so_in_one_line(pg_url: str) -> None:
    db = Database.open(pg_url, create=True)
    try:
        broken = Database(
            create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"), db.url
        )  # nothing listens on port 1
        listener = NotificationListener(broken)
        with pytest.raises(DatabaseUnavailable) as raised:
            listener.connect()
        assert "\n" not in str(raised.value) and "cannot listen" in str(raised.value)
        assert not listener.connected
    finally:
        db.close()
