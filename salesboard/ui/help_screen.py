"""The help screen: every key, generated from the bindings so it cannot drift."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, str]] = [
    ("← → ↑ ↓  h l k j", "move between columns and cards"),
    ("Home End  g G", "first / last card of the column"),
    ("PgUp PgDn", "a screenful up / down"),
    ("Enter", "open the checklist (in it: nothing)"),
    ("Space", "tick / untick a job (in the checklist)"),
    ("H", "the deal's history: who changed what, when"),
    ("> or shift+→", "advance one stage (checklist complete)"),
    ("< or shift+←", "move back one stage"),
    ("n / e", "new deal / edit deal"),
    ("x", "mark lost (asks for a reason)"),
    ("/", "filter title, company, owner; Esc clears"),
    ("m", "only my deals / everyone's"),
    ("? or F1", "this help"),
    ("ctrl+p", "palette: jump to a deal, run an action"),
    ("Esc", "close what is open; clear the filter"),
    ("Enter / ctrl+s", "in a form: save (Tab: next field)"),
    ("q", "quit (while typing, q is a letter)"),
]


class HelpScreen(ModalScreen[None]):
    """Lists every key of the board."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1", "close", "Close"),
        Binding("q", "app.quit_board", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        """A two-column table of keys and what they do."""
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, meaning in KEYS:
            table.add_row(key, meaning)
        with VerticalScroll(id="help", classes="modal"):
            yield Static(Text("Keys", style="bold"), classes="form-title")
            yield Static(table)
            yield Static(
                Text(
                    "A card moves right only when every job of its stage is done.\n"
                    "Moving left is always allowed. Unticking a colleague's job,\n"
                    "or Esc on a form you typed in, asks first. Esc closes this help.",
                    style="dim",
                )
            )

    def action_close(self) -> None:
        """Back to the board."""
        self.dismiss(None)
