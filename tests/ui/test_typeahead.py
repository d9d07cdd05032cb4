"""Keys typed ahead, all in one read, are each handled by what the keys before them opened.

Seen while trying the board in tmux at 80x24: ``/al`` sent in one burst (as a paste or an
SSH link delivers it) opened an empty filter box; ``a`` was lost and ``l`` moved the
board's cursor one column right. The same burst after ``n``, ``x``, ``e`` or ctrl+p lost
every letter. Each test posts the whole burst before the app handles any of it, as the
terminal driver does when it reads several keys at once.
"""

from __future__ import annotations

from textual import events
from textual.command import CommandPalette
from textual.widgets import Input

from salesboard.ui.board_screen import BoardScreen
from salesboard.ui.forms import DealForm
from salesboard.ui.typeahead import TypeAhead
from salesboard.workflow import Stage, Status
from tests.ui.helpers import NARROW, WIDE, Board, column, focused_column

NAMES = {" ": "space", "/": "slash", "\r": "enter", "\x1b": "escape", "\t": "tab"}


def burst(app: object, keys: str) -> None:
    """Every key of ``keys`` posted at once, before the app has handled the first."""
    for char in keys:
        key = NAMES.get(char, char)
        app.post_message(events.Key(key, char if char.isprintable() else None))  # type: ignore[attr-defined]


def typed(app: object) -> str:
    focused = app.focused  # type: ignore[attr-defined]
    assert isinstance(focused, Input), f"focus is on {focused!r}"
    return focused.value


async def test_a_filter_typed_in_one_burst_keeps_every_letter(demo_board: Board) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        burst(app, "/al")
        await pilot.pause()
        assert typed(app) == "al"
        assert app.board.board_filter.text == "al"
        burst(app, "\r")
        await pilot.pause()
        assert focused_column(app).stage is Stage.PROSPECT  # l was typed, not a move right


async def test_a_new_deal_typed_ahead_lands_in_the_form(demo_board: Board) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        burst(app, "nBig deal then more")  # 'e', 'x' and 'm' are board keys too
        await pilot.pause()
        assert isinstance(app.screen, DealForm) and app.screen.deal is None
        assert typed(app) == "Big deal then more"
        assert [type(s).__name__ for s in app.screen_stack][1:] == ["BoardScreen", "DealForm"]


async def test_the_reported_sequence_as_one_burst_marks_the_lit_deal_lost(
    demo_board: Board,
) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("G")
        last = column(app, Stage.PROSPECT).current_id
        assert last is not None
        burst(app, "xdup\r")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        deal = demo_board.pipeline.get_deal(last).summary
        assert (deal.status, deal.lost_reason) == (Status.LOST, "dup")


async def test_the_command_palette_keeps_what_is_typed_after_opening_it(
    demo_board: Board,
) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        app.post_message(events.Key("ctrl+p", None))
        burst(app, "fin")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert typed(app) == "fin"


async def test_a_run_of_moves_moves_once_per_key(demo_board: Board) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        burst(app, "jjjjl")
        await pilot.pause()
        assert focused_column(app).stage is Stage.QUALIFIED
        burst(app, "h")
        await pilot.pause()
        assert column(app, Stage.PROSPECT).cursor == 4
        assert isinstance(app.typeahead, TypeAhead) and app.typeahead.waiting == 0


async def test_editing_keys_in_a_burst_apply_in_order(demo_board: Board) -> None:
    """Seen by a newcomer: ctrl+u then 777 in one read left the field empty (the binding
    ran after the letters), backspace then xyz lost the z, tab then text stayed put."""
    app = demo_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, DealForm)
        burst(app, "Burst deal\tBurst Co\t12 500.50\tusd")
        await pilot.pause()
        values = {name: form.query_one(f"#field-{name}", Input).value for name in
                  ("title", "company", "value", "currency")}  # fmt: skip
        assert values == {
            "title": "Burst deal",
            "company": "Burst Co",
            "value": "12 500.50",
            "currency": "usd",
        }
        app.post_message(events.Key("ctrl+u", None))
        burst(app, "777")
        app.post_message(events.Key("backspace", None))
        burst(app, "xyz")
        await pilot.pause()
        assert form.query_one("#field-currency", Input).value == "77xyz"
