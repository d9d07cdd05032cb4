"""User text made safe to draw: shown literally, never as markup or terminal codes."""

from __future__ import annotations

from datetime import date, datetime

from rich.style import Style
from rich.text import Text

from salesboard.validation import display_safe


def literal(text: object, style: str | Style = "", *, wrap: bool = False) -> Text:
    """A Rich ``Text`` of exactly these characters (markup is not parsed, escapes removed).

    The board's one way to draw stored text: ``Text`` objects never interpret ``[red]``
    or ``[@click=…]``, unlike markup strings, and ``display_safe`` removes control bytes
    and direction overrides written by older versions or other tools. ``wrap`` lets a
    long value fold onto more lines (a table cell) instead of staying on one.
    """
    return Text(display_safe(text), style=style, no_wrap=not wrap, end="")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def close_date_text(close: date, today: date, *, short: bool = False) -> str:
    """A close date as short as it can be read: ``12 Jan`` this year, else ``12 Jan 2028``.

    ``short`` writes another year as ``12 Jan '28``, for a narrow card. Month names are
    written out here, not by ``strftime``, whose words follow the C
    locale of whatever process runs the board.
    """
    day_month = f"{close.day} {_MONTHS[close.month - 1]}"
    if close.year == today.year:
        return day_month
    return f"{day_month} '{close.year % 100:02d}" if short else f"{day_month} {close.year}"


def days_since(moment: datetime, now: datetime) -> int:
    """Whole days between a stored time and now, never negative."""
    return max(0, (now - moment).days)
