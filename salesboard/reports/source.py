"""Read the reports' facts from a database: every deal, its moves, the pipeline and rates.

Read-only, in one consistent read transaction and three plain queries (deals, the stage
events, the open activities), whatever the number of deals: no query per deal. Stored
data is not trusted: a deal whose row cannot be read is left out of every figure and
listed in ``Facts.damaged``; an event that cannot be read is passed over, as the
board's stage clock does.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

from sqlalchemy import Select, Text, cast, select
from sqlalchemy.engine import Connection

from salesboard.reports.facts import DealFact, Facts, Move
from salesboard.service import rows
from salesboard.service.definitions import definition_in
from salesboard.service.part_rows import next_steps
from salesboard.service.rates import RateBook, Rates
from salesboard.store import Database, Deal, Event
from salesboard.workflow import STAGE_MOVES, EventKind, Outcome, Stage, Status

MOVE_KINDS: Final = STAGE_MOVES
ENDINGS: Final = (EventKind.LOST, EventKind.FINISHED)
"""The moves that end a deal: all that won-and-lost figures need (velocity, outcomes)."""
_KINDS: Final = {kind.value: kind for kind in MOVE_KINDS}
_OFF_BOARD: Final = frozenset({EventKind.LOST, EventKind.FINISHED})
_STATUSES: Final = {status.value: status for status in Status}
_OUTCOMES: Final = {outcome.value: outcome for outcome in Outcome}

_DEALS: Any = Deal.__table__.c  # type: ignore[attr-defined]
_DEAL_QUERY: Final = select(
    _DEALS.id,
    _DEALS.title,
    _DEALS.owner,
    _DEALS.stage,
    _DEALS.status,
    _DEALS.value_minor,
    _DEALS.currency,
    rows.raw(_DEALS.expected_close, "expected_close"),
    rows.raw(_DEALS.created_at, "created_at"),
    rows.raw(_DEALS.stage_entered_at, "stage_entered_at"),
    _DEALS.outcome,
    _DEALS.satisfaction,
    _DEALS.lost_reason,
).order_by(_DEALS.id)

_EVENT_COLUMNS: Any = Event.__table__.c  # type: ignore[attr-defined]


def _move_query(kinds: Collection[EventKind]) -> Select[Any]:
    """The events of these kinds in deal order, each with its ``after`` as stored text.

    The stage is read from the text in Python (``_stage_named``) rather than with the
    database's JSON functions: SQLite's stop the whole query at one malformed text, which
    a row written by another tool may hold, and parsing twice cost more than reading.
    """
    return (
        select(
            _EVENT_COLUMNS.deal_id,
            rows.raw(_EVENT_COLUMNS.at, "at"),
            _EVENT_COLUMNS.kind,
            cast(_EVENT_COLUMNS.after, Text).label("after"),
        )
        .where(_EVENT_COLUMNS.kind.in_([kind.value for kind in kinds]))
        .order_by(_EVENT_COLUMNS.deal_id, _EVENT_COLUMNS.id)
    )


_STAGE_KEYS: Final = {stage.key: stage for stage in Stage}


def load_facts(
    db: Database,
    *,
    now: datetime | None = None,
    zone: tzinfo | None = None,
    moves: bool | Collection[EventKind] = True,
    steps: bool = True,
    rates: Rates | None = None,
) -> Facts:
    """Every deal, its moves, the pipeline and the rates.

    ``moves``: True for every move, False for none, or only the kinds a report needs
    (wins and losses: ``ENDINGS``, a tenth of the log). ``now`` defaults to the current
    time and ``zone`` to the system's time zone; ``rates`` to the team's current ones
    (the board passes those it already holds). ``steps=False`` leaves out each open
    deal's next step (only the stuck figures need it).
    """
    moment = now or datetime.now(UTC)
    known = rates or RateBook(db).current()
    with db.read() as session:
        connection = session.connection()
        _version, pipeline = definition_in(connection)
        due = {i: step.due_at for i, step in next_steps(connection, None).items()} if steps else {}
        deals, damaged = _deals(connection, known, due)
        kinds = MOVE_KINDS if moves is True else () if moves is False else tuple(moves)
        found = _moves(connection.execute(_move_query(kinds)).all(), deals) if kinds else {}
    return Facts(tuple(deals.values()), found, pipeline, known.base, moment, zone, tuple(damaged))


def _deals(
    connection: Connection, rates: Rates, due: dict[int, datetime]
) -> tuple[dict[int, DealFact], list[tuple[int, str]]]:
    """Every readable deal by id, and the unreadable ones with what is wrong.

    ``due`` holds each deal's next step's due time (open deals only keep theirs).
    """
    deals: dict[int, DealFact] = {}
    damaged: list[tuple[int, str]] = []
    for row in connection.execute(_DEAL_QUERY).all():
        try:
            deal = _deal(tuple(row), rates, due)
        except rows.Damaged as damage:
            if type(row[0]) is int:
                damaged.append((row[0], str(damage)))
            continue
        deals[deal.id] = deal
    return deals, damaged


def _deal(row: tuple[Any, ...], rates: Rates, due: dict[int, datetime]) -> DealFact:
    """One deal row (``_DEAL_QUERY``'s columns) as a fact, or ``rows.Damaged``."""
    (
        deal_id,
        title,
        owner,
        stage,
        status,
        value,
        currency,
        close,
        created,
        since,
        outcome,
        satisfaction,
        reason,
    ) = row  # unpacked once: a Row's attribute lookups cost more than the checks below
    state = _STATUSES.get(status) if isinstance(status, str) else None
    if state is None:
        raise rows.Damaged(f"status is {rows.shown(status)}")
    result = None
    if outcome is not None:
        result = _OUTCOMES.get(outcome) if isinstance(outcome, str) else None
        if result is None:
            raise rows.Damaged(f"outcome is {rows.shown(outcome)}")
    value = rows.amount(value)
    currency = rows.currency(currency)
    deal_id = rows.whole(deal_id, "id", 1, 2**63 - 1)
    return DealFact(
        deal_id,
        rows.text(title),
        rows.text(owner),
        rows.stage(stage),
        state,
        value,
        currency,
        rates.convert(value, currency),
        rows.day(close, "expected_close"),
        rows.moment(created, "created_at"),
        rows.moment(since, "stage_entered_at"),
        result,
        None if satisfaction is None else rows.whole(satisfaction, "satisfaction", 1, 5),
        None if reason is None else rows.text(reason),
        due.get(deal_id) if state is Status.OPEN else None,
    )


def _moves(found: Iterable[Any], deals: dict[int, DealFact]) -> dict[int, tuple[Move, ...]]:
    """Each readable deal's moves in order; a move that cannot be read is passed over.

    LOST and FINISHED events name no stage: the deal left from the stage it was in.
    """
    moves: dict[int, list[Move]] = {}
    where: dict[int, Stage] = {}
    for deal_id, raw_at, raw_kind, after in found:
        if deal_id not in deals:
            continue
        kind = _KINDS.get(raw_kind)
        try:
            at = rows.moment(raw_at, "at")
        except rows.Damaged:
            continue
        if kind is None:
            continue
        if kind in _OFF_BOARD:
            stage = where.get(deal_id, deals[deal_id].stage)
        else:  # the search of ``_stage_named`` inlined: this loop runs once per move
            whole = type(after) is str and after[:1] == "{" and after[-1:] == "}"
            start = after.find(_STAGE_KEY) if whole else -1
            known = None
            if start > 0:
                start += _KEY_LENGTH
                known = _STAGE_KEYS.get(after[start : after.find('"', start)])
            if known is None and (known := _stage_named(after)) is None:
                continue
            stage = known
        where[deal_id] = stage
        moves.setdefault(deal_id, []).append(Move(at, kind, stage))
    return {deal_id: tuple(found_moves) for deal_id, found_moves in moves.items()}


_STAGE_KEY: Final = '"stage": "'
_KEY_LENGTH: Final = len(_STAGE_KEY)


def _stage_named(after: Any) -> Stage | None:
    """The stage an event's ``after`` text names, None if it names none (or is damaged).

    Salesboard writes ``after`` as one JSON object with a top-level ``"stage": "…"``; in
    JSON text that key cannot occur inside a string (its quotes would be escaped), so the
    key is found by searching, which costs a tenth of parsing a created event's fields.
    Anything else is parsed as JSON, and what is not JSON names no stage.
    """
    if not isinstance(after, str) or not (after.startswith("{") and after.endswith("}")):
        return None
    start = after.find(_STAGE_KEY)
    if start > 0:
        start += len(_STAGE_KEY)
        found = _STAGE_KEYS.get(after[start : after.find('"', start)])
        if found is not None:
            return found
    try:
        parsed = json.loads(after)
    except (ValueError, RecursionError):
        return None
    key = parsed.get("stage") if isinstance(parsed, dict) else None
    return _STAGE_KEYS.get(key) if isinstance(key, str) else None
