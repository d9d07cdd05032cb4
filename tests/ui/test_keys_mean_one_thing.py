"""Keys mean one thing at every width: on the board, in the side pane and in the dialog.

Enter opens a deal's checklist and never ticks anything; Space (in the checklist) is the
one key that ticks or unticks; Escape closes the innermost view; q quits salesboard from
anywhere. Data changes only from keys named for it, and unticking a colleague's job asks
first. A window that shrinks below the side pane's width turns the pane into the dialog.
"""

from __future__ import annotations

import pytest

from salesboard.service import Pipeline
from salesboard.ui.confirm import ConfirmUntick
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.help_screen import HelpScreen
from salesboard.ui.history_screen import HistoryScreen
from salesboard.ui.pane import JobList
from tests.evidence import give_evidence
from tests.ui.helpers import NARROW, WIDE, Board
from tests.ui.scenario import ALPHA, BRAVO

SIZES = pytest.mark.parametrize("size", [NARROW, WIDE], ids=["dialog", "side-pane"])


def jobs_done(board: Board, deal_id: int) -> list[bool]:
    return [job.done for job in board.pipeline.get_deal(deal_id).jobs()]


@SIZES
async def test_enter_in_the_checklist_changes_nothing(
    small_board: Board, size: tuple[int, int]
) -> None:
    give_evidence(small_board.db, ALPHA)  # any tick Enter made would go through
    before = small_board.pipeline.get_deal(ALPHA)
    app = small_board.app(live=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter")  # open Alpha's checklist
        assert isinstance(app.focused, JobList)
        await pilot.press("enter", "down", "enter", "down", "enter")
        after = small_board.pipeline.get_deal(ALPHA)
        assert (after.version, jobs_done(small_board, ALPHA)) == (
            before.version,
            [True, False, False],
        )
        await pilot.press("space")  # the key named for it
        assert jobs_done(small_board, ALPHA) == [True, False, True]


@SIZES
async def test_up_on_the_first_job_stays_on_it(small_board: Board, size: tuple[int, int]) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter")
        jobs = app.focused
        assert isinstance(jobs, JobList) and jobs.highlighted == 0
        await pilot.press("k", "up")
        assert jobs.highlighted == 0  # no wrap to the last job
        await pilot.press("j", "j", "j", "j")
        assert jobs.highlighted == 2  # nor from the last to the first


@SIZES
async def test_escape_closes_the_checklist_and_q_quits_at_every_width(
    small_board: Board, size: tuple[int, int]
) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter", "escape")
        assert app.screen is app.board and not isinstance(app.focused, JobList)
        await pilot.press("enter", "q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


@pytest.mark.parametrize("screen", ["history", "help"])
async def test_q_quits_from_the_history_and_the_help_too(small_board: Board, screen: str) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("H" if screen == "history" else "question_mark")
        assert isinstance(app.screen, HistoryScreen if screen == "history" else HelpScreen)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


@SIZES
async def test_unticking_a_colleagues_job_asks_first(
    small_board: Board, size: tuple[int, int]
) -> None:
    # Bravo's jobs were ticked by "alice" in the scenario; here bob ticked job 2 again.
    bob = Pipeline(small_board.db, actor="bob", clock=small_board.clock)
    bob.set_job(BRAVO, 2, False)
    bob.set_job(BRAVO, 2, True)
    app = small_board.app(live=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("down", "enter", "down", "space")
        assert isinstance(app.screen, ConfirmUntick)
        question = app.screen.question
        assert "bob ticked it" in question and "2026-11-02" in question
        await pilot.press("escape")  # no: nothing changes
        assert jobs_done(small_board, BRAVO) == [True, True, True]
        await pilot.press("space", "y")
        await pilot.pause()
        assert jobs_done(small_board, BRAVO) == [True, False, True]
        await pilot.press("space")  # ticking never asks
        assert jobs_done(small_board, BRAVO) == [True, True, True]
        await pilot.press("space")  # nor unticking one's own tick
        assert jobs_done(small_board, BRAVO) == [True, False, True]


async def test_a_shrinking_window_turns_the_side_pane_into_the_dialog(small_board: Board) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("down", "enter", "down")
        assert app.board.pane.display and app.board.pane.deal is not None
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        assert isinstance(app.screen, DealScreen)
        assert app.screen.pane.deal is not None and app.screen.pane.deal.id == BRAVO
        assert app.screen.pane.highlighted_job == 2  # the same job stays highlighted
        assert not app.board.pane.display
        await pilot.press("escape")
        assert app.screen is app.board and app.board.current_deal_id() == BRAVO


async def test_a_window_shrinking_under_a_question_turns_the_pane_once_answered(
    small_board: Board,
) -> None:
    bob = Pipeline(small_board.db, actor="bob", clock=small_board.clock)
    bob.set_job(BRAVO, 2, False)
    bob.set_job(BRAVO, 2, True)
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("down", "enter", "down", "space")
        assert isinstance(app.screen, ConfirmUntick)
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmUntick)  # the question stays on top...
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DealScreen)  # ...then the pane becomes the dialog
        assert app.screen.pane.deal is not None and app.screen.pane.deal.id == BRAVO
