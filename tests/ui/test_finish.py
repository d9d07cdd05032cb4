"""Finishing a deal on the board (issue 12, point 1), with the CLI's rules.

Before, ``>`` on a complete Closed deal said "finish the deal with an outcome instead",
but no key, palette entry or help line offered it: only the CLI could finish a deal.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, RadioSet

from salesboard.service import Pipeline
from salesboard.ui.confirm import ConfirmDiscard
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.finish_form import FinishForm
from salesboard.workflow import Outcome, Stage, Status
from tests.test_service import evidenced, tick_all, walk_to
from tests.ui.helpers import (
    NARROW,
    WIDE,
    Board,
    column,
    focused_column,
    notifications,
    status_text,
    widget_lines,
)


@pytest.fixture
def closing(empty_board: Board) -> Board:
    """Deal 1 complete in Closed, deal 2 in Closed with jobs left, deal 3 in Prospect.

    Deals 1 and 2 hold every kind of evidence (``tests/evidence.py``) to be walked on."""
    pipeline = empty_board.pipeline
    done = evidenced(pipeline, pipeline.create_deal("Done deal", company="C"))
    tick_all(pipeline, walk_to(pipeline, done, Stage.CLOSED))
    half = evidenced(pipeline, pipeline.create_deal("Half deal", company="C"))
    walk_to(pipeline, half, Stage.CLOSED)
    pipeline.create_deal("New deal", company="C")
    return empty_board


def hints(app: object) -> str:
    return " ".join(f"{key} {what}" for key, what, _ in app.board.query_one("KeyHints").keys)  # type: ignore[attr-defined]


async def to_closed(pilot: object, app: object) -> None:
    await pilot.press(*["l"] * 5)  # type: ignore[attr-defined]
    assert focused_column(app).stage is Stage.CLOSED  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [NARROW, WIDE])
async def test_finishing_a_complete_closed_deal(closing: Board, size: tuple[int, int]) -> None:
    app = closing.app(live=False)
    async with app.run_test(size=size, notifications=True) as pilot:
        assert "Finish" not in hints(app)  # Prospect: nothing to finish here
        await to_closed(pilot, app)
        assert column(app, Stage.CLOSED).current_id == 1
        assert "f Finish" in hints(app)
        [line] = widget_lines(app.board.query_one("KeyHints"))
        assert line.rstrip().endswith("q Quit") and "…" not in line  # fits 80 columns
        await pilot.press("f")
        form = app.screen
        assert isinstance(form, FinishForm)
        await pilot.press("ctrl+s")  # nothing chosen: nothing guessed
        assert app.screen is form
        errors = {e.id: str(e.content) for e in form.query(".field-error") if e.display}
        assert errors == {
            "error-outcome": "choose success or failure",
            "error-satisfaction": "customer satisfaction is a whole number from 1 to 5",
        }
        await pilot.press("down", "enter")  # the second outcome: failure
        assert form.query_one(RadioSet).pressed_button.id == "failure"  # type: ignore[union-attr]
        await pilot.press("tab", "4", "tab", *"Chose the cheaper rival", "ctrl+s")
        await pilot.pause()
        assert app.screen is app.board
    deal = closing.pipeline.get_deal(1)
    assert (deal.status, deal.summary.outcome, deal.summary.satisfaction) == (
        Status.FINISHED,
        Outcome.FAILURE,
        4,
    )
    latest = closing.pipeline.history(1)[0]
    assert latest.actor == "alice" and latest.after is not None
    assert latest.after["comment"] == "Chose the cheaper rival"


async def test_the_deal_leaves_the_board_and_the_line_says_so(closing: Board) -> None:
    app = closing.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await to_closed(pilot, app)
        await pilot.press("f", "enter", "tab", "5", "enter")  # Enter in a field saves
        await pilot.pause()
        assert column(app, Stage.CLOSED).ids == [2]
        assert "Finished (success): Done deal" in status_text(app)
        assert "Finish" not in hints(app)  # the lit card now has jobs left


async def test_finish_is_refused_with_the_jobs_left(closing: Board) -> None:
    app = closing.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await to_closed(pilot, app)
        await pilot.press("j")  # deal 2: Closed, jobs left
        assert column(app, Stage.CLOSED).current_id == 2
        assert "Finish" not in hints(app)
        await pilot.press("f")
        assert not isinstance(app.screen, FinishForm)
        [(severity, title, message)] = notifications(app)
        assert (severity, title) == ("warning", "Finish refused")
        assert message.startswith("Cannot finish yet. Unfinished:\n• ")
        assert message.count("•") == 5
        assert app.board.pane.display and app.board.pane.deal is not None
        assert app.board.pane.deal.id == 2  # the checklist opens, to tick what is left


async def test_finish_outside_closed_says_where_the_deal_is(closing: Board) -> None:
    app = closing.app(live=False)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("f")  # deal 3, Prospect
        assert not isinstance(app.screen, (FinishForm, DealScreen))
        [(_, title, message)] = notifications(app)
        assert title == "Finish refused"
        assert message == "Only a deal in Closed can be finished; New deal is in Prospect."


async def test_a_colleague_unticking_during_the_finish_refuses_it(closing: Board) -> None:
    app = closing.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await to_closed(pilot, app)
        await pilot.press("f")
        assert isinstance(app.screen, FinishForm)
        await pilot.press("enter", "tab", "5")
        Pipeline(closing.db, actor="bob", clock=closing.clock).set_job(1, 3, False)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is app.board
        assert closing.pipeline.get_deal(1).status is Status.OPEN  # nothing finished
        titles = [title for _, title, _ in notifications(app)]
        assert titles == ["Changed by someone else"]
        assert "bob" in notifications(app)[0][2]


async def test_escape_on_a_filled_finish_asks_first(closing: Board) -> None:
    app = closing.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await to_closed(pilot, app)
        await pilot.press("f")
        form = app.screen
        assert isinstance(form, FinishForm)
        await pilot.press("escape")  # untouched: closes at once
        assert app.screen is app.board
        await pilot.press("f", "tab", "3", "escape")
        assert isinstance(app.screen, ConfirmDiscard)
        await pilot.press("enter")  # keep editing
        assert isinstance(app.screen, FinishForm)
        assert app.screen.query_one("#satisfaction", Input).value == "3"
        await pilot.press("escape", "y")
        assert app.screen is app.board
    assert closing.pipeline.get_deal(1).status is Status.OPEN


async def test_the_palette_and_help_offer_finish(closing: Board) -> None:
    from tests.ui.helpers import screen_text, wait_for_palette_hits

    app = closing.app(live=False)
    async with app.run_test(size=(100, 50)) as pilot:
        await to_closed(pilot, app)
        await pilot.press("ctrl+p", *"finish")
        await wait_for_palette_hits(pilot, "Finish deal")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FinishForm)
        await pilot.press("escape", "question_mark")
        assert "finish a complete Closed deal" in screen_text(app)
