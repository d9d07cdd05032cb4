"""The weighted forecast: what the open deals may bring in, month by month.

A pipeline review asks what will close this quarter and how much of it to count on. The
answer is the open deals grouped by the month they are expected to close in, with their
value and their weighted value (value times the win probability of the stage they are in
now, from the pipeline in force).

The rules, decided once (``SPEC``):

- Only **open** deals count. Each lands in exactly one bucket, by its expected close
  date and the user's today: no date → **undated**; a date before today →
  **overdue**; a date in the period → **its month**; any other (a future date outside
  the period) → **outside**. Every month of the period is listed, empty ones too.
- Per bucket: ``deals`` (all of them), ``value`` (the sum of ``in_base`` of those that
  convert to the base currency), ``weighted`` (the sum over deals of the value times the
  stage's win probability, rounded to the cent per deal) and ``unconverted`` (deals whose
  currency has no rate: counted, never given a guessed value).
- **Quarters** group the period's months; the **total** is the sum of the months only
  (undated, overdue and outside are listed apart and never added in).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from salesboard.calendar_text import day_text
from salesboard.definition import PipelineDefinition
from salesboard.i18n import _, ngettext
from salesboard.money import json_amount, money_text
from salesboard.reports.facts import (
    DealFact,
    Facts,
    Period,
    Table,
    month_key,
    quarter_key,
    weighted,
)
from salesboard.workflow import Status

UNDATED = "undated"
OVERDUE = "overdue"
OUTSIDE = "outside"


@dataclass(frozen=True)
class Figures:
    """What a group of open deals is worth: the four figures of every forecast bucket."""

    deals: int = 0
    value_minor: int = 0
    weighted_minor: int = 0
    unconverted: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.deals + other.deals,
            self.value_minor + other.value_minor,
            self.weighted_minor + other.weighted_minor,
            self.unconverted + other.unconverted,
        )

    def to_json(self, base: str) -> dict[str, Any]:
        """The figures for scripts: money as exact decimal strings."""
        return {
            "deals": self.deals,
            "value": json_amount(self.value_minor, base),
            "weighted": json_amount(self.weighted_minor, base),
            "unconverted": self.unconverted,
        }


@dataclass(frozen=True)
class MonthFigures:
    """One month of the period (its first day) and the deals expected to close in it."""

    month: date
    figures: Figures


@dataclass(frozen=True)
class QuarterFigures:
    """One quarter (``2027-Q1``): the sum of the period's months that fall in it."""

    quarter: str
    figures: Figures


def deal_figures(deal: DealFact, pipeline: PipelineDefinition) -> Figures:
    """One open deal's figures: the unit every bucket, owner row and total adds up.

    A deal whose currency has no rate counts as a deal and as unconverted, with no value.
    """
    if deal.in_base is None:
        return Figures(deals=1, unconverted=1)
    probability = pipeline.of(deal.stage).win_probability
    return Figures(1, deal.in_base, weighted(deal.in_base, probability), 0)


def sum_figures(deals: Iterable[DealFact], pipeline: PipelineDefinition) -> Figures:
    """The figures of some open deals together (owners use it over all open deals)."""
    total = Figures()
    for deal in deals:
        total += deal_figures(deal, pipeline)
    return total


def open_deals(facts: Facts) -> list[DealFact]:
    """The deals still being worked: the only ones a forecast counts."""
    return [deal for deal in facts.deals if deal.status is Status.OPEN]


def bucket_of(deal: DealFact, today: date, period: Period) -> date | str:
    """Where a deal lands: the first day of its month, or ``undated``/``overdue``/``outside``."""
    close = deal.expected_close
    if close is None:
        return UNDATED
    if close < today:
        return OVERDUE
    if period.holds(close):
        return close.replace(day=1)
    return OUTSIDE


@dataclass(frozen=True)
class ForecastReport:
    """The forecast of one period: what the board's chart and the CLI show."""

    base: str
    period: Period
    months: tuple[MonthFigures, ...]
    quarters: tuple[QuarterFigures, ...]
    undated: Figures
    overdue: Figures
    outside: Figures
    total: Figures
    missing_rates: tuple[str, ...] = ()
    """The currencies without a rate among the open deals (for the note), sorted."""

    def to_json(self) -> dict[str, Any]:
        """The forecast for scripts (the shape ``SPEC`` and the issue give)."""
        base = self.base
        return {
            "currency": base,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "months": [
                {"month": month_key(m.month), **m.figures.to_json(base)} for m in self.months
            ],
            "quarters": [{"quarter": q.quarter, **q.figures.to_json(base)} for q in self.quarters],
            UNDATED: self.undated.to_json(base),
            OVERDUE: self.overdue.to_json(base),
            OUTSIDE: self.outside.to_json(base),
            "total": self.total.to_json(base),
        }

    def csv_rows(self) -> list[list[str]]:
        """One row per month, quarter, apart bucket and the total, named in ``bucket``."""
        header = ["bucket", "deals", "value", "weighted", "unconverted", "currency"]
        named: list[tuple[str, Figures]] = [(month_key(m.month), m.figures) for m in self.months]
        named += [(q.quarter, q.figures) for q in self.quarters]
        named += [
            (UNDATED, self.undated),
            (OVERDUE, self.overdue),
            (OUTSIDE, self.outside),
            ("total", self.total),
        ]
        rows = [header]
        for name, figures in named:
            shown = figures.to_json(self.base)
            rows.append(
                [
                    name,
                    str(figures.deals),
                    shown["value"],
                    shown["weighted"],
                    str(figures.unconverted),
                    self.base,
                ]
            )
        return rows

    def tables(self) -> list[Table]:
        """One table: each month, each quarter after its months, the total, then apart."""
        rows: list[tuple[str, ...]] = []
        by_quarter: dict[str, list[MonthFigures]] = {}
        for month in self.months:  # one pass: a long period has thousands of months
            by_quarter.setdefault(quarter_key(month.month), []).append(month)
        for quarter in self.quarters:
            inside = by_quarter.get(quarter.quarter, [])
            rows.extend(self._row(month_key(m.month), m.figures) for m in inside)
            rows.append(self._row(quarter_text(quarter.quarter), quarter.figures))
        rows.append(self._row(_("Total"), self.total))
        rows.append(self._row(_("No close date"), self.undated))
        rows.append(self._row(_("Close date passed"), self.overdue))
        rows.append(self._row(_("Outside the period"), self.outside))
        title = _("Forecast {first} – {last}").format(
            first=day_text(self.period.first), last=day_text(self.period.last)
        )
        columns = (_("Month"), _("Deals"), _("Value"), _("Weighted"))
        return [Table(title, columns, rows, frozenset({1, 2, 3}), self._notes())]

    def _row(self, name: str, figures: Figures) -> tuple[str, ...]:
        return (
            name,
            str(figures.deals),
            money_text(figures.value_minor, self.base),
            money_text(figures.weighted_minor, self.base),
        )

    def _notes(self) -> tuple[str, ...]:
        notes = [
            _(
                "The total counts the months of the period only; deals with no close date, "
                "a passed one or one outside the period are listed apart."
            )
        ]
        apart = self.total + self.undated + self.overdue + self.outside
        if apart.deals == 0:
            notes.append(_("No open deals."))
        if apart.unconverted:
            notes.append(
                ngettext(
                    "{count} deal is in a currency without a rate ({currencies}): it is "
                    "counted apart, its value left out of value and weighted, never guessed.",
                    "{count} deals are in currencies without a rate ({currencies}): they are "
                    "counted apart, their value left out of value and weighted, never guessed.",
                    apart.unconverted,
                ).format(count=apart.unconverted, currencies=", ".join(self.missing_rates))
            )
        return tuple(notes)


def quarter_text(key: str) -> str:
    """``Q1 2027``: a quarter key (``2027-Q1``) as people read it, in the language in force."""
    year, number = key.split("-Q")
    return _("Q{number} {year}").format(number=number, year=year)


def report(facts: Facts, period: Period) -> ForecastReport:
    """The forecast of the open deals for ``period`` (narrow by owner beforehand)."""
    today = facts.today
    by_month: dict[date, Figures] = {month: Figures() for month in period.months()}
    apart: dict[str, Figures] = {UNDATED: Figures(), OVERDUE: Figures(), OUTSIDE: Figures()}
    missing: set[str] = set()
    for deal in open_deals(facts):
        figures = deal_figures(deal, facts.pipeline)
        if deal.in_base is None:
            missing.add(deal.currency)
        bucket = bucket_of(deal, today, period)
        if isinstance(bucket, str):
            apart[bucket] += figures
        else:
            by_month[bucket] += figures
    months = tuple(MonthFigures(month, figures) for month, figures in by_month.items())
    by_quarter: dict[str, Figures] = {}
    for month in months:
        key = quarter_key(month.month)
        by_quarter[key] = by_quarter.get(key, Figures()) + month.figures
    total = sum((m.figures for m in months), Figures())
    return ForecastReport(
        base=facts.base,
        period=period,
        months=months,
        quarters=tuple(QuarterFigures(key, figures) for key, figures in by_quarter.items()),
        undated=apart[UNDATED],
        overdue=apart[OVERDUE],
        outside=apart[OUTSIDE],
        total=total,
        missing_rates=tuple(sorted(missing)),
    )
