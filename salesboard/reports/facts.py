"""The plain facts every report works on, and the arithmetic they share.

Pure Python (no SQL, no terminal): a test writes a small pipeline and event log out as
these objects and checks every figure by hand. ``source`` reads the same objects from a
database.

The rules the reports share, decided once here:

- **Money** is whole hundredths of the team's base currency (``in_base``): a deal whose
  currency has no rate has ``in_base = None`` and is counted apart, never guessed.
- **Weighted value** is the deal's value times its current stage's win probability,
  rounded to the cent per deal (half to even), so months always add up to their total.
- **Days** are exact elapsed time divided by 24 hours; they are rounded to one decimal
  only when shown.
- **A period** is a range of calendar days in the user's time zone, both ends included;
  an event belongs to it when its local day does. The default is the current quarter.
- **Percentiles** are nearest-rank (the smallest value with at least p % of the values
  at or below it); the median is the middle value, or the mean of the two middle ones.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, NamedTuple, Protocol

from salesboard.definition import PipelineDefinition
from salesboard.errors import InvalidInput
from salesboard.i18n import _
from salesboard.validation import display_safe
from salesboard.workflow import EventKind, Outcome, Stage, Status

DAY = timedelta(days=1)
FIRST_YEAR = 1900
LAST_YEAR = 9998
"""Periods lie within these years (as due times do): every date a report works out from
them (the day after, the next month, the quarter) stays inside the calendar."""


@dataclass(frozen=True)
class DealFact:
    """One deal as the reports see it: what it is worth, where it is, how it ended."""

    id: int
    title: str
    owner: str
    stage: Stage
    status: Status
    value_minor: int
    currency: str
    in_base: int | None
    """The value in the base currency (hundredths), None when its currency has no rate."""
    expected_close: date | None
    created_at: datetime
    stage_since: datetime
    """Where its days in the current stage count from (the board's stage clock)."""
    outcome: Outcome | None = None
    satisfaction: int | None = None
    lost_reason: str | None = None
    next_due: datetime | None = None
    """When its next step (earliest open activity) is due; None: it has no next step."""


class Move(NamedTuple):
    """One event that put a deal into a stage or took it off the board.

    ``kind`` is CREATED, ADVANCED, MOVED_BACK, LOST, FINISHED or REOPENED; ``stage`` is
    the stage the deal is in after it (for LOST and FINISHED: the stage it left from).
    A tuple, not a dataclass: tens of thousands are made for one report.
    """

    at: datetime
    kind: EventKind
    stage: Stage


@dataclass(frozen=True)
class Facts:
    """Everything a report needs: the deals, their moves in order, the pipeline, the clock."""

    deals: tuple[DealFact, ...]
    moves: Mapping[int, tuple[Move, ...]]
    """Each deal's moves, oldest first (a deal without any has an empty tuple or none)."""
    pipeline: PipelineDefinition
    base: str
    now: datetime
    zone: tzinfo | None = None
    """The user's time zone: periods, months and "today" are its calendar days (None: the
    system's own rules, ``TZ`` included, summer time and all)."""
    damaged: tuple[tuple[int, str], ...] = field(default=())
    """Deals whose rows could not be read, left out of every figure: (id, why)."""

    @property
    def today(self) -> date:
        """The user's calendar day now."""
        return local_day(self.now, self.zone)

    def moves_of(self, deal_id: int) -> tuple[Move, ...]:
        """One deal's moves, oldest first."""
        return tuple(self.moves.get(deal_id, ()))

    def local_day(self, moment: datetime) -> date:
        """The user's calendar day of a stored (UTC) moment."""
        return local_day(moment, self.zone)

    def check_owner(self, owner: str | None) -> None:
        """Refuse an owner no deal has ever had: a typo must not read as "all clear".

        An empty database refuses nothing (there is no one to check against).
        """
        if owner is None or not self.deals:
            return
        owners = sorted({deal.owner for deal in self.deals})
        if owner in owners:
            return
        named = ", ".join(display_safe(name) for name in owners[:10])
        if len(owners) > 10:
            named += ", …"
        raise InvalidInput(
            _("no deal is owned by {owner}; the owners are {owners}").format(
                owner=repr(display_safe(owner)), owners=named
            )
        )

    def of_owner(self, owner: str | None) -> Facts:
        """The same facts narrowed to one owner's deals (None: everyone's)."""
        if owner is None:
            return self
        deals = tuple(deal for deal in self.deals if deal.owner == owner)
        kept = {deal.id for deal in deals}
        moves = {i: found for i, found in self.moves.items() if i in kept}
        return Facts(deals, moves, self.pipeline, self.base, self.now, self.zone, self.damaged)


@dataclass(frozen=True)
class Period:
    """Calendar days from ``first`` to ``last``, both included, in the user's time zone."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a period cannot end before it starts")
        if self.first.year < FIRST_YEAR or self.last.year > LAST_YEAR:
            raise ValueError(f"a period lies within the years {FIRST_YEAR} to {LAST_YEAR}")

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        """The calendar quarter ``day`` falls in."""
        start_month = 3 * ((day.month - 1) // 3) + 1
        first = date(day.year, start_month, 1)
        return cls(first, add_months(first, 3) - DAY)

    def holds(self, day: date) -> bool:
        """Whether a calendar day is in the period."""
        return self.first <= day <= self.last

    def months(self) -> list[date]:
        """The first day of every month the period touches, in order."""
        month = self.first.replace(day=1)
        found: list[date] = []
        while month <= self.last:
            found.append(month)
            month = add_months(month, 1)
        return found

    def start_at(self, zone: tzinfo | None) -> datetime:
        """The period's first moment (local midnight), in UTC."""
        return local_midnight(self.first, zone)

    def end_at(self, zone: tzinfo | None) -> datetime:
        """The moment just after the period (local midnight after ``last``), in UTC."""
        return local_midnight(self.last + DAY, zone)


def local_day(moment: datetime, zone: tzinfo | None) -> date:
    """The calendar day of a moment in ``zone`` (None: the system's time zone)."""
    return (moment.astimezone(zone) if zone is not None else moment.astimezone()).date()


def local_midnight(day: date, zone: tzinfo | None) -> datetime:
    """The first moment of a calendar day in ``zone`` (None: the system's), in UTC."""
    naive = datetime(day.year, day.month, day.day)
    local = naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()
    return local.astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_key(day: date) -> str:
    """``2027-01``: a month as JSON, CSV and the charts name it."""
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: date) -> str:
    """``2027-Q1``: the quarter a day falls in."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def weighted(in_base: int, win_probability: int) -> int:
    """A value times a win probability in percent, rounded to the cent (half to even)."""
    exact = Decimal(in_base) * win_probability / 100
    return int(exact.to_integral_value(ROUND_HALF_EVEN))


def days(span: timedelta) -> Decimal:
    """Elapsed time in days, exactly (never negative: clocks a little apart count as 0)."""
    micro = max(0, span // timedelta(microseconds=1))
    return Decimal(micro) / Decimal(86_400_000_000)


def shown_days(value: Decimal) -> Decimal:
    """Days rounded to one decimal for showing (half to even)."""
    return value.quantize(Decimal("0.1"), ROUND_HALF_EVEN)


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The middle value (the mean of the two middle ones), None for no values.

    The mean is kept between the two middle values: two equal days with more digits than
    the decimal context keeps added up rounded, and their "mean" came out one digit in
    the last place above both (a median above the 80th percentile).
    """
    if not values:
        return None
    ordered = sorted(values)
    low, high = ordered[(len(ordered) - 1) // 2], ordered[len(ordered) // 2]
    if low == high:
        return Decimal(low)
    return min(max(Decimal(statistics.mean((low, high))), low), high)


def percentile(values: Sequence[Decimal], percent: int) -> Decimal | None:
    """The nearest-rank percentile: the value at rank ceil(p/100 × n), None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent * len(ordered) / 100))
    return ordered[rank - 1]


def ratio(part: int, whole: int) -> Decimal | None:
    """``part / whole`` exactly (to six places), None when there is nothing to divide."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)


def cents(value: Decimal) -> int:
    """An exact amount in hundredths rounded to a whole cent (half to even)."""
    return int(value.to_integral_value(ROUND_HALF_EVEN))


class Table(NamedTuple):
    """A report's figures as a plain table of words: the CLI and the board draw it.

    ``right`` holds the indexes of columns of figures (aligned right); ``notes`` are
    lines said under the table (deals counted apart, an empty period); ``give_way`` the
    text columns to narrow first where the table is too wide (then the widest ones).
    """

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    right: frozenset[int] = frozenset()
    notes: tuple[str, ...] = ()
    give_way: tuple[int, ...] = ()


class Report(Protocol):
    """What every report gives: exact JSON, CSV rows and tables of words."""

    def to_json(self) -> dict[str, Any]:
        """The report for scripts: money as decimal strings, days and dates as ISO."""
        ...

    def csv_rows(self) -> list[list[str]]:
        """The report for spreadsheets: a header row of JSON keys, then plain values."""
        ...

    def tables(self) -> list[Table]:
        """The report for people, in the language in force."""
        ...
