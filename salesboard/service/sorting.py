"""How the cards of a column can be ordered: one definition for the board and the CLI.

Each order turns a deal into a sort key, a tuple of whole numbers ending with the deal's
id: keys are unique, so a column can find a card by bisection and ties always fall the
same way (the older deal first). A deal an order cannot place (no expected close date,
no exchange rate for its value, an unreadable time) goes after those it can.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from salesboard.i18n import N_, _

if TYPE_CHECKING:
    from salesboard.service.views import DealSummary

SortKey = tuple[int, ...]
"""Compared as tuples; the last number is always the deal's id."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class CardOrder(StrEnum):
    """The orders a column's cards can be shown in; the value is what settings store."""

    BOARD = "board"
    VALUE = "value"
    CLOSE = "close"
    DAYS = "days"
    CHANGED = "changed"

    @property
    def label(self) -> str:
        """What the order is called where the user picks it and in the status line.

        Only shown: the order's value (``value``) is what is typed and stored.
        """
        return _(_LABELS[self])

    @property
    def needs_dates(self) -> bool:
        """Whether the order reads the deal's dates (loaded only when one is chosen)."""
        return self in (CardOrder.CLOSE, CardOrder.DAYS, CardOrder.CHANGED)

    @classmethod
    def parse(cls, text: str) -> CardOrder:
        """An order by its stored name (``value``), for the CLI and the settings file."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(order.value for order in cls)
            raise ValueError(
                _("unknown order {text}; expected one of {names}").format(
                    text=repr(text), names=names
                )
            ) from None


_LABELS: Final = {
    CardOrder.BOARD: N_("board order (oldest deal first)"),
    CardOrder.VALUE: N_("value (highest first)"),
    CardOrder.CLOSE: N_("expected close (soonest first)"),
    CardOrder.DAYS: N_("days in stage (longest first)"),
    CardOrder.CHANGED: N_("last change (newest first)"),
}


def _micros(moment: datetime | None) -> int | None:
    """A time as whole microseconds, naive times being UTC (as SQLite returns them)."""
    if not isinstance(moment, datetime):
        return None
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    delta = aware - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def sort_key(
    order: CardOrder,
    deal_id: int,
    *,
    in_base: int | None = None,
    expected_close: date | None = None,
    stage_since: datetime | None = None,
    updated_at: datetime | None = None,
) -> SortKey:
    """Where a deal goes in a column shown in ``order``.

    ``in_base`` is the value in the team's base currency (``None``: no rate, so it cannot
    be compared); ``stage_since`` is when its days in stage count from (``stage_clock``).
    """
    if order is CardOrder.BOARD:
        return (deal_id,)
    number: int | None
    if order is CardOrder.VALUE:
        number = None if in_base is None else -in_base
    elif order is CardOrder.CLOSE:
        number = expected_close.toordinal() if isinstance(expected_close, date) else None
    elif order is CardOrder.DAYS:
        number = _micros(stage_since)
    else:
        since = _micros(updated_at)
        number = None if since is None else -since
    return (1, 0, deal_id) if number is None else (0, number, deal_id)


def in_board_order(
    deals: Iterable[DealSummary],
    order: CardOrder,
    convert: Callable[[int, str], int | None],
) -> list[DealSummary]:
    """Deals as the board shows them in ``order``: by stage, then each column's order.

    ``convert`` turns a value into the base currency (``Rates.convert``); what it cannot
    convert sorts after what it can. Damaged deals, which the board leaves off (its notice
    names them), come after every other, in id order.
    """

    def key(deal: DealSummary) -> tuple[int, int, SortKey]:
        if deal.damage is not None:
            return 1, 0, (deal.id,)
        return (
            0,
            int(deal.stage),
            sort_key(
                order,
                deal.id,
                in_base=convert(deal.value_minor, deal.currency),
                expected_close=deal.expected_close,
                stage_since=deal.stage_entered_at,
                updated_at=deal.updated_at,
            ),
        )

    return sorted(deals, key=key)
