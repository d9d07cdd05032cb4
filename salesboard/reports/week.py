"""The week's changes to deals, and the deals as they stood before them.

The weekly digest says what moved and how the forecast changed since a week ago. Both
come from the event log: the changes to deals since a moment (read-only, one query), and
the deals as they stood at that moment, found by taking those changes back one by one,
newest first, with the values each event recorded as ``before``:

- **created** in the week: the deal did not exist yet;
- **advanced**, **moved back**: it was in the stage ``before`` names;
- **lost**, **finished**, **reopened**: it had the status ``before`` names (its stage is
  kept by all three);
- **edited**: it had the value, currency, expected close date, owner and title ``before``
  holds (only the fields that changed are recorded).

Job ticks and a deal's activities, stakeholders and problems change none of what the
forecast counts and are not read. An event that cannot be read (damaged time or JSON), or
a ``before`` value of the wrong type, is passed over: the deal is taken as it stands.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final

from salesboard.reports.facts import DealFact
from salesboard.workflow import EventKind, Stage, Status

DEAL_KINDS: Final = (
    EventKind.CREATED,
    EventKind.EDITED,
    EventKind.ADVANCED,
    EventKind.MOVED_BACK,
    EventKind.LOST,
    EventKind.FINISHED,
    EventKind.REOPENED,
)
"""The kinds of event that change what the digest counts."""
_KINDS: Final = {kind.value: kind for kind in DEAL_KINDS}
_STAGES: Final = {stage.key: stage for stage in Stage}
_STATUSES: Final = {status.value: status for status in Status}


@dataclass(frozen=True)
class Change:
    """One event of a deal in the week: when, who, what kind, and what it recorded."""

    id: int
    deal_id: int
    at: datetime
    actor: str
    kind: EventKind
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


def read_changes(db: Any, since: datetime) -> tuple[Change, ...]:
    """The changes to deals at or after ``since`` (aware UTC), oldest first.

    ``db`` is a ``salesboard.store.Database``; the events are read raw and checked as every
    stored row is (``salesboard.service.rows``), and one that cannot be read is left out.
    """
    from sqlalchemy import select

    from salesboard.service import rows
    from salesboard.store import Event

    columns: Any = Event.__table__.c  # type: ignore[attr-defined]
    query = (
        select(
            columns.id,
            columns.deal_id,
            rows.raw(columns.at, "at"),
            columns.actor,
            columns.kind,
            rows.raw(columns.before, "before"),
            rows.raw(columns.after, "after"),
        )
        .where(columns.kind.in_(list(_KINDS)), columns.at >= since)
        .order_by(columns.id)
    )
    found: list[Change] = []
    with db.read() as session:
        for row in session.connection().execute(query):
            try:
                found.append(
                    Change(
                        id=rows.whole(row.id, "id", 1, 2**63 - 1),
                        deal_id=rows.whole(row.deal_id, "deal_id", 1, 2**63 - 1),
                        at=rows.moment(row.at, "at"),
                        actor=rows.text(row.actor),
                        kind=_KINDS[row.kind],
                        before=rows.json_object(row.before, "before"),
                        after=rows.json_object(row.after, "after"),
                    )
                )
            except (rows.Damaged, KeyError):
                continue
    return tuple(found)


def as_they_stood(
    deals: Iterable[DealFact],
    changes: Iterable[Change],
    convert: Callable[[int, str], int | None],
) -> tuple[DealFact, ...]:
    """The deals as they stood before ``changes``, taken back newest first.

    ``convert(value_minor, currency) -> int | None`` gives a value in the base currency
    (``Rates.convert``: today's rates, so that a change of rate is not taken for a change
    of the pipeline). Deals created by one of the changes are left out.
    """
    stood: dict[int, DealFact | None] = {deal.id: deal for deal in deals}
    for change in sorted(changes, key=lambda change: change.id, reverse=True):
        deal = stood.get(change.deal_id)
        if deal is None:
            continue
        stood[change.deal_id] = _undone(deal, change)
    found: list[DealFact] = []
    for deal in stood.values():
        if deal is None:
            continue
        in_base = convert(deal.value_minor, deal.currency)
        found.append(deal if in_base == deal.in_base else replace(deal, in_base=in_base))
    return tuple(found)


def _undone(deal: DealFact, change: Change) -> DealFact | None:
    """The deal as it was before one change (None: before it was created)."""
    before = change.before or {}
    kind = change.kind
    if kind is EventKind.CREATED:
        return None
    if kind in (EventKind.ADVANCED, EventKind.MOVED_BACK):
        key = before.get("stage")
        stage = _STAGES.get(key) if isinstance(key, str) else None
        return deal if stage is None else replace(deal, stage=stage)
    if kind in (EventKind.LOST, EventKind.FINISHED, EventKind.REOPENED):
        raw = before.get("status")
        status = _STATUSES.get(raw) if isinstance(raw, str) else None
        return deal if status is None else replace(deal, status=status)
    if kind is EventKind.EDITED:
        return _unedited(deal, before)
    return deal


def _unedited(deal: DealFact, before: Mapping[str, Any]) -> DealFact:
    """The fields an edit changed, as they were; values of the wrong type are passed over."""
    fields: dict[str, Any] = {}
    value = before.get("value_minor")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        fields["value_minor"] = value
    for name in ("currency", "owner", "title"):
        text = before.get(name)
        if isinstance(text, str):
            fields[name] = text
    if "expected_close" in before:
        close = before["expected_close"]
        if close is None:
            fields["expected_close"] = None
        elif isinstance(close, str):
            with contextlib.suppress(ValueError):
                fields["expected_close"] = date.fromisoformat(close)
    return replace(deal, **fields) if fields else deal
