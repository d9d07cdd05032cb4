"""The mouse works as in any kanban board (issue 12, point 5): drag a card to move it.

A card let go over the next column is advanced through the same gate as ``>`` (a refusal
leaves it where it was and names the jobs); over the column before, it moves back.
"""

from __future__ import annotations

from salesboard.ui.column import CARD_HEIGHT
from salesboard.workflow import Stage
from tests.ui.helpers import WIDE, Board, column, notifications
from tests.ui.scenario import ALPHA, BRAVO


async def drag(pilot: object, source: Stage, target: Stage, card: int = 0) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    start = column(app, source)
    await pilot.mouse_down(start, offset=(3, card * CARD_HEIGHT + 1))  # type: ignore[attr-defined]
    await pilot.mouse_up(column(app, target), offset=(3, 1))  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_dragging_a_complete_card_right_advances_it(small_board: Board) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await drag(pilot, Stage.PROSPECT, Stage.QUALIFIED, card=1)  # Bravo: all jobs done
        assert small_board.pipeline.get_deal(BRAVO).stage is Stage.QUALIFIED
        assert BRAVO in column(app, Stage.QUALIFIED).ids
        await drag(
            pilot,
            Stage.QUALIFIED,
            Stage.PROSPECT,
            card=column(app, Stage.QUALIFIED).ids.index(BRAVO),
        )
        assert small_board.pipeline.get_deal(BRAVO).stage is Stage.PROSPECT
        assert notifications(app) == []


async def test_a_refused_drop_leaves_the_card_and_names_the_jobs(small_board: Board) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await drag(pilot, Stage.PROSPECT, Stage.QUALIFIED, card=0)  # Alpha: 1 of 3 done
        assert small_board.pipeline.get_deal(ALPHA).stage is Stage.PROSPECT
        assert ALPHA in column(app, Stage.PROSPECT).ids
        [(severity, title, message)] = notifications(app)
        assert (severity, title) == ("warning", "Move refused")
        assert message.count("•") == 2
        await drag(pilot, Stage.PROSPECT, Stage.DISCOVERY, card=1)  # two stages at once
        assert small_board.pipeline.get_deal(BRAVO).stage is Stage.PROSPECT
        assert notifications(app)[-1][1] == "Not moved"
