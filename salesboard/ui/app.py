"""The Textual application: one board screen, its modals and the command palette."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Final, cast

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.driver import Driver
from textual.screen import Screen

from salesboard.i18n import N_, _
from salesboard.ui import keymap
from salesboard.ui.board_screen import BoardScreen
from salesboard.ui.commands import BoardPalette, DealCommands
from salesboard.ui.context import BoardContext
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.pane import DealPane
from salesboard.ui.typeahead import TypeAhead

_TEXTUAL_WORDS: Final = frozenset(
    {
        # Textual's names of keys in the key hints (``get_key_display``).
        N_("esc"), N_("space"), N_("tab"), N_("pgup"), N_("pgdn"), N_("del"),
        # Textual's own commands in the palette (``get_system_commands``).
        N_("Theme"), N_("Change the current theme"),
        N_("Quit"), N_("Quit the application as soon as possible"),
        N_("Keys"), N_("Hide the keys and widget help panel"),
        N_("Show help for the focused widget and a summary of available keys"),
        N_("Minimize"), N_("Minimize the widget and restore to normal size"),
        N_("Maximize"), N_("Maximize the focused widget"),
        N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
    }
)  # fmt: skip
"""Words Textual shows on the board, translated where shown; a word a later Textual adds
stays as Textual has it."""


def _textual(text: str) -> str:
    """One of Textual's words in the language in force (if the catalogue knows it)."""
    return _(text) if text in _TEXTUAL_WORDS else text


class Backdrop(Screen[None]):
    """The app's first screen, always under the board, which hides all of it."""

    def _compositor_refresh(self) -> None:
        """Draw only when on top: beneath the (opaque) board nothing of it is seen.

        Textual hands a covered screen's repaints to the screen on top: the board was
        sent whole a second time as it started.
        """
        if self.app.screen is self:
            super()._compositor_refresh()


class SalesboardApp(App[None]):
    """The sales pipeline board."""

    CSS_PATH = "salesboard.tcss"
    TITLE = "salesboard"
    COMMANDS: ClassVar = App.COMMANDS | {DealCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        # q quits from every screen; modal screens, which hide the app's bindings, bind
        # it to the same action (typed into a form's field, it is just a letter).
        Binding("q", "quit_board", keymap.QUIT.hint, show=False),
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

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, but on Linux and macOS terminals one that sleeps when idle.

        Its input thread waits until there is input, so an idle board wakes for nothing
        (``ui/driver.py``). ``TEXTUAL_DRIVER`` and the test harness's headless driver are
        left as they are.
        """
        found = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if found is LinuxDriver:
            from salesboard.ui.driver import QuietLinuxDriver

            return QuietLinuxDriver
        return found

    def get_default_screen(self) -> Screen[Any]:
        """The first screen, under the board (``Backdrop``)."""
        return Backdrop(id="_default")

    def on_mount(self) -> None:
        """Open the board."""
        self.push_screen(BoardScreen(self.ctx, live=self.live))

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        """Push a screen as Textual does, without a second full frame of the board beneath.

        Textual repaints the current screen as it pushes another over it; beneath a
        dialog the board is drawn with the dialog's first frame anyway, so that repaint
        sent the whole screen once more (``BoardScreen.refresh``).
        """
        beneath = self.screen_stack[-1] if self.screen_stack else None
        if not isinstance(beneath, BoardScreen):
            return super().push_screen(*args, **kwargs)
        beneath.covering = True
        try:
            return super().push_screen(*args, **kwargs)
        finally:
            beneath.covering = False

    @property
    def board(self) -> BoardScreen:
        """The board screen (always at the bottom of the stack)."""
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen):
                return screen
        raise LookupError("the board is not open")

    def action_quit_board(self) -> None:
        """Quit, unless a form is open (what was typed would be lost); once saved, if saving."""
        from salesboard.ui.forms import DealForm, LostForm
        from salesboard.ui.part_forms import PartForm

        if isinstance(self.screen, DealForm | LostForm | PartForm):
            self.notify(
                _("Save (ctrl+s) or cancel (Esc) the form first."),
                title=_("Form open"),
                markup=False,
            )
            return
        self._quit_once_saved()

    async def action_quit(self) -> None:
        """Ctrl+Q: quit at once, forms or not, but not from under a change being saved."""
        self._quit_once_saved()

    def _quit_once_saved(self) -> None:
        try:
            changes = self.board.changes
        except LookupError:  # no board yet: nothing can be pending
            self.exit()
            return
        if changes.quit():
            self.exit()

    # The checklist dialog's requests, handed to the board (the dialog knows no board).

    @on(DealPane.ToggleJob)
    def _dialog_toggle(self, message: DealPane.ToggleJob) -> None:
        self.board.toggle_job(message.deal, message.n)

    @on(DealPane.PartAsked)
    def _dialog_part(self, message: DealPane.PartAsked) -> None:
        self.board.part_asked(message)

    @on(DealPane.NotesAsked)
    def _dialog_notes(self, message: DealPane.NotesAsked) -> None:
        self.board.notes_asked(message)

    @on(DealScreen.Move)
    def _dialog_move(self, message: DealScreen.Move) -> None:
        self.board.move(message.deal_id, forward=message.forward)

    @on(DealScreen.Undo)
    def _dialog_undo(self, _message: DealScreen.Undo) -> None:
        self.board.action_undo()

    @on(DealScreen.History)
    def _dialog_history(self, message: DealScreen.History) -> None:
        self.board.show_history(message.deal_id)

    def get_key_display(self, binding: Binding) -> str:
        """A key as the key hints show it (``space``, ``esc``), in the language in force."""
        return _textual(super().get_key_display(binding))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own palette commands (theme, screenshot…), translated.

        Not Textual's keys panel: the help screen lists every key, in the user's language.
        """
        for command in super().get_system_commands(screen):
            if command.title == "Keys":
                continue
            yield command._replace(title=_textual(command.title), help=_textual(command.help))

    def action_command_palette(self) -> None:
        """Open the command palette (Textual's, speaking the user's language)."""
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(BoardPalette())

    def action_help(self) -> None:
        """Show every key."""
        from salesboard.ui.help_screen import HelpScreen

        self.push_screen(HelpScreen())
