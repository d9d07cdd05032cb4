"""The board's side of the pane's sections: forms, service calls, refusals.

The pane asks (``DealPane.PartAsked``); this opens the form or the question, then makes
the change through ``Substance`` with the version of the deal the user saw, by the
board's ``ChangeRunner`` (at once, or in a worker while another session holds the lock).
A refused save (a conflict, a value the service refuses) opens the form again with what
was typed, so nothing is lost. A tick refused for missing evidence offers to add it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from salesboard.errors import Conflict, InvalidInput
from salesboard.evidence import EvidenceRefusal, Remedy
from salesboard.i18n import _
from salesboard.service import DealView, Pipeline
from salesboard.service.part_views import ActivityView, ProblemView, StakeholderView
from salesboard.service.substance import PartChanged, Substance
from salesboard.substance import ActivityKind
from salesboard.ui.confirm import Confirm
from salesboard.ui.part_forms import NONE, ActivityForm, PartForm, ProblemForm, StakeholderForm

if TYPE_CHECKING:
    from salesboard.ui.board_screen import BoardScreen
    from salesboard.ui.pane import DealPane

Part = ActivityView | StakeholderView | ProblemView


def find_part(deal: DealView, kind: Remedy, part_id: int | None) -> Part | None:
    """The activity, stakeholder or problem ``part_id`` of ``deal``, if it has it."""
    parts = deal.parts
    every: dict[Remedy, tuple[Part, ...]] = {
        Remedy.ACTIVITY: parts.activities,
        Remedy.STAKEHOLDER: parts.stakeholders,
        Remedy.PROBLEM: parts.problems,
    }
    shown = every[kind]
    return next((part for part in shown if part.id == part_id), None)


def part_name(part: Part) -> str:
    """What a part is called in a message: its title, name or description."""
    if isinstance(part, ActivityView):
        return part.title
    if isinstance(part, StakeholderView):
        return part.name
    return part.description


def service_values(values: dict[str, str]) -> dict[str, Any]:
    """A form's answer as the service takes it (no priority, no price, solved or not)."""
    found: dict[str, Any] = dict(values)
    if "priority" in found and found["priority"] in ("", NONE):
        found["priority"] = None
    if "price" in found and not found["price"].strip():
        found["price"] = None
    if "solved" in found:
        found["solved"] = found["solved"] == "yes"
    return found


def _offer(kind: Remedy, activity: ActivityKind | None) -> str:
    """The question that offers what a refused tick lacks."""
    if kind is Remedy.PROBLEM:
        return _("Add a problem now?")
    if kind is Remedy.STAKEHOLDER:
        return _("Add a stakeholder now?")
    if activity is ActivityKind.FOLLOW_UP:
        return _("Plan a follow-up now?")
    if activity is ActivityKind.VISIT:
        return _("Plan a visit now?")
    if activity is ActivityKind.MEETING:
        return _("Plan a meeting now?")
    return _("Plan an activity now?")


def _save(
    substance: Substance,
    deal_id: int,
    kind: Remedy,
    part_id: int | None,
    values: dict[str, Any],
    version: int | None,
) -> PartChanged:
    """Add (``part_id`` None) or edit one part through the service."""
    v = version
    if part_id is None:
        if kind is Remedy.ACTIVITY:
            return substance.add_activity(deal_id, expected_version=v, **values)
        if kind is Remedy.STAKEHOLDER:
            name = values.pop("name")
            return substance.add_stakeholder(deal_id, name, expected_version=v, **values)
        described = values.pop("description")
        return substance.add_problem(deal_id, described, expected_version=v, **values)
    if kind is Remedy.ACTIVITY:
        return substance.edit_activity(part_id, expected_version=v, **values)
    if kind is Remedy.STAKEHOLDER:
        return substance.edit_stakeholder(part_id, expected_version=v, **values)
    return substance.edit_problem(part_id, expected_version=v, **values)


class PartEditor:
    """Adds, edits, marks and removes a deal's parts for the board screen."""

    def __init__(self, screen: BoardScreen) -> None:
        self.screen = screen

    def asked(self, message: DealPane.PartAsked) -> None:
        """Do what a key in one of the pane's sections asked for."""
        if self.screen._refuse_read_only():
            return
        deal, kind, part_id = message.deal, message.kind, message.part_id
        if message.action == "add":
            self.open_form(deal, kind, None)
            return
        part = find_part(deal, kind, part_id)
        if part is None:
            return
        if message.action == "edit":
            self.open_form(deal, kind, part)
        elif message.action == "toggle":
            self.toggle(deal, part)
        else:
            self.remove(deal, kind, part)

    # ----------------------------------------------------------------- forms

    def open_form(
        self,
        deal: DealView,
        kind: Remedy,
        part: Part | None,
        *,
        typed: dict[str, str] | None = None,
        note: str = "",
        activity: ActivityKind | None = None,
        then: Callable[[DealView], None] | None = None,
    ) -> None:
        """Open the form of a new part (``part`` None) or of ``part``; save what it answers.

        ``then`` is called with the deal once the part is saved (a refused tick retried).
        """
        ctx = self.screen.ctx
        form: PartForm
        if kind is Remedy.ACTIVITY:
            assert part is None or isinstance(part, ActivityView)
            form = ActivityForm(part, now=ctx.clock(), owner=ctx.user, kind=activity,
                                typed=typed, note=note)  # fmt: skip
        elif kind is Remedy.STAKEHOLDER:
            assert part is None or isinstance(part, StakeholderView)
            form = StakeholderForm(part, typed=typed, note=note)
        else:
            assert part is None or isinstance(part, ProblemView)
            form = ProblemForm(part, currency=deal.summary.currency, typed=typed, note=note)

        def answered(values: dict[str, str] | None) -> None:
            if values:  # None: cancelled; empty: saved without changing anything
                self.save(deal, kind, part, values, then=then)

        self.screen.app.push_screen(form, answered)

    def save(
        self,
        deal: DealView,
        kind: Remedy,
        part: Part | None,
        typed: dict[str, str],
        *,
        then: Callable[[DealView], None] | None = None,
    ) -> None:
        """Add or change a part as the deal stood when its form opened."""
        part_id = None if part is None else part.id
        saved: list[int] = []

        def change(pipeline: Pipeline, version: int | None) -> DealView:
            values = service_values(typed)
            result = _save(Substance(pipeline), deal.id, kind, part_id, values, version)
            saved.append(result.part_id)
            return result.deal

        def done(result: DealView, later: bool) -> None:
            self.screen.show_change(result, remote=later)
            if saved:
                self._select(result.id, kind, saved[0])
            shown = find_part(result, kind, saved[0] if saved else None)
            name = part_name(shown) if shown is not None else ""
            told = _("Added: {what}") if part is None else _("Saved: {what}")
            self.screen.confirm(told.format(what=name))
            if then is not None and not later:
                then(result)

        def refused(error: Exception, later: bool) -> bool:
            if isinstance(error, Conflict):
                self.screen.report_refusal(deal.id, error, later=later)
                self._reopen(deal, kind, part, typed, conflict=True)
                return True
            if isinstance(error, InvalidInput):
                self._reopen(deal, kind, part, typed, note=str(error))
                return True
            return False

        self.screen.submit(deal.id, self._what(kind, deal.id), change, done,
                           version=deal.version, refused=refused)  # fmt: skip

    def _reopen(
        self,
        seen: DealView,
        kind: Remedy,
        part: Part | None,
        typed: dict[str, str],
        *,
        note: str = "",
        conflict: bool = False,
    ) -> None:
        """The form again, over the deal as it is now, with what the user typed kept."""
        from salesboard.ui.board_screen import what_changed

        fresh = self.screen.ctx.pipeline.get_deal(seen.id)
        if conflict:
            note = what_changed(seen, fresh)
        now = None if part is None else find_part(fresh, kind, part.id)
        if part is not None and now is None:
            note = _("Someone removed it meanwhile; saving adds it again.") + "\n" + note
        self.open_form(fresh, kind, now, typed=typed, note=note.strip())

    # --------------------------------------------------------- done, remove

    def toggle(self, deal: DealView, part: Part) -> None:
        """Mark an activity done or open again, a problem solved or open again."""
        if isinstance(part, StakeholderView):
            return
        if isinstance(part, ActivityView):
            kind = Remedy.ACTIVITY
            told = _("Open again: {what}") if part.done else _("Done: {what}")
        else:
            kind = Remedy.PROBLEM
            told = _("Open again: {what}") if not part.open else _("Solved: {what}")

        def change(pipeline: Pipeline, version: int | None) -> DealView:
            substance = Substance(pipeline)
            if isinstance(part, ActivityView):
                result = substance.set_activity_done(part.id, not part.done,
                                                     expected_version=version)  # fmt: skip
            else:
                result = substance.edit_problem(part.id, solved=part.open,
                                                expected_version=version)  # fmt: skip
            return result.deal

        def done(result: DealView, later: bool) -> None:
            self.screen.show_change(result, remote=later)
            self.screen.confirm(told.format(what=part_name(part)))

        self.screen.submit(deal.id, self._what(kind, deal.id), change, done, version=deal.version)

    def remove(self, deal: DealView, kind: Remedy, part: Part) -> None:
        """Ask first; then take the part off the deal (its history keeps it)."""
        name = part_name(part)
        question = {
            Remedy.ACTIVITY: _("Remove the activity \u201c{what}\u201d?"),
            Remedy.STAKEHOLDER: _("Remove the stakeholder \u201c{what}\u201d?"),
            Remedy.PROBLEM: _("Remove the problem \u201c{what}\u201d?"),
        }[kind].format(what=name)
        kept = _("The deal's history keeps what it held.")

        def change(pipeline: Pipeline, version: int | None) -> DealView:
            substance = Substance(pipeline)
            remove = {
                Remedy.ACTIVITY: substance.remove_activity,
                Remedy.STAKEHOLDER: substance.remove_stakeholder,
                Remedy.PROBLEM: substance.remove_problem,
            }[kind]
            return remove(part.id, expected_version=version).deal

        def done(result: DealView, later: bool) -> None:
            self.screen.show_change(result, remote=later)
            self.screen.confirm(_("Removed: {what}").format(what=name))

        def answered(yes: bool | None) -> None:
            if yes:
                self.screen.submit(deal.id, self._what(kind, deal.id), change, done,
                                   version=deal.version)  # fmt: skip

        confirm = Confirm(f"{question}\n\n{kept}", yes=_("Remove"), no=_("Keep it"))
        self.screen.app.push_screen(confirm, answered)

    # ------------------------------------------------------------- evidence

    def offer_evidence(
        self,
        deal: DealView,
        error: Exception,
        later: bool,
        retry: Callable[[DealView], None] | None = None,
    ) -> bool:
        """A tick refused for missing evidence: say why and offer to add what is missing.

        Yes opens the right form (a meeting, a follow-up, a problem, a stakeholder);
        once it is saved, ``retry`` ticks the job again (what the user asked for in the
        first place). A refusal that came after a wait for the database, or of a retry, is
        only told: a question popping up later, or twice, would surprise.
        """
        if not isinstance(error, EvidenceRefusal):
            return False
        if later or retry is None:
            self.screen.say(str(error), title=_("Not ticked"), severity="warning", timeout=8)
            return True
        kind, activity = error.remedy
        question = f"{error}\n\n{_offer(kind, activity)}"

        def answered(yes: bool | None) -> None:
            if yes:
                fresh = self.screen.ctx.pipeline.get_deal(deal.id)
                self.open_form(fresh, kind, None, activity=activity, then=retry)

        confirm = Confirm(question, yes=_("Add it"), no=_("Not now"))
        self.screen.app.push_screen(confirm, answered)
        return True

    # --------------------------------------------------------------- helpers

    def _select(self, deal_id: int, kind: Remedy, part_id: int) -> None:
        """Highlight a part just saved in every pane showing its deal.

        The keys stay where they are: after adding what a refused tick lacked, Space on
        the job ticks it.
        """
        for pane in (self.screen.pane, self.screen._modal_pane()):
            if pane is not None and pane.deal is not None and pane.deal.id == deal_id:
                pane.select_part(kind, part_id)

    @staticmethod
    def _what(kind: Remedy, deal_id: int) -> str:
        """The change as the status line names it while it waits for the database."""
        what = {
            Remedy.ACTIVITY: _("a change to the activities of deal {deal}"),
            Remedy.STAKEHOLDER: _("a change to the stakeholders of deal {deal}"),
            Remedy.PROBLEM: _("a change to the problems of deal {deal}"),
        }[kind]
        return what.format(deal=deal_id)
