"""Outcomes: how the deals that ended in the period ended, and why, and how satisfied.

**Ended deals** are counted as the velocity report counts them: *won* are the deals
finished now whose last "finished" move falls on a day of the period (in the user's time
zone), *lost* the deals lost now whose last "lost" move does. The win rate is
won ÷ (won + lost). Values are in the base currency; a deal whose currency has no rate is
counted (in ``deals``) but its value is left out and it is counted apart (``unconverted``).

**Lost reasons** are grouped by their folded text (case folded, runs of white space made
one space), so "Price", "price " and "PRICE" are one reason, shown as first written (by
the earliest loss; white space tidied); an empty reason is "(no reason)". They are ranked
by how many deals, then by value, then alphabetically.

**Satisfaction** is the score (1 to 5) recorded when a deal is finished: how many won
deals have each score (all five listed), their mean (exact; shown to one decimal), and
the same for each outcome, success and failure. Won deals without a score are counted
apart (``unscored``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final

from salesboard.calendar_text import day_text
from salesboard.i18n import _, ngettext
from salesboard.money import json_amount, money_text, symbols
from salesboard.reports.facts import DealFact, Facts, Period, Table, ratio
from salesboard.reports.velocity import ended
from salesboard.reports.words import percent_text
from salesboard.workflow import SATISFACTION_RANGE, Outcome

SCORES: Final = tuple(SATISFACTION_RANGE)
_MEAN_PLACES: Final = Decimal("0.000001")


@dataclass(frozen=True)
class Tally:
    """How many deals and what they are worth in the base currency."""

    deals: int
    value_minor: int
    unconverted: int
    """Deals counted in ``deals`` whose value could not be converted (not in the value)."""


@dataclass(frozen=True)
class LostReason:
    """One reason deals were lost, as grouped and ranked."""

    reason: str | None
    """As first written (white space tidied); None: lost without a reason."""
    folded: str
    tally: Tally


@dataclass(frozen=True)
class Satisfaction:
    """How satisfied the customers of some won deals were."""

    counts: tuple[int, ...]
    """Deals per score, for scores 1 to 5."""
    mean: Decimal | None
    unscored: int

    @property
    def deals(self) -> int:
        """All the deals described, scored or not."""
        return sum(self.counts) + self.unscored


@dataclass(frozen=True)
class OutcomeFigures:
    """The won deals of one outcome (success or failure) and their satisfaction."""

    outcome: Outcome
    satisfaction: Satisfaction


def _tally(deals: Sequence[DealFact]) -> Tally:
    value = sum(deal.in_base for deal in deals if deal.in_base is not None)
    unconverted = sum(1 for deal in deals if deal.in_base is None)
    return Tally(len(deals), value, unconverted)


def _satisfaction(deals: Iterable[DealFact]) -> Satisfaction:
    counts = dict.fromkeys(SCORES, 0)
    unscored = 0
    for deal in deals:
        if deal.satisfaction in counts:
            counts[deal.satisfaction] += 1
        else:
            unscored += 1
    scored = sum(counts.values())
    mean = (
        Decimal(sum(score * n for score, n in counts.items())) / Decimal(scored) if scored else None
    )
    return Satisfaction(tuple(counts[score] for score in SCORES), mean, unscored)


def fold_reason(reason: str | None) -> str:
    """The text lost reasons are grouped by: case folded, white space collapsed."""
    return " ".join((reason or "").split()).casefold()


def _reasons(lost: Sequence[tuple[datetime, DealFact]]) -> tuple[LostReason, ...]:
    groups: dict[str, list[DealFact]] = {}
    spelling: dict[str, str | None] = {}
    for _at, deal in sorted(lost, key=lambda pair: (pair[0], pair[1].id)):
        folded = fold_reason(deal.lost_reason)
        spelling.setdefault(folded, " ".join((deal.lost_reason or "").split()) or None)
        groups.setdefault(folded, []).append(deal)
    found = [LostReason(spelling[key], key, _tally(deals)) for key, deals in groups.items()]
    found.sort(key=lambda r: (-r.tally.deals, -r.tally.value_minor, r.folded))
    return tuple(found)


def _mean_json(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(_MEAN_PLACES, ROUND_HALF_EVEN))


def _mean_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    shown = value.quantize(Decimal("0.1"), ROUND_HALF_EVEN)
    return str(shown).replace(".", symbols().decimal)


def _scores_json(satisfaction: Satisfaction) -> list[dict[str, int]]:
    return [
        {"score": score, "deals": n} for score, n in zip(SCORES, satisfaction.counts, strict=True)
    ]


def reason_text(reason: LostReason) -> str:
    """A lost reason for people: as first written, or "(no reason)"."""
    return _("(no reason)") if reason.reason is None else reason.reason


@dataclass(frozen=True)
class OutcomesReport:
    """The deals that ended in a period: win rate, lost reasons and satisfaction."""

    period: Period
    base: str
    won: Tally
    lost: Tally
    win_rate: Decimal | None
    reasons: tuple[LostReason, ...]
    satisfaction: Satisfaction
    by_outcome: tuple[OutcomeFigures, ...]

    def _money(self, tally: Tally) -> dict[str, Any]:
        return {
            "deals": tally.deals,
            "value": json_amount(tally.value_minor, self.base),
            "unconverted": tally.unconverted,
        }

    def to_json(self) -> dict[str, Any]:
        """The report for scripts: money and means as decimal strings (means to 6 places)."""
        return {
            "currency": self.base,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "won": self._money(self.won),
            "lost": self._money(self.lost),
            "win_rate": None if self.win_rate is None else str(self.win_rate),
            "lost_reasons": [{"reason": r.reason, **self._money(r.tally)} for r in self.reasons],
            "satisfaction": {
                "scores": _scores_json(self.satisfaction),
                "mean": _mean_json(self.satisfaction.mean),
                "unscored": self.satisfaction.unscored,
            },
            "by_outcome": [
                {
                    "outcome": figures.outcome.value,
                    "deals": figures.satisfaction.deals,
                    "mean_satisfaction": _mean_json(figures.satisfaction.mean),
                    "scores": _scores_json(figures.satisfaction),
                    "unscored": figures.satisfaction.unscored,
                }
                for figures in self.by_outcome
            ],
        }

    def csv_rows(self) -> list[list[str]]:
        """One long table for spreadsheets; ``section`` and ``item`` say what a row counts.

        Sections: summary, lost_reason, satisfaction, success, failure; empty cells do not
        apply to the row.
        """
        data = self.to_json()
        header = ["section", "item", "deals", "value", "unconverted", "rate", "mean"]
        rows = [header]

        def money_row(section: str, item: str, figures: dict[str, Any]) -> list[str]:
            value, unconverted = figures["value"], str(figures["unconverted"])
            return [section, item, str(figures["deals"]), value, unconverted, "", ""]

        rows.append(money_row("summary", "won", data["won"]))
        rows.append(money_row("summary", "lost", data["lost"]))
        rows.append(["summary", "win_rate", "", "", "", data["win_rate"] or "", ""])
        for reason in data["lost_reasons"]:
            rows.append(money_row("lost_reason", reason["reason"] or "", reason))
        sections = [("satisfaction", data["satisfaction"])]
        sections += [(part["outcome"], part) for part in data["by_outcome"]]
        for section, part in sections:
            for score in part["scores"]:
                rows.append([section, str(score["score"]), str(score["deals"]), "", "", "", ""])
            mean = part.get("mean", part.get("mean_satisfaction")) or ""
            rows.append([section, "mean", "", "", "", "", mean])
            rows.append([section, "unscored", str(part["unscored"]), "", "", "", ""])
        return rows

    def tables(self) -> list[Table]:
        """Three tables: won and lost, lost reasons ranked, satisfaction by score."""
        return [self._ended_table(), self._reasons_table(), self._satisfaction_table()]

    def _money_cells(self, tally: Tally) -> tuple[str, str, str]:
        return (str(tally.deals), money_text(tally.value_minor, self.base), str(tally.unconverted))

    def _ended_table(self) -> Table:
        rows: list[tuple[str, ...]] = [
            (_("won"), *self._money_cells(self.won)),
            (_("lost"), *self._money_cells(self.lost)),
        ]
        notes = [_("Win rate: {rate}").format(rate=percent_text(self.win_rate))]
        unconverted = self.won.unconverted + self.lost.unconverted
        if unconverted:
            notes.append(
                ngettext(
                    "{count} deal in a currency without an exchange rate is counted "
                    "but left out of the value.",
                    "{count} deals in currencies without an exchange rate are counted "
                    "but left out of the value.",
                    unconverted,
                ).format(count=unconverted)
            )
        columns = (_("Outcome"), _("Deals"), _("Value"), _("Not converted"))
        title = _("Won and lost {first} – {last}").format(
            first=day_text(self.period.first), last=day_text(self.period.last)
        )
        return Table(title, columns, rows, frozenset({1, 2, 3}), tuple(notes))

    def _reasons_table(self) -> Table:
        rows: list[tuple[str, ...]] = [
            (reason_text(r), *self._money_cells(r.tally)) for r in self.reasons
        ]
        notes = () if rows else (_("No deal was lost in this period."),)
        columns = (_("Reason"), _("Deals"), _("Value"), _("Not converted"))
        return Table(_("Lost reasons"), columns, rows, frozenset({1, 2, 3}), notes)

    def _satisfaction_table(self) -> Table:
        parts = (self.satisfaction, *(f.satisfaction for f in self.by_outcome))
        rows: list[tuple[str, ...]] = [
            (str(score), *(str(part.counts[i]) for part in parts)) for i, score in enumerate(SCORES)
        ]
        rows.append((_("Mean"), *(_mean_text(part.mean) for part in parts)))
        notes: tuple[str, ...] = ()
        if self.satisfaction.unscored:
            count = self.satisfaction.unscored
            notes = (
                ngettext(
                    "{count} won deal has no satisfaction score.",
                    "{count} won deals have no satisfaction score.",
                    count,
                ).format(count=count),
            )
        columns = (_("Score"), _("All won"), _("Success"), _("Failure"))
        right = frozenset(range(len(columns)))
        return Table(_("Satisfaction of won deals"), columns, rows, right, notes)


def report(facts: Facts, period: Period) -> OutcomesReport:
    """How the deals that ended in ``period`` ended."""
    done = ended(facts, period)  # the same won and lost as velocity and owners count
    won = [deal for deal, _at in done.won]
    lost = [(at, deal) for deal, at in done.lost]
    lost_deals = [deal for _at, deal in lost]
    by_outcome = tuple(
        OutcomeFigures(outcome, _satisfaction(d for d in won if d.outcome is outcome))
        for outcome in Outcome
    )
    return OutcomesReport(
        period=period,
        base=facts.base,
        won=_tally(won),
        lost=_tally(lost_deals),
        win_rate=ratio(len(won), len(won) + len(lost)),
        reasons=_reasons(lost),
        satisfaction=_satisfaction(won),
        by_outcome=by_outcome,
    )
