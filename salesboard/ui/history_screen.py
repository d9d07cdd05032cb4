"""A deal's history: every recorded change with who made it and when, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from salesboard.calendar_text import numeric_moment_text
from salesboard.filled_text import filled
from salesboard.i18n import N_, _, ngettext
from salesboard.service import EventView
from salesboard.service.history_text import describe_entry, event_label
from salesboard.service.views import UNKNOWN_TIME
from salesboard.ui.footer import KeyHints
from salesboard.ui.literal import literal


def _when(moment: datetime) -> str:
    if moment == UNKNOWN_TIME:
        return _("time unknown")
    return f"{numeric_moment_text(moment)} UTC"  # as wide in every language


class HistoryScreen(ModalScreen[None]):
    """Answers "who changed this deal, and when?" without leaving the board."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,H", "close", N_("Close")),
        Binding("q", "app.quit_board", N_("Quit")),
        Binding("j,down", "scroll(1)", N_("Down"), show=False),
        Binding("k,up", "scroll(-1)", N_("Up"), show=False),
    ]

    def __init__(self, title: str, events: Sequence[EventView]) -> None:
        super().__init__()
        self.deal_title = title
        self.events = list(events)

    def compose(self) -> ComposeResult:
        """A heading with the deal's title, then one row per event."""
        title = literal(self.deal_title, "bold")
        heading = filled(_("History of {title}"), {"title": title}, base="bold")
        count = len(self.events)
        changes = ngettext(
            "({count} change, newest first)", "({count} changes, newest first)", count
        ).format(count=count)
        heading.append(f"  {changes}", style="dim")
        with VerticalScroll(id="history", classes="modal"):
            yield Static(heading, classes="form-title")
            yield Static(self._table(), id="history-table")
        yield KeyHints()

    def _table(self) -> Table:
        table = Table(box=None, show_header=True, header_style="dim", padding=(0, 1), expand=True)
        table.add_column(_("When"), no_wrap=True)
        table.add_column(_("Who"), no_wrap=True, max_width=14, overflow="ellipsis")
        table.add_column(_("What"), no_wrap=True)
        table.add_column(_("Change"), ratio=1, overflow="fold")
        for event in self.events:
            damaged = event.damage is not None
            table.add_row(
                _when(event.at),
                literal(event.actor),
                literal(event_label(event.kind, event.damage), "bold red" if damaged else ""),
                literal(
                    describe_entry(event.kind, event.before, event.after, event.damage),
                    "red" if damaged else "",
                    wrap=True,
                ),
            )
        return table

    def action_scroll(self, lines: int) -> None:
        """Scroll the list by keyboard."""
        self.query_one("#history", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        """Back to the deal."""
        self.dismiss(None)
