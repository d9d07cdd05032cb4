"""The board's side of the notes section: the editor, the service call, refusals.

The pane asks (``DealPane.NotesAsked``); this opens ``NotesForm`` and saves what it
answers through ``Pipeline.edit_deal(deal_id, notes=…)`` with the version of the deal
the user saw, by the board's ``ChangeRunner``, as the deal form's save does. A refused
save (a conflict, notes the service refuses) opens the editor again with what was typed,
so nothing is lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salesboard.errors import Conflict, InvalidInput
from salesboard.i18n import _
from salesboard.service import DealView, Pipeline
from salesboard.ui.notes_form import NotesForm

if TYPE_CHECKING:
    from salesboard.ui.board_screen import BoardScreen


class NotesEditor:
    """Writes a deal's notes for the board screen."""

    def __init__(self, screen: BoardScreen) -> None:
        self.screen = screen

    def open_form(self, deal: DealView, *, typed: dict[str, str] | None = None,
                  note: str = "") -> None:  # fmt: skip
        """Open the editor on ``deal``'s notes (as the user saw them); save what it answers."""

        def answered(values: dict[str, str] | None) -> None:
            if values:  # None: cancelled; empty: saved without changing anything
                self.save(deal, values["notes"])

        self.screen.app.push_screen(NotesForm(deal, typed=typed, note=note), answered)

    def save(self, deal: DealView, notes: str) -> None:
        """Save the notes as the deal stood when the editor opened."""

        def change(pipeline: Pipeline, version: int | None) -> DealView:
            return pipeline.edit_deal(deal.id, notes=notes, expected_version=version)

        def done(result: DealView, later: bool) -> None:
            self.screen.show_change(result, remote=later)
            told = _("Saved the notes of {title}")
            self.screen.confirm(told.format(title=result.summary.title))

        def refused(error: Exception, later: bool) -> bool:
            if isinstance(error, Conflict):
                self.screen.report_refusal(deal.id, error, later=later)
                self._reopen(deal, notes, conflict=True)
                return True
            if isinstance(error, InvalidInput):
                self._reopen(deal, notes, note=str(error))
                return True
            return False

        what = _("a change to the notes of deal {deal}").format(deal=deal.id)
        self.screen.submit(deal.id, what, change, done, version=deal.version, refused=refused)

    def _reopen(self, seen: DealView, notes: str, *, note: str = "",
                conflict: bool = False) -> None:  # fmt: skip
        """The editor again, over the deal as it is now, with what the user typed kept."""
        from salesboard.ui.board_screen import what_changed

        fresh = self.screen.ctx.pipeline.get_deal(seen.id)
        if conflict:
            note = what_changed(seen, fresh)
        self.open_form(fresh, typed={"notes": notes}, note=note)
