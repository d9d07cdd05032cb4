"""Reads shaped for the board: totals per column, ids per column, cards by id.

The board never loads every deal. It keeps a slim in-memory index of the open deals
(id, stage, value, owner and a folded search key; a few megabytes at 50,000 deals) that
answers filters, "my deals" and column totals without a query, a column keeps only the
ordered ids of its deals, and card details (with checklist progress) are fetched for the
handful of ids on screen. Work per key press therefore grows with what is visible, not
with the number of deals: a filter keystroke is one pass over the slim index in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, func
from sqlalchemy import select as core_select
from sqlmodel import col, select

from salesboard.i18n import _
from salesboard.service import rows
from salesboard.service.definitions import definition_in
from salesboard.service.filters import needle_of, search_key, text_matches
from salesboard.service.part_rows import next_steps
from salesboard.service.rates import DEFAULT_BASE, Rates
from salesboard.service.sorting import CardOrder, SortKey, sort_key
from salesboard.service.views import DealSummary
from salesboard.store import ChecklistItem, Database, Deal, Event
from salesboard.validation import VALUE_MAX_MINOR
from salesboard.workflow import FIRST_STAGE, LAST_STAGE, Stage, Status


@dataclass(frozen=True)
class BoardFilter:
    """What the user narrowed the board to: a text search and/or one owner's deals."""

    text: str = ""
    owner: str | None = None

    def keeps(self, owner: str, key: str) -> bool:
        """Whether an open deal with this owner and ``search_key`` passes the filter."""
        if self.owner is not None and owner != self.owner:
            return False
        needle = needle_of(self.text)
        return not needle or needle in key

    def conditions(self) -> list[ColumnElement[bool]]:
        """SQL conditions selecting the open deals this filter keeps."""
        found: list[ColumnElement[bool]] = [
            col(Deal.status) == Status.OPEN.value,
            col(Deal.stage).between(int(FIRST_STAGE), int(LAST_STAGE)),  # as the index
        ]
        if self.owner is not None:
            found.append(col(Deal.owner) == self.owner)
        if self.text.strip():
            found.append(text_matches(self.text))
        return found


@dataclass(frozen=True)
class ChangedDeals:
    """Which deals changed after a known event: what a live board must redraw."""

    last_event_id: int
    deal_ids: frozenset[int]
    too_many: bool
    """More deals changed than are worth redrawing one by one: reload the board."""


@dataclass(frozen=True)
class ColumnTotals:
    """A column header's figures: how many open deals and what they are worth.

    ``value_minor`` is in the team's ``base`` currency: amounts in other currencies are
    converted at the team's rates (``converted`` counts them), and those without a rate
    are counted in ``unconverted``, not added as if they were base money.
    """

    stage: Stage
    count: int
    value_minor: int
    unconverted: int = 0
    converted: int = 0
    base: str = DEFAULT_BASE


class BoardQueries:
    """The read side of the board, one cheap query per question."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def totals(self, board_filter: BoardFilter = BoardFilter()) -> dict[Stage, ColumnTotals]:
        """Count and value of the filtered open deals in every stage, in one query.

        The board computes these from ``OpenDealIndex``; this is the SQL definition the
        index is tested against.
        """
        query = (
            select(col(Deal.stage), func.count(), func.coalesce(func.sum(col(Deal.value_minor)), 0))
            .where(*board_filter.conditions())
            .group_by(col(Deal.stage))
        )
        with self.db.read() as session:
            rows = {int(s): (int(n), int(v)) for s, n, v in session.exec(query).all()}
        return {stage: ColumnTotals(stage, *rows.get(int(stage), (0, 0))) for stage in Stage}

    def column_ids(self, stage: Stage, board_filter: BoardFilter = BoardFilter()) -> list[int]:
        """The ids of one column's deals in board order (oldest deal first)."""
        query = (
            select(col(Deal.id))
            .where(col(Deal.stage) == int(stage), *board_filter.conditions())
            .order_by(col(Deal.id))
        )
        with self.db.read() as session:
            return [int(i or 0) for i in session.exec(query).all()]

    def all_column_ids(self, board_filter: BoardFilter = BoardFilter()) -> dict[Stage, list[int]]:
        """Every column's ids in one query (the SQL definition ``OpenDealIndex`` must match)."""
        query = (
            select(col(Deal.stage), col(Deal.id))
            .where(*board_filter.conditions())
            .order_by(col(Deal.stage), col(Deal.id))
        )
        columns: dict[Stage, list[int]] = {stage: [] for stage in Stage}
        with self.db.read() as session:
            for stage, deal_id in session.exec(query).all():
                columns[Stage(stage)].append(int(deal_id or 0))
        return columns

    def cards(self, ids: Iterable[int]) -> dict[int, DealSummary]:
        """Card details for exactly these deals, with their current stage's progress."""
        wanted: Sequence[int] = sorted(set(ids))
        if not wanted:
            return {}
        done = func.coalesce(func.sum(case((col(ChecklistItem.done), 1), else_=0)), 0)
        query = (
            core_select(
                *rows.DEAL_COLUMNS,
                done.label("jobs_done"),
                func.count(col(ChecklistItem.id)).label("jobs_total"),
            )
            .outerjoin(
                ChecklistItem,
                and_(
                    col(ChecklistItem.deal_id) == col(Deal.id),
                    col(ChecklistItem.stage) == col(Deal.stage),
                ),
            )
            .where(col(Deal.id).in_(wanted))
            .group_by(col(Deal.id))
        )
        with self.db.read() as session:
            found = session.connection().execute(query).all()
            steps = next_steps(session.connection(), wanted)
        return {
            int(row.id): replace(
                rows.deal_summary(row, row.jobs_done, row.jobs_total), next_step=steps.get(row.id)
            )
            for row in found
        }

    def find(self, text: str, limit: int = 20) -> list[tuple[int, str, str, Stage]]:
        """Open deals whose title, company or owner contains ``text``, for jumping to them."""
        return [hit[:4] for hit in self._find(BoardFilter(text=text).conditions(), limit)]

    def find_ended(self, text: str, limit: int = 20) -> list[tuple[int, str, str, Stage, Status]]:
        """Finished and lost deals matching ``text`` (the same search), for the palette."""
        ended = col(Deal.status).in_([Status.FINISHED.value, Status.LOST.value])
        return self._find([ended, text_matches(text)], limit)

    def _find(
        self, conditions: list[ColumnElement[bool]], limit: int
    ) -> list[tuple[int, str, str, Stage, Status]]:
        query = (
            core_select(
                col(Deal.id), col(Deal.title), col(Deal.company), col(Deal.stage), col(Deal.status)
            )
            .where(*conditions)
            .order_by(col(Deal.id))
            .limit(limit)
        )
        with self.db.read() as session:
            found = session.connection().execute(query).all()
        hits: list[tuple[int, str, str, Stage, Status]] = []
        for deal_id, title, company, stage, status in found:  # stored data: only what is sound
            try:
                hit = (rows.whole(deal_id, "id", 1, 2**63 - 1), rows.text(title))
                hits.append((*hit, rows.text(company), rows.stage(stage), Status(status)))
            except (rows.Damaged, ValueError):
                continue
        return hits

    def last_event_id(self) -> int:
        """The newest event's id (0 for none): a change counter every board can compare.

        Every change to a deal writes an event, so when this number has not moved, no deal
        has changed, whatever else was committed (heartbeats, for instance).
        """
        with self.db.read() as session:
            newest = session.exec(select(func.max(col(Event.id)))).one()
        return newest if type(newest) is int else 0  # a rebuilt table may hold anything

    def changed_since(self, event_id: int, limit: int = 50) -> ChangedDeals:
        """The deals changed by events newer than ``event_id``, up to ``limit`` of them."""
        query = (
            select(col(Event.id), col(Event.deal_id))
            .where(col(Event.id) > event_id)
            .order_by(col(Event.id))
        )
        newest = event_id
        deal_ids: set[int] = set()
        with self.db.read() as session:
            for found, deal_id in session.exec(query):
                if type(found) is int:
                    newest = max(newest, found)
                if type(deal_id) is int:
                    deal_ids.add(deal_id)
        return ChangedDeals(newest, frozenset(deal_ids), too_many=len(deal_ids) > limit)


def _why_not_on_board(stage: Any, value: Any, *texts: Any) -> str:
    """What keeps an open deal off the board, in the words of ``rows``."""
    try:
        rows.stage(stage)
        rows.amount(value)
    except rows.Damaged as damage:
        return str(damage)
    odd = next((t for t in texts if type(t) is not str), None)
    return _("a text field is {value}, not text").format(value=rows.shown(odd))


_Dates = tuple[date | None, datetime | None, datetime | None]
"""An open deal's expected close, stage clock start and last change, for ordering."""
_NO_DATES: _Dates = (None, None, None)


def _day_or_none(value: Any) -> date | None:
    try:
        return rows.day(value, "expected_close")
    except rows.Damaged:
        return None


def _moment_or_none(value: Any) -> datetime | None:
    try:
        return rows.moment(value, "time")
    except rows.Damaged:
        return None


class _Open(NamedTuple):
    stage: int
    value_minor: int
    owner: str
    title: str
    company: str
    currency: str
    in_base: int | None  # the value in the base currency, None without a rate


@dataclass(frozen=True)
class BoardView:
    """What the board shows for one filter: each column's ids in order, and its totals."""

    columns: dict[Stage, list[int]]
    totals: dict[Stage, ColumnTotals]
    keys: dict[Stage, list[SortKey]]
    """Each column's sort keys, in the same order as its ids (``sorting``)."""


class OpenDealIndex:
    """The open deals in memory, slim, so a filter keystroke needs no query.

    Loaded with one query when the board starts (or after a flood of remote changes) and
    kept current with ``put`` for every deal the board learns has changed, its own
    changes and other sessions' alike.
    """

    def __init__(self, db: Database, rates: Rates | None = None) -> None:
        self.db = db
        self.rates = rates or Rates()
        self._open: dict[int, _Open] = {}
        self._keys: dict[int, str] | None = None  # built by the first text filter
        self._order = CardOrder.BOARD
        self._dates: dict[int, _Dates] | None = None  # read when an order first needs them
        self._sort_keys: dict[int, SortKey] | None = None  # for ``_order``, built on demand
        self._owners: Counter[str] = Counter()
        self.loaded = False
        self.damaged: list[tuple[int, str]] = []
        """Open deals whose board fields cannot be read: (id, what is wrong)."""

    def load(self) -> None:
        """Read every open deal's board fields (one query over the board index).

        A deal whose stage, value or texts cannot be read is left off the board and
        listed in ``damaged`` instead, so one bad row never stops the board.
        """
        query = core_select(
            col(Deal.id),
            col(Deal.stage),
            col(Deal.value_minor),
            col(Deal.owner),
            col(Deal.title),
            col(Deal.company),
            col(Deal.currency),
        ).where(col(Deal.status) == Status.OPEN.value)
        board: dict[int, _Open] = {}
        damaged: list[tuple[int, str]] = []
        base = self.rates.base
        convert = self.rates.convert
        # Owners, companies and currencies repeat from deal to deal: one string each, not
        # one per deal (at 100,000 deals the board's peak memory went over 150 MB).
        shared: dict[str, str] = {}
        one = shared.setdefault
        with self.db.read() as session:
            definition_in(session.connection())  # columns named as the team's pipeline says
            # Row by row, not all rows at once: never every row and the index together.
            for i, stage, value, owner, title, company, currency in session.connection().execute(
                query
            ):  # start-up: kept lean
                if (
                    type(i) is int
                    and type(stage) is int
                    and FIRST_STAGE <= stage <= LAST_STAGE
                    and type(value) is int
                    and 0 <= value <= VALUE_MAX_MINOR
                    and type(owner) is str
                    and type(title) is str
                    and type(company) is str
                    and type(currency) is str
                ):
                    in_base = value if currency == base else convert(value, currency)
                    board[i] = _Open(
                        stage, value, one(owner, owner), title, one(company, company),
                        one(currency, currency), in_base,
                    )  # fmt: skip
                elif type(i) is int:
                    why = _why_not_on_board(stage, value, owner, title, company, currency)
                    damaged.append((i, why))
            # A deal whose status cannot be read may be open: say so rather than lose it.
            unknown = core_select(col(Deal.id), col(Deal.status)).where(rows.status_unknown())
            for i, status in session.connection().execute(unknown):
                if type(i) is int:
                    damaged.append((i, rows.status_damage(status)))
        self._open = board
        self.damaged = sorted(damaged)
        self._keys = None
        self._dates = None
        self._sort_keys = None
        self._owners = Counter(entry.owner for entry in board.values())
        self.loaded = True

    # ------------------------------------------------------------ ordering

    @property
    def order(self) -> CardOrder:
        """How each column's cards are ordered (``sorting``)."""
        return self._order

    @order.setter
    def order(self, order: CardOrder) -> None:
        if order is not self._order:
            self._order = order
            self._sort_keys = None

    def sort_key(self, deal_id: int) -> SortKey:
        """Where an open deal goes in its column in the current order."""
        if self._order is CardOrder.BOARD:
            return (deal_id,)  # no table of keys needed for the id order
        found = self._ordering().get(deal_id)
        return found if found is not None else (1, 0, deal_id)

    def _ordering(self) -> dict[int, SortKey]:
        """Every open deal's sort key for the current order, worked out once per order."""
        if self._sort_keys is None:
            self._sort_keys = {
                deal_id: self._key_of(deal_id, entry) for deal_id, entry in self._open.items()
            }
        return self._sort_keys

    def _key_of(self, deal_id: int, entry: _Open) -> SortKey:
        order = self._order
        if order is CardOrder.BOARD:
            return (deal_id,)
        if not order.needs_dates:
            return sort_key(order, deal_id, in_base=entry.in_base)
        close, since, changed = self._all_dates().get(deal_id, _NO_DATES)
        return sort_key(order, deal_id, expected_close=close, stage_since=since, updated_at=changed)

    def _all_dates(self) -> dict[int, _Dates]:
        """The open deals' dates, read with one query the first time an order needs them.

        A date that cannot be read is left out (the deal sorts last), never an error:
        the board shows that deal as damaged already.
        """
        if self._dates is None:
            query = core_select(
                col(Deal.id),
                rows.raw(col(Deal.expected_close), "expected_close"),
                rows.raw(col(Deal.stage_entered_at), "stage_entered_at"),
                rows.raw(col(Deal.updated_at), "updated_at"),
            ).where(col(Deal.status) == Status.OPEN.value)
            with self.db.read() as session:
                found = session.connection().execute(query).all()
            self._dates = {
                i: (_day_or_none(close), _moment_or_none(since), _moment_or_none(changed))
                for i, close, since, changed in found
                if i in self._open
            }
        return self._dates

    def owners(self) -> list[tuple[str, int]]:
        """Everyone who owns open deals, with how many, by name: the owner views offered."""
        return sorted((owner, n) for owner, n in self._owners.items() if n > 0)

    def put(self, deal: DealSummary) -> tuple[_Open | None, _Open | None]:
        """Record one deal's current state (it may have left the board).

        Returns the deal's entry before and after, for ``adjust``.
        """
        before = self._open.get(deal.id)
        if before is not None:
            self._owners[before.owner] -= 1
        if deal.status is Status.OPEN and deal.damage is None:
            in_base = self.rates.convert(deal.value_minor, deal.currency)
            entry = _Open(
                int(deal.stage),
                deal.value_minor,
                deal.owner,
                deal.title,
                deal.company,
                deal.currency,
                in_base,
            )
            self._open[deal.id] = entry
            self._owners[entry.owner] += 1
            if self._keys is not None:
                self._keys[deal.id] = search_key(entry.title, entry.company, entry.owner)
            if self._dates is not None:
                self._dates[deal.id] = (deal.expected_close, deal.stage_entered_at, deal.updated_at)
            if self._sort_keys is not None:
                self._sort_keys[deal.id] = self._key_of(deal.id, entry)
            return before, entry
        self._open.pop(deal.id, None)
        for cache in (self._keys, self._dates, self._sort_keys):
            if cache is not None:
                cache.pop(deal.id, None)
        return before, None

    def adjust(
        self,
        totals: dict[Stage, ColumnTotals],
        before: _Open | None,
        after: _Open | None,
        board_filter: BoardFilter,
    ) -> dict[Stage, ColumnTotals]:
        """The figures once one deal changed from ``before`` to ``after`` (``put``'s answer).

        Constant work, whatever the number of deals: a move or a tick does not count every
        open deal again.
        """
        found = dict(totals)
        for entry, sign in ((before, -1), (after, 1)):
            if entry is None or not board_filter.keeps(
                entry.owner, search_key(entry.title, entry.company, entry.owner)
            ):
                continue
            stage = Stage(entry.stage)
            old = found[stage]
            value = entry.in_base or 0
            found[stage] = ColumnTotals(
                stage,
                old.count + sign,
                old.value_minor + sign * value,
                old.unconverted + (sign if entry.in_base is None else 0),
                old.converted
                + (sign if entry.in_base is not None and entry.currency != old.base else 0),
                old.base,
            )
        return found

    def _search_keys(self) -> dict[int, str]:
        """Each open deal's folded search text, built when a text filter first needs it.

        Folding every title at start-up cost a third of loading the index, for a filter
        most sessions never type.
        """
        if self._keys is None:
            self._keys = {
                deal_id: search_key(entry.title, entry.company, entry.owner)
                for deal_id, entry in self._open.items()
            }
        return self._keys

    def __len__(self) -> int:
        return len(self._open)

    def rebase(self, rates: Rates) -> None:
        """The team changed a rate or its base currency: convert every value again."""
        self.rates = rates
        convert = rates.convert
        self._open = {
            deal_id: entry._replace(in_base=convert(entry.value_minor, entry.currency))
            for deal_id, entry in self._open.items()
        }
        if self._order is CardOrder.VALUE:
            self._sort_keys = None  # values in the base currency changed

    def view(
        self, board_filter: BoardFilter = BoardFilter(), *, in_order: bool = True
    ) -> BoardView:
        """Columns and totals for a filter, in one pass over the index.

        ``in_order=False`` leaves each column's ids unsorted and without keys: for
        callers that only want the figures.
        """
        columns: dict[int, list[int]] = {int(stage): [] for stage in Stage}
        values = dict.fromkeys(columns, 0)
        apart = dict.fromkeys(columns, 0)
        converted = dict.fromkeys(columns, 0)
        base = self.rates.base
        needle = needle_of(board_filter.text)
        owner = board_filter.owner
        texts = self._search_keys() if needle else {}
        for deal_id, entry in self._open.items():  # the hot loop of a filter keystroke
            if (owner is None or entry.owner == owner) and (not needle or needle in texts[deal_id]):
                stage = entry.stage
                columns[stage].append(deal_id)
                if entry.in_base is None:
                    apart[stage] += 1
                else:
                    values[stage] += entry.in_base
                    if entry.currency != base:
                        converted[stage] += 1
        keys: dict[Stage, list[SortKey]]
        if not in_order:
            ordered = {Stage(s): ids for s, ids in columns.items()}
            keys = {}
        elif self._order is CardOrder.BOARD:
            ordered = {Stage(s): sorted(ids) for s, ids in columns.items()}
            keys = {stage: [(i,) for i in ids] for stage, ids in ordered.items()}
        else:
            found = self._ordering()
            keys = {Stage(s): sorted(found[i] for i in ids) for s, ids in columns.items()}
            ordered = {stage: [key[-1] for key in column] for stage, column in keys.items()}
        totals = {
            stage: ColumnTotals(
                stage,
                len(ids),
                values[int(stage)],
                apart[int(stage)],
                converted[int(stage)],
                base,
            )
            for stage, ids in ordered.items()
        }
        return BoardView(ordered, totals, keys)

    def totals(self, board_filter: BoardFilter = BoardFilter()) -> dict[Stage, ColumnTotals]:
        """Every column's figures for a filter: the one source of the headers."""
        return self.view(board_filter, in_order=False).totals
