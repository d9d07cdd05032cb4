"""Read-only snapshots of a deal's activities, stakeholders and problems, for clients."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salesboard.evidence import ActivityFact, DealFacts, ProblemFact
from salesboard.money import json_amount
from salesboard.substance import (
    PRIORITY_ORDER,
    STANCE_ORDER,
    ActivityKind,
    Influence,
    Priority,
    ProblemStatus,
    Stance,
    priority_rank,
)


def _visible(text: str) -> bool:
    """Whether a text shows anything: an agenda of invisible characters is no agenda."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Mn") for c in text)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True)
class ActivityView:
    """One meeting, call, visit, follow-up or task of a deal."""

    id: int
    deal_id: int
    kind: ActivityKind
    title: str
    due_at: datetime
    """When it is due, aware UTC (shown in the user's zone)."""
    owner: str
    agenda: str
    notes: str
    done_by: str | None
    done_at: datetime | None
    created_by: str
    created_at: datetime

    @property
    def done(self) -> bool:
        """Whether it has been done (it is then no longer anyone's next step)."""
        return self.done_at is not None

    def overdue(self, now: datetime) -> bool:
        """Still open past its due time."""
        return not self.done and self.due_at < now

    def fact(self) -> ActivityFact:
        """What the evidence rules need to know of it."""
        return ActivityFact(self.kind, self.done, _visible(self.agenda))

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of an activity (times ISO 8601 in UTC)."""
        return {
            "id": self.id,
            "deal_id": self.deal_id,
            "kind": self.kind.value,
            "title": self.title,
            "due": self.due_at.isoformat(),
            "owner": self.owner,
            "agenda": self.agenda,
            "notes": self.notes,
            "done": self.done,
            "done_by": self.done_by,
            "done_at": _iso(self.done_at),
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class NextStep:
    """A deal's earliest open activity: what happens next, and when."""

    activity_id: int
    kind: ActivityKind
    title: str
    due_at: datetime

    def overdue(self, now: datetime) -> bool:
        """Its due time has passed."""
        return self.due_at < now

    def to_json(self) -> dict[str, Any]:
        """``{"id", "kind", "title", "due"}``; the shape ``list --json`` documents."""
        return {
            "id": self.activity_id,
            "kind": self.kind.value,
            "title": self.title,
            "due": self.due_at.isoformat(),
        }


@dataclass(frozen=True)
class StakeholderView:
    """A person or organisation around a deal."""

    id: int
    deal_id: int
    name: str
    organisation: str
    role: str
    stance: Stance
    influence: Influence
    notes: str
    email: str
    phone: str
    created_by: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of a stakeholder."""
        return {
            "id": self.id,
            "deal_id": self.deal_id,
            "name": self.name,
            "organisation": self.organisation,
            "role": self.role,
            "stance": self.stance.value,
            "influence": self.influence.value,
            "notes": self.notes,
            "email": self.email,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class ProblemView:
    """A problem Discovery found, with its priority and price once known."""

    id: int
    deal_id: int
    description: str
    priority: Priority | None
    price_minor: int | None
    currency: str
    status: ProblemStatus
    created_by: str
    created_at: datetime

    @property
    def open(self) -> bool:
        """Not solved yet."""
        return self.status is ProblemStatus.OPEN

    def fact(self) -> ProblemFact:
        """What the evidence rules need to know of it."""
        return ProblemFact(self.open, self.priority is not None, self.price_minor is not None)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of a problem (price a decimal string, or null)."""
        return {
            "id": self.id,
            "deal_id": self.deal_id,
            "description": self.description,
            "priority": self.priority.value if self.priority else None,
            "price": (
                json_amount(self.price_minor, self.currency)
                if self.price_minor is not None
                else None
            ),
            "currency": self.currency,
            "status": self.status.value,
        }


def next_step_of(activities: Iterable[ActivityView]) -> NextStep | None:
    """The earliest open activity (ties: the one made first), or None."""
    open_ones = [a for a in activities if not a.done]
    if not open_ones:
        return None
    first = min(open_ones, key=lambda a: (a.due_at, a.id))
    return NextStep(first.id, first.kind, first.title, first.due_at)


@dataclass(frozen=True)
class DealParts:
    """Everything around one deal beyond its checklist, in the order it is shown."""

    activities: tuple[ActivityView, ...] = ()
    """Open ones by due time first, then done ones, latest first."""
    stakeholders: tuple[StakeholderView, ...] = ()
    """Grouped by stance (allies, enemies, neutral), then by name."""
    problems: tuple[ProblemView, ...] = ()
    """Open ones by priority (unset last), then solved ones."""
    damaged: tuple[str, ...] = ()
    """Rows that cannot be read, each told in one line (left out of the lists above)."""

    @property
    def next_step(self) -> NextStep | None:
        """The deal's next step."""
        return next_step_of(self.activities)

    def facts(self) -> DealFacts:
        """What the evidence rules see."""
        return DealFacts(
            tuple(a.fact() for a in self.activities),
            tuple(p.fact() for p in self.problems),
            len(self.stakeholders),
        )

    def by_stance(self) -> list[tuple[Stance, tuple[StakeholderView, ...]]]:
        """The stakeholders grouped under each stance that has any."""
        return [
            (stance, group)
            for stance in STANCE_ORDER
            for group in (tuple(s for s in self.stakeholders if s.stance is stance),)
            if group
        ]

    def problem_totals(self) -> dict[str, int]:
        """What the open problems are priced at, per currency (never added across)."""
        totals: dict[str, int] = {}
        for problem in self.problems:
            if problem.open and problem.price_minor is not None:
                totals[problem.currency] = totals.get(problem.currency, 0) + problem.price_minor
        return totals

    def to_json(self) -> dict[str, Any]:
        """The keys ``show --json`` adds to a deal."""
        step = self.next_step
        return {
            "activities": [a.to_json() for a in self.activities],
            "stakeholders": [s.to_json() for s in self.stakeholders],
            "problems": [p.to_json() for p in self.problems],
            "next_step": step.to_json() if step is not None else None,
        }


def ordered_activities(found: Iterable[ActivityView]) -> tuple[ActivityView, ...]:
    """Open activities by due time, then done ones with the latest done first."""
    items = list(found)
    open_ones = sorted((a for a in items if not a.done), key=lambda a: (a.due_at, a.id))
    done = sorted((a for a in items if a.done), key=lambda a: (a.done_at or a.due_at, a.id))
    return (*open_ones, *reversed(done))


def ordered_stakeholders(found: Iterable[StakeholderView]) -> tuple[StakeholderView, ...]:
    """Allies, enemies, neutral; within each by name (case-folded), then id."""
    return tuple(
        sorted(found, key=lambda s: (STANCE_ORDER.index(s.stance), s.name.casefold(), s.id))
    )


def ordered_problems(found: Iterable[ProblemView]) -> tuple[ProblemView, ...]:
    """Open problems by priority (high first, unset last), solved ones after; then id."""
    return tuple(sorted(found, key=lambda p: (not p.open, priority_rank(p.priority), p.id)))


__all__ = [
    "PRIORITY_ORDER",
    "ActivityView",
    "DealParts",
    "NextStep",
    "ProblemView",
    "StakeholderView",
    "next_step_of",
    "ordered_activities",
    "ordered_problems",
    "ordered_stakeholders",
]
