"""When an activity is due, written short for a card or an agenda row, in the user's zone.

Due times are stored in UTC; people plan in their own day. A card is narrow (about ten
cells at 80 columns), so a next step is offered in several forms, longest first, and the
card shows the first that fits: ``meeting 15 Jan 10:30``, ``meeting 15 Jan``,
``15 Jan 10:30``, ``15 Jan``. A step due today says ``today``. Pure text, no queries: the
card draws it from the ``NextStep`` that came with the card's details.
"""

from __future__ import annotations

from datetime import date, datetime

from salesboard.calendar_text import close_date_text, close_month_text
from salesboard.i18n import _
from salesboard.service.part_views import NextStep
from salesboard.substance import kind_word

NEXT_MARK = "→ "
"""Starts a card's next step: "what happens next"."""

OVERDUE_MARK = "⚠ "
"""Put before a due time already passed (the card's overdue close date has it too)."""


def local_today(now: datetime) -> date:
    """The user's calendar day at ``now`` (an aware time)."""
    return now.astimezone().date()


def due_day_text(due_at: datetime, today: date, *, short: bool = False) -> str:
    """The day a due time falls on in the user's zone: ``today``, ``15 Jan``, ``15 Jan 2028``.

    ``short`` writes another year's day as ``15 Jan '28``.
    """
    day = due_at.astimezone().date()
    if day == today:
        return _("today")
    return close_date_text(day, today, short=short)


def clock_text(due_at: datetime) -> str:
    """The time of day a due time falls at in the user's zone: ``10:30`` (24-hour)."""
    return f"{due_at.astimezone():%H:%M}"


def due_text(due_at: datetime, today: date) -> str:
    """Day and time, for a list: ``today 10:30``, ``15 Jan 10:30``, ``15 Jan 2028 10:30``."""
    return f"{due_day_text(due_at, today)} {clock_text(due_at)}"


def step_forms(step: NextStep, now: datetime) -> list[str]:
    """A next step written longest first; a card shows the first that fits its width.

    Every form starts with ``→`` (what happens next), so that on a narrow card, where the
    close date's line shows a bare date too, the two cannot be mistaken for each other;
    an overdue step has ``⚠`` after it. The kind goes before the time goes, except on a
    step due today, where ``today 10:30`` says more than ``meeting today``. The last forms
    leave the arrow out: a date cut short would tell less.
    """
    today = local_today(now)
    kind = kind_word(step.kind)
    day = due_day_text(step.due_at, today)
    short_day = due_day_text(step.due_at, today, short=True)
    at = clock_text(step.due_at)
    local_day = step.due_at.astimezone().date()
    if local_day == today:
        forms = [f"{kind} {day} {at}", f"{day} {at}", f"{kind} {day}", day]
    else:
        forms = [
            f"{kind} {day} {at}",
            f"{kind} {day}",
            f"{kind} {short_day}",
            f"{day} {at}",
            f"{short_day} {at}",
            day,
            short_day,
        ]
        if local_day.year != today.year:
            forms.append(close_month_text(local_day))
    mark = OVERDUE_MARK if step.overdue(now) else ""
    marked = [f"{NEXT_MARK}{mark}{form}" for form in forms]
    bare = [f"{mark}{form}" for form in forms[-2:]]
    return list(dict.fromkeys([*marked, *bare]))
