"""Stuck deals: open deals that sit too long in their stage or have no live next step.

The rule is one pure function, ``stuck_reasons``, shared by this report and the board's
card marks, so a card is marked stuck exactly when the report lists it:

- **too long**: the deal has been in its stage more than the stage's "stuck after N days"
  (``now − stage_since > N days``; ``stage_since`` is the board's stage clock, which counts
  every visit to the stage);
- **overdue**: its next step (earliest open activity) was due before now;
- **no next step**: it has no open activity at all.

The report lists every open deal with at least one reason, with its days in stage, the
limit, the next step's due time and its reasons, the deals furthest over their limit
first (then by id). The period does not apply: stuck is about now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from salesboard.calendar_text import day_text
from salesboard.i18n import _, ngettext
from salesboard.reports.facts import Facts, Period, Table, days, shown_days
from salesboard.reports.words import days_text
from salesboard.workflow import Stage, Status


class StuckReason(StrEnum):
    """Why a deal counts as stuck; the value is the stable key JSON and CSV hold."""

    TOO_LONG = "too_long"
    OVERDUE = "overdue"
    NO_NEXT_STEP = "no_next_step"

    @property
    def word(self) -> str:
        """The reason as a short word for people, in the language in force."""
        return {
            StuckReason.TOO_LONG: _("too long"),
            StuckReason.OVERDUE: _("overdue"),
            StuckReason.NO_NEXT_STEP: _("no next step"),
        }[self]


def stuck_reasons(
    stage_since: datetime, next_due: datetime | None, limit_days: int, now: datetime
) -> tuple[StuckReason, ...]:
    """Why a deal is stuck now (empty: it is not), in the order ``StuckReason`` lists them.

    The one rule behind the stuck report and the board's card marks.
    """
    found: list[StuckReason] = []
    if now - stage_since > timedelta(days=limit_days):
        found.append(StuckReason.TOO_LONG)
    if next_due is not None and next_due < now:
        found.append(StuckReason.OVERDUE)
    if next_due is None:
        found.append(StuckReason.NO_NEXT_STEP)
    return tuple(found)


@dataclass(frozen=True)
class StuckDeal:
    """One stuck deal as the report lists it."""

    id: int
    title: str
    owner: str
    stage: Stage
    days_in_stage: Decimal
    limit_days: int
    next_due: datetime | None
    next_due_day: date | None
    """The next step's due day in the user's time zone (for people)."""
    reasons: tuple[StuckReason, ...]

    @property
    def over_limit(self) -> Decimal:
        """Days past the stage's limit (negative: stuck for another reason only)."""
        return self.days_in_stage - self.limit_days


@dataclass(frozen=True)
class StuckReport:
    """Every open deal that is stuck now, worst first."""

    deals: tuple[StuckDeal, ...]

    def to_json(self) -> dict[str, Any]:
        """The report for scripts: days to one decimal, the due time as ISO 8601 (UTC)."""
        return {
            "deals": [
                {
                    "id": deal.id,
                    "title": deal.title,
                    "owner": deal.owner,
                    "stage": deal.stage.key,
                    "stage_label": deal.stage.label,
                    "days_in_stage": str(shown_days(deal.days_in_stage)),
                    "limit_days": deal.limit_days,
                    "next_step_due": None if deal.next_due is None else deal.next_due.isoformat(),
                    "reasons": [reason.value for reason in deal.reasons],
                }
                for deal in self.deals
            ],
            "count": len(self.deals),
        }

    def csv_rows(self) -> list[list[str]]:
        """One row per stuck deal; reasons as their keys, separated by spaces."""
        header = [
            "id",
            "title",
            "owner",
            "stage",
            "days_in_stage",
            "limit_days",
            "next_step_due",
            "reasons",
        ]
        found = [header]
        for deal in self.to_json()["deals"]:
            found.append(
                [
                    str(deal["id"]),
                    deal["title"],
                    deal["owner"],
                    deal["stage"],
                    deal["days_in_stage"],
                    str(deal["limit_days"]),
                    deal["next_step_due"] or "",
                    " ".join(deal["reasons"]),
                ]
            )
        return found

    def tables(self) -> list[Table]:
        """The stuck deals as one table, with a count (or "none") under it."""
        rows: list[tuple[str, ...]] = [
            (
                f"#{deal.id}",
                deal.title,
                deal.owner,
                deal.stage.label,
                days_text(deal.days_in_stage),
                str(deal.limit_days),
                _("none") if deal.next_due_day is None else day_text(deal.next_due_day),
                ", ".join(reason.word for reason in deal.reasons),
            )
            for deal in self.deals
        ]
        count = len(self.deals)
        note = (
            ngettext("{count} stuck deal", "{count} stuck deals", count).format(count=count)
            if count
            else _("No deal is stuck.")
        )
        columns = (
            _("Deal"),
            _("Title"),
            _("Owner"),
            _("Stage"),
            _("Days"),
            _("Limit"),
            _("Next step"),
            _("Why stuck"),
        )
        notes = (note, _("Days: in the stage now; limit: the stage's 'stuck after N days'."))
        # Where the table is too wide the reasons give way before the titles.
        return [Table(_("Stuck deals"), columns, rows, frozenset({0, 4, 5}), notes, (7,))]


def report(facts: Facts, period: Period | None = None) -> StuckReport:
    """The stuck deals now; ``period`` is accepted for a uniform call and ignored."""
    found: list[StuckDeal] = []
    for deal in facts.deals:
        if deal.status is not Status.OPEN:
            continue
        limit = facts.pipeline.of(deal.stage).stuck_after_days
        reasons = stuck_reasons(deal.stage_since, deal.next_due, limit, facts.now)
        if not reasons:
            continue
        due_day = None if deal.next_due is None else facts.local_day(deal.next_due)
        found.append(
            StuckDeal(
                id=deal.id,
                title=deal.title,
                owner=deal.owner,
                stage=deal.stage,
                days_in_stage=days(facts.now - deal.stage_since),
                limit_days=limit,
                next_due=deal.next_due,
                next_due_day=due_day,
                reasons=reasons,
            )
        )
    found.sort(key=lambda deal: (-deal.over_limit, deal.id))
    return StuckReport(tuple(found))
