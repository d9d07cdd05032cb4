"""The form all part forms are made of: labelled fields validated inline, typing kept.

As the deal form does: each field is checked with the function the service uses when it
is left and every field again on save; an edit sends only the fields that changed. A form
reopened after a refused save (a conflict, a refusal of the service) shows what the user
had typed over the stored values and a note saying why, so nothing typed is lost.

A form answers a ``dict`` of field name to the text typed (a choice as its key, a box as
``"yes"`` or ``""``), or None when cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static, TextArea

from salesboard.i18n import N_, _
from salesboard.ui.confirm import ConfirmDiscard
from salesboard.ui.forms import FieldCheck, field_problem
from salesboard.validation import display_safe


@dataclass(frozen=True)
class PartField:
    """One field of a part form: its name (the service's), label and how it is typed.

    ``label`` and ``hint`` are msgids, translated where the form is drawn; ``choices``
    are (key, word) for a choice; a required choice must be picked.
    """

    name: str
    label: str
    kind: Literal["line", "block", "choice", "check"] = "line"
    hint: str = ""
    choices: tuple[tuple[str, Callable[[], str]], ...] = ()  # (key, word)
    required: bool = False


class PartForm(ModalScreen[dict[str, str] | None]):
    """The form of one kind of part; subclasses name the fields, checks and heading."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Save")),
    ]
    FIELDS: ClassVar[tuple[PartField, ...]]

    def __init__(
        self,
        initial: dict[str, str],
        *,
        heading: Text,
        editing: bool,
        typed: dict[str, str] | None = None,
        note: str = "",
        focus: str | None = None,
    ) -> None:
        super().__init__(classes="part-form")
        self._initial = initial
        self._shown = {**initial, **(typed or {})}
        self.heading = heading
        self.editing = editing
        self.note = note
        self._focus = focus
        self._touched: set[str] = set()

    def fields(self) -> tuple[PartField, ...]:
        """The fields this form shows (an edit may show more than an add)."""
        return self.FIELDS

    def checks(self) -> dict[str, FieldCheck]:
        """Each typed field's check (the service's own)."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        """A label, a field and an error line for each field, then the buttons."""
        with Vertical(id="form", classes="modal"):
            yield Static(self.heading, classes="form-title")
            if self.note:
                yield Static(Text(display_safe(self.note, multiline=True)), id="form-note")
            with VerticalScroll():
                for field in self.fields():
                    yield from self._field(field)
            with Horizontal(classes="buttons"):
                yield Button(_("Save (ctrl+s)"), variant="primary", id="save")
                yield Button(_("Cancel (esc)"), id="cancel")

    def label(self, field: PartField) -> str:
        """A field's label in the language in force."""
        return _(field.label)

    def _field(self, field: PartField) -> ComposeResult:
        shown = self._shown.get(field.name, "")
        name = f"field-{field.name}"
        if field.kind == "check":
            yield Checkbox(self.label(field), value=shown == "yes", id=name, classes="part-check")
            return
        if field.kind == "choice":
            label = _("{label} (← → choose, Space picks)").format(label=self.label(field))
            yield Label(label, classes="field-label")
            with RadioSet(id=name):
                for key, word in field.choices:
                    yield RadioButton(Text(word()), value=key == shown, id=f"{name}--{key}")
        else:
            yield Label(self.label(field), classes="field-label")
            if field.kind == "block":
                yield TextArea(shown, id=name, classes="part-block")
            else:
                yield Input(value=shown, placeholder=_(field.hint) if field.hint else "", id=name)
        yield Static("", id=f"error-{field.name}", classes="field-error")

    def on_mount(self) -> None:
        """Start in the field asked for, or the first."""
        first = self._focus or self.fields()[0].name
        self.set_focus(self.query_one(f"#field-{first}"))
        for choice in self.query(RadioSet):
            # Textual lights the first button; light the chosen one, so that Space on the
            # light keeps the value shown rather than picking another.
            if choice.pressed_index >= 0:
                choice._selected = choice.pressed_index

    def on_resize(self, event: events.Resize) -> None:
        """Keep the heading and the buttons on short terminals: the fields scroll instead."""
        chrome = 8 + (2 if self.note else 0)
        fields = self.query_one("#form VerticalScroll", VerticalScroll)
        fields.styles.max_height = max(3, min(30, event.size.height - chrome))

    def values(self) -> dict[str, str]:
        """What the form holds, by field name."""
        found: dict[str, str] = {}
        for field in self.fields():
            widget: Widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, Input):
                found[field.name] = widget.value
            elif isinstance(widget, TextArea):
                found[field.name] = widget.text
            elif isinstance(widget, Checkbox):
                found[field.name] = "yes" if widget.value else ""
            elif isinstance(widget, RadioSet):
                pressed = widget.pressed_button
                key = (pressed.id or "").partition("--")[2] if pressed is not None else ""
                found[field.name] = key
        return found

    def _check(self, field: PartField, typed: str) -> str | None:
        if field.kind == "choice":
            if field.required and not typed:
                words = ", ".join(word() for _key, word in field.choices)
                return _("choose one of: {choices}").format(choices=words)
            return None
        check = self.checks().get(field.name)
        return None if check is None else field_problem(check, typed)

    def _show_problem(self, field: PartField) -> str | None:
        """Check one field and show (or clear) its message; the problem, if any."""
        problem = self._check(field, self.values()[field.name])
        errors = self.query(f"#error-{field.name}")
        if errors:
            error = errors.first(Static)
            error.update(Text(display_safe(problem or "")))
            error.display = problem is not None
        return problem

    def validate(self) -> dict[str, str]:
        """Every field that will be saved, checked, each problem shown under its field."""
        values = self.values()
        problems: dict[str, str] = {}
        for field in self.fields():
            if self.editing and values[field.name] == self._initial.get(field.name, ""):
                continue  # left as stored: not sent, so not judged
            problem = self._show_problem(field)
            if problem is not None:
                problems[field.name] = problem
        return problems

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """A field that was typed in is checked when it is left (the rest on save)."""
        name = (event.widget.id or "").removeprefix("field-")
        if name in self._touched and self.is_attached:
            field = next((f for f in self.fields() if f.name == name), None)
            if field is not None:
                self._show_problem(field)

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _typed(self, event: Input.Changed | TextArea.Changed) -> None:
        widget = event.input if isinstance(event, Input.Changed) else event.text_area
        self._touched.add((widget.id or "").removeprefix("field-"))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Save if every field is valid, else show what to fix (nothing typed is lost)."""
        problems = self.validate()
        if problems:
            self.set_focus(self.query_one(f"#field-{next(iter(problems))}"))
            return
        typed = self.values()
        if self.editing:
            typed = {k: v for k, v in typed.items() if v != self._initial.get(k, "")}
        self.dismiss(typed)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without saving; if anything was typed, ask first."""
        if self.values() == {f.name: self._initial.get(f.name, "") for f in self.fields()}:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = _("Discard what you typed in this form?")
        self.app.push_screen(ConfirmDiscard(question), answered)
