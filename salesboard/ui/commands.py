"""The command palette: jump to a deal by name, or run any board action."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from inspect import isawaitable
from typing import TYPE_CHECKING

from rich.align import Align
from rich.markup import escape
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from salesboard.filled_text import filled
from salesboard.i18n import _
from salesboard.ui.keymap import PALETTE_KEYS
from salesboard.validation import display_safe
from salesboard.workflow import status_word

if TYPE_CHECKING:
    from salesboard.ui.board_screen import BoardScreen

ACTIONS: list[tuple[str, str, str]] = [
    (key.palette, key.action, key.palette_help) for key in PALETTE_KEYS if key.palette
]
"""Name, action and help of every action the palette offers: the keymap's (its name and
help as marked there, translated where shown)."""


def _actions() -> list[tuple[str, str, str]]:
    """The palette's actions with their name and help in the language in force."""
    return [(_(name), action, _(help_text)) for name, action, help_text in ACTIONS]


class DealCommands(Provider):
    """Every board action by name, and every open deal by title, company or owner."""

    def _board(self) -> BoardScreen | None:
        from salesboard.ui.board_screen import BoardScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, BoardScreen):
                return screen
        return None

    async def _on_board(self, board: BoardScreen, command: Callable[[], object]) -> None:
        """Go back to the board (or the deal's checklist over it), then run ``command``.

        An action chosen over another screen (the reports, the agenda, won and lost) acts
        on the board's lit deal: the user sees the board first, never a change made to a
        deal hidden behind the screen they were looking at.
        """
        from salesboard.ui.deal_screen import DealScreen

        app = self.app
        while app.screen is not board and not isinstance(app.screen, DealScreen):
            if len(app.screen_stack) <= 1:
                return
            await app.pop_screen()
        result = command()
        if isawaitable(result):
            await result

    def _run(self, board: BoardScreen, command: Callable[[], object]) -> Callable[[], object]:
        return partial(self._on_board, board, command)

    async def discover(self) -> Hits:
        """The actions, shown before anything is typed."""
        board = self._board()
        if board is None:
            return
        for name, action, help_text in _actions():
            run = self._run(board, partial(board.run_action, action))
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        """Matching actions, then matching deals ("jump to")."""
        board = self._board()
        if board is None:
            return
        matcher = self.matcher(query)
        for name, action, help_text in _actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    self._run(board, partial(board.run_action, action)),
                    help=help_text,
                )
        if len(query.strip()) < 2:
            return
        for deal_id, title, company, stage in board.ctx.queries.find(query, limit=15):
            label = filled(_("Jump to {title}"), {"title": Text(display_safe(title), "bold")})
            if company:
                label.append(f" · {display_safe(company)}")
            # The palette parses help text as markup: the team's stage name is escaped.
            help_text = f"{escape(display_safe(stage.label))} · #{deal_id}"
            yield Hit(0.5, label, self._run(board, partial(board.jump_to, deal_id)), help=help_text)
        # Finished and lost deals too: the palette finds every deal, open or not.
        for deal_id, title, company, stage, status in board.ctx.queries.find_ended(query, 15):
            label = filled(_("Show {title}"), {"title": Text(display_safe(title), "bold")})
            if company:
                label.append(f" · {display_safe(company)}")
            label.append(f" ({status_word(status)})")
            where = escape(_("in won and lost, left in {stage}"))  # the words as text too
            help_text = f"{where.format(stage=escape(display_safe(stage.label)))} · #{deal_id}"
            show = self._run(board, partial(board.action_ended, deal_id))
            yield Hit(0.4, label, show, help=help_text)


class BoardPalette(CommandPalette):
    """Textual's command palette, its prompt and "no matches" in the user's language."""

    def __init__(self) -> None:
        super().__init__(placeholder=_("Search for commands…"), id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual does (Textual 8.2, pinned), with the words from the catalogue."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if not search_value:  # discovery mode: nothing to point out
                self._list_visible = False
                return
            self.query_one(CommandList).add_option(
                Option(
                    Align.center(Text(_("No matches found"), style="not bold")),
                    disabled=True,
                    id=self._NO_MATCHES,
                )
            )
            self._list_visible = True

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
