"""The agenda: my open activities by due time, overdue first; Enter goes to the deal.

Opened from the board (``A``, or "Agenda" in the palette). It lists the activities of the
board's user (``m``: everyone's) as ``Substance.agenda`` returns them: earliest first, so
the overdue ones lead, each marked. The list is read in a worker thread, so a large
team's agenda never freezes the board. Choosing an activity answers its deal's id, and
the board puts its cursor on that deal's card.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from salesboard.i18n import _, ngettext
from salesboard.service.part_rows import AgendaEntry
from salesboard.service.substance import Substance
from salesboard.ui import keymap
from salesboard.ui.agenda_list import AgendaList
from salesboard.ui.context import BoardContext
from salesboard.ui.footer import KeyHints
from salesboard.ui.keymap import bindings
from salesboard.validation import display_safe

Read = tuple[str | None, list[AgendaEntry]]
"""Whose agenda was read (None: everyone's), and its entries."""


class AgendaScreen(ModalScreen[int | None]):
    """Open activities by due time; answers the chosen one's deal id (None: Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.AGENDA_GO,
        keymap.AGENDA_MINE,
        keymap.ENDED_CLOSE,
        keymap.QUIT,
        keymap.ENDED_UP,
        keymap.ENDED_DOWN,
    )

    def __init__(self, context: BoardContext) -> None:
        super().__init__()
        self.ctx = context
        self.owner: str | None = context.user
        """Whose activities are listed: the board's user, or None for everyone's."""
        self.entries: list[AgendaEntry] = []
        self.loaded = False
        """Whether the list shows the agenda of ``owner`` (not still reading it)."""

    def compose(self) -> ComposeResult:
        """A heading, the list (or why it is empty), the key hints."""
        yield Static(id="agenda-title")
        yield Static(id="agenda-empty")
        yield AgendaList(id="agenda")
        yield KeyHints()

    def on_mount(self) -> None:
        """Read my agenda, with the keys on the list."""
        self.set_focus(self.query_one(AgendaList))
        self._load()

    # ---------------------------------------------------------------- reading

    def _load(self) -> None:
        """Read the agenda of ``owner`` in a worker; its answer is shown when it comes."""
        self.loaded = False
        mine = self.owner is not None
        self._heading(_("My agenda: reading…") if mine else _("Everyone's agenda: reading…"))
        owner, pipeline = self.owner, self.ctx.pipeline

        def read() -> Read:
            return owner, Substance(pipeline).agenda(owner)

        self.run_worker(read, thread=True, exclusive=True, group="agenda", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the agenda read, or why it could not be read; an answer overtaken is dropped."""
        worker = event.worker
        if worker.group != "agenda":
            return
        if event.state is WorkerState.SUCCESS and isinstance(worker.result, tuple):
            owner, entries = worker.result
            if owner == self.owner:
                self._show(entries)
        elif event.state is WorkerState.ERROR:
            self._heading(_("The agenda could not be read"))
            empty = self.query_one("#agenda-empty", Static)
            empty.update(Text(display_safe(str(worker.error), multiline=True)))
            empty.display = True

    def _show(self, entries: list[AgendaEntry]) -> None:
        now = self.ctx.clock()
        self.entries = entries
        self.loaded = True
        listing = self.query_one(AgendaList)
        listing.show(entries, now, owner=self.owner is None)
        count = len(entries)
        overdue = sum(entry.activity.overdue(now) for entry in entries)
        if self.owner is not None:
            heading = ngettext(
                "My agenda: {count} open activity", "My agenda: {count} open activities", count
            )
        else:
            heading = ngettext(
                "Everyone's agenda: {count} open activity",
                "Everyone's agenda: {count} open activities",
                count,
            )
        heading = heading.format(count=count)
        if overdue:
            late = ngettext("{count} overdue", "{count} overdue", overdue).format(count=overdue)
            heading = f"{heading}, {late}"
        self._heading(heading)
        empty = self.query_one("#agenda-empty", Static)
        if self.owner is not None:
            nothing = _("You have no open activities. Press m to see everyone's.")
        else:
            nothing = _("No one has an open activity.")
        empty.update(Text(nothing))
        empty.display = not entries
        listing.display = bool(entries)

    def _heading(self, text: str) -> None:
        self.query_one("#agenda-title", Static).update(Text(text, style="bold"))

    # ---------------------------------------------------------------- keys

    def action_mine(self) -> None:
        """My activities, or everyone's (with whose each one is)."""
        self.owner = None if self.owner is not None else self.ctx.user
        self._load()

    def action_cursor(self, delta: int) -> None:
        """Move the cursor with j and k, as on the board (the arrows work too)."""
        self.query_one(AgendaList).move(delta)

    def action_go(self) -> None:
        """Close the agenda and take the board to the deal of the activity under the cursor."""
        entry = self.query_one(AgendaList).current
        if entry is not None and self.loaded:
            self.dismiss(entry.activity.deal_id)

    @on(AgendaList.Chosen)
    def _clicked(self, message: AgendaList.Chosen) -> None:
        if self.loaded:
            self.dismiss(message.entry.activity.deal_id)

    def action_close(self) -> None:
        """Back to the board, where it was."""
        self.dismiss(None)
