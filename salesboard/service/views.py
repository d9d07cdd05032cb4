"""Read-only snapshots handed to clients, so no caller ever holds an ORM row or session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from salesboard.money import json_amount
from salesboard.service.part_views import DealParts, NextStep
from salesboard.workflow import Job, Outcome, Stage, Status

UNKNOWN_TIME = datetime(1, 1, 1, tzinfo=UTC)
"""Stands in for a stored time that cannot be read (a damaged row); shown as unknown.

The first moment of the calendar, which no salesboard ever writes (a stored time equal to
it is itself reported as damage)."""


def as_utc(moment: datetime) -> datetime:
    """Give clients aware UTC times, whatever the backend returned."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def money(value_minor: int) -> Decimal:
    """Whole cents → a two-decimal amount in major units."""
    return (Decimal(value_minor) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class JobView:
    """One checklist job with who ticked it and when."""

    stage: Stage
    n: int
    key: str
    text: str
    done: bool
    done_by: str | None
    done_at: datetime | None

    def as_job(self) -> Job:
        """The rule engine's view of this job."""
        return Job(self.stage, self.n, self.text, self.done, self.key)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of a job."""
        return {
            "stage": self.stage.key,
            "stage_label": self.stage.label,
            "n": self.n,
            "key": self.key,
            "text": self.text,
            "done": self.done,
            "done_by": self.done_by,
            "done_at": self.done_at.isoformat() if self.done_at else None,
        }


@dataclass(frozen=True)
class DealSummary:
    """What a list or a card needs: the deal's fields and its current stage's progress."""

    id: int
    title: str
    company: str
    value_minor: int
    currency: str
    owner: str
    stage: Stage
    status: Status
    version: int
    expected_close: date | None
    outcome: Outcome | None
    satisfaction: int | None
    lost_reason: str | None
    notes: str
    stage_entered_at: datetime
    updated_at: datetime
    updated_by: str
    jobs_done: int
    jobs_total: int
    damage: str | None = None
    """Why the stored row cannot be read (``service/rows.py``); then only ``id`` and
    ``title`` are the deal's, every other field is a placeholder."""
    next_step: NextStep | None = None
    """The earliest open activity, where the reader asked for it (cards, lists)."""

    @property
    def value(self) -> Decimal:
        """The value in major units."""
        return money(self.value_minor)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of a deal, without its checklist.

        A damaged deal is ``{"id": …, "title": …, "damaged": "<what is wrong>"}``.
        """
        if self.damage is not None:
            return {"id": self.id, "title": self.title, "damaged": self.damage}
        return {
            "id": self.id,
            "title": self.title,
            "company": self.company,
            "value": json_amount(self.value_minor, self.currency),
            "currency": self.currency,
            "owner": self.owner,
            "stage": self.stage.key,
            "stage_label": self.stage.label,
            "status": self.status.value,
            "version": self.version,
            "expected_close": self.expected_close.isoformat() if self.expected_close else None,
            "outcome": self.outcome.value if self.outcome else None,
            "satisfaction": self.satisfaction,
            "lost_reason": self.lost_reason,
            "notes": self.notes,
            "jobs_done": self.jobs_done,
            "jobs_total": self.jobs_total,
            "next_step": self.next_step.to_json() if self.next_step is not None else None,
        }


@dataclass(frozen=True)
class DealView:
    """One deal in full: its summary plus every stage's checklist."""

    summary: DealSummary
    checklist: tuple[JobView, ...]
    parts: DealParts = field(default_factory=DealParts)
    """Its activities, stakeholders and problems."""

    @property
    def id(self) -> int:
        """The deal id."""
        return self.summary.id

    @property
    def version(self) -> int:
        """The version to pass back as ``expected_version`` on the next change."""
        return self.summary.version

    @property
    def stage(self) -> Stage:
        """The column the deal is in."""
        return self.summary.stage

    @property
    def status(self) -> Status:
        """Open, finished or lost."""
        return self.summary.status

    def jobs(self, stage: Stage | None = None) -> tuple[JobView, ...]:
        """The jobs of one stage (default: the current one), in order."""
        wanted = self.stage if stage is None else stage
        return tuple(j for j in self.checklist if j.stage == wanted)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of a deal, with its whole checklist."""
        data = self.summary.to_json()
        data["checklist"] = [job.to_json() for job in self.checklist]
        data.update(self.parts.to_json())
        return data


@dataclass(frozen=True)
class EventView:
    """One history entry."""

    id: int
    deal_id: int
    at: datetime
    actor: str
    kind: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    damage: str | None = None
    """Why this entry cannot be trusted: it does not parse, or its hash no longer
    matches its content (it was changed after it was written)."""

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of an event (with ``"damaged"`` when it cannot be trusted)."""
        data: dict[str, Any] = {
            "id": self.id,
            "deal_id": self.deal_id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
        }
        if self.damage is not None:
            data["damaged"] = self.damage
        return data
