"""What "days in stage" means, worked out from where a deal has been.

**Days in stage count every day the deal has spent open in the stage it is in now, over
all its visits.** A move back and straight forward again adds only the minutes spent
away, so a stale deal never looks fresh by being nudged; the days a deal spent in a
later stage, or lost or finished, do not count for the stage it returns to.

The rule is kept as one moment per deal, the stage clock's start (``now`` minus the time
already spent in the stage): the card's "12d" and the sort "days in stage" read it, and
it is set again only when the deal enters a stage or is reopened.

Pure Python: the service feeds it the deal's stage history from the event log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from salesboard.workflow import Stage


@dataclass(frozen=True)
class Visit:
    """From ``at`` on, the deal was open in ``stage`` (``None``: it left the board)."""

    at: datetime
    stage: Stage | None


def time_spent(visits: Iterable[Visit], stage: Stage, until: datetime) -> timedelta:
    """How long the deal was open in ``stage`` up to ``until``, over all its visits.

    Visits come in the order they happened. A visit that ends before it starts (clocks of
    two machines a little apart) counts as nothing, never as negative time, nothing
    counts after ``until`` or before the first visit (the deal's creation), and the total
    is never more than the deal's age, whatever times a damaged history holds.
    """
    history = list(visits)
    if not history:
        return timedelta()
    born = history[0].at
    age = max(timedelta(), until - born)
    spent = timedelta()
    current: Stage | None = None
    since = until
    for visit in [*history, Visit(until, None)]:
        if current is stage:
            stay = min(visit.at, until) - max(since, born)
            spent = min(age, spent + max(timedelta(), stay))
        current, since = visit.stage, visit.at
    return spent


def clock_start(visits: Iterable[Visit], stage: Stage, now: datetime) -> datetime:
    """The moment the deal's days in ``stage`` count from, as it enters ``stage`` now.

    ``visits`` is the deal's history before this entry; the time it already spent in
    ``stage`` is carried over, so the card keeps showing the deal's real age there.
    """
    return now - time_spent(visits, stage, now)
