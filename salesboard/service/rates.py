"""The team's base currency and exchange rates: how amounts in several currencies add up.

Money in different currencies is never added as if it were one: totals are given in the
team's base currency (EUR until the team picks another), each amount converted with the
rate the team keeps for its currency (``salesboard rates set USD 0.92``: one US dollar is
0.92 of the base). An amount whose currency has no rate is counted apart, never guessed.
Rates are kept with their history: a new rate is a new row, written through the service
like every other change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from typing import Final

from sqlalchemy import func, insert, select, update

from salesboard import money, validation
from salesboard.errors import InvalidInput
from salesboard.i18n import _
from salesboard.identity import current_login
from salesboard.service.rows import Damaged, moment, raw, text
from salesboard.service.views import as_utc
from salesboard.store import EXCHANGE_RATE, SETTING, Database

DEFAULT_BASE: Final = "EUR"
BASE_KEY: Final = "base_currency"
_RATE = re.compile(r"[0-9]{1,12}(?:[.,][0-9]{1,12})?", re.ASCII)


RATE_PLACES: Final = 12
RATE_MAX: Final = Decimal(10) ** 12
"""Rates are kept below a trillion and to twelve decimal places (what input accepts), so a
converted amount always fits Python's decimal context; a stored rate outside that range,
written by another tool, is damaged: its currency has no rate until one is set again."""


def rate_problem(stored: object) -> str | None:
    """Why a stored rate cannot be used, or None for a rate input could have written."""
    shown = repr(text(stored)[:40])
    try:
        rate = Decimal(text(stored))
    except InvalidOperation:
        return _("the rate {rate} is not a number").format(rate=shown)
    exponent = rate.as_tuple().exponent
    if not rate.is_finite() or not isinstance(exponent, int):
        return _("the rate {rate} is not a number").format(rate=shown)
    if rate <= 0 or rate >= RATE_MAX or exponent < -RATE_PLACES:
        return _(
            "the rate {rate} is outside what salesboard accepts "
            "(more than 0, less than 1 000 000 000 000, at most {places} decimals)"
        ).format(rate=shown, places=RATE_PLACES)
    return None


def rate_text(rate: Decimal) -> str:
    """A rate as people write it (``0.0000000001``, never ``1E-10``), as input takes it.

    With the language's decimal mark: Norwegian writes ``0,085``.
    """
    shown = format(rate, "f")
    shown = shown.rstrip("0").rstrip(".") if "." in shown else shown
    return shown.replace(".", money.symbols().decimal)


def parse_rate(typed: str) -> Decimal:
    """A rate typed by a user: a positive plain decimal such as ``0.92`` or ``11,57``."""
    cleaned = validation.strip_controls(str(typed)).strip()
    if not _RATE.fullmatch(cleaned):
        raise InvalidInput(
            _(
                "a rate is a plain positive number such as 0.92 or 11,57 (how much of the base "
                "currency one unit is worth), not {value}"
            ).format(value=repr(typed))
        )
    rate = Decimal(cleaned.replace(",", "."))
    problem = rate_problem(rate)  # one range for typed and stored rates alike
    if problem is not None:
        raise InvalidInput(problem)
    return rate


@dataclass(frozen=True)
class Rate:
    """One rate as it was set: one ``currency`` is ``rate`` ``base``; who set it and when."""

    currency: str
    base: str
    rate: Decimal | None
    set_by: str
    set_at: datetime | None
    damage: str | None = None
    """Why a row written by another tool cannot be used (then ``rate`` is None)."""


@dataclass(frozen=True)
class Rates:
    """The base currency and the current rate of every currency that has one.

    ``version`` changes whenever a rate or the base is set: a running board compares it
    to notice that the team changed them.
    """

    base: str = DEFAULT_BASE
    rates: dict[str, Decimal] = field(default_factory=dict)
    version: tuple[int, str] = (0, "")
    damaged: dict[str, str] = field(default_factory=dict, compare=False)
    """Currencies whose newest rate cannot be used, and why (they count as without one)."""

    def convert(self, value_minor: int, currency: str) -> int | None:
        """The amount in the base currency (hundredths), or None when there is no rate."""
        if currency == self.base:
            return value_minor
        rate = self.rates.get(currency)
        if rate is None:
            return None
        with localcontext(prec=60):  # amount and rate are bounded: this always fits
            return int((Decimal(value_minor) * rate).to_integral_value(ROUND_HALF_EVEN))


Clock = Callable[[], datetime]
_RATE_COLUMNS = EXCHANGE_RATE.c
_BASE_QUERY = select(SETTING.c.value).where(SETTING.c.key == BASE_KEY)


class RateBook:
    """Reads and changes the base currency and the rates, acting as one OS user."""

    def __init__(self, db: Database, actor: str | None = None, clock: Clock | None = None) -> None:
        self.db = db
        self.actor = actor or current_login()
        self._clock = clock or _utc_now

    def current(self) -> Rates:
        """The base currency and, for each currency, its newest rate against that base."""
        with self.db.read() as session:
            connection = session.connection()
            stored = connection.execute(_BASE_QUERY).scalar()
            base = _currency_or_default(stored)
            newest = (
                select(func.max(_RATE_COLUMNS.id))
                .where(_RATE_COLUMNS.base == base)
                .group_by(_RATE_COLUMNS.currency)
            )
            found = connection.execute(
                select(_RATE_COLUMNS.currency, _RATE_COLUMNS.rate).where(
                    _RATE_COLUMNS.id.in_(newest)
                )
            ).all()
            last = connection.execute(select(func.max(_RATE_COLUMNS.id))).scalar()
        rates: dict[str, Decimal] = {}
        damaged: dict[str, str] = {}
        for currency, rate in found:  # stored data: a damaged newest rate is no rate
            problem = rate_problem(rate)
            if problem is None:
                rates[text(currency)] = Decimal(text(rate))
            else:
                damaged[text(currency)] = problem
        version = (last if type(last) is int else 0, text(stored) if stored else "")
        return Rates(base, rates, version, damaged)

    def version(self) -> tuple[int, str]:
        """Changes whenever a rate or the base is set: a cheap check for a live board."""
        with self.db.read() as session:
            connection = session.connection()
            last = connection.execute(select(func.max(_RATE_COLUMNS.id))).scalar()
            stored = connection.execute(_BASE_QUERY).scalar()
        return (last if type(last) is int else 0, text(stored) if stored else "")

    def set_rate(self, currency: str, rate: str | Decimal) -> Rate:
        """Record that one ``currency`` is now worth ``rate`` of the base currency."""
        code = validation.clean_currency(currency)
        value = rate if isinstance(rate, Decimal) else parse_rate(rate)
        now = self._clock()
        with self.db.write() as session:
            connection = session.connection()
            base = _currency_or_default(connection.execute(_BASE_QUERY).scalar())
            if code == base:
                raise InvalidInput(
                    _("{code} is the base currency: its rate is always 1").format(code=code)
                )
            connection.execute(
                insert(EXCHANGE_RATE).values(
                    currency=code, base=base, rate=str(value), set_by=self.actor, set_at=now
                )
            )
        return Rate(code, base, value, self.actor, as_utc(now))

    def set_base(self, currency: str) -> str:
        """Make ``currency`` the team's base currency (rates against another base lapse)."""
        code = validation.clean_currency(currency)
        now = self._clock()
        row = {"value": code, "set_by": self.actor, "set_at": now}
        with self.db.write() as session:
            connection = session.connection()
            changed = connection.execute(
                update(SETTING).where(SETTING.c.key == BASE_KEY).values(**row)
            )
            if not getattr(changed, "rowcount", 0):
                connection.execute(insert(SETTING).values(key=BASE_KEY, **row))
        return code

    def history(self, currency: str | None = None) -> list[Rate]:
        """Every rate ever set (of one currency), newest first."""
        query = select(
            _RATE_COLUMNS.currency,
            _RATE_COLUMNS.base,
            _RATE_COLUMNS.rate,
            _RATE_COLUMNS.set_by,
            raw(_RATE_COLUMNS.set_at, "set_at"),
        ).order_by(_RATE_COLUMNS.id.desc())
        if currency is not None:
            query = query.where(_RATE_COLUMNS.currency == validation.clean_currency(currency))
        with self.db.read() as session:
            found = session.connection().execute(query).all()
        history: list[Rate] = []
        for row in found:  # stored data: shown as far as it can be read, never left out
            try:
                when: datetime | None = moment(row.set_at, "set_at")
            except Damaged:
                when = None
            problem = rate_problem(row.rate)
            rate = Decimal(text(row.rate)) if problem is None else None
            currency, base, by = text(row.currency), text(row.base), text(row.set_by)
            history.append(Rate(currency, base, rate, by, when, problem))
        return history


def _utc_now() -> datetime:
    """The current time in UTC (the pipeline's clock, without importing every use case)."""
    return datetime.now(UTC)


def _currency_or_default(stored: str | None) -> str:
    """The stored base currency if it is one (a damaged setting falls back to EUR)."""
    if isinstance(stored, str) and validation.CURRENCY_RE.fullmatch(stored):
        return stored
    return DEFAULT_BASE
