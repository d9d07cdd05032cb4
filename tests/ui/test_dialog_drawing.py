"""The checklist dialog draws as Textual would, only cheaper (issue 16).

Shown again and again, the dialog skips work Textual would repeat: styling its widgets
when nothing about styles changed, and tinting the dimmed board cell by cell. These
tests check the shortcuts draw exactly what Textual draws, and give way when they must.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen

from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.dimmed import DimmedBeneath, tinted
from tests.ui.helpers import Board

MEDIUM = (120, 36)


def _lines(app: object, renderable: object) -> list[list[Segment]]:
    console = app.console  # type: ignore[attr-defined]
    options = console.options.update_dimensions(*MEDIUM)
    return console.render_lines(renderable, options, pad=False)  # type: ignore[no-any-return]


async def test_the_dimmed_board_is_textuals_own_tint(demo_board: Board) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=MEDIUM) as pilot:
        await pilot.press("enter")
        dialog = app.screen
        assert isinstance(dialog, DealScreen)
        beneath = BackgroundScreen(app.board, Color(0, 0, 0, 0.6))
        ours, textuals = _lines(app, DimmedBeneath(beneath)), _lines(app, beneath)
        assert ours == textuals
        assert len(ours) == MEDIUM[1] and any(seg.style for line in ours for seg in line)
        # A style's tint is worked out once: the second time is the same object.
        style = next(seg.style for line in ours for seg in line if seg.style is not None)
        assert tinted(style, beneath.color) is tinted(style, beneath.color)


async def test_the_dialog_shown_again_after_a_theme_change_wears_the_new_theme(
    demo_board: Board,
) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=MEDIUM) as pilot:
        await pilot.press("enter")
        dialog = app.screen
        assert isinstance(dialog, DealScreen)
        before = dialog.pane.styles.background
        await pilot.press("escape")
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        await pilot.press("j", "enter")
        assert app.screen is dialog  # the same dialog, shown again
        assert dialog.pane.styles.background != before  # styled for the new theme


async def test_the_board_back_on_top_after_a_theme_change_wears_the_new_theme(
    demo_board: Board,
) -> None:
    """The board restyles its widgets on coming back on top only when styles changed:
    a theme picked while the checklist covered it is worn once the checklist closes."""
    app = demo_board.app(live=False)
    async with app.run_test(size=MEDIUM) as pilot:
        header = app.board.query_one("#header-prospect")
        before = header.styles.background, header.styles.color
        await pilot.press("enter")
        assert isinstance(app.screen, DealScreen)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.board
        assert (header.styles.background, header.styles.color) != before
