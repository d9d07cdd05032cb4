"""``salesboard doctor``: is the file whole, does every deal keep the rules, is history intact.

Read-only, beside the service: it changes nothing, so it can run at any time (also on a
read-only file) and as often as a team likes. It checks

- **the file**: SQLite's ``PRAGMA integrity_check`` and ``foreign_key_check``;
- **every row**: each deal, job and event parses and keeps its value ranges (the rows a
  board or list shows as damaged);
- **every rule**: no deal sits past a stage with unfinished jobs, every stage has its
  whole checklist, status, outcome and reason agree, the version counts the deal's events,
  and the deal's row says what its history says (stage, status, fields, ticks, who and
  when last), so a row changed behind the program's back is found;
- **the settings and exchange rates**: the base currency and every rate row can be used
  (a damaged rate is never applied, its currency counts as without a rate);
- **the history chain**: every event's hash matches its content and links to the event
  before it; the newest event's hash (the head) is reported, so it can be kept elsewhere
  and checked later (``expect_head``), which catches a history rewritten together with
  its hashes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select as core_select
from sqlalchemy import text as sql
from sqlmodel import col

from salesboard.definition import PipelineDefinition
from salesboard.errors import SalesboardError
from salesboard.folding import search_text
from salesboard.service import rows
from salesboard.service.rate_check import rate_problems
from salesboard.service.views import DealSummary, EventView, JobView
from salesboard.store import Database, Deal, Event
from salesboard.store.chain import GENESIS
from salesboard.validation import display_safe
from salesboard.workflow import LAST_STAGE, Stage, Status, stage_by_key

CLOCK_TOLERANCE: Final = timedelta(minutes=5)
"""How far an event may be dated before the one written ahead of it (clocks of several
computers writing to one PostgreSQL database differ a little) before it is a problem."""
_FIELDS: Final = ("title", "company", "value_minor", "currency", "owner", "expected_close", "notes")


@dataclass
class Check:
    """One area of the check-up: its name, what was looked at, and what is wrong."""

    name: str
    summary: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing is wrong here."""
        return not self.problems


@dataclass
class Checkup:
    """Everything ``doctor`` found, in the order it looked."""

    checks: list[Check]
    head_event: int | None
    head_hash: str

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(check.ok for check in self.checks)

    @property
    def problem_count(self) -> int:
        """How many problems were found in all."""
        return sum(len(check.problems) for check in self.checks)


def examine(db: Database, *, expect_head: tuple[int, str] | None = None) -> Checkup:
    """Run every check on ``db`` (nothing is written) and say what was found."""
    file_check = _check_file(db)
    with db.read() as session:
        connection = session.connection()
        deal_rows = connection.execute(core_select(*rows.DEAL_COLUMNS).order_by(col(Deal.id))).all()
        job_rows = connection.execute(core_select(*rows.JOB_COLUMNS)).all()
        pipeline_check, pipeline = _check_pipeline(connection)
        event_rows = connection.execute(
            core_select(*rows.EVENT_COLUMNS).order_by(col(Event.id))
        ).all()
    row_check = Check("rows")
    deals = _read_deals(deal_rows, row_check)
    jobs = _read_jobs(job_rows, row_check, pipeline)
    events = [rows.event_view(row) for row in event_rows]
    row_check.summary = (
        f"{len(deal_rows)} deals, {len(job_rows)} jobs and {len(event_rows)} events read"
    )
    by_deal: dict[int, list[EventView]] = defaultdict(list)
    for event in events:
        by_deal[event.deal_id].append(event)
    rule_check = Check("rules", f"{len(deals)} deals checked against the rules and their history")
    for deal in deals:
        rule_check.problems.extend(
            _rule_problems(deal, jobs.get(deal.id, []), by_deal[deal.id], pipeline)
        )
    history_check, head_event, head_hash = _check_chain(
        event_rows, events, expect_head, _rekeyed_note(db)
    )
    summary, rate_problems_found = rate_problems(db)
    rate_check = Check("rates", summary, rate_problems_found)
    checks = [file_check, pipeline_check, row_check, rule_check, rate_check, history_check]
    return Checkup(checks, head_event, head_hash)


# ------------------------------------------------------------------------- the file


def _check_file(db: Database) -> Check:
    check = Check("file")
    if not db.is_sqlite:
        check.problems.extend(_infinite_times(db))
        check.summary = "PostgreSQL keeps its own pages whole; no time is infinite"
        return check
    with db.engine.connect() as connection:
        found = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]
        orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if found != ["ok"]:
        check.problems.extend(f"integrity_check: {line}" for line in found[:20])
    for table, rowid, parent, _key in orphans[:20]:
        check.problems.append(f"{table} row {rowid} points at a missing {parent} row")
    found_damage = "found damage" if check.problems else "found no damage"
    check.summary = f"integrity_check and foreign_key_check {found_damage}"
    return check


_TIME_COLUMNS: Final = {
    "deal": ("expected_close", "created_at", "updated_at", "stage_entered_at"),
    "checklist_item": ("done_at",),
    "event": ("at",),
}


def _infinite_times(db: Database) -> list[str]:
    """PostgreSQL's ``infinity`` in a date or time: read as "no time" (or damage), named here."""
    found: list[str] = []
    with db.engine.connect() as connection:
        for table, columns in _TIME_COLUMNS.items():
            for column in columns:
                statement = sql(
                    f"SELECT id, {column}::text FROM {table} "  # the names are ours, fixed above
                    f"WHERE NOT isfinite({column}) ORDER BY id LIMIT 20"
                )
                for row_id, value in connection.execute(statement):
                    found.append(f"{table} row {row_id}: {column} is {value}")
    return found


# -------------------------------------------------------------------- the pipeline


def _check_pipeline(connection: Any) -> tuple[Check, PipelineDefinition]:
    """Every pipeline version readable; the newest readable one is what rules are checked by.

    A version that cannot be read stops every board and command; doctor names it (and how
    to get past it) instead of stopping too.
    """
    from salesboard.definition import DEFAULT, loads

    check = Check("pipeline")
    found = connection.execute(
        sql(
            "SELECT version, definition, changes, set_at FROM pipeline_version "
            "ORDER BY version DESC"
        )
    ).all()
    in_force: PipelineDefinition | None = None
    for index, (version, text, changes, set_at) in enumerate(found):
        where = f"pipeline version {rows.shown(version)}"
        try:
            read = loads(text if isinstance(text, str) else "")
            if in_force is None:
                in_force = read
        except (SalesboardError, ValueError, TypeError) as error:
            fix = " (it is in force: every command stops on it)" if index == 0 else ""
            check.problems.append(f"{where} cannot be read: {display_safe(str(error))}{fix}")
        try:
            listed = json.loads(changes) if isinstance(changes, str) else None
        except (ValueError, RecursionError):
            listed = None
        if not isinstance(listed, list):
            check.problems.append(f"{where}: its list of changes cannot be read")
        try:
            rows.moment(set_at, "set_at")
        except rows.Damaged as damage:
            check.problems.append(f"{where}: {damage}")
    if not found:
        check.problems.append("the database has no pipeline definition")
    check.summary = f"{len(found)} {'version' if len(found) == 1 else 'versions'} read"
    if any("it is in force" in problem for problem in check.problems):
        check.summary += "; rules checked against the newest readable one (or the default)"
    return check, in_force or DEFAULT


# ------------------------------------------------------------------------ the rows


def _read_deals(found: Sequence[Any], check: Check) -> list[DealSummary]:
    deals: list[DealSummary] = []
    for row in found:
        summary = rows.deal_summary(row)
        if summary.damage is not None:
            check.problems.append(f"deal {rows.text(row.id)} is damaged: {summary.damage}")
            continue
        deals.append(summary)
        if row.search_text != search_text(summary.title, summary.company, summary.owner):
            check.problems.append(
                f"deal {summary.id}: its search text does not match its title, company and "
                "owner (changed by another tool), so searches may miss it"
            )
    return deals


def _read_jobs(
    found: Sequence[Any], check: Check, pipeline: PipelineDefinition
) -> dict[int, list[JobView]]:
    jobs: dict[int, list[JobView]] = defaultdict(list)
    for row in found:
        try:
            jobs[row.deal_id].append(rows.job_view(row, pipeline))
        except rows.Damaged as damage:
            check.problems.append(f"deal {rows.text(row.deal_id)}: {damage}")
    return jobs


# ------------------------------------------------------------------------ the rules


@dataclass
class _Replay:
    """A deal as its history tells it, event by event."""

    stage: Stage | None = None
    status: Status = Status.OPEN
    fields: dict[str, Any] = field(default_factory=dict)
    outcome: str | None = None
    satisfaction: int | None = None
    reason: str | None = None
    ticks: dict[str, str | None] = field(default_factory=dict)
    """Who ticked each job (by key), as the history tells it; None: not ticked."""
    problem: str | None = None

    def apply(self, event: EventView) -> None:
        """Play one event forward (``problem`` says where the history makes no sense)."""
        after = event.after or {}
        kind = event.kind
        if kind == "created":
            self.stage = stage_by_key(after.get("stage"))
            self.fields = {name: after.get(name) for name in _FIELDS}
        elif kind == "edited":
            self.fields.update({k: v for k, v in after.items() if k in _FIELDS})
        elif kind in ("job_ticked", "job_unticked"):
            key = after.get("job")
            if stage_by_key(after.get("stage")) is None or not isinstance(key, str):
                self.problem = f"event {event.id} ticks no job it names"
                return
            self.ticks[key] = event.actor if kind == "job_ticked" else None
        elif kind == "checklist_changed":
            removed = after.get("removed")
            for key in removed if isinstance(removed, list) else []:
                self.ticks.pop(str(key), None)
        elif kind in ("advanced", "moved_back"):
            self.stage = stage_by_key(after.get("stage"))
        elif kind == "lost":
            self.status, self.reason = Status.LOST, after.get("reason")
        elif kind == "reopened":
            self.status, self.reason, self.outcome, self.satisfaction = (
                Status.OPEN,
                None,
                None,
                None,
            )
            removed = after.get("removed")
            for key in removed if isinstance(removed, list) else []:
                self.ticks.pop(str(key), None)
            self.stage = stage_by_key(after.get("stage")) or self.stage
        elif kind == "finished":
            self.status = Status.FINISHED
            self.outcome, self.satisfaction = after.get("outcome"), after.get("satisfaction")
        if self.stage is None:
            self.problem = f"event {event.id} ({kind}) names no stage salesboard knows"


def _as_json(name: str, value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _rule_problems(
    deal: DealSummary,
    jobs: Sequence[JobView],
    events: Sequence[EventView],
    pipeline: PipelineDefinition,
) -> Iterable[str]:
    """Every way one readable deal breaks a rule or disagrees with its history."""
    where = f"deal {deal.id}"
    places = {job.key: job for job in jobs}
    numbers = {job.key: n for s in pipeline.stages for n, job in enumerate(s.jobs, start=1)}
    for job in jobs:
        if not pipeline.is_current(job.key):
            if deal.status is Status.OPEN:  # won and lost deals keep theirs as a record
                yield f"{where}: {job.stage.label} job {job.key!r} was retired but is listed"
        elif numbers[job.key] != job.n:
            place = numbers[job.key]
            yield f"{where}: {job.stage.label} job {job.key!r} is number {job.n}, not {place}"
    if deal.status is Status.OPEN:
        missing = [j.key for j in pipeline.jobs_of(deal.stage) if j.key not in places]
        if missing:
            yield f"{where}: its current stage {deal.stage.label} lacks jobs {', '.join(missing)}"
    unfinished: dict[Stage, list[int]] = defaultdict(list)
    for job in jobs:
        if not job.done and (job.stage < deal.stage or (
            deal.status is Status.FINISHED and job.stage is LAST_STAGE
        )):  # fmt: skip
            unfinished[job.stage].append(job.n)
    for stage, open_numbers in sorted(unfinished.items()):
        status = "finished" if deal.status is Status.FINISHED else deal.status.value
        listed = ", ".join(str(n) for n in sorted(open_numbers))
        yield (
            f"{where} is {status} in {deal.stage.label}, but {stage.label} has unfinished "
            f"jobs {listed}"
        )
    yield from _status_problems(deal, where)
    if len(events) != deal.version:
        yield f"{where} is at version {deal.version} but has {len(events)} events in its history"
    if not events or events[0].kind != "created":
        yield f"{where}: its history does not start with its creation"
        return
    if any(event.damage for event in events):
        return  # reported with the history; replaying it would only repeat that
    yield from _history_problems(deal, places, events, where)


def _status_problems(deal: DealSummary, where: str) -> Iterable[str]:
    if deal.status is Status.FINISHED:
        if deal.stage is not LAST_STAGE:
            yield f"{where} is finished in {deal.stage.label}, not in {LAST_STAGE.label}"
        if deal.outcome is None or deal.satisfaction is None:
            yield f"{where} is finished without an outcome and a satisfaction score"
    elif deal.outcome is not None or deal.satisfaction is not None:
        yield f"{where} is {deal.status.value} but has an outcome or satisfaction score"
    if deal.status is Status.LOST and not (deal.lost_reason or "").strip():
        yield f"{where} is lost without a reason"
    if deal.status is not Status.LOST and deal.lost_reason is not None:
        yield f"{where} is {deal.status.value} but has a lost reason"


def _history_problems(
    deal: DealSummary,
    places: dict[str, JobView],
    events: Sequence[EventView],
    where: str,
) -> Iterable[str]:
    replay = _Replay()
    for event in events:
        replay.apply(event)
        if replay.problem:
            yield f"{where}: {replay.problem}"
            return
    told = {
        "stage": replay.stage.label if replay.stage else None,
        "status": replay.status.value,
        "outcome": replay.outcome,
        "satisfaction": replay.satisfaction,
        "lost reason": replay.reason,
        **replay.fields,
    }
    stored = {
        "stage": deal.stage.label,
        "status": deal.status.value,
        "outcome": deal.outcome.value if deal.outcome else None,
        "satisfaction": deal.satisfaction,
        "lost reason": deal.lost_reason,
        **{name: _as_json(name, getattr(deal, name)) for name in _FIELDS},
    }
    for name, value in stored.items():
        if told.get(name) != value:
            yield (
                f"{where}: its row says {name} {rows.shown(value)}, its history says "
                f"{rows.shown(told.get(name))}"
            )
    for key, job in sorted(places.items()):
        ticked_by = replay.ticks.get(key)
        if job.done != (ticked_by is not None) or (job.done and job.done_by != ticked_by):
            yield (
                f"{where}: {job.stage.label} job {job.n} is "
                f"{'ticked' if job.done else 'not ticked'} "
                f"(by {rows.shown(job.done_by)}), but its history says "
                f"{'ticked by ' + rows.shown(ticked_by) if ticked_by else 'not ticked'}"
            )
    worked = [e for e in events if e.kind != "checklist_changed"]  # imports are not news
    last = worked[-1] if worked else events[-1]
    if (last.actor, last.at) != (deal.updated_by, deal.updated_at):
        yield (
            f"{where}: its row says it was last changed by {rows.shown(deal.updated_by)} at "
            f"{deal.updated_at:%Y-%m-%d %H:%M:%S}, its history says by "
            f"{rows.shown(last.actor)} at {last.at:%Y-%m-%d %H:%M:%S}"
        )


# ---------------------------------------------------------------------- the chain


def _rekeyed_note(db: Database) -> dict[str, Any] | None:
    """What the upgrade to keys (migration 0006) recorded of the chain as it stood."""
    with db.engine.connect() as connection:
        row = connection.execute(
            sql("SELECT value FROM setting WHERE key = 'history_rekeyed'")
        ).first()
    try:
        note = json.loads(row[0]) if row is not None else None
    except (TypeError, ValueError, RecursionError):
        return {"damaged": True}
    return note if isinstance(note, dict) else None


def _check_chain(
    found: Sequence[Any],
    events: Sequence[EventView],
    expect_head: tuple[int, str] | None,
    rekeyed: dict[str, Any] | None = None,
) -> tuple[Check, int | None, str]:
    check = Check("history")
    previous = GENESIS
    by_id: dict[int, str] = {}
    latest: EventView | None = None
    for row, event in zip(found, events, strict=True):
        if event.damage is not None:
            check.problems.append(
                f"event {rows.text(row.id)} (deal {event.deal_id}): {event.damage}"
            )
        elif row.prev_hash != previous:
            check.problems.append(
                f"event {row.id} (deal {event.deal_id}) does not follow the event before it: "
                "an event was removed, inserted or reordered there"
            )
        elif latest is not None and event.at < latest.at - CLOCK_TOLERANCE:
            check.problems.append(
                f"event {event.id} (deal {event.deal_id}) is dated {event.at:%Y-%m-%d %H:%M}, "
                f"before event {latest.id} ({latest.at:%Y-%m-%d %H:%M}) written ahead of it: "
                "its time was changed, or a computer's clock was wrong"
            )
        if event.damage is None:
            latest = event
        if rows.is_hash(row.chain_hash):
            previous = row.chain_hash
            if type(row.id) is int:
                by_id[row.id] = row.chain_hash
    # The head is the newest sealed event: an unsealed one appended behind the program's
    # back is reported above and must not hide the line people keep.
    head_event = max(by_id, default=None)
    chain = "unbroken" if check.ok else "broken"
    check.summary = f"{len(found)} events, hash chain {chain}"
    if rekeyed is not None:
        _tell_rekeying(check, rekeyed)
    if expect_head is not None:
        event_id, wanted = expect_head
        have = by_id.get(event_id)
        old = (rekeyed or {}).get("old_head_event"), (rekeyed or {}).get("old_head_hash")
        if (event_id, wanted) == old and (rekeyed or {}).get("verified") is True:
            have = wanted  # the head kept before the upgrade, which verified it
        if have is None:
            check.problems.append(
                f"event {event_id}, recorded with hash {wanted[:12]}…, is no longer in the "
                "history: it was removed or rewritten"
            )
        elif have != wanted:
            check.problems.append(
                f"event {event_id} now has hash {have[:12]}…, but {wanted[:12]}… was recorded "
                "for it: the history up to it was rewritten"
            )
        verdict = "matches" if have == wanted else "does NOT match"
        check.summary += f"; the recorded head (event {event_id}) {verdict}"
    return check, head_event if isinstance(head_event, int) else None, previous


def _tell_rekeying(check: Check, note: dict[str, Any]) -> None:
    """Say that the upgrade re-sealed the chain, and what it found before doing so."""
    if note.get("damaged") or not isinstance(note.get("old_head_hash"), str):
        check.problems.append("the record of the upgrade to keys is damaged")
        return
    when = display_safe(str(note.get("at")))[:30]
    check.summary += (
        f"; sealed again when upgraded to stable keys ({when}): the head before was event "
        f"{rows.shown(note.get('old_head_event'))} with hash {note['old_head_hash'][:12]}…"
    )
    if note.get("verified") is not True:
        check.problems.append(
            f"before the upgrade to stable keys ({when}) the history was already broken at "
            f"event {rows.shown(note.get('broken_at_event'))}: it had been rewritten"
        )


def schema_revision(db: Database) -> str:
    """The revision stamped in the database (for the report's first line)."""
    with db.engine.connect() as connection:
        row = connection.execute(sql("SELECT version_num FROM alembic_version")).first()
    return "?" if row is None else str(row[0])
