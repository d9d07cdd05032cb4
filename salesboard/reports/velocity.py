"""Sales velocity: how much money the pipeline turns into wins per day.

The classic formula, open deals × average won value × win rate ÷ average days to win,
answers "how fast do we win" in one figure a team can follow period to period.

The rules, decided once (``SPEC``):

- **won**: deals finished now whose last FINISHED move falls in the period (its local
  day); **lost**: deals lost now whose last LOST move does. A deal reopened and ended
  again counts once, by its last end. Other reports (owners, outcomes) use the same
  ``ended`` helper so they agree.
- **win rate** = won ÷ (won + lost), None when nothing ended.
- **average won value** = the exact mean of ``in_base`` over the won deals that convert;
  won deals in a currency without a rate are counted apart (``unconverted_won``).
- **average days to win** = the mean over the won deals of the days from creation to
  that last FINISHED move; a mean below one day counts as one day (a deal won the hour it
  was entered must not make the velocity explode).
- **open deals** = the deals open now, whatever their dates.
- **velocity per day** = the four figures combined exactly (the win rate as the exact
  fraction, not the six places shown), rounded to the cent once; per 30 days likewise
  from the exact figure. None when no won deal has a value (nothing won, or none of the
  won converts): there is nothing to divide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from salesboard.calendar_text import day_text
from salesboard.i18n import _, ngettext
from salesboard.money import json_amount, money_text
from salesboard.reports.facts import (
    DealFact,
    Facts,
    Move,
    Period,
    Table,
    cents,
    days,
    ratio,
    shown_days,
)
from salesboard.reports.words import MISSING, days_text, percent_text
from salesboard.workflow import EventKind, Status


def last_move(moves: tuple[Move, ...], kind: EventKind) -> Move | None:
    """A deal's last move of one kind (its latest win or loss), None if it has none."""
    for move in reversed(moves):
        if move.kind is kind:
            return move
    return None


@dataclass(frozen=True)
class Ended:
    """The deals that ended in a period: each with the moment of its last end."""

    won: tuple[tuple[DealFact, datetime], ...]
    lost: tuple[tuple[DealFact, datetime], ...]


def ended(facts: Facts, period: Period) -> Ended:
    """The deals won and lost in ``period``, judged by their last FINISHED or LOST move.

    A deal marked finished or lost with no such move in its history (a damaged log) has
    no day to place it by and is left out.
    """
    won: list[tuple[DealFact, datetime]] = []
    lost: list[tuple[DealFact, datetime]] = []
    start, end = period.start_at(facts.zone), period.end_at(facts.zone)
    for deal in facts.deals:
        if deal.status is Status.FINISHED:
            kind, into = EventKind.FINISHED, won
        elif deal.status is Status.LOST:
            kind, into = EventKind.LOST, lost
        else:
            continue
        move = last_move(facts.moves_of(deal.id), kind)
        if move is not None and start <= move.at < end:  # its local day is in the period
            into.append((deal, move.at))
    return Ended(tuple(won), tuple(lost))


def days_to_win(won: tuple[tuple[DealFact, datetime], ...]) -> Decimal | None:
    """The mean days from creation to the win, at least one day; None when nothing won."""
    if not won:
        return None
    mean = sum((days(at - deal.created_at) for deal, at in won), Decimal(0)) / len(won)
    return max(mean, Decimal(1))


@dataclass(frozen=True)
class VelocityReport:
    """The velocity of one period and the figures it is made of."""

    base: str
    period: Period
    open_deals: int
    won: int
    lost: int
    win_rate: Decimal | None
    average_won_minor: Decimal | None
    """The exact mean won value in hundredths of the base currency (None: none converts)."""
    average_days_to_win: Decimal | None
    per_day_minor: int | None
    per_30_days_minor: int | None
    unconverted_won: int

    def to_json(self) -> dict[str, Any]:
        """The figures for scripts: money as decimal strings, null where undefined."""
        base = self.base
        average = self.average_won_minor
        return {
            "currency": base,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "open_deals": self.open_deals,
            "won": self.won,
            "lost": self.lost,
            "win_rate": None if self.win_rate is None else str(self.win_rate),
            "average_won_value": None if average is None else json_amount(cents(average), base),
            "average_days_to_win": (
                None
                if self.average_days_to_win is None
                else str(shown_days(self.average_days_to_win))
            ),
            "per_day": _json_money(self.per_day_minor, base),
            "per_30_days": _json_money(self.per_30_days_minor, base),
            "unconverted_won": self.unconverted_won,
        }

    def csv_rows(self) -> list[list[str]]:
        """One header row of the JSON keys and one row of values (empty where null)."""
        shown = self.to_json()
        return [list(shown), ["" if value is None else str(value) for value in shown.values()]]

    def tables(self) -> list[Table]:
        """The figures one per line, then how the velocity is worked out."""
        base = self.base
        average = self.average_won_minor
        rows: list[tuple[str, ...]] = [
            (_("Open deals"), str(self.open_deals)),
            (_("Won"), str(self.won)),
            (_("Lost"), str(self.lost)),
            (_("Win rate"), MISSING if self.win_rate is None else percent_text(self.win_rate)),
            (
                _("Average won value"),
                MISSING if average is None else money_text(cents(average), base),
            ),
            (
                _("Average days to win"),
                MISSING
                if self.average_days_to_win is None
                else days_text(self.average_days_to_win),
            ),
            (_("Velocity per day"), _money_or_missing(self.per_day_minor, base)),
            (_("Velocity per 30 days"), _money_or_missing(self.per_30_days_minor, base)),
        ]
        title = _("Velocity {first} – {last}").format(
            first=day_text(self.period.first), last=day_text(self.period.last)
        )
        columns = (_("Figure"), _("Value"))
        return [Table(title, columns, rows, frozenset({1}), self._notes())]

    def _notes(self) -> tuple[str, ...]:
        notes = [_("Velocity = open deals × average won value × win rate ÷ average days to win.")]
        if self.won == 0:
            notes.append(_("Nothing was won in the period, so there is no velocity to work out."))
        elif self.average_won_minor is None:
            notes.append(
                _(
                    "No deal won in the period converts to {currency}, so there is no "
                    "velocity to work out."
                ).format(currency=self.base)
            )
        if self.unconverted_won:
            notes.append(
                ngettext(
                    "{count} won deal is in a currency without a rate: it is counted apart "
                    "and left out of the average won value, never guessed.",
                    "{count} won deals are in currencies without a rate: they are counted "
                    "apart and left out of the average won value, never guessed.",
                    self.unconverted_won,
                ).format(count=self.unconverted_won)
            )
        return tuple(notes)


def _json_money(value_minor: int | None, base: str) -> str | None:
    return None if value_minor is None else json_amount(value_minor, base)


def _money_or_missing(value_minor: int | None, base: str) -> str:
    return MISSING if value_minor is None else money_text(value_minor, base)


def report(facts: Facts, period: Period) -> VelocityReport:
    """The velocity of ``period`` (narrow by owner beforehand)."""
    done = ended(facts, period)
    won, lost = len(done.won), len(done.lost)
    values = [deal.in_base for deal, _at in done.won if deal.in_base is not None]
    average = Decimal(sum(values)) / len(values) if values else None
    average_days = days_to_win(done.won)
    open_count = sum(1 for deal in facts.deals if deal.status is Status.OPEN)
    per_day: int | None = None
    per_30: int | None = None
    if average is not None and average_days is not None:
        exact = open_count * average * Decimal(won) / Decimal(won + len(done.lost)) / average_days
        per_day, per_30 = cents(exact), cents(exact * 30)
    return VelocityReport(
        base=facts.base,
        period=period,
        open_deals=open_count,
        won=won,
        lost=lost,
        win_rate=ratio(won, won + lost),
        average_won_minor=average,
        average_days_to_win=average_days,
        per_day_minor=per_day,
        per_30_days_minor=per_30,
        unconverted_won=won - len(values),
    )
