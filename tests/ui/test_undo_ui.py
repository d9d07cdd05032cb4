"""The undo key on the board (issue 12, point 3): u takes back my own last change."""

from __future__ import annotations

from salesboard.service import Pipeline
from salesboard.workflow import Stage
from tests.evidence import give_evidence
from tests.ui.helpers import (
    WIDE,
    Board,
    column,
    focused_column,
    notifications,
    status_text,
)


async def test_u_takes_back_a_tick_then_an_advance(small_board: Board) -> None:
    give_evidence(small_board.db, 1)  # Alpha's jobs 2 and 3 need meetings
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("enter", "down", "space", "escape")  # tick Alpha's second job
        assert small_board.pipeline.get_deal(1).checklist[1].done
        await pilot.press("u")
        await pilot.pause()
        assert not small_board.pipeline.get_deal(1).checklist[1].done
        assert "Undid job ticked: Prospect job 2" in status_text(app)
        await pilot.press("u")  # undo the undo: ticked again
        await pilot.pause()
        assert small_board.pipeline.get_deal(1).checklist[1].done
        await pilot.press("enter", "down", "down", "space", "escape")
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert small_board.pipeline.get_deal(1).stage is Stage.QUALIFIED
        await pilot.press("h", "u")  # the cursor elsewhere: u still undoes *my* last change
        await pilot.pause()
        assert small_board.pipeline.get_deal(1).stage is Stage.PROSPECT
        assert (focused_column(app).stage, focused_column(app).current_id) == (Stage.PROSPECT, 1)
        assert 1 in column(app, Stage.PROSPECT).ids and 1 not in column(app, Stage.QUALIFIED).ids
        assert notifications(app) == []


async def test_u_with_no_change_of_mine_says_so(empty_board: Board) -> None:
    Pipeline(empty_board.db, actor="bob", clock=empty_board.clock).create_deal("Bob's")
    app = empty_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("u")
        [(_, title, message)] = notifications(app)
        assert (title, message) == ("Nothing to undo", "You have made no change to undo.")


async def test_u_says_why_not_when_a_colleague_changed_the_deal_since(
    small_board: Board,
) -> None:
    give_evidence(small_board.db, 1)  # Alpha's jobs 2 and 3 need meetings
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("enter", "down", "space", "escape")
        Pipeline(small_board.db, actor="bob", clock=small_board.clock).set_job(1, 3, True)
        await pilot.press("u")
        await pilot.pause()
        _, title, message = notifications(app)[-1]
        assert title == "Not undone"
        assert message.startswith("Cannot undo: bob changed deal 1 after you")
        assert small_board.pipeline.get_deal(1).checklist[1].done  # my tick stays


async def test_u_in_the_checklist_dialog_undoes_as_on_the_board(small_board: Board) -> None:
    """Reported: at widths where the checklist is a dialog, u did nothing at all."""
    from salesboard.ui.deal_screen import DealScreen
    from tests.ui.helpers import NARROW

    give_evidence(small_board.db, 1)
    app = small_board.app(live=False)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("enter", "down", "space")  # tick Alpha's second job in the dialog
        assert isinstance(app.screen, DealScreen)
        assert small_board.pipeline.get_deal(1).checklist[1].done
        await pilot.press("u")
        await pilot.pause()
        assert not small_board.pipeline.get_deal(1).checklist[1].done
        assert isinstance(app.screen, DealScreen)  # still there, showing the undone tick
        deal = app.screen.pane.deal
        assert deal is not None and not deal.checklist[1].done
