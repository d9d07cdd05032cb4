"""The editor of a deal's notes: one text area, saved with ctrl+s or its button.

It is a part form (``part_form.PartForm``) with one field, so it behaves as the others
do: the notes are checked with the service's own check on save (and when left), Escape
asks before throwing typed text away, and a form reopened after a refused save shows
what the user had typed over the stored notes and a note saying why.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import TextArea

from salesboard import validation
from salesboard.filled_text import filled
from salesboard.i18n import N_, _
from salesboard.service import DealView
from salesboard.ui.forms import FieldCheck
from salesboard.ui.part_form import PartField, PartForm
from salesboard.validation import display_safe


class NotesForm(PartForm):
    """Write or edit the notes of one deal; answers ``{"notes": text}`` when changed.

    An unchanged text answers an empty dict (nothing to save), a cancel None.
    """

    FIELDS = (PartField("notes", N_("Notes"), "block"),)

    def __init__(
        self, deal: DealView, *, typed: dict[str, str] | None = None, note: str = ""
    ) -> None:
        # Stored text may hold anything another tool wrote: the box shows it safely, and
        # it is saved only if the user changed it.
        initial = {"notes": display_safe(deal.summary.notes, multiline=True)}
        title = Text(display_safe(deal.summary.title))
        heading = filled(_("Notes on {title}"), {"title": title}, base="bold")
        super().__init__(initial, heading=heading, editing=True, typed=typed, note=note,
                         focus="notes")  # fmt: skip
        self.add_class("notes-form")

    def on_mount(self) -> None:
        """The cursor after the last word: notes usually grow at the end.

        (``PartForm.on_mount`` runs too, and puts the focus in the text area.)
        """
        box = self.query_one("#field-notes", TextArea)
        box.move_cursor(box.document.end)

    def checks(self) -> dict[str, FieldCheck]:
        """The service's check of the notes (their length; control bytes removed)."""
        return {"notes": validation.clean_notes}
