"""The card that is lit is the card every key acts on, after anything at all.

Seen: at 80x24 on the demo, G, x, reason "dup", Enter left the Prospect column drawn one
line low with blank rows at the bottom; k left the highlight where it was, but Enter
opened a different deal. These tests drive such sequences and check, after each step,
that exactly one card is lit, it is on screen, no column starts mid-card, and Enter and
the other keys act on that card.
"""

from __future__ import annotations

from salesboard.ui.column import StageColumn, cards_in_view
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.forms import LostForm
from salesboard.workflow import Stage
from tests.ui.helpers import NARROW, Board, column, focused_column


def lit_cards(app: object) -> list[tuple[Stage, int | None]]:
    board = app.board  # type: ignore[attr-defined]
    return [(c.stage, c.current_id) for c in board.columns if c.lit]


def assert_sound(app: object) -> StageColumn:
    """One lit card, on screen, whole; the one the board will act on."""
    [(stage, deal_id)] = lit_cards(app)
    active = focused_column(app)  # type: ignore[arg-type]
    assert active.stage is stage
    for col in app.board.columns:  # type: ignore[attr-defined]
        # Whole cards only: the first row drawn is the first row of a card.
        assert col.render_line(0).text.strip() != "" or not col.ids or col.top == 0
        if col.ids:
            shown = cards_in_view(col.size.height)
            assert col.top <= max(0, len(col.ids) - shown)  # no blank rows at the bottom
    if deal_id is not None:
        top = active.top
        shown = cards_in_view(active.size.height)
        assert top <= active.cursor < top + shown, (top, active.cursor, shown)
        assert app.board.current_deal_id() == deal_id  # type: ignore[attr-defined]
    return active


async def test_the_reported_sequence_g_x_dup_enter_then_k_enter(demo_board: Board) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("G")
        prospect = assert_sound(app)
        await pilot.press("x")
        assert isinstance(app.screen, LostForm)
        await pilot.press(*"dup", "enter")
        await pilot.pause()
        assert_sound(app)
        await pilot.press("k")
        prospect = assert_sound(app)
        wanted = prospect.current_id
        await pilot.press("enter")
        assert isinstance(app.screen, DealScreen)
        assert app.screen.pane.deal is not None and app.screen.pane.deal.id == wanted
        await pilot.press("escape")
        assert_sound(app)
        assert column(app, Stage.PROSPECT) is prospect
