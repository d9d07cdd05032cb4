"""The Textual application: one board screen, its modals and the command palette."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import App
from textual.binding import Binding, BindingType

from salesboard.ui.board_screen import BoardScreen
from salesboard.ui.commands import DealCommands
from salesboard.ui.context import BoardContext
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.pane import DealPane
from salesboard.ui.typeahead import TypeAhead


class SalesboardApp(App[None]):
    """The sales pipeline board."""

    CSS_PATH = "salesboard.tcss"
    TITLE = "salesboard"
    COMMANDS: ClassVar = App.COMMANDS | {DealCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        # q quits from every screen; modal screens, which hide the app's bindings, bind
        # it to the same action (typed into a form's field, it is just a letter).
        Binding("q", "quit_board", "Quit", show=False),
    ]

    def __init__(self, context: BoardContext, *, live: bool = True) -> None:
        super().__init__()
        self.ctx = context
        self.live = live
        self.typeahead = TypeAhead(self, lambda key: App.on_event(self, key))

    async def on_event(self, event: events.Event) -> None:
        """Keys from the terminal wait their turn (see ``TypeAhead``); the rest as usual."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.typeahead.take(event)
        else:
            await super().on_event(event)

    def on_mount(self) -> None:
        """Open the board."""
        self.push_screen(BoardScreen(self.ctx, live=self.live))

    @property
    def board(self) -> BoardScreen:
        """The board screen (always at the bottom of the stack)."""
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen):
                return screen
        raise LookupError("the board is not open")

    def action_quit_board(self) -> None:
        """Quit, unless a form is open: what was typed there would be lost."""
        from salesboard.ui.forms import DealForm, LostForm

        if isinstance(self.screen, DealForm | LostForm):
            self.notify(
                "Save (ctrl+s) or cancel (Esc) the form first.", title="Form open", markup=False
            )
            return
        self.exit()

    # The checklist dialog's requests, handed to the board (the dialog knows no board).

    @on(DealPane.ToggleJob)
    def _dialog_toggle(self, message: DealPane.ToggleJob) -> None:
        self.board.toggle_job(message.deal, message.n)

    @on(DealScreen.Move)
    def _dialog_move(self, message: DealScreen.Move) -> None:
        self.board.move(message.deal_id, forward=message.forward)

    @on(DealScreen.History)
    def _dialog_history(self, message: DealScreen.History) -> None:
        self.board.show_history(message.deal_id)

    def action_help(self) -> None:
        """Show every key."""
        from salesboard.ui.help_screen import HelpScreen

        self.push_screen(HelpScreen())
