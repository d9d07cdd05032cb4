"""User text made safe to draw: shown literally, never as markup or terminal codes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from rich.style import Style
from rich.text import Text

from salesboard.validation import display_safe


def literal(text: str, style: str | Style = "") -> Text:
    """A Rich ``Text`` of exactly these characters (markup is not parsed, escapes removed).

    ``Text`` objects never interpret ``[red]`` or ``[@click=…]``, unlike markup strings,
    and control bytes written by older versions or other tools are stripped here too.
    """
    return Text(display_safe(text), style=style, no_wrap=True, end="")


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
