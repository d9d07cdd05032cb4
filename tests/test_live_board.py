"""A running board follows other sessions on both backends, and idles without a query.

On PostgreSQL the board LISTENs: another session's change arrives as a notification and
is drawn, and while nothing happens the board sends the server no statement at all (the
heartbeat every 15 s aside). On SQLite it watches the file and, likewise, runs no
statement through its engine while idle.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event
from textual.pilot import Pilot

from salesboard.service import Pipeline
from salesboard.service.presence import PresenceBook
from salesboard.store import Database
from salesboard.ui.app import SalesboardApp
from salesboard.ui.launch import make_app
from salesboard.workflow import Stage
from tests.ui.helpers import WIDE, column, static_text

SHOWN_WITHIN_S = 10.0
"""Only a broken board waits this long: the change is normally drawn within a second."""


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool]) -> bool:
    """Let the board run, pressing nothing, until ``condition`` holds (or give up)."""
    deadline = time.monotonic() + SHOWN_WITHIN_S
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)
    return condition()


@pytest.fixture
def team(db_url: str) -> Iterator[tuple[Database, Database]]:
    """The board's own open of the database, and a colleague's."""
    mine, theirs = Database.open(db_url, create=True), Database.open(db_url, create=True)
    Pipeline(mine, actor="alice").create_deal("Alpha", owner="alice")
    yield mine, theirs
    mine.close()
    theirs.close()


def _statements(db: Database) -> list[str]:
    """Every statement the board's engine sends from now on."""
    sent: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: sent.append(str(args[2])))
    return sent


async def test_an_idle_board_sends_no_statement_and_draws_a_colleagues_deal(
    team: tuple[Database, Database],
) -> None:
    mine, theirs = team
    app: SalesboardApp = make_app(mine, actor="alice", live=True)
    async with app.run_test(size=WIDE) as pilot:
        live = app.board.live
        assert await wait_until(pilot, lambda: live.heartbeat is not None and live.heartbeat.beats)
        assert await wait_until(pilot, lambda: live._presence_read > 0)  # the first look
        sent = _statements(mine)
        await pilot.pause(1.5)  # longer than the old half-second poll and the 1 s tick
        # Idle: no query, not even a cheap one. (Only the board's own first heartbeat may
        # still be reported to it late: a read of presence, not a poll of the deals.)
        reads = [statement for statement in sent if "FROM" in statement.upper()]
        assert [read for read in reads if "presence" not in read] == []

        deal = Pipeline(theirs, actor="bob").create_deal("From Bob", owner="bob")
        assert await wait_until(pilot, lambda: column(app, Stage.PROSPECT).contains(deal.id))
        assert any("event" in statement for statement in sent)  # it asked what changed


async def test_a_colleague_who_joins_is_counted_and_a_heartbeat_redraws_nothing(
    team: tuple[Database, Database],
) -> None:
    mine, theirs = team
    app: SalesboardApp = make_app(mine, actor="alice", live=True)
    async with app.run_test(size=WIDE) as pilot:
        status = app.board.query_one("#status")
        bob = PresenceBook(theirs, "bob")
        bob.beat(None)
        assert await wait_until(pilot, lambda: "2 online (bob)" in static_text(status))
        shown: list[int] = []
        board = app.board
        original = board.show_presence
        board.show_presence = lambda people: (  # type: ignore[method-assign]
            shown.append(len(people)),
            original(people),
        )[-1]
        bob.beat(None)  # only a heartbeat: nobody joined, left or opened a deal
        after = Pipeline(theirs, actor="bob").create_deal("After the beat", owner="bob")
        assert await wait_until(pilot, lambda: column(app, Stage.PROSPECT).contains(after.id))
        assert shown == []  # the status line was not redrawn for a heartbeat
