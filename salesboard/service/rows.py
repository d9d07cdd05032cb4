"""Reading stored rows as untrusted data: a row that breaks the rules is damaged, not fatal.

Anyone who can write the database file can store anything in it: SQLite keeps whatever it
is given whatever the column's type (text in a number column, a stage of 9, an event
whose ``before`` is not JSON), and another tool or an older version may have written it.
So every row is read here, column by column, with no type conversion left to the driver
layer that could fail for the whole query (dates and JSON are read raw and parsed here),
and checked against the rules the rest of the program relies on:

- a deal that breaks one (a stage outside 1–6, an unknown status, a time that is not a
  time…) becomes a ``DealSummary`` marked ``damage`` (with only its id and title worth
  showing), so a list or a board shows it as damaged, names it, and goes on;
- an event that does not parse, or whose hash no longer matches its content, becomes an
  ``EventView`` marked ``damage``; the rest of the history is shown;
- a change that would have to build on a damaged row is refused with ``DamagedData``.

Free text (titles, companies, owners, notes, job texts, actors) is accepted as it is:
it is made safe where it is shown (``validation.display_safe``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any, Final

from sqlalchemy import ColumnElement, Integer, String, Text, and_, cast, or_, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import col

from salesboard.definition import PipelineDefinition
from salesboard.errors import DamagedData
from salesboard.i18n import _
from salesboard.language import language
from salesboard.service.views import UNKNOWN_TIME, DealSummary, EventView, JobView
from salesboard.store import ChecklistItem, Deal, Event
from salesboard.validation import CURRENCY_RE, VALUE_MAX_MINOR
from salesboard.workflow import EventKind, Outcome, Stage, Status

_STAGES: Final = {int(stage): stage for stage in Stage}
_STATUSES: Final = {status.value: status for status in Status}


def status_unknown() -> ColumnElement[bool]:
    """Deals whose stored status is none of open, finished or lost (damaged).

    A filter on ``status = 'open'`` never reads them, so a board or a list of open deals
    would leave them out without a word. Written as ranges around the known values (and
    NULL), so the board index on ``status`` finds them without reading every deal.
    """
    status = col(Deal.status)
    known = sorted(_STATUSES)
    ranges: list[ColumnElement[bool]] = [status.is_(None), status < known[0], status > known[-1]]
    ranges += [and_(status > low, status < high) for low, high in pairwise(known)]
    return or_(*ranges)


def status_damage(value: Any) -> str:
    """Why a stored status cannot be read, in the words the rest of ``rows`` uses."""
    return _("status is {value}, not open, finished or lost").format(value=shown(value))


_OUTCOMES: Final = {outcome.value: outcome for outcome in Outcome}
_KINDS: Final = {kind.value for kind in EventKind}
_HASH: Final = re.compile("[0-9a-f]{64}")


class Damaged(ValueError):
    """One column of a row breaks a rule; the message names the column and the value."""


class _FiniteOnly(ColumnElement[Any]):
    """A time or date column that PostgreSQL hands over only when it is a real moment.

    PostgreSQL stores ``infinity`` in date and time columns, which its driver refuses to
    load at all, failing the whole query; ``CASE WHEN isfinite(…)`` turns it into NULL,
    which is then reported as damage for that row alone. SQLite has no such value.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


@compiles(_FiniteOnly)
def _finite_default(element: _FiniteOnly, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(_FiniteOnly, "postgresql")
def _finite_postgresql(element: _FiniteOnly, compiler: Any, **kw: Any) -> str:
    inner = compiler.process(element.column, **kw)
    return f"CASE WHEN isfinite({inner}) THEN {inner} END"


def raw(column: Any, name: str) -> ColumnElement[Any]:
    """A column read without the driver-level conversion that could fail on bad data.

    JSON is cast to text in SQL (the PostgreSQL driver would parse it, and a deeply nested
    value would fail the whole query); dates and times come as the driver gives them
    (text from SQLite), never as ``infinity``.
    """
    if name in ("before", "after"):
        return cast(column, Text()).label(name)
    return type_coerce(_FiniteOnly(column), String()).label(name)


DEAL_COLUMNS: Final = (
    col(Deal.id),
    col(Deal.title),
    col(Deal.company),
    col(Deal.value_minor),
    col(Deal.currency),
    col(Deal.owner),
    raw(col(Deal.expected_close), "expected_close"),
    col(Deal.notes),
    col(Deal.stage),
    col(Deal.status),
    col(Deal.outcome),
    col(Deal.satisfaction),
    col(Deal.lost_reason),
    col(Deal.version),
    raw(col(Deal.created_at), "created_at"),
    raw(col(Deal.updated_at), "updated_at"),
    col(Deal.updated_by),
    raw(col(Deal.stage_entered_at), "stage_entered_at"),
    col(Deal.search_text),
)
"""The deal's columns for a core ``select``, dates and times read raw."""

JOB_COLUMNS: Final = (
    col(ChecklistItem.deal_id),
    col(ChecklistItem.stage),
    col(ChecklistItem.position),
    col(ChecklistItem.job_key),
    # As stored: SQLAlchemy's Boolean would turn a 7 written with sqlite3 into True.
    type_coerce(col(ChecklistItem.done), Integer()).label("done"),
    col(ChecklistItem.done_by),
    raw(col(ChecklistItem.done_at), "done_at"),
)

EVENT_COLUMNS: Final = (
    col(Event.id),
    col(Event.deal_id),
    raw(col(Event.at), "at"),
    col(Event.actor),
    col(Event.kind),
    raw(col(Event.before), "before"),
    raw(col(Event.after), "after"),
    col(Event.prev_hash),
    col(Event.chain_hash),
)


# ------------------------------------------------------------------ one value


def shown(value: Any, limit: int = 40) -> str:
    """A stored value quoted in a damage message: ``repr`` (escapes controls), cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def whole(value: Any, what: str, low: int, high: int) -> int:
    """A stored integer within bounds (SQLite may hand back text, a float or bytes)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Damaged(
            _("{what} is {value}, not a whole number from {low} to {high}").format(
                what=what, value=shown(value), low=low, high=high
            )
        )
    return value


def amount(value: Any) -> int:
    """A stored amount: whole cents from 0 to ``VALUE_MAX_MINOR``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= VALUE_MAX_MINOR:
        raise Damaged(
            _("value is {value}, not an amount in whole cents").format(value=shown(value))
        )
    return value


def text(value: Any) -> str:
    """Free text as stored; a number or bytes in a text column is taken as text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def moment(value: Any, what: str) -> datetime:
    """A stored time as aware UTC (a ``datetime`` from PostgreSQL, text from SQLite)."""
    if type(value) is str:  # SQLite's naive UTC text: read as UTC in one step (5x faster)
        try:
            fast = datetime.fromisoformat(value + "+00:00")
        except ValueError:  # it names its own offset, or it is not a time: the long way
            pass
        else:
            if fast.tzinfo is not None and fast != UNKNOWN_TIME:
                return fast
    try:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            found = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
            if found != UNKNOWN_TIME:
                return found
    except (ValueError, OverflowError):  # not a time, or one beyond the calendar in UTC
        pass
    raise Damaged(_("{what} is {value}, not a time").format(what=what, value=shown(value)))


def day(value: Any, what: str) -> date | None:
    """A stored date or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        if isinstance(value, str):
            return date.fromisoformat(value)
    except (ValueError, OverflowError):
        pass
    raise Damaged(_("{what} is {value}, not a date").format(what=what, value=shown(value)))


def currency(value: Any) -> str:
    """A stored currency: three capital letters, as ``validation.clean_currency`` makes it.

    It is what amounts are grouped and converted by, so anything else is damage, not text.
    """
    if isinstance(value, str) and CURRENCY_RE.fullmatch(value):
        return value
    raise Damaged(_("currency is {value}, not a three-letter code").format(value=shown(value)))


def stage(value: Any) -> Stage:
    """A stored stage number."""
    found = _STAGES.get(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if found is None:
        raise Damaged(
            _("stage is {value}, not 1 to {last}").format(value=shown(value), last=len(Stage))
        )
    return found


def flag(value: Any, what: str) -> bool:
    """A stored boolean (0 or 1 in SQLite)."""
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    raise Damaged(_("{what} is {value}, not true or false").format(what=what, value=shown(value)))


def json_object(value: Any, what: str) -> dict[str, Any] | None:
    """A stored JSON object or NULL (text from SQLite, parsed already on PostgreSQL)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # not JSON, or nested beyond any reason
            raise Damaged(
                _("{what} is not JSON: {value}").format(what=what, value=shown(value))
            ) from None
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Damaged(_("{what} is {value}, not an object").format(what=what, value=shown(value)))
    return value


# ----------------------------------------------------------------------- deals


def deal_summary(row: Any, done: Any = 0, total: Any = 0) -> DealSummary:
    """A deal row (``DEAL_COLUMNS`` or a ``Deal``) as a summary, or a damaged one."""
    try:
        return _checked_summary(row, done, total)
    except Damaged as damage:
        return damaged_summary(row.id, row.title, str(damage))


def checked_summary(row: Any, done: Any = 0, total: Any = 0) -> DealSummary:
    """A deal row as a summary, or ``DamagedData`` naming the deal and what is wrong."""
    try:
        return _checked_summary(row, done, total)
    except Damaged as damage:
        raise damaged_deal(row.id, str(damage)) from None


def damaged_deal(deal_id: Any, reason: str) -> DamagedData:
    """The refusal to build on a damaged deal."""
    return DamagedData(
        _(
            "deal {deal_id} is damaged in the database ({reason}); salesboard will not "
            "build on it — run 'salesboard doctor' to see every problem"
        ).format(deal_id=text(deal_id), reason=reason)
    )


def damaged_summary(deal_id: Any, title: Any, reason: str) -> DealSummary:
    """A stand-in for a deal that cannot be read: its id, title and what is wrong.

    Every other field is a placeholder and must not be shown as the deal's.
    """
    identity = deal_id if isinstance(deal_id, int) and not isinstance(deal_id, bool) else 0
    return DealSummary(
        id=identity,
        title=text(title),
        company="",
        value_minor=0,
        currency="",
        owner="",
        stage=Stage.PROSPECT,
        status=Status.OPEN,
        version=0,
        expected_close=None,
        outcome=None,
        satisfaction=None,
        lost_reason=None,
        notes="",
        stage_entered_at=UNKNOWN_TIME,
        updated_at=UNKNOWN_TIME,
        updated_by="",
        jobs_done=0,
        jobs_total=0,
        damage=reason,
    )


def _checked_summary(row: Any, done: Any, total: Any) -> DealSummary:
    status = _STATUSES.get(row.status) if isinstance(row.status, str) else None
    if status is None:
        raise Damaged(status_damage(row.status))
    outcome = None
    if row.outcome is not None:
        outcome = _OUTCOMES.get(row.outcome) if isinstance(row.outcome, str) else None
        if outcome is None:
            raise Damaged(
                _("outcome is {value}, not success or failure").format(value=shown(row.outcome))
            )
    satisfaction = (
        None if row.satisfaction is None else whole(row.satisfaction, "satisfaction", 1, 5)
    )
    moment(row.created_at, "created_at")  # not shown, but a deal without it is not whole
    return DealSummary(
        id=whole(row.id, "id", 1, 2**63 - 1),
        title=text(row.title),
        company=text(row.company),
        value_minor=amount(row.value_minor),
        currency=currency(row.currency),
        owner=text(row.owner),
        stage=stage(row.stage),
        status=status,
        version=whole(row.version, "version", 1, 2**63 - 1),
        expected_close=day(row.expected_close, _("expected close")),
        outcome=outcome,
        satisfaction=satisfaction,
        lost_reason=None if row.lost_reason is None else text(row.lost_reason),
        notes=text(row.notes),
        stage_entered_at=moment(row.stage_entered_at, "stage_entered_at"),
        updated_at=moment(row.updated_at, "updated_at"),
        updated_by=text(row.updated_by),
        jobs_done=int(done or 0) if isinstance(done, int) else 0,
        jobs_total=int(total or 0) if isinstance(total, int) else 0,
    )


def job_view(row: Any, pipeline: PipelineDefinition) -> JobView:
    """A checklist row (``JOB_COLUMNS`` or a ``ChecklistItem``); ``Damaged`` if broken.

    Its wording comes from the pipeline definition by the row's key; a key the pipeline
    never had, or had in another stage, is damage.
    """
    where = _("job {n} of stage {stage}").format(n=shown(row.position), stage=shown(row.stage))
    try:
        done_at = None if row.done_at is None else moment(row.done_at, "done_at")
        found_stage = stage(row.stage)
        job = pipeline.job(row.job_key) if isinstance(row.job_key, str) else None
        if job is None or job.stage is not found_stage:
            raise Damaged(_("its key {key} is no job of this stage").format(key=shown(row.job_key)))
        return JobView(
            stage=found_stage,
            n=whole(row.position, _("its number"), 1, 10_000),
            key=job.key,
            text=job.text_in(language()),
            done=flag(row.done, "done"),
            done_by=None if row.done_by is None else text(row.done_by),
            done_at=done_at,
        )
    except Damaged as damage:
        raise Damaged(f"{where}: {damage}") from None


def job_views(rows: Sequence[Any], pipeline: PipelineDefinition) -> tuple[JobView, ...]:
    """A deal's checklist rows, in stage and job order."""
    jobs = sorted((job_view(row, pipeline) for row in rows), key=lambda j: (j.stage, j.n))
    return tuple(jobs)


# ---------------------------------------------------------------------- events


def is_hash(value: Any) -> bool:
    """Whether a stored value is a SHA-256 hash as the chain writes it (64 hex digits)."""
    return isinstance(value, str) and _HASH.fullmatch(value) is not None


def event_view(row: Any) -> EventView:
    """An event row (``EVENT_COLUMNS``); a damaged or altered one is marked, not dropped."""
    event_id = row.id if type(row.id) is int else 0
    deal_id = row.deal_id if type(row.deal_id) is int else 0
    actor, kind = text(row.actor), text(row.kind)
    try:
        at = moment(row.at, _("its time"))
    except Damaged as damage:
        return EventView(event_id, deal_id, UNKNOWN_TIME, actor, kind, None, None, str(damage))
    try:
        before = json_object(row.before, "before")
        after = json_object(row.after, "after")
        if kind not in _KINDS:
            raise Damaged(_("kind {kind} is not one salesboard writes").format(kind=shown(kind)))
        if type(row.actor) is not str or type(row.deal_id) is not int or type(row.id) is not int:
            raise Damaged(_("its id, deal or actor is not of the kind salesboard writes"))
        if not is_hash(row.chain_hash):
            raise Damaged(
                _("its hash is {value}, not a SHA-256 hash").format(value=shown(row.chain_hash))
            )
    except Damaged as damage:
        return EventView(event_id, deal_id, at, actor, kind, None, None, str(damage))
    from salesboard.store.chain import content, verify  # only when a history is read

    sealed = content(row.deal_id, row.at, row.actor, row.kind, before, after)
    if not verify(row.prev_hash, row.chain_hash, sealed):
        why = _("it was changed after it was written: its hash does not match its content")
        return EventView(event_id, deal_id, at, actor, kind, before, after, why)
    return EventView(event_id, deal_id, at, actor, kind, before, after)
