"""Money: which currencies exist, how many decimals each has, and the one way to write it.

Amounts are stored as whole hundredths of the major unit (``value_minor``), whatever the
currency, so sums never drift and the history written so far keeps its meaning. What a
currency allows comes from the Unicode CLDR data that Babel ships (not a hand-made list):
only currencies that are legal tender somewhere today are accepted, and their decimals
are honoured — JPY, ISK and KRW have none, so ``1 000.50 JPY`` is refused and ``1 000
000 JPY`` is shown without ``.00``.

Every screen and command writes money the same way, in the form the input accepts back,
following the language in force: in English ``12 500.50 EUR`` (thousands grouped by
spaces, a decimal point — the SI style, unambiguous for teams in any country) and
``12.5k`` where there is little room; in Norwegian the conventions of Babel's ``nb_NO``
locale, ``1 283 750 kr`` and ``12,5k``. JSON always holds ``"12500.50"`` (an exact
decimal string, never a binary float). Babel is imported only when a currency has to be
looked up or a language other than English is in force, so a command that does not need
it starts as fast as before.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Final, NamedTuple

from salesboard.language import language

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


class NumberSymbols(NamedTuple):
    """How a language writes a number: the thousands separator and the decimal mark."""

    group: str
    decimal: str


_ENGLISH: Final = NumberSymbols(" ", ".")
_BABEL_LOCALES: Final = {"nb": "nb_NO"}
"""The Babel (CLDR) locale whose conventions each non-English language follows."""


@functools.cache
def _symbols_of(code: str) -> NumberSymbols:
    name = _BABEL_LOCALES.get(code)
    if name is None:
        return _ENGLISH
    from babel import Locale

    symbols = Locale.parse(name).number_symbols["latn"]
    return NumberSymbols(symbols["group"], symbols["decimal"])


def symbols() -> NumberSymbols:
    """The separators of the language in force (English: ``12 500.50``)."""
    return _symbols_of(language())


def _plain(value_minor: int, currency: str, written: NumberSymbols) -> str:
    places = _shown_decimals(value_minor, currency)
    sign = "-" if value_minor < 0 else ""
    whole, hundredths = divmod(abs(value_minor), 10**STORED_DECIMALS)
    text = f"{whole:,}".replace(",", written.group)
    if places:
        fraction = f"{hundredths:0{STORED_DECIMALS}d}"[:places]
        text = f"{text}{written.decimal}{fraction}"
    return sign + text


def amount_text(value_minor: int, currency: str = "") -> str:
    """``12 500.50`` (``1 000 000`` for JPY): an amount as people read and type it.

    Norwegian writes ``12 500,50``; the input accepts every form written here back.
    """
    return _plain(value_minor, currency, symbols())


def whole_amount(value_minor: int) -> str:
    """``340 000``: an amount rounded to whole units, for totals where cents are noise."""
    whole = (abs(value_minor) + 50) // 100
    return ("-" if value_minor < 0 else "") + f"{whole:,}".replace(",", symbols().group)


@functools.cache
def _currency_sign(code: str, language_code: str) -> str:
    """How ``language_code`` names a currency next to an amount (``kr`` for NOK).

    English keeps the ISO code, which no reader mistakes.
    """
    name = _BABEL_LOCALES.get(language_code)
    if name is None or not code:
        return code
    from babel.numbers import get_currency_symbol

    return get_currency_symbol(code, name)


def money_text(value_minor: int, currency: str) -> str:
    """``12 500.50 EUR``: an amount with its currency, wherever there is room for it.

    Norwegian writes ``12 500,50 €`` and ``1 283 750 kr``.
    """
    code = language()
    sign = _currency_sign(currency, code)
    space = "\u00a0" if code in _BABEL_LOCALES else " "
    return f"{amount_text(value_minor, currency)}{space}{sign}".rstrip()


def json_amount(value_minor: int, currency: str) -> str:
    """``"12500.50"``: the exact amount for scripts, as a decimal string."""
    return _plain(value_minor, currency, NumberSymbols("", "."))


_SHORT_SUFFIXES: Final = {
    "en": ("k", "M", "B", "T"),
    "nb": ("k", "M", "mrd", "bill"),  # tusen, millioner, milliarder, billioner
}
"""The compact suffixes per language, for thousands, millions, billions and trillions."""


def short_amount(value_minor: int) -> str:
    """A compact amount for narrow headers and cards: 950, 12.5k, 3.4M, 1.2B.

    Norwegian writes 12,5k, 3,4M and 1,2mrd: its decimal comma, and the suffixes kept as
    short as the English ones (Babel's own ``3,4 mill.`` does not fit a card at 80 columns).
    """
    value = Decimal(value_minor) / 10**STORED_DECIMALS
    code = language()
    suffixes = _SHORT_SUFFIXES.get(code, _SHORT_SUFFIXES["en"])
    steps = tuple(zip((10**3, 10**6, 10**9, 10**12), suffixes, strict=True))
    decimal = symbols().decimal
    for limit, suffix in reversed(steps):
        if value >= limit:
            scaled = value / limit
            figure = f"{scaled:.1f}" if scaled < 100 else f"{scaled:.0f}"
            return figure.replace(".", decimal) + suffix
    figure = f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"
    return figure.replace(".", decimal)
