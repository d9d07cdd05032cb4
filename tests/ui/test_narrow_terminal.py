"""A terminal shrunk to a sliver never takes the board down, whatever is open."""

from __future__ import annotations

import pytest

from tests.ui.helpers import Board


@pytest.mark.parametrize("opened", [[], ["s"], ["o"], ["enter"], ["question_mark"], ["n"], ["w"]])
async def test_a_sliver_of_a_terminal_does_not_crash_the_board(
    small_board: Board, opened: list[str]
) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*opened)
        await pilot.pause()
        for width in (8, 3, 1, 40):
            await pilot.resize_terminal(width, 10)
            await pilot.pause()
        assert app.is_running
    assert app.return_code in (None, 0)
