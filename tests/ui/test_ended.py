"""Won and lost on the board (issue 12, point 2): find, open and reopen ended deals.

Before, lost and finished deals vanished from the board and could not be found: ctrl+p
"reopen" or a lost deal's title said "No matches found"; only the CLI could list or
reopen them.
"""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from salesboard.ui.confirm import Confirm
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.ended_list import EndedList, row_cells
from salesboard.ui.ended_screen import EndedScreen
from salesboard.workflow import Stage, Status
from tests.test_service import evidenced, tick_all, walk_to
from tests.ui.helpers import (
    NARROW,
    WIDE,
    Board,
    column,
    notifications,
    screen_text,
    status_text,
    wait_for_palette_hits,
)


@pytest.fixture
def ended(empty_board: Board) -> Board:
    """Deal 1 won (with a comment), deal 2 lost in Discovery, deal 3 open.

    Deals 1 and 2 hold every kind of evidence (``tests/evidence.py``) to be walked on."""
    pipeline = empty_board.pipeline
    won = evidenced(pipeline, pipeline.create_deal("Fjord fleet", company="Nord AS", value="1200"))
    won = tick_all(pipeline, walk_to(pipeline, won, Stage.CLOSED))
    pipeline.finish(won.id, "success", 5, comment="Live in May")
    lost = evidenced(pipeline, pipeline.create_deal("Ålesund pilot", company="Fisk AS"))
    lost = walk_to(pipeline, lost, Stage.DISCOVERY)
    empty_board.clock.advance(days=1)
    pipeline.mark_lost(lost.id, "Chose a competitor")
    pipeline.create_deal("Still open", company="C")
    return empty_board


def rows(screen: EndedScreen) -> list[list[str]]:
    """The rows the list shows (drawn from these cells), as plain text."""
    table = screen.query_one(EndedList)
    return [[cell.plain for cell in row_cells(deal)] for deal in table.rows]


@pytest.mark.parametrize("size", [NARROW, WIDE])
async def test_won_and_lost_are_listed_newest_first(ended: Board, size: tuple[int, int]) -> None:
    app = ended.app(live=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, EndedScreen)
        today = f"{ended.clock():%Y-%m-%d}"  # the loss, a day after the win
        listed = [row[:4] + row[5:] for row in rows(screen)]
        assert listed == [
            ["Ålesund pilot", "lost: Chose a competitor", "0.00 EUR", "—", "Fisk AS", "alice"],
            ["Fjord fleet", "✓ success", "1 200.00 EUR", "5/5", "Nord AS", "alice"],
        ]
        assert rows(screen)[0][4] == today and rows(screen)[1][4] < today
        assert "Won and lost deals: 2" in screen_text(app)
        drawn = screen_text(app).splitlines()
        heading = next(n for n, line in enumerate(drawn) if "How it ended" in line)
        assert drawn[heading + 1].split()[:2] == ["Ålesund", "pilot"]  # newest first
        assert "lost: Chose a c…" in drawn[heading + 1] and "✓ success" in drawn[heading + 2]
        await pilot.press("slash", *"ålesund")  # the board's search, Norwegian letters too
        assert [r[0] for r in rows(screen)] == ["Ålesund pilot"]
        assert "Fjord fleet" not in screen_text(app)
        await pilot.press("escape")  # clears the filter
        assert len(rows(screen)) == 2
        await pilot.press("escape")
        assert app.screen is app.board


async def test_an_ended_deal_opens_in_the_checklist_dialog_and_cannot_be_ticked(
    ended: Board,
) -> None:
    app = ended.app(live=False)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("w", "j", "enter")  # Fjord fleet
        dialog = app.screen
        assert isinstance(dialog, DealScreen)
        assert dialog.pane.deal is not None and dialog.pane.deal.id == 1
        await pilot.press("space")
        await pilot.pause()
        assert ended.pipeline.get_deal(1).status is Status.FINISHED  # nothing changed
        assert any("finished" in message for _, _, message in notifications(app))
        await pilot.press("H")
        await pilot.pause()
        assert "Live in May" in screen_text(app)  # the finish comment, in its history


async def test_reopening_asks_and_puts_the_deal_back_where_it_left(ended: Board) -> None:
    app = ended.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, EndedScreen)
        await pilot.press("r")
        assert isinstance(app.screen, Confirm)
        assert "Reopen Ålesund pilot?" in screen_text(app)
        await pilot.press("n")  # keep it
        assert ended.pipeline.get_deal(2).status is Status.LOST
        await pilot.press("r", "y")
        await pilot.pause()
        assert app.screen is screen
        assert [r[0] for r in rows(screen)] == ["Fjord fleet"]
        assert ended.pipeline.get_deal(2).status is Status.OPEN
        await pilot.press("escape")
        assert 2 in column(app, Stage.DISCOVERY).ids  # back on the board, where it left
        assert "Reopened in Discovery: Ålesund pilot" in status_text(app)


async def test_the_palette_finds_ended_deals_too(ended: Board) -> None:
    app = ended.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("ctrl+p", *"fjord")
        await wait_for_palette_hits(pilot, "Show Fjord fleet")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EndedScreen)
        assert screen.current() is not None and screen.current().id == 1  # type: ignore[union-attr]
        await pilot.press("escape", "ctrl+p", *"won and")
        await wait_for_palette_hits(pilot, "Won and lost deals")


async def test_the_pane_shows_the_whole_deal(ended: Board) -> None:
    """Issue 12, point 6: how it ended, every stage's jobs on demand, the latest changes."""
    app = ended.app(live=False)
    # Tall enough for the arranged evidence's activities, stakeholder and problem too.
    async with app.run_test(size=(100, 70)) as pilot:
        await pilot.press("w", "j", "enter")  # Fjord fleet, finished
        shown = screen_text(app)
        assert "Outcome  success, satisfaction 5/5" in shown
        assert "Latest changes" in shown and "Live in May" in shown
        assert "Opportunity confirmed" not in shown  # Qualified: only its count, until a
        await pilot.press("a")
        shown = screen_text(app)
        assert "Opportunity confirmed" in shown and "(a: every stage's jobs)" not in shown
        await pilot.press("a")
        assert "Opportunity confirmed" not in screen_text(app)


async def test_the_list_keys_move_the_cursor_and_the_view_follows_only_when_it_must(
    demo_board: Board,
) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("w")
        listing = app.screen.query_one(EndedList)
        assert len(listing.rows) > 20, "the test needs more ended deals than fit"
        await pilot.press("down", "down", "j")
        assert (listing.cursor, listing.scroll_y) == (3, 0)  # no scrolling yet
        await pilot.press("end")
        last = listing.rows[-1]
        assert listing.cursor == len(listing.rows) - 1
        assert last.title[:12] in screen_text(app)  # scrolled into view
        await pilot.press("up", "home")
        assert (listing.cursor, listing.scroll_y) == (0, 0)
        await pilot.press("pagedown", "enter")
        dialog = app.screen
        assert isinstance(dialog, DealScreen)
        assert dialog.deal.id == listing.rows[listing.cursor].id > 0


async def test_typing_a_title_on_the_list_filters_and_never_reopens(ended: Board) -> None:
    """Seen: typing "Ivory" on the list (no / first) asked to reopen (r) and said yes (y)."""
    app = ended.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, EndedScreen)
        await pilot.press(*"Fjord yr")  # r and y inside the typing
        await pilot.pause()
        assert app.screen is screen  # no reopen question
        assert screen.query_one("#ended-filter").value == "Fjord yr"
        assert ended.pipeline.get_deal(1).status is Status.FINISHED
