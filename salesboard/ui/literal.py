"""User text made safe to draw: shown literally, never as markup or terminal codes."""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Text

from salesboard.calendar_text import close_date_text
from salesboard.validation import display_safe

__all__ = ["close_date_text", "days_since", "literal"]


def literal(text: object, style: str | Style = "", *, wrap: bool = False) -> Text:
    """A Rich ``Text`` of exactly these characters (markup is not parsed, escapes removed).

    The board's one way to draw stored text: ``Text`` objects never interpret ``[red]``
    or ``[@click=…]``, unlike markup strings, and ``display_safe`` removes control bytes
    and direction overrides written by older versions or other tools. ``wrap`` lets a
    long value fold onto more lines (a table cell) instead of staying on one.
    """
    return Text(display_safe(text), style=style, no_wrap=not wrap, end="")


def days_since(moment: datetime, now: datetime) -> int:
    """Whole days between a stored time and now, never negative."""
    return max(0, (now - moment).days)
