"""Cards that cannot be read while the board draws them: a notice, never a crash.

The board reads a card's details when it first draws it. When the database fails under
a running board (pages of the file overwritten, a lock held too long), that read fails
inside Textual's drawing, where an exception ends the app. The column draws the cards it
cannot read as a placeholder, the user gets one notice, and the cards are read again a
moment later, so the board recovers by itself once the database answers again.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

import salesboard.ui.column as column_module
from salesboard.errors import DatabaseUnavailable
from salesboard.service import DealSummary
from salesboard.service.board import BoardQueries
from salesboard.workflow import Stage
from tests.ui.helpers import WIDE, Board, card_text, column, notifications

DAMAGED = "board.db: the file is damaged (quick_check: page 7 is never used)"


async def wait_until(pilot: object, done: object, seconds: float = 10.0) -> None:
    """Let the app run (timers included) until ``done()`` holds."""
    for _ in range(int(seconds / 0.05)):
        if done():  # type: ignore[operator]
            return
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError("it did not happen in time")


async def test_cards_that_cannot_be_read_are_a_notice_and_come_back(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = False
    failed_reads = 0
    real_cards = BoardQueries.cards

    def cards(self: BoardQueries, ids: Iterable[int]) -> dict[int, DealSummary]:
        nonlocal failed_reads
        if failing:
            failed_reads += 1
            raise DatabaseUnavailable(DAMAGED)
        return real_cards(self, ids)

    monkeypatch.setattr(BoardQueries, "cards", cards)
    monkeypatch.setattr(column_module, "RETRY_FIRST_S", 0.2)
    monkeypatch.setattr(column_module, "PREFETCH", 4)  # so the next page is never read yet
    app = demo_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert len(prospect.ids) > 3 * prospect.state.per_page
        failing = True  # the file is damaged under the running board
        await pilot.press("pagedown", "pagedown")  # past the cards read at the start
        await pilot.pause()
        assert app.is_running
        assert prospect.cursor == 2 * prospect.state.per_page
        assert card_text(prospect, prospect.cursor)[0].strip() == "(cannot read)"
        await pilot.press("pagedown")  # more cards that cannot be read: no second notice
        await pilot.pause()
        assert app.is_running
        errors = [
            (title, text) for severity, title, text in notifications(app) if severity == "error"
        ]
        assert len(errors) == 1, errors
        title, text = errors[0]
        assert title == "Cannot read the database"
        assert text.startswith(DAMAGED) and "(cannot read)" in text
        # One failed read per page of cards, not one per row drawn (six rows a card).
        assert 1 <= failed_reads <= 6, failed_reads
        failing = False  # the database answers again (restored, or the lock released)
        top = prospect.top
        expected = demo_board.queries.cards([prospect.ids[top]])[prospect.ids[top]]
        await wait_until(pilot, lambda: expected.title[:12] in card_text(prospect, top)[0])
        assert all("(cannot read)" not in card_text(prospect, i)[0] for i in range(top, top + 3))
        assert len([n for n in notifications(app) if n[0] == "error"]) == 1
        await pilot.press("pagedown", "pageup")  # and it scrolls and draws as ever
        assert app.is_running
