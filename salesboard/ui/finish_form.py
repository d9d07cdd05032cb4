"""The form that finishes a deal: its outcome, the customer's satisfaction, a comment.

Outcome is success or failure (the seed's words), satisfaction a score from 1 to 5, and
the comment optional.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from salesboard import validation
from salesboard.errors import InvalidInput
from salesboard.filled_text import filled
from salesboard.i18n import N_, _
from salesboard.ui.confirm import ConfirmDiscard
from salesboard.validation import display_safe
from salesboard.workflow import SATISFACTION_RANGE, Outcome


@dataclass(frozen=True)
class FinishAnswer:
    """What the form was filled in with: the finish, as the service takes it."""

    outcome: Outcome
    satisfaction: int
    comment: str | None


class FinishForm(ModalScreen[FinishAnswer | None]):
    """Ask how a complete Closed deal went; nothing is preselected, so nothing is guessed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Finish")),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.deal_title = title

    def compose(self) -> ComposeResult:
        """Outcome, satisfaction, comment, each with its error line, then the buttons."""
        with Vertical(id="finish", classes="modal"):
            title = Text(display_safe(self.deal_title))
            heading = filled(_("Finish: {title}"), {"title": title}, base="bold")
            yield Static(heading, classes="form-title")
            yield Label(_("Outcome (↑ ↓ choose, Space or Enter picks)"), classes="field-label")
            with RadioSet(id="outcome"):
                yield RadioButton(_("Success"), id="success")
                yield RadioButton(_("Failure"), id="failure")
            yield Static("", id="error-outcome", classes="field-error")
            yield Label(
                _("Customer satisfaction, 1 (poor) to 5 (delighted)"), classes="field-label"
            )
            yield Input(placeholder=_("1 to 5"), id="satisfaction", max_length=1)
            yield Static("", id="error-satisfaction", classes="field-error")
            yield Label(_("Comment (optional)"), classes="field-label")
            yield Input(placeholder=_("how it went, in a few words"), id="comment")
            yield Static("", id="error-comment", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button(_("Finish (ctrl+s)"), variant="primary", id="save")
                yield Button(_("Cancel (esc)"), id="cancel")

    def on_mount(self) -> None:
        """Start on the outcome."""
        self.set_focus(self.query_one("#outcome", RadioSet))

    def answer(self) -> FinishAnswer | dict[str, str]:
        """The finish as filled in, or each field's problem."""
        problems: dict[str, str] = {}
        pressed = self.query_one("#outcome", RadioSet).pressed_button
        outcome = Outcome(pressed.id) if pressed is not None and pressed.id else None
        if outcome is None:
            problems["outcome"] = _("choose success or failure")
        typed = self.query_one("#satisfaction", Input).value.strip()
        score = int(typed) if typed.isascii() and typed.isdigit() else 0
        if score not in SATISFACTION_RANGE:
            problems["satisfaction"] = _("customer satisfaction is a whole number from 1 to 5")
        comment: str | None = None
        try:
            comment = validation.clean_comment(self.query_one("#comment", Input).value)
        except InvalidInput as problem:
            problems["comment"] = str(problem)
        for name in ("outcome", "satisfaction", "comment"):
            error = self.query_one(f"#error-{name}", Static)
            error.update(Text(display_safe(problems.get(name, ""))))
            error.display = name in problems
        if problems or outcome is None:
            return problems
        return FinishAnswer(outcome, score, comment)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Finish the deal if every field is filled in, else say what is missing."""
        found = self.answer()
        if isinstance(found, FinishAnswer):
            self.dismiss(found)
            return
        self.set_focus(self.query_one(f"#{next(iter(found))}"))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Keep the deal open; if anything was filled in, ask first."""
        touched = self.query_one("#outcome", RadioSet).pressed_button is not None or any(
            self.query_one(f"#{name}", Input).value.strip() for name in ("satisfaction", "comment")
        )
        if not touched:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard(_("Discard what you typed in the finish?")), answered)
