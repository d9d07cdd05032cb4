"""The help, the key hints and the palette cannot drift from what the keys do.

Every binding of the board's screens and widgets is made from ``ui/keymap.py``; the help
lists the same definitions and the palette offers those with a palette name. These tests
check both directions: nothing bound is missing from the help, and nothing in the help
or the palette is an action no screen has.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.command import CommandPalette

from salesboard.ui.agenda_list import AgendaList
from salesboard.ui.agenda_screen import AgendaScreen
from salesboard.ui.board_screen import BoardScreen
from salesboard.ui.choice_screen import ChoiceScreen
from salesboard.ui.commands import ACTIONS
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.ended_list import EndedList
from salesboard.ui.ended_screen import EndedScreen
from salesboard.ui.grid import BoardGrid
from salesboard.ui.help_screen import HelpScreen
from salesboard.ui.keymap import HELP_KEYS, help_rows
from salesboard.ui.pane import DealPane, JobList
from salesboard.ui.pane_notes import NotesSection
from salesboard.ui.part_lists import ActivityList, PartList, ProblemList, StakeholderList
from salesboard.ui.reports_screen import ReportsScreen
from tests.ui.helpers import NARROW, Board, screen_text, wait_for_palette_hits, widget_lines

BOUND = (
    BoardScreen,
    BoardGrid,
    JobList,
    DealPane,
    PartList,
    ActivityList,
    StakeholderList,
    ProblemList,
    NotesSection,
    DealScreen,
    EndedScreen,
    EndedList,
    ChoiceScreen,
    AgendaScreen,
    AgendaList,
    ReportsScreen,
)


def _bindings() -> list[tuple[type, Binding]]:
    return [
        (owner, binding)
        for owner in BOUND
        for binding in owner.BINDINGS
        if isinstance(binding, Binding)
    ]


def test_every_binding_is_in_the_help() -> None:
    helped = {(key.keys, key.action) for key in HELP_KEYS}
    missing = [
        f"{owner.__name__}: {binding.key} → {binding.action}"
        for owner, binding in _bindings()
        if (binding.key, binding.action) not in helped
    ]
    assert missing == []
    rows = dict(help_rows())
    for key in HELP_KEYS:
        assert rows[key.shown_as] == key.meaning  # each key's line says what it says


def test_every_help_line_and_palette_action_is_something_a_screen_does() -> None:
    actions = {binding.action for _, binding in _bindings()}
    for key in HELP_KEYS:
        assert not key.action or key.action in actions, key
    for _name, action, _help in ACTIONS:
        assert action in actions or action.startswith("app."), action
        assert action.startswith("app.") or hasattr(BoardScreen, f"action_{action}"), action
    for _owner, binding in _bindings():
        owner_actions = [o for o, b in _bindings() if b is binding]
        assert binding.action.startswith("app.") or any(
            hasattr(o, f"action_{binding.action.split('(')[0]}") for o in owner_actions
        ), binding.action


async def test_the_key_hints_fit_80_columns(small_board: Board) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        [line] = widget_lines(app.board.query_one("KeyHints"))
        assert line.rstrip().endswith("q Quit") and "…" not in line, line


async def test_the_help_screen_shows_every_line(small_board: Board) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for keys, meaning in help_rows():
            assert meaning in shown, meaning
            assert keys.split()[0] in shown


async def test_the_palette_offers_every_action_of_the_keymap(small_board: Board) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("ctrl+p", *"hist")
        await wait_for_palette_hits(pilot, "History")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("enter")
        await pilot.pause()
        assert "History of" in screen_text(app)  # the palette's History ran the board's
