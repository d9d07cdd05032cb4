"""The service side of live boards: noticing commits cheaply, and presence heartbeats."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from salesboard.service import Pipeline
from salesboard.service.board import BoardQueries
from salesboard.service.live import ChangeFeed
from salesboard.service.presence import PRESENCE_TTL, Heartbeat, PresenceBook
from salesboard.store import Database
from salesboard.store.watch import ChangeWatcher
from tests.conftest import FrozenClock


def _two_handles(url: str) -> tuple[Database, Database]:
    """Two independent opens of one database, as two boards in two processes would have."""
    return Database.open(url, create=True), Database.open(url, create=True)


@pytest.fixture
def boards(db_url: str) -> tuple[Database, Database]:
    first, second = _two_handles(db_url)
    yield first, second
    first.close()
    second.close()


def test_watcher_sees_only_other_connections_commits(sqlite_url: str) -> None:
    mine, theirs = _two_handles(sqlite_url)
    try:
        watcher = ChangeWatcher(mine)
        assert watcher.changed() is True  # the first look is the baseline
        assert watcher.changed() is False
        Pipeline(theirs, actor="bob").create_deal("From elsewhere", owner="bob")
        assert watcher.changed() is True
        assert watcher.changed() is False
        watcher.close()
        assert watcher.changed() is True  # a new connection starts a new baseline
    finally:
        mine.close()
        theirs.close()


def test_feed_tells_deal_changes_from_other_commits(boards: tuple[Database, Database]) -> None:
    mine, theirs = boards
    bob = Pipeline(theirs, actor="bob")
    deal = bob.create_deal("Shared deal", owner="bob")
    feed = ChangeFeed(mine, BoardQueries(mine))
    feed.mark_shown()  # as the board does when it loads
    assert feed.poll().deals is None

    PresenceBook(theirs, "bob").beat(None)  # a heartbeat: a commit, but no deal changed
    heartbeat_poll = feed.poll()
    assert heartbeat_poll.deals is None
    if mine.is_sqlite:
        assert heartbeat_poll.committed is True
        assert feed.poll().committed is False

    bob.set_job(deal.id, 1, True)
    other = bob.create_deal("Second", owner="bob")
    changed = feed.poll().deals
    assert changed is not None
    assert changed.deal_ids == {deal.id, other.id}
    assert not changed.too_many
    assert feed.poll().deals is None  # reported once


def test_feed_asks_for_a_reload_after_a_flood(boards: tuple[Database, Database]) -> None:
    mine, theirs = boards
    feed = ChangeFeed(mine, BoardQueries(mine))
    feed.mark_shown()  # as the board does when it loads
    bob = Pipeline(theirs, actor="bob")
    for n in range(60):
        bob.create_deal(f"Bulk {n}", owner="bob")
    changed = feed.poll().deals
    assert changed is not None and changed.too_many


def test_presence_lists_others_and_forgets_the_silent(
    boards: tuple[Database, Database], clock: FrozenClock
) -> None:
    mine, theirs = boards
    me = PresenceBook(mine, "alice", clock=clock)
    bob = PresenceBook(theirs, "bob", clock=clock)
    me.beat(None)
    bob.beat(7)
    assert [(c.login, c.deal_id) for c in me.others()] == [("bob", 7)]
    assert {c.login for c in me.everyone()} == {"alice", "bob"}

    clock.advance(seconds=PRESENCE_TTL.total_seconds() - 1)
    me.beat(3)
    assert [c.login for c in me.others()] == ["bob"]  # not silent long enough yet
    clock.advance(seconds=2)
    assert me.others() == []  # bob crashed: gone within the TTL, before anyone sweeps
    me.beat(3)  # and the next heartbeat sweeps the dead row away
    assert [c.login for c in bob.everyone()] == ["alice"]
    assert timedelta(minutes=1) >= PRESENCE_TTL  # "crashed sessions vanish within a minute"


def test_a_heartbeat_dated_in_the_future_counts_nobody(
    boards: tuple[Database, Database], clock: FrozenClock
) -> None:
    """Found in review: a presence row written with sqlite3 and dated an hour ahead kept a
    made-up colleague "online" (and "Also open by") for that hour, or for ever."""
    mine, theirs = boards
    me = PresenceBook(mine, "alice", clock=clock)
    ghost = PresenceBook(theirs, "boss", clock=lambda: clock() + timedelta(hours=1))
    ghost.beat(1)
    assert me.others() == []
    me.beat(None)  # and a heartbeat sweeps it away
    assert [c.login for c in PresenceBook(theirs, "x", clock=clock).everyone()] == ["alice"]


def test_leaving_removes_the_session_at_once(boards: tuple[Database, Database]) -> None:
    mine, theirs = boards
    bob = PresenceBook(theirs, "bob")
    bob.beat(None)
    watcher = PresenceBook(mine, "alice")
    assert [c.login for c in watcher.others()] == ["bob"]
    bob.leave()
    assert watcher.others() == []


def _wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_heartbeat_thread_announces_follows_the_open_deal_and_leaves(sqlite_url: str) -> None:
    mine, theirs = _two_handles(sqlite_url)
    try:
        observer = PresenceBook(theirs, "bob")
        beat = Heartbeat(PresenceBook(mine, "alice"), every=timedelta(seconds=30))
        beat.start()
        assert _wait_for(lambda: [c.login for c in observer.others()] == ["alice"])
        beat.look_at(42)  # wakes the thread at once, long before the 30 s period
        assert _wait_for(lambda: [c.deal_id for c in observer.others()] == [42])
        beat.stop()
        assert observer.others() == []
        assert beat.last_error is None and beat.beats >= 2
    finally:
        mine.close()
        theirs.close()


def test_heartbeat_failures_are_kept_not_raised(sqlite_url: str) -> None:
    db = Database.open(sqlite_url, create=True)
    book = PresenceBook(db, "alice")
    db.close()
    with db.engine.connect() as connection:  # make the table vanish under the heartbeat
        connection.exec_driver_sql("DROP TABLE presence")
        connection.commit()
    beat = Heartbeat(book, every=timedelta(seconds=30))
    beat.start()
    assert _wait_for(lambda: beat.last_error is not None)
    beat.stop()
    assert beat.beats == 0
