"""The pane's last section: the deal's notes, all of them, drawn literally.

The section is one focusable block (Tab reaches it as it reaches the other sections):
its heading, then every line of the notes, wrapped by the pane, which scrolls; nothing
is cut. ``e`` (or ``n``) asks for the notes' editor with a ``NotesAsked`` message, which
the pane turns into a request about its deal: the section holds no session. The notes
are stored text, so they go through ``display_safe`` into a Rich ``Text``, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from salesboard.i18n import _
from salesboard.service import DealView
from salesboard.ui import keymap
from salesboard.ui.keymap import bindings
from salesboard.ui.quiet import update_static
from salesboard.validation import display_safe


def notes_text(notes: str) -> Text:
    """The notes as drawn: every line, tabs as spaces, no markup, no terminal codes."""
    if not notes.strip():
        return Text(_("none yet (e writes them)"), "dim")
    shown = Text(display_safe(notes, multiline=True).expandtabs(4))
    shown.no_wrap = False
    return shown


class NotesSection(Vertical, can_focus=True):
    """The heading ``Notes`` and the deal's notes under it; ``e`` or ``n`` edits them.

    Enter does nothing here (as in the checklist); the arrows and ``j``/``k`` scroll
    the pane a line, so a long note can be read to its end with the section focused.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.NOTES_EDIT, keymap.NOTES_WRITE, keymap.JOB_DOWN, keymap.JOB_UP, keymap.NO_TICK
    )

    class Asked(Message):
        """The user asked to write or edit the notes of the deal shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="part-section notes-section")

    def compose(self) -> ComposeResult:
        """The heading line above the notes."""
        yield Static(Text(_("Notes"), "bold"), classes="part-heading")
        yield Static(classes="notes-text")

    def show(self, deal: DealView) -> None:
        """Show the notes of ``deal`` (or how to write some)."""
        update_static(self.query_one(".notes-text", Static), notes_text(deal.summary.notes))

    @property
    def shown_text(self) -> str:
        """The notes as the section shows them now (plain text)."""
        shown = self.query_one(".notes-text", Static).content
        return shown.plain if isinstance(shown, Text) else str(shown)

    def on_focus(self) -> None:
        """Bring the section into view in the pane (its heading first)."""
        self.scroll_visible(animate=False, top=True)

    def _scroll(self, lines: int) -> None:
        if isinstance(self.parent, Widget):  # the pane, which scrolls
            self.parent.scroll_relative(y=lines, animate=False)

    def action_down(self) -> None:
        """Scroll the pane one line down (a long note reads on)."""
        self._scroll(1)

    def action_up(self) -> None:
        """Scroll the pane one line up."""
        self._scroll(-1)

    def action_nothing(self) -> None:
        """Enter in the notes: changes nothing (e edits them)."""

    def action_edit_notes(self) -> None:
        """Ask for the editor of the notes."""
        self.post_message(self.Asked())
