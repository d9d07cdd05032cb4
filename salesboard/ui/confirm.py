"""Yes/no questions asked before a key would throw away someone's work.

Each answers ``True`` for "go ahead"; Escape and ``n`` always keep things as they are,
and the safe button has the focus, so a stray Enter never destroys anything.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from salesboard import validation
from salesboard.service import JobView
from salesboard.validation import display_safe


class Confirm(ModalScreen[bool]):
    """Ask one question; ``y`` does it, ``n`` or Escape keeps things as they are."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, *, yes: str, no: str) -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(id="confirm", classes="modal"):
            yield Static(Text(display_safe(self.question, multiline=True)), classes="form-title")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes_label} (y)", variant="warning", id="yes")
                yield Button(f"{self.no_label} (n, esc)", id="no")

    def on_mount(self) -> None:
        """The safe answer has the focus."""
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        """Answer with a key."""
        self.dismiss(yes)


class ConfirmUntick(Confirm):
    """Ask before unticking a job a colleague ticked: their name and date would go."""

    def __init__(self, job: JobView) -> None:
        when = job.done_at.strftime("%Y-%m-%d %H:%M UTC") if job.done_at else "earlier"
        super().__init__(
            f"Untick \u201c{validation.display_safe(job.text)}\u201d?\n\n"
            f"{validation.display_safe(job.done_by)} ticked it on {when}; unticking removes "
            "their name and date from the checklist (the history keeps them).",
            yes="Untick",
            no="Keep it",
        )


class ConfirmDiscard(Confirm):
    """Ask before Escape throws away what was typed into a form."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Discard what you typed in {what}?\n\nNothing has been saved yet.",
            yes="Discard",
            no="Keep editing",
        )
