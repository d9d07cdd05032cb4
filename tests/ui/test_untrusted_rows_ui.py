"""The board on rows written behind its back: hostile text everywhere, malformed rows.

The same databases as ``tests/test_untrusted_rows.py`` (written with ``sqlite3``,
bypassing every check), driven as a user would: every screen stays literal and free of
terminal controls, damaged deals are named and never stop the board.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from salesboard.service.presence import PresenceBook
from salesboard.store import Database
from salesboard.ui.history_screen import HistoryScreen
from salesboard.workflow import Stage
from tests.conftest import FrozenClock
from tests.evidence import give_evidence
from tests.test_untrusted_rows import EVENTS, MALFORMED, make_hostile, terminal_safe
from tests.ui.helpers import (
    NOW,
    WIDE,
    Board,
    card_text,
    column,
    notifications,
    screen_text,
    wait_for_palette_hits,
)


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Board]:
    path = tmp_path / "board.db"
    make_hostile(path)
    db = Database.open(str(path))
    yield Board(db, FrozenClock(NOW))
    db.close()


async def test_every_screen_draws_hostile_rows_literally(hostile: Board) -> None:
    app = hostile.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert prospect.ids == [1, 3]
        title = card_text(prospect, 0)[0]
        assert title.strip().startswith("[@click=app.quit]Q[/]")
        assert "⚠" in card_text(prospect, 1)[0]  # deal 3: a currency that is no currency
        assert "damaged: currency is" in card_text(prospect, 1)[1]
        terminal_safe(screen_text(app))
        # Someone whose login is hostile is online.
        book = PresenceBook(hostile.db, "alice", clock=hostile.clock)
        app.board.show_presence(book.others())
        await pilot.pause()
        assert "[@click=app.quit]Q[/]" in screen_text(app)
        # The pane: fields, job texts and who ticked them.
        await pilot.press("enter")
        shown = screen_text(app)
        terminal_safe(shown)
        assert shown.count("[@click=app.quit]Q[/] [red]R[/]") >= 4
        # The history: actors, a hostile key, a kind salesboard never writes.
        await pilot.press("H")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        shown = screen_text(app)
        terminal_safe(shown)
        assert "⚠ damaged" in shown and "[@click=app.quit]" in shown  # the hostile key
        await pilot.click("#history-table", offset=(25, 2))
        await pilot.press("escape", "escape", "ctrl+p", *"[@")
        await wait_for_palette_hits(pilot, "Jump to [@click=app.quit]Q[/]")
        terminal_safe(screen_text(app))
        await pilot.press("escape")
        await pilot.click(prospect, offset=(3, 0))
        assert app.is_running
        assert notifications(app) == []


@pytest.fixture
def malformed(tmp_path: Path) -> Iterator[Board]:
    path = tmp_path / "board.db"
    db = Database.open(str(path), create=True)
    board = Board(db, FrozenClock(NOW))
    for n in range(1, 7):
        board.pipeline.create_deal(f"Deal {n}", company="C", value="100")
    give_evidence(db, 6)
    for n in (1, 2, 3):
        board.pipeline.set_job(6, n, True)
    with closing(sqlite3.connect(path)) as raw, raw:
        for statement, _ in MALFORMED.values():
            raw.execute(statement)
        for statement in EVENTS.values():
            raw.execute(statement)
    db.engine.dispose()
    yield board
    db.close()


async def test_damaged_deals_are_named_and_the_board_goes_on(malformed: Board) -> None:
    app = malformed.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        [(severity, title, message)] = notifications(app)
        assert (severity, title) == ("warning", "Damaged data")
        assert message.startswith(
            "3 damaged deals are not on the board: deal 1 (stage is 9, not 1 to 6) and 2 more."
        )
        prospect = column(app, Stage.PROSPECT)
        assert prospect.ids == [3, 5, 6]  # 1: stage 9, 2: status 'maybe', 4: value no number
        assert card_text(prospect, 0)[1].strip().startswith("damaged: updated_at is")
        assert "Deal 6" in card_text(prospect, 2)[0]
        await pilot.press("enter")  # deal 3 cannot be opened: a notice, not a crash
        assert app.is_running and app.screen is app.board
        assert (
            "deal 3 is damaged in the database (updated_at is 'soon'" in notifications(app)[-1][2]
        )
        await pilot.press("greater_than_sign")
        assert app.is_running
        await pilot.press("G", "H")  # the history of deal 6, three entries of it damaged
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert screen_text(app).count("⚠ damaged") == 3
        assert "created in" in screen_text(app)  # the sound entry, as usual
        assert [e.damage is None for e in app.screen.events] == [False, False, False, True]
        assert "time unknown" in screen_text(app)  # the entry whose time is no time


async def test_the_edit_form_and_its_conflict_note_show_hostile_rows_safely(
    hostile: Board, tmp_path: Path
) -> None:
    """Found in review: the edit form's boxes and the "who changed what" note were raw."""
    from textual.widgets import Input

    from salesboard.ui.forms import DealForm
    from tests.test_untrusted_rows import HOSTILE

    app = hostile.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("e")  # deal 1: every text field hostile
        form = app.screen
        assert isinstance(form, DealForm)
        terminal_safe(screen_text(app))
        title = form.query_one("#field-title", Input).value
        assert title.startswith("[@click=app.quit]Q[/] [red]R[/]")  # literal, just clean
        terminal_safe(title)
        await pilot.press("end", "X")
        with closing(sqlite3.connect(tmp_path / "board.db")) as raw, raw:
            raw.execute(
                "UPDATE deal SET company = ?, updated_by = ?, version = version + 1 WHERE id = 1",
                (HOSTILE + "2", HOSTILE),
            )
        await pilot.press("ctrl+s")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, DealForm) and again is not form  # the conflict, shown
        shown = screen_text(app)
        terminal_safe(shown)
        assert "[@click=app.quit]Q[/] [red]R[/]" in shown
        assert app.is_running


async def test_won_and_lost_and_the_latest_changes_show_hostile_rows_safely(
    hostile: Board,
) -> None:
    """The views of issue 12 read the same untrusted rows: nothing raw, nothing styled."""
    from salesboard.ui.ended_screen import EndedScreen

    app = hostile.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("enter")  # the pane's latest changes: hostile actors and values
        terminal_safe(screen_text(app))
        assert "Latest changes" in screen_text(app)
        await pilot.press("escape", "w")  # deal 2 is lost, with a hostile title and reason
        assert isinstance(app.screen, EndedScreen)
        shown = screen_text(app)
        terminal_safe(shown)
        assert "[@click=app.quit]Q[/" in shown  # literal (the title column cuts the rest)
        await pilot.press("enter", "a")
        terminal_safe(screen_text(app))
        assert app.is_running
