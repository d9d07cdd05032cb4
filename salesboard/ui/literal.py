"""User text made safe to draw: shown literally, never as markup or terminal codes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

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


def short_money(value_minor: int) -> str:
    """A compact amount for narrow headers and cards: 950, 12.5k, 3.4M."""
    value = Decimal(value_minor) / 100
    for limit, suffix in ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "k")):
        if value >= limit:
            scaled = value / limit
            return f"{scaled:.1f}{suffix}" if scaled < 100 else f"{scaled:.0f}{suffix}"
    return f"{value:.0f}"


def full_money(value_minor: int) -> str:
    """A full amount with thin grouping, as in ``340 000``."""
    value = Decimal(value_minor) / 100
    whole = f"{value:,.0f}".replace(",", " ")
    return whole if value == value.to_integral_value() else f"{value:,.2f}".replace(",", " ")


def days_since(moment: datetime, now: datetime) -> int:
    """Whole days between a stored time and now, never negative."""
    return max(0, (now - moment).days)
