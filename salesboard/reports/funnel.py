"""The funnel: of the deals that entered each stage in the period, what became of them.

For each of the six stages S, the **cohort** is the deals that entered S by a forward
move (created, for the first stage; advanced into S, for the others) at least once on a
day of the period, in the user's time zone. Each deal counts once per stage, judged from
its first such entry in the period:

- **advanced**: a later move took it from S to the next stage (for the last stage: it was
  finished), at any time up to now;
- else **lost**: it is lost now and its last move was being lost from S;
- else **still**: it is open in S now;
- else **elsewhere**: moved back and still in an earlier stage, lost from another stage,
  and so on. advanced + lost + still + elsewhere = entered.

**Conversion** is advanced ÷ entered (none when nothing entered). **Days in stage** are
measured over the cohort deals that are no longer open in S: each one's total time open
in S over all its visits up to now (``stage_clock.time_spent``), the median and the
80th percentile (nearest rank) of those totals, and how many there were (``samples``).

Overall, ``created`` is the first stage's cohort, ``won`` how many of those are finished
now and ``win_conversion`` their ratio.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from salesboard.calendar_text import day_text
from salesboard.i18n import _, ngettext
from salesboard.reports.facts import (
    DealFact,
    Facts,
    Move,
    Period,
    Table,
    days,
    median,
    percentile,
    ratio,
    shown_days,
)
from salesboard.reports.words import days_text, percent_text
from salesboard.stage_clock import Visit, time_spent
from salesboard.workflow import LAST_STAGE, EventKind, Stage, Status

_ENTRIES: Final = frozenset({EventKind.CREATED, EventKind.ADVANCED})
"""The forward moves that put a deal into a stage (a new deal starts in the first)."""
_OFF_BOARD: Final = frozenset({EventKind.LOST, EventKind.FINISHED})


def _json_days(value: Decimal | None) -> str | None:
    return None if value is None else str(shown_days(value))


def _json_ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class StageFlow:
    """What became of the deals that entered one stage in the period."""

    stage: Stage
    entered: int
    advanced: int
    lost: int
    still: int
    elsewhere: int
    conversion: Decimal | None
    median_days: Decimal | None
    p80_days: Decimal | None
    samples: int


@dataclass(frozen=True)
class FunnelReport:
    """The six stages' flows for a period, and how many created deals were won."""

    period: Period
    stages: tuple[StageFlow, ...]
    created: int
    won: int
    win_conversion: Decimal | None

    def to_json(self) -> dict[str, Any]:
        """The report for scripts: ratios to six places, days to one, as strings."""
        return {
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "stages": [
                {
                    "stage": flow.stage.key,
                    "stage_label": flow.stage.label,
                    "entered": flow.entered,
                    "advanced": flow.advanced,
                    "lost": flow.lost,
                    "still": flow.still,
                    "elsewhere": flow.elsewhere,
                    "conversion": _json_ratio(flow.conversion),
                    "median_days": _json_days(flow.median_days),
                    "p80_days": _json_days(flow.p80_days),
                    "samples": flow.samples,
                }
                for flow in self.stages
            ],
            "created": self.created,
            "won": self.won,
            "win_conversion": _json_ratio(self.win_conversion),
        }

    def csv_rows(self) -> list[list[str]]:
        """One row per stage (the overall figures are the JSON's and the table's note)."""
        keys = [
            "stage",
            "entered",
            "advanced",
            "lost",
            "still",
            "elsewhere",
            "conversion",
            "median_days",
            "p80_days",
            "samples",
        ]
        found = [keys]
        for flow in self.to_json()["stages"]:
            found.append(["" if flow[key] is None else str(flow[key]) for key in keys])
        return found

    def tables(self) -> list[Table]:
        """The funnel as one table, stage by stage, with the overall win conversion."""
        rows: list[tuple[str, ...]] = [
            (
                flow.stage.label,
                str(flow.entered),
                str(flow.advanced),
                str(flow.lost),
                str(flow.still),
                str(flow.elsewhere),
                percent_text(flow.conversion),
                days_text(flow.median_days),
                days_text(flow.p80_days),
                str(flow.samples),
            )
            for flow in self.stages
        ]
        columns = (
            _("Stage"),
            _("Entered"),
            _("Advanced"),
            _("Lost"),
            _("Still there"),
            _("Elsewhere"),
            _("Conversion"),
            _("Median days"),
            _("80th pct. days"),
            _("Measured"),
        )
        notes: list[str] = []
        if not any(flow.entered for flow in self.stages):
            notes.append(_("No deal entered a stage in this period."))
        else:
            notes.append(
                ngettext(
                    "Won so far: {won} of the {created} deal created in the period ({rate}).",
                    "Won so far: {won} of the {created} deals created in the period ({rate}).",
                    self.created,
                ).format(created=self.created, won=self.won, rate=percent_text(self.win_conversion))
            )
            notes.append(
                _(
                    "Days in stage: total time in the stage over all visits, for the deals "
                    "that have left it (Measured)."
                )
            )
        right = frozenset(range(1, len(columns)))
        title = _("Funnel {first} – {last}").format(
            first=day_text(self.period.first), last=day_text(self.period.last)
        )
        return [Table(title, columns, rows, right, tuple(notes))]


@dataclass
class _Tally:
    """One stage's counts while the deals are read."""

    entered: int = 0
    advanced: int = 0
    lost: int = 0
    still: int = 0
    elsewhere: int = 0
    won: int = 0
    spent: list[Decimal] = field(default_factory=list)


def _advanced_from(stage: Stage, later: tuple[Move, ...]) -> bool:
    """Whether one of ``later`` took the deal from ``stage`` to the next stage."""
    if stage is LAST_STAGE:
        return any(move.kind is EventKind.FINISHED for move in later)
    following = _NEXT[stage]
    return any(move.kind is EventKind.ADVANCED and move.stage is following for move in later)


_NEXT: Final = {stage: Stage(stage + 1) for stage in Stage if stage is not LAST_STAGE}
"""Each stage's next one, looked up (an enum call per deal and stage cost a tenth)."""


def _first_entries(moves: tuple[Move, ...], start: datetime, end: datetime) -> dict[Stage, int]:
    """Each stage's first forward entry in the period, as an index into ``moves``."""
    found: dict[Stage, int] = {}
    for index, move in enumerate(moves):
        if move.kind in _ENTRIES and move.stage not in found and start <= move.at < end:
            found[move.stage] = index
    return found


def _count(
    deal: DealFact,
    moves: tuple[Move, ...],
    entries: dict[Stage, int],
    facts: Facts,
    tallies: dict[Stage, _Tally],
) -> None:
    """Add one deal to the tallies of every stage it entered in the period."""
    visits = [Visit(m.at, None if m.kind in _OFF_BOARD else m.stage) for m in moves]
    lost_from = (
        moves[-1].stage if deal.status is Status.LOST and moves[-1].kind is EventKind.LOST else None
    )
    for stage, index in entries.items():
        tally = tallies[stage]
        tally.entered += 1
        open_here = deal.status is Status.OPEN and deal.stage is stage
        if _advanced_from(stage, moves[index + 1 :]):
            tally.advanced += 1
        elif lost_from is stage:
            tally.lost += 1
        elif open_here:
            tally.still += 1
        else:
            tally.elsewhere += 1
        if deal.status is Status.FINISHED:
            tally.won += 1
        if not open_here:
            tally.spent.append(days(time_spent(visits, stage, facts.now)))


def report(facts: Facts, period: Period) -> FunnelReport:
    """The funnel of the deals that entered each stage in ``period``."""
    start, end = period.start_at(facts.zone), period.end_at(facts.zone)
    tallies = {stage: _Tally() for stage in Stage}
    for deal in facts.deals:
        moves = facts.moves_of(deal.id)
        entries = _first_entries(moves, start, end)
        if entries:
            _count(deal, moves, entries, facts, tallies)
    flows = tuple(
        StageFlow(
            stage=stage,
            entered=tally.entered,
            advanced=tally.advanced,
            lost=tally.lost,
            still=tally.still,
            elsewhere=tally.elsewhere,
            conversion=ratio(tally.advanced, tally.entered),
            median_days=median(tally.spent),
            p80_days=percentile(tally.spent, 80),
            samples=len(tally.spent),
        )
        for stage, tally in tallies.items()
    )
    first = tallies[Stage.PROSPECT]
    return FunnelReport(period, flows, first.entered, first.won, ratio(first.won, first.entered))
