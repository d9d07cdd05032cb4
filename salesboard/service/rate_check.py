"""The doctor's look at the team's settings and exchange rates.

Rates decide what every total says, and anyone in the group can write the table with
``sqlite3``. A rate that cannot be used is never applied (its currency counts as having
no rate), so a broken row cannot make a board or ``list`` fail, but it would silently turn
a currency's totals into "no rate": the doctor names each such row.
"""

from __future__ import annotations

from sqlalchemy import select

from salesboard import money
from salesboard.i18n import _
from salesboard.service.rates import BASE_KEY, rate_problem
from salesboard.service.rows import Damaged, moment, raw, text
from salesboard.store import EXCHANGE_RATE, SETTING, Database


def rate_problems(db: Database) -> tuple[str, list[str]]:
    """What was read (a summary line) and every problem of the settings and rate rows."""
    with db.read() as session:
        connection = session.connection()
        settings = connection.execute(select(SETTING.c.key, SETTING.c.value)).all()
        found = connection.execute(
            select(
                EXCHANGE_RATE.c.id,
                EXCHANGE_RATE.c.currency,
                EXCHANGE_RATE.c.base,
                EXCHANGE_RATE.c.rate,
                raw(EXCHANGE_RATE.c.set_at, "set_at"),  # a damaged time is reported
            ).order_by(EXCHANGE_RATE.c.id)
        ).all()
    problems: list[str] = []
    for key, value in settings:
        if text(key) == BASE_KEY and not money.is_currency(text(value)):
            problems.append(
                _("the base currency {value} is no ISO 4217 currency").format(
                    value=repr(text(value)[:40])
                )
            )
    for row in found:
        where = _("exchange rate {id} ({currency})").format(
            id=text(row.id), currency=text(row.currency)[:20]
        )
        for name in ("currency", "base"):  # the columns, named as they are
            if not money.is_currency(text(getattr(row, name))):
                problems.append(
                    _("{where}: {column} {value} is no currency").format(
                        where=where, column=name, value=repr(text(getattr(row, name))[:40])
                    )
                )
        problem = rate_problem(row.rate)
        if problem is not None:
            problems.append(
                _("{where}: {problem}; the currency counts as without a rate").format(
                    where=where, problem=problem
                )
            )
        try:
            moment(row.set_at, "set_at")
        except Damaged as damage:
            problems.append(f"{where}: {damage}")
    summary = _("{settings} settings and {rates} exchange rates read").format(
        settings=len(settings), rates=len(found)
    )
    return summary, problems
