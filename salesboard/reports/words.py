"""How the reports write their figures for people: percentages, days, and "no figure".

One place, so a ratio or a number of days reads the same in every report, the CLI's
tables and the board's reports screen, with the decimal mark of the language in force.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final

from salesboard.i18n import _
from salesboard.money import symbols
from salesboard.reports.facts import shown_days

MISSING: Final = "—"
"""What a table shows where a figure is undefined (nothing to divide, nothing measured)."""


def percent_text(value: Decimal | None) -> str:
    """``66.7 %``: a ratio between 0 and 1 as a percentage to one decimal (``—`` for none)."""
    if value is None:
        return MISSING
    shown = (value * 100).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
    return _("{percent} %").format(percent=str(shown).replace(".", symbols().decimal))


def days_text(value: Decimal | None) -> str:
    """``12.5``: days to one decimal, with the language's decimal mark (``—`` for none)."""
    if value is None:
        return MISSING
    return str(shown_days(value)).replace(".", symbols().decimal)
