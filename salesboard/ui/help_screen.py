"""The help screen: every key, listed from the definitions the bindings are made of."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from salesboard.i18n import N_, _
from salesboard.ui.keymap import help_rows


class HelpScreen(ModalScreen[None]):
    """Lists every key of the board."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1", "close", N_("Close")),
        Binding("q", "app.quit_board", N_("Quit")),
    ]

    def compose(self) -> ComposeResult:
        """A two-column table of keys and what they do."""
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, meaning in help_rows():
            table.add_row(keys, meaning)
        with VerticalScroll(id="help", classes="modal"):
            yield Static(Text(_("Keys"), style="bold"), classes="form-title")
            yield Static(table)
            yield Static(
                Text(
                    _(
                        "A card moves right only when every job of its stage is done.\n"
                        "Moving left is always allowed. Unticking a colleague's job,\n"
                        "or Esc on a form you typed in, asks first. Esc closes this help."
                    ),
                    style="dim",
                )
            )

    def action_close(self) -> None:
        """Back to the board."""
        self.dismiss(None)
