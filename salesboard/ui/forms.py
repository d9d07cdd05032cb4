"""Modal forms: new/edit deal and the reason for a lost deal, validated inline.

Each field is checked with the same functions the service uses, so a message appears
under the field before anything is saved; the service checks again when it writes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from salesboard import validation
from salesboard.errors import InvalidInput
from salesboard.filled_text import filled
from salesboard.i18n import N_, _
from salesboard.money import amount_text
from salesboard.service import DealView
from salesboard.ui.confirm import ConfirmDiscard
from salesboard.validation import display_safe

FieldCheck = Callable[[str], object]

FIELDS: list[tuple[str, str, FieldCheck, str]] = [
    ("title", N_("Title"), validation.clean_title, N_("What is being sold, e.g. Fleet telematics")),
    ("company", N_("Company"), validation.clean_company, N_("Customer company")),
    (
        "value",
        N_("Value"),
        lambda v: validation.parse_value(v) if v.strip() else 0,
        N_("0, or an amount such as 12 500 or 12 500,50"),
    ),
    ("currency", N_("Currency"), validation.clean_currency, "EUR"),
    ("owner", N_("Owner"), validation.clean_owner, N_("Login of the salesperson")),
    (
        "expected_close",
        N_("Expected close"),
        lambda v: validation.parse_date(v) if v.strip() else None,
        N_("YYYY-MM-DD (optional)"),
    ),
]
"""Each field's name, label, check and placeholder (label and placeholder: catalogue
texts, translated where the form is drawn; the currency's placeholder is a code)."""


def field_problem(check: FieldCheck, typed: str) -> str | None:
    """What is wrong with a typed value, or None; a form never crashes on input.

    The checks raise ``InvalidInput`` for every refusal (a hypothesis test feeds them
    arbitrary text); anything else would be a bug, reported under the field instead of
    ending the app.
    """
    try:
        check(typed)
    except InvalidInput as problem:
        return str(problem)
    except Exception as error:  # a bug in a check must not lose the user's form
        return _("this value could not be checked ({error}); please report it").format(
            error=type(error).__name__
        )
    return None


_CHECKS: dict[str, FieldCheck] = {
    **{name: check for name, _label, check, _hint in FIELDS},
    "notes": validation.clean_notes,
}


def _initial(deal: DealView | None, default_owner: str) -> dict[str, str]:
    if deal is None:
        return {"currency": "EUR", "owner": default_owner, "value": "", "notes": ""}
    s = deal.summary
    # Stored text is untrusted (another tool may have written it): the boxes show it
    # through the one display path, so no control sequence reaches the terminal. A field
    # left as shown is not sent on save, so cleaning it here never rewrites it unasked.
    return {
        "title": display_safe(s.title),
        "company": display_safe(s.company),
        "value": amount_text(s.value_minor, s.currency),  # as written everywhere
        "currency": display_safe(s.currency),
        "owner": display_safe(s.owner),
        "expected_close": s.expected_close.isoformat() if s.expected_close else "",
        "notes": display_safe(s.notes, multiline=True),
    }


class DealForm(ModalScreen[dict[str, str] | None]):
    """Create a deal (``deal=None``) or edit one; returns the typed values or None.

    A field is checked when it is left and every field again on save; nothing is judged
    (or shown, or hidden) while a key is typed, so a burst of keys (a paste, an SSH link)
    reaches the field whole. ``typed`` fills fields with what the user had typed before
    (a save refused by a conflict), over ``deal``'s fresh values, and ``note`` says why.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Save")),
    ]

    def __init__(
        self,
        deal: DealView | None,
        *,
        default_owner: str,
        typed: dict[str, str] | None = None,
        note: str = "",
    ) -> None:
        super().__init__()
        self.deal = deal
        self._initial = _initial(deal, default_owner)
        self._shown = {**self._initial, **(typed or {})}
        self._touched: set[str] = set()
        self.note = note

    def compose(self) -> ComposeResult:
        """One labelled input per field, an error line under each, then the buttons."""
        if self.deal is None:
            heading = _("New deal")
        else:
            heading = _("Edit deal #{id}").format(id=self.deal.id)
        with Vertical(id="form", classes="modal"):
            yield Static(Text(heading, style="bold"), classes="form-title")
            if self.note:
                yield Static(Text(display_safe(self.note, multiline=True)), id="form-note")
            with VerticalScroll():
                for name, label, _check, hint in FIELDS:
                    yield Label(_(label), classes="field-label")
                    yield Input(
                        value=self._shown.get(name, ""),
                        placeholder=hint if name == "currency" else _(hint),  # a code, not words
                        id=f"field-{name}",  # tabbing in selects it: typing replaces
                    )
                    yield Static("", id=f"error-{name}", classes="field-error")
                yield Label(_("Notes"), classes="field-label")
                yield TextArea(self._shown.get("notes", ""), id="field-notes")
                yield Static("", id="error-notes", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button(_("Save (ctrl+s)"), variant="primary", id="save")
                yield Button(_("Cancel (esc)"), id="cancel")

    def on_mount(self) -> None:
        """Start typing in the title."""
        self.query_one("#field-title", Input).focus()

    def on_resize(self, event: events.Resize) -> None:
        """Keep the title and the buttons on short terminals: the fields scroll instead."""
        chrome = 8  # border, title line and gap, buttons and gap
        fields = self.query_one("#form VerticalScroll", VerticalScroll)
        fields.styles.max_height = max(3, min(30, event.size.height - chrome))

    def values(self) -> dict[str, str]:
        """What the user typed, by field name."""
        typed = {name: self.query_one(f"#field-{name}", Input).value for name, *_rest in FIELDS}
        typed["notes"] = self.query_one("#field-notes", TextArea).text
        if not typed["value"].strip():
            typed["value"] = "0"  # left empty: no amount yet
        return typed

    def validate(self) -> dict[str, str]:
        """Check every field that will be saved and show each problem under its field.

        A new deal saves every field. An edit saves only what differs from the deal as
        shown (and the value again when the currency changes, as its decimals may), so
        a stored value that no longer passes (written by an older version or another
        tool) does not stop anyone from changing the rest of the deal.
        """
        values = self.values()
        initial = self._initial
        problems: dict[str, str] = {}
        for name in _CHECKS:
            saved = self.deal is None or values[name] != initial.get(name, "")
            if name == "value" and values["currency"] != initial.get("currency", ""):
                saved = True
            if not saved:
                continue
            problem = self._check_field(name)
            if problem is not None:
                problems[name] = problem
        return problems

    def _check_field(self, name: str) -> str | None:
        """Check one field and show (or clear) its message; the problem, if any."""
        values = self.values()
        check = _CHECKS[name]
        if name == "value":  # the decimals allowed depend on the currency typed
            currency = values["currency"].strip().upper()
            known = field_problem(validation.clean_currency, currency) is None
            check = partial(validation.parse_value, currency=currency if known else None)
        problem = field_problem(check, values[name])
        error = self.query_one(f"#error-{name}", Static)
        if problem != (str(error.content) if error.display else None):
            error.update(Text(display_safe(problem or "")))
            error.display = problem is not None
        return problem

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """A field that was typed in is checked when it is left (the rest on save)."""
        name = (event.widget.id or "").removeprefix("field-")
        if name in self._touched and self.is_attached:
            self._check_field(name)

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _typed(self, event: Input.Changed | TextArea.Changed) -> None:
        # Only remembered: checking (and showing or hiding a message) waits for the blur.
        widget = event.input if isinstance(event, Input.Changed) else event.text_area
        self._touched.add((widget.id or "").removeprefix("field-"))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Save if every field is valid, else show what to fix."""
        problems = self.validate()
        if problems:
            first = next(iter(problems))
            self.query_one(f"#field-{first}").focus()
            return
        typed = self.values()
        if self.deal is not None:
            typed = {k: v for k, v in typed.items() if v != self._initial.get(k, "")}
        self.dismiss(typed)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without saving; if anything was typed, ask first."""
        if not self._changed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        if self.deal is None:
            question = _("Discard what you typed in the new deal?")
        else:
            question = _("Discard what you typed in deal #{id}?").format(id=self.deal.id)
        self.app.push_screen(ConfirmDiscard(question), answered)

    def _changed(self) -> bool:
        """Whether any field differs from the deal as it was opened (typed text counts)."""
        shown = {name: self.query_one(f"#field-{name}", Input).value for name, *_rest in FIELDS}
        shown["notes"] = self.query_one("#field-notes", TextArea).text
        return any(shown[name] != self._initial.get(name, "") for name in shown)


class LostForm(ModalScreen[str | None]):
    """Ask why a deal was lost; a reason is required."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str, *, typed: str = "", note: str = "") -> None:
        super().__init__()
        self.deal_title = title
        self.typed = typed
        """The reason typed before a conflict sent the user back here (kept, not lost)."""
        self.note = note
        """Who changed what meanwhile, when asked again after a conflict."""

    def compose(self) -> ComposeResult:
        """The question, one input, an error line and the buttons."""
        with Vertical(id="lost", classes="modal"):
            title = Text(validation.display_safe(self.deal_title))
            heading = filled(_("Mark lost: {title}"), {"title": title}, base="bold")
            yield Static(heading, classes="form-title")
            if self.note:
                yield Static(Text(display_safe(self.note, multiline=True)), id="form-note")
            yield Label(_("Why was it lost?"), classes="field-label")
            yield Input(self.typed, placeholder=_("e.g. Chose a competitor"), id="reason")
            yield Static("", id="error-reason", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button(_("Mark lost"), variant="error", id="confirm")
                yield Button(_("Cancel (esc)"), id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        reason = self.query_one("#reason", Input).value
        problem = field_problem(validation.clean_reason, reason)
        if problem is None:
            self.dismiss(validation.clean_reason(reason))
            return
        error = self.query_one("#error-reason", Static)
        error.update(Text(display_safe(problem)))
        error.display = True

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Keep the deal open; if a reason was typed, ask first (as the deal form does)."""
        if not self.query_one("#reason", Input).value.strip():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard(_("Discard what you typed in the reason?")), answered)
