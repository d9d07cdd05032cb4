"""Jobs backed by evidence: a job that can be ticked only once what it claims exists.

"Meeting scheduled" with no meeting, or "allies, enemies and neutral companies
identified" without naming one, is a tick nobody can check. A job in the pipeline
definition may name the evidence it needs; the service asks ``check_tick`` inside the
same write transaction as the tick, with the deal's facts read in that transaction.

Pure Python like ``workflow``: no SQL, no Textual, no IO.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from salesboard.i18n import N_, _, ngettext
from salesboard.substance import ActivityKind
from salesboard.workflow import WorkflowRefusal


class Evidence(StrEnum):
    """What a job can require before it is ticked (a key a pipeline definition names)."""

    MEETING = "meeting"
    """A meeting is planned (done or not)."""
    MEETING_HELD = "meeting-held"
    """A meeting has taken place (marked done)."""
    AGENDA = "agenda"
    """An activity has an agenda written."""
    FOLLOW_UP = "follow-up"
    """A follow-up is planned with a due date."""
    VISIT_HELD = "visit-held"
    """A customer visit has taken place (marked done)."""
    PROBLEM = "problem"
    """At least one problem is recorded."""
    PRICED_PROBLEMS = "priced-problems"
    """At least one problem, and every open problem has a priority and a price."""
    STAKEHOLDER = "stakeholder"
    """At least one stakeholder is named with a stance."""


class Remedy(StrEnum):
    """What a person adds to give a job its evidence: the pane offers exactly this."""

    ACTIVITY = "activity"
    PROBLEM = "problem"
    STAKEHOLDER = "stakeholder"


_NEEDS: Final[dict[Evidence, str]] = {
    Evidence.MEETING: N_("a planned meeting"),
    Evidence.MEETING_HELD: N_("a meeting that took place (marked done)"),
    Evidence.AGENDA: N_("an activity with an agenda"),
    Evidence.FOLLOW_UP: N_("a follow-up with a due date"),
    Evidence.VISIT_HELD: N_("a customer visit that took place (marked done)"),
    Evidence.PROBLEM: N_("at least one problem recorded"),
    Evidence.PRICED_PROBLEMS: N_("problems recorded, each open one with a priority and a price"),
    Evidence.STAKEHOLDER: N_("at least one stakeholder with a stance"),
}

REMEDIES: Final[dict[Evidence, tuple[Remedy, ActivityKind | None]]] = {
    Evidence.MEETING: (Remedy.ACTIVITY, ActivityKind.MEETING),
    Evidence.MEETING_HELD: (Remedy.ACTIVITY, ActivityKind.MEETING),
    Evidence.AGENDA: (Remedy.ACTIVITY, ActivityKind.MEETING),
    Evidence.FOLLOW_UP: (Remedy.ACTIVITY, ActivityKind.FOLLOW_UP),
    Evidence.VISIT_HELD: (Remedy.ACTIVITY, ActivityKind.VISIT),
    Evidence.PROBLEM: (Remedy.PROBLEM, None),
    Evidence.PRICED_PROBLEMS: (Remedy.PROBLEM, None),
    Evidence.STAKEHOLDER: (Remedy.STAKEHOLDER, None),
}
"""For each kind of evidence, what to add (and of which activity kind)."""


def needs_text(evidence: Evidence) -> str:
    """What the evidence is, in the reader's language ("a planned meeting")."""
    return _(_NEEDS[evidence])


def evidence_by_key(key: object) -> Evidence | None:
    """The evidence a stored or imported key names, or None for anything else."""
    return next((e for e in Evidence if e.value == key), None)


@dataclass(frozen=True)
class ActivityFact:
    """What the rules need to know of one activity."""

    kind: ActivityKind
    done: bool
    has_agenda: bool
    has_due: bool = True


@dataclass(frozen=True)
class ProblemFact:
    """What the rules need to know of one problem."""

    open: bool
    prioritised: bool
    priced: bool


@dataclass(frozen=True)
class DealFacts:
    """A deal's activities, problems and stakeholders, as far as evidence goes."""

    activities: tuple[ActivityFact, ...] = ()
    problems: tuple[ProblemFact, ...] = ()
    stakeholders_with_stance: int = 0


def missing(evidence: Evidence, facts: DealFacts) -> str | None:
    """What is missing for ``evidence`` in the reader's language, or None if it exists."""
    acts = facts.activities
    if evidence is Evidence.MEETING:
        found = any(a.kind is ActivityKind.MEETING for a in acts)
        return None if found else _("no meeting is planned for this deal")
    if evidence is Evidence.MEETING_HELD:
        found = any(a.kind is ActivityKind.MEETING and a.done for a in acts)
        return None if found else _("no meeting of this deal is marked done")
    if evidence is Evidence.AGENDA:
        found = any(a.has_agenda for a in acts)
        return None if found else _("no activity of this deal has an agenda")
    if evidence is Evidence.FOLLOW_UP:
        found = any(a.kind is ActivityKind.FOLLOW_UP and a.has_due for a in acts)
        return None if found else _("no follow-up with a due date is planned")
    if evidence is Evidence.VISIT_HELD:
        found = any(a.kind is ActivityKind.VISIT and a.done for a in acts)
        return None if found else _("no customer visit of this deal is marked done")
    if evidence is Evidence.PROBLEM:
        return None if facts.problems else _("no problem is recorded for this deal")
    if evidence is Evidence.PRICED_PROBLEMS:
        if not facts.problems:
            return _("no problem is recorded for this deal")
        unready = [p for p in facts.problems if p.open and not (p.prioritised and p.priced)]
        if not unready:
            return None
        return ngettext(
            "{count} open problem has no priority or no price",
            "{count} open problems have no priority or no price",
            len(unready),
        ).format(count=len(unready))
    assert evidence is Evidence.STAKEHOLDER
    if facts.stakeholders_with_stance:
        return None
    return _("no stakeholder is named with a stance (ally, enemy or neutral)")


class EvidenceRefusal(WorkflowRefusal):
    """A job cannot be ticked yet: what it claims does not exist on the deal."""

    def __init__(self, job_text: str, evidence: Evidence, why: str) -> None:
        self.job_text = job_text
        self.evidence = evidence
        self.why = why
        super().__init__(
            _("'{job}' needs {needs} before it can be ticked: {why}").format(
                job=job_text, needs=needs_text(evidence), why=why
            )
        )

    @property
    def remedy(self) -> tuple[Remedy, ActivityKind | None]:
        """What to add so the tick can be made."""
        return REMEDIES[self.evidence]


def check_tick(job_text: str, evidence: Evidence | None, facts: DealFacts) -> None:
    """Refuse ticking a job whose evidence is missing (``EvidenceRefusal``)."""
    if evidence is None:
        return
    why = missing(evidence, facts)
    if why is not None:
        raise EvidenceRefusal(job_text, evidence, why)
