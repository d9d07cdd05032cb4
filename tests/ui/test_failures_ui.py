"""The board stays up when the database will not take a change: read-only, locked."""

from __future__ import annotations

import sqlite3

import pytest

import salesboard.store.database as database_module
from salesboard.store import Database
from salesboard.ui.launch import make_app
from salesboard.workflow import Stage
from tests.ui.helpers import (
    ME,
    NARROW,
    WIDE,
    Board,
    focused_column,
    notifications,
    static_text,
    status_text,
)
from tests.ui.scenario import ALPHA, BRAVO


def _path(board: Board) -> str:
    return board.db.url.removeprefix("sqlite:///")


async def test_read_only_board_shows_a_banner_and_refuses_changes(
    small_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, which ignores file modes: take the read-only decision's place.
    monkeypatch.setattr(database_module, "_prepare_file", lambda _path, create: True)
    db = Database.open(_path(small_board), create=True)
    assert db.read_only
    app = make_app(db, clock=small_board.clock, actor="bob")
    async with app.run_test(size=WIDE) as pilot:
        banner = app.board.query_one("#readonly-banner")
        assert banner.display and "READ-ONLY" in static_text(banner)
        assert "READ-ONLY" in static_text(app.board.query_one("#status"))
        await pilot.press("n")  # no form to fill in vain
        assert app.screen is app.board
        [(severity, title, _)] = notifications(app)
        assert (severity, title) == ("warning", "Read-only")
        await pilot.press("down", "greater_than_sign")  # Bravo is complete, yet refused
        await pilot.press("enter", "space")
        assert app.screen is app.board
        messages = [m for _, _, m in notifications(app)]
        assert sum("nothing was changed" in m for m in messages) == 1  # the move
        # The tick is refused before anything is asked or tried.
        assert messages[-1] == "This database is read-only for you; nothing can be changed."
    db.close()
    assert small_board.pipeline.get_deal(BRAVO).stage is Stage.PROSPECT
    assert [j.done for j in small_board.pipeline.get_deal(BRAVO).jobs()] == [True] * 3


async def wait_until(pilot: object, done: object, seconds: float = 10.0) -> None:
    """Let the app run (workers included) until ``done()`` holds."""
    for _ in range(int(seconds / 0.05)):
        if done():  # type: ignore[operator]
            return
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError("it did not happen in time")


async def test_a_change_that_waits_for_a_lock_never_freezes_the_board(small_board: Board) -> None:
    db = Database.open(_path(small_board), busy_timeout_ms=10_000)
    app = make_app(db, clock=small_board.clock, actor=ME)
    blocker = sqlite3.connect(_path(small_board), isolation_level=None)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        blocker.execute("BEGIN IMMEDIATE")  # someone else's long write transaction
        try:
            await pilot.press("down", "greater_than_sign")  # advance Bravo: it has to wait
            assert "⋯ saving the advance of deal 2 (the database is busy)" in status_text(app)
            await pilot.press("greater_than_sign")  # no double submit
            [(severity, title, message)] = notifications(app)
            assert (severity, title) == ("warning", "Wait a moment")
            assert message.startswith("Still saving the advance of deal 2")
            await pilot.press("up")  # the board answers keys meanwhile
            assert focused_column(app).current_id == ALPHA
        finally:
            blocker.execute("ROLLBACK")  # the colleague's write ends
        await wait_until(pilot, lambda: "⋯ saving" not in status_text(app))
        assert small_board.pipeline.get_deal(BRAVO).stage is Stage.QUALIFIED
        assert "✓ Advanced to Qualified" in status_text(app)
        assert focused_column(app).current_id == ALPHA  # the cursor stayed where it was put
    blocker.close()
    db.close()


async def test_a_lock_held_too_long_is_given_up_and_said(small_board: Board) -> None:
    db = Database.open(_path(small_board), busy_timeout_ms=300)
    app = make_app(db, clock=small_board.clock, actor=ME)
    blocker = sqlite3.connect(_path(small_board), isolation_level=None)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        blocker.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("down", "greater_than_sign")
            await wait_until(pilot, lambda: bool(notifications(app)))
            [(severity, _title, message)] = notifications(app)
            assert severity == "warning" and "locked by another session" in message
            assert "nothing was changed" in message and "0.3 s" in message
            assert "⋯ saving" not in status_text(app)
            assert app.is_running and app.screen is app.board
        finally:
            blocker.execute("ROLLBACK")
        await pilot.press("greater_than_sign")  # the lock is gone: it works now, at once
        assert small_board.pipeline.get_deal(BRAVO).stage is Stage.QUALIFIED
    blocker.close()
    db.close()


async def test_a_read_failing_under_the_board_is_a_notice_not_a_crash(
    small_board: Board,
) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        # Someone breaks the database under the running board (here: a table vanishes).
        other = sqlite3.connect(_path(small_board), isolation_level=None)
        other.execute("ALTER TABLE checklist_item RENAME TO checklist_item_gone")
        other.close()
        await pilot.press("enter")  # opening the pane needs that table
        assert app.is_running and app.screen is app.board
        [(severity, _title, message)] = notifications(app)
        assert severity == "error" and "checklist_item" in message
        assert "Traceback" not in message
        await pilot.press("down")  # and the board still answers keys
        assert app.board.focused_column is not None
        assert app.board.focused_column.current_id == BRAVO


async def test_quitting_while_a_change_waits_closes_the_board_once_it_is_saved(
    small_board: Board,
) -> None:
    """Seen: q with a tick still waiting for the lock blanked the screen for the busy
    timeout, then exited 0 without a word, the tick not saved."""
    db = Database.open(_path(small_board), busy_timeout_ms=10_000)
    app = make_app(db, clock=small_board.clock, actor=ME)
    blocker = sqlite3.connect(_path(small_board), isolation_level=None)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        blocker.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("down", "greater_than_sign")
            assert "⋯ saving the advance of deal 2" in status_text(app)
            await pilot.press("q")
            await pilot.pause()
            assert app.is_running and app.return_code is None  # not gone, not blank
            [(_severity, title, message)] = notifications(app)
            assert title == "Still saving"
            assert "the advance of deal 2" in message and "closes as soon as" in message
            await pilot.press("up")  # the board still answers meanwhile
            assert focused_column(app).current_id == ALPHA
        finally:
            blocker.execute("ROLLBACK")
        await wait_until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0
    assert small_board.pipeline.get_deal(BRAVO).stage is Stage.QUALIFIED
    blocker.close()
    db.close()


async def test_quitting_while_a_change_waits_says_on_the_way_out_it_was_given_up(
    small_board: Board, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database.open(_path(small_board), busy_timeout_ms=500)
    app = make_app(db, clock=small_board.clock, actor=ME)
    blocker = sqlite3.connect(_path(small_board), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        async with app.run_test(size=NARROW, notifications=True) as pilot:
            await pilot.press("down", "greater_than_sign", "ctrl+q")  # as q does
            await wait_until(pilot, lambda: app.return_code is not None)
    finally:
        blocker.execute("ROLLBACK")
    assert app.return_code == 1  # a wrapper or a script can tell
    said = " ".join(capsys.readouterr().err.split())  # printed as the board ends
    assert said.startswith("salesboard: not saved: the advance of deal 2")
    assert "locked by another session" in said
    assert small_board.pipeline.get_deal(BRAVO).stage is Stage.PROSPECT
    blocker.close()
    db.close()
