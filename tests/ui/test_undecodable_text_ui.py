"""The board on a TEXT value that is not UTF-8: the deal is named, the board goes on.

Before, the board failed at start (loading the open deals) and, when such a value was
written under a running board, when it drew that card. See ``tests/test_undecodable_text``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import salesboard.ui.column as column_module
from salesboard.store import Database
from salesboard.workflow import Stage
from tests.conftest import FrozenClock
from tests.test_undecodable_text import BAD_SHOWN, make_db, write_undecodable
from tests.test_untrusted_rows import terminal_safe
from tests.ui.helpers import NOW, WIDE, Board, card_text, column, notifications, screen_text


@pytest.fixture
def undecodable(tmp_path: Path) -> Iterator[Board]:
    path = tmp_path / "board.db"
    make_db(path)
    db = Database.open(str(path))
    yield Board(db, FrozenClock(NOW))
    db.close()


async def test_the_board_starts_and_names_the_undecodable_deal(undecodable: Board) -> None:
    app = undecodable.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        assert app.is_running
        [(severity, title, message)] = notifications(app)
        assert (severity, title) == ("warning", "Damaged data")
        assert message.startswith(
            f"1 damaged deal is not on the board: deal 2 (a text field is {BAD_SHOWN}, not text)."
        )
        terminal_safe(message)
        assert column(app, Stage.PROSPECT).ids == [1, 3]
        terminal_safe(screen_text(app))
        await pilot.press("down", "enter")  # the rest works as usual
        assert app.is_running


async def test_a_card_turned_undecodable_under_the_board_is_drawn_safely(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(column_module, "PREFETCH", 4)  # the third page is not read yet
    app = demo_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        target = 2 * prospect.state.per_page
        deal_id = prospect.ids[target]
        write_undecodable(Path(demo_board.db.url.removeprefix("sqlite:///")), "title", deal_id)
        await pilot.press("pagedown", "pagedown")  # draws that card: its details are read
        await pilot.pause()
        assert app.is_running
        assert prospect.cursor == target
        assert card_text(prospect, target)[0].strip().startswith("badbyte")
        terminal_safe("\n".join(card_text(prospect, target)))
        terminal_safe(screen_text(app))
        assert [n for n in notifications(app) if n[0] == "error"] == []
