"""Yes/no questions asked before a key would throw away someone's work.

Each answers ``True`` for "go ahead"; Escape and ``n`` always keep things as they are,
and the safe button has the focus, so a stray Enter never destroys anything.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from salesboard import validation
from salesboard.calendar_text import moment_text
from salesboard.i18n import N_, _, pgettext
from salesboard.service import JobView
from salesboard.validation import display_safe


def yes_key() -> str:
    """The letter that answers yes in the language in force (``y``; Norwegian ``j``)."""
    return pgettext("the key that answers yes", "y")


class Confirm(ModalScreen[bool]):
    """Ask one question; ``y`` does it, ``n`` or Escape keeps things as they are.

    The language's own yes letter (Norwegian ``j`` for "ja") works too and is the one
    shown; ``y`` keeps working for those used to it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", N_("Yes")),
        Binding("n,escape", "answer(False)", N_("No")),
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
                yield Button(f"{self.yes_label} ({yes_key()})", variant="warning", id="yes")
                esc = _("esc")  # the key's name, as the key hints write it
                yield Button(f"{self.no_label} (n, {esc})", id="no")

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

    def on_key(self, event: events.Key) -> None:
        """The language's yes letter, where it is not ``y``."""
        if event.character == yes_key() != "y":
            event.stop()
            self.dismiss(True)


class ConfirmUntick(Confirm):
    """Ask before unticking a job a colleague ticked: their name and date would go."""

    def __init__(self, job: JobView) -> None:
        when = f"{moment_text(job.done_at)} UTC" if job.done_at else _("earlier")
        question = _("Untick \u201c{job}\u201d?").format(job=validation.display_safe(job.text))
        consequence = _(
            "{name} ticked it on {when}; unticking removes their name and date from the "
            "checklist (the history keeps them)."
        ).format(name=validation.display_safe(job.done_by), when=when)
        super().__init__(f"{question}\n\n{consequence}", yes=_("Untick"), no=_("Keep it"))


class ConfirmDiscard(Confirm):
    """Ask before Escape throws away what was typed into a form.

    ``question`` is the whole question, already in the language in force ("Discard what
    you typed in the new deal?"); the warning under it is added here.
    """

    def __init__(self, question: str) -> None:
        warning = _("Nothing has been saved yet.")
        super().__init__(f"{question}\n\n{warning}", yes=_("Discard"), no=_("Keep editing"))
