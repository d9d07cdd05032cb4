"""Dates and times written for people, in the language in force.

English keeps the forms the board has always shown: ISO dates (``2027-01-30``) and times
(``2026-11-30 14:05``), which read the same in every English-speaking country, and
``30 Jan`` on cards. Other languages follow their Babel (CLDR) locale: Norwegian writes
``30. jan. 2027`` and ``30. nov. 2026 14:05``. Month names never come from ``strftime``,
whose words follow the C locale of whatever process runs the board. Scripts get ISO 8601
in JSON whatever the language.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Final, NamedTuple

from salesboard.language import language

_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


class _Patterns(NamedTuple):
    """One language's CLDR date patterns (see Babel's ``format_date``)."""

    locale: str
    day: str
    moment: str
    numeric_moment: str
    this_year: str
    other_year: str
    other_year_short: str


_PATTERNS: Final = {
    "nb": _Patterns(
        "nb_NO", "d. MMM y", "d. MMM y HH:mm", "dd.MM.y HH:mm", "d. MMM", "d. MMM y", "d.M.yy"
    ),
}


@functools.lru_cache(maxsize=4096)
def _babel_date(moment: date, pattern: str, locale: str) -> str:
    from babel.dates import format_date, format_datetime

    if isinstance(moment, datetime):
        return format_datetime(moment, pattern, locale=locale)
    return format_date(moment, pattern, locale=locale)


def day_text(day: date) -> str:
    """A calendar day in full: ``2027-01-30`` (Norwegian: ``30. jan. 2027``)."""
    patterns = _PATTERNS.get(language())
    if patterns is None:
        return day.isoformat()
    return _babel_date(day, patterns.day, patterns.locale)


def day_width() -> int:
    """The most cells ``day_text`` takes in the language in force (for a table column)."""
    return _widest(language(), "day")


def moment_text(moment: datetime) -> str:
    """A moment to the minute, as given: ``2026-11-30 14:05`` (``30. nov. 2026 14:05``)."""
    patterns = _PATTERNS.get(language())
    if patterns is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return _babel_date(moment.replace(second=0, microsecond=0), patterns.moment, patterns.locale)


def numeric_moment_text(moment: datetime) -> str:
    """A moment in digits, for a narrow table column: ``2026-11-30 14:05``.

    Norwegian ``30.11.2026 14:05``: as wide in every language.
    """
    patterns = _PATTERNS.get(language())
    if patterns is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    stripped = moment.replace(second=0, microsecond=0)
    return _babel_date(stripped, patterns.numeric_moment, patterns.locale)


def moment_width() -> int:
    """The most cells ``moment_text`` takes in the language in force (to line times up)."""
    return _widest(language(), "moment")


@functools.cache
def _widest(language_code: str, form: str) -> int:
    """The widest ``day_text`` or ``moment_text`` of a language over the months.

    Worked out once per language: a table asks for it on every row.
    """
    from rich.cells import cell_len

    moments = [datetime(2026, month, 28, 23, 59) for month in range(1, 13)]
    if form == "day":
        return max(cell_len(day_text(moment.date())) for moment in moments)
    return max(cell_len(moment_text(moment)) for moment in moments)


def close_date_text(close: date, today: date, *, short: bool = False) -> str:
    """A close date as short as it can be read: ``12 Jan`` this year, else ``12 Jan 2028``.

    ``short`` writes another year as ``12 Jan '28`` (Norwegian ``12.1.28``), for a narrow
    card.
    """
    patterns = _PATTERNS.get(language())
    if patterns is not None:
        if close.year == today.year:
            pattern = patterns.this_year
        else:
            pattern = patterns.other_year_short if short else patterns.other_year
        return _babel_date(close, pattern, patterns.locale)
    day_month = f"{close.day} {_MONTHS[close.month - 1]}"
    if close.year == today.year:
        return day_month
    return f"{day_month} '{close.year % 100:02d}" if short else f"{day_month} {close.year}"


def close_month_text(close: date) -> str:
    """A close date in another year at its shortest: ``Sep '25`` (Norwegian ``sep. '25``).

    For a card too narrow for the day: a date a year off is told by its month and year.
    """
    patterns = _PATTERNS.get(language())
    if patterns is None:
        return f"{_MONTHS[close.month - 1]} '{close.year % 100:02d}"
    return _babel_date(close, "MMM ''yy", patterns.locale)
