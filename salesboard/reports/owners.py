"""The headline figures per owner, side by side, and the team's.

A pipeline review goes round the table: whose pipeline is big, who wins, who has deals
stuck. Each figure means what it means in its own report, so the rows agree with them:

- **open deals, value, weighted**: as the forecast, but over *all* open deals whatever
  their close date (value of the convertible ones; deals in a currency without a rate
  counted apart in ``unconverted``);
- **won, won value, lost, win rate, average days to win**: as velocity (deals whose last
  FINISHED or LOST move is in the period; won value over the won deals that convert);
- **stuck**: open deals with at least one reason from ``stuck.stuck_reasons`` now.

One row per owner who has an open deal or a deal that ended in the period, sorted by
login; then the team row over every deal (not an average of the rows: the team's win rate
and days to win are worked out from all the team's deals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from salesboard.calendar_text import day_text
from salesboard.i18n import _, ngettext
from salesboard.money import json_amount, whole_amount
from salesboard.reports.facts import Facts, Period, Table, ratio, shown_days
from salesboard.reports.forecast import open_deals, sum_figures
from salesboard.reports.stuck import stuck_reasons
from salesboard.reports.velocity import days_to_win, ended
from salesboard.reports.words import MISSING, days_text, percent_text

KEYS = (
    "owner",
    "open_deals",
    "value",
    "weighted",
    "unconverted",
    "won",
    "won_value",
    "lost",
    "win_rate",
    "average_days_to_win",
    "stuck",
)
"""The figures of a row, as JSON names them and in the order CSV columns come."""


@dataclass(frozen=True)
class OwnerFigures:
    """One owner's headline figures (``owner`` None: the whole team)."""

    owner: str | None
    open_deals: int
    value_minor: int
    weighted_minor: int
    unconverted: int
    """Open deals in a currency without a rate: in ``open_deals``, not in the value."""
    won: int
    won_value_minor: int
    unconverted_won: int
    lost: int
    win_rate: Decimal | None
    average_days_to_win: Decimal | None
    stuck: int

    def to_json(self, base: str) -> dict[str, Any]:
        """The row for scripts: money as decimal strings, null where undefined."""
        days = self.average_days_to_win
        return {
            "owner": self.owner,
            "open_deals": self.open_deals,
            "value": json_amount(self.value_minor, base),
            "weighted": json_amount(self.weighted_minor, base),
            "unconverted": self.unconverted,
            "won": self.won,
            "won_value": json_amount(self.won_value_minor, base),
            "lost": self.lost,
            "win_rate": None if self.win_rate is None else str(self.win_rate),
            "average_days_to_win": None if days is None else str(shown_days(days)),
            "stuck": self.stuck,
        }


def figures_of(facts: Facts, period: Period, owner: str | None) -> OwnerFigures:
    """One owner's figures (None: everyone's), each as its own report defines it."""
    mine = facts.of_owner(owner)
    still_open = open_deals(mine)
    worth = sum_figures(still_open, mine.pipeline)
    done = ended(mine, period)
    won_values = [deal.in_base for deal, _at in done.won if deal.in_base is not None]
    stuck = sum(
        1
        for deal in still_open
        if stuck_reasons(
            deal.stage_since,
            deal.next_due,
            mine.pipeline.of(deal.stage).stuck_after_days,
            mine.now,
        )
    )
    return OwnerFigures(
        owner=owner,
        open_deals=worth.deals,
        value_minor=worth.value_minor,
        weighted_minor=worth.weighted_minor,
        unconverted=worth.unconverted,
        won=len(done.won),
        won_value_minor=sum(won_values),
        unconverted_won=len(done.won) - len(won_values),
        lost=len(done.lost),
        win_rate=ratio(len(done.won), len(done.won) + len(done.lost)),
        average_days_to_win=days_to_win(done.won),
        stuck=stuck,
    )


@dataclass(frozen=True)
class OwnersReport:
    """The headline figures per owner for one period, and the team's."""

    base: str
    period: Period
    owners: tuple[OwnerFigures, ...]
    team: OwnerFigures

    def to_json(self) -> dict[str, Any]:
        """``{"currency", "from", "to", "owners": [rows], "team": row}`` for scripts."""
        return {
            "currency": self.base,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "owners": [row.to_json(self.base) for row in self.owners],
            "team": self.team.to_json(self.base),
        }

    def csv_rows(self) -> list[list[str]]:
        """A header of the row keys, one row per owner, then the team's (owner empty)."""
        rows = [[*KEYS, "currency"]]
        for row in (*self.owners, self.team):
            shown = row.to_json(self.base)
            rows.append(["" if shown[key] is None else str(shown[key]) for key in KEYS])
            rows[-1].append(self.base)
        return rows

    def tables(self) -> list[Table]:
        """One table: an owner a line, the team last."""
        columns = (
            _("Owner"),
            _("Open deals"),
            _("Value ({currency})").format(currency=self.base),
            _("Weighted ({currency})").format(currency=self.base),
            _("Won"),
            _("Won value ({currency})").format(currency=self.base),
            _("Lost"),
            _("Win rate"),
            _("Days to win"),
            _("Stuck"),
        )
        rows = [self._row(row.owner or "", row) for row in self.owners]
        rows.append(self._row(_("Team"), self.team))
        title = _("Owners {first} – {last}").format(
            first=day_text(self.period.first), last=day_text(self.period.last)
        )
        right = frozenset(range(1, len(columns)))
        return [Table(title, columns, rows, right, self._notes())]

    def _row(self, name: str, row: OwnerFigures) -> tuple[str, ...]:
        days = row.average_days_to_win
        return (  # whole amounts, the currency in the heading: a row fits 80 columns
            name,
            str(row.open_deals),
            whole_amount(row.value_minor),
            whole_amount(row.weighted_minor),
            str(row.won),
            whole_amount(row.won_value_minor),
            str(row.lost),
            MISSING if row.win_rate is None else percent_text(row.win_rate),
            MISSING if days is None else days_text(days),
            str(row.stuck),
        )

    def _notes(self) -> tuple[str, ...]:
        notes = [
            _(
                "Open deals, value and weighted count every open deal, whatever its close date; "
                "won and lost count the deals that ended in the period."
            )
        ]
        if not self.owners:
            notes.append(_("No owner has an open deal or a deal that ended in the period."))
        apart = self.team.unconverted + self.team.unconverted_won
        if apart:
            notes.append(
                ngettext(
                    "{count} deal is in a currency without a rate: it is counted apart, its "
                    "value left out, never guessed.",
                    "{count} deals are in currencies without a rate: they are counted apart, "
                    "their value left out, never guessed.",
                    apart,
                ).format(count=apart)
            )
        return tuple(notes)


def report(facts: Facts, period: Period) -> OwnersReport:
    """The owners' figures for ``period``: one row per active owner, then the team."""
    done = ended(facts, period)
    active = {deal.owner for deal in open_deals(facts)}
    active.update(deal.owner for deal, _at in (*done.won, *done.lost))
    rows = tuple(figures_of(facts, period, owner) for owner in sorted(active))
    return OwnersReport(facts.base, period, rows, figures_of(facts, period, None))
