"""Money: which currencies exist, how many decimals each has, and the one way to write it.

Amounts are stored as whole hundredths of the major unit (``value_minor``), whatever the
currency, so sums never drift and the history written so far keeps its meaning. What a
currency allows comes from the Unicode CLDR data that Babel ships (not a hand-made list):
only currencies that are legal tender somewhere today are accepted, and their decimals
are honoured — JPY, ISK and KRW have none, so ``1 000.50 JPY`` is refused and ``1 000
000 JPY`` is shown without ``.00``.

Every screen and command writes money the same way, in the form the input accepts back:
``12 500.50 EUR`` (thousands grouped by spaces, a decimal point), ``12.5k`` where there
is little room, and ``"12500.50"`` in JSON (an exact decimal string, never a binary
float). Babel is imported only when a currency has to be looked up, so a command that
does not need it starts as fast as before.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Final

STORED_DECIMALS: Final = 2
"""``value_minor`` counts hundredths of the major unit, for every currency."""


@functools.cache
def currencies() -> frozenset[str]:
    """Every ISO 4217 currency that is legal tender in some territory today (CLDR)."""
    from datetime import date

    from babel.core import get_global
    from babel.numbers import get_territory_currencies

    today = date.today()
    found: set[str] = set()
    for territory in get_global("territory_currencies"):
        found.update(get_territory_currencies(territory, today))
    return frozenset(found)


def is_currency(code: str) -> bool:
    """Whether ``code`` is a current ISO 4217 currency."""
    return code in currencies()


@functools.cache
def decimals(code: str) -> int:
    """How many decimals amounts in ``code`` are written with (at most the two stored)."""
    from babel.numbers import get_currency_precision

    try:
        return min(int(get_currency_precision(code)), STORED_DECIMALS)
    except (ValueError, TypeError):  # an unknown code in old data: as stored
        return STORED_DECIMALS


def _shown_decimals(value_minor: int, currency: str) -> int:
    """The currency's decimals, unless the stored amount has more (never hide a cent)."""
    places = decimals(currency) if currency else STORED_DECIMALS
    if places < STORED_DECIMALS and value_minor % 10 ** (STORED_DECIMALS - places):
        return STORED_DECIMALS
    return places


def _plain(value_minor: int, currency: str, group: str) -> str:
    places = _shown_decimals(value_minor, currency)
    sign = "-" if value_minor < 0 else ""
    whole, hundredths = divmod(abs(value_minor), 10**STORED_DECIMALS)
    text = f"{whole:,}".replace(",", group)
    if places:
        fraction = f"{hundredths:0{STORED_DECIMALS}d}"[:places]
        text = f"{text}.{fraction}"
    return sign + text


def amount_text(value_minor: int, currency: str = "") -> str:
    """``12 500.50`` (``1 000 000`` for JPY): the amount as people read and type it."""
    return _plain(value_minor, currency, " ")


def whole_amount(value_minor: int) -> str:
    """``340 000``: an amount rounded to whole units, for totals where cents are noise."""
    whole = (abs(value_minor) + 50) // 100
    return ("-" if value_minor < 0 else "") + f"{whole:,}".replace(",", " ")


def money_text(value_minor: int, currency: str) -> str:
    """``12 500.50 EUR``: an amount with its currency, wherever there is room for it."""
    return f"{amount_text(value_minor, currency)} {currency}".rstrip()


def json_amount(value_minor: int, currency: str) -> str:
    """``"12500.50"``: the exact amount for scripts, as a decimal string."""
    return _plain(value_minor, currency, "")


def short_amount(value_minor: int) -> str:
    """A compact amount for narrow headers and cards: 950, 12.5k, 3.4M, 1.2B."""
    value = Decimal(value_minor) / 10**STORED_DECIMALS
    steps = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "k"))
    for limit, suffix in steps:
        if value >= limit:
            scaled = value / limit
            return f"{scaled:.1f}{suffix}" if scaled < 100 else f"{scaled:.0f}{suffix}"
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
