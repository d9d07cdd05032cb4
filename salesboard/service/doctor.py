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
from salesboard.i18n import N_, _, ngettext
from salesboard.service import rows
from salesboard.service.doctor_parts import part_problems
from salesboard.service.rate_check import rate_problems
from salesboard.service.views import DealSummary, EventView, JobView
from salesboard.store import Database, Deal, Event
from salesboard.store.chain import GENESIS
from salesboard.validation import display_safe
from salesboard.workflow import LAST_STAGE, Stage, Status, stage_by_key, status_word

CLOCK_TOLERANCE: Final = timedelta(minutes=5)
"""How far an event may be dated before the one written ahead of it (clocks of several
computers writing to one PostgreSQL database differ a little) before it is a problem."""
_FIELDS: Final = ("title", "company", "value_minor", "currency", "owner", "expected_close", "notes")
CHECK_NAMES: Final = {
    "file": N_("file"),
    "pipeline": N_("pipeline"),
    "rows": N_("rows"),
    "rules": N_("rules"),
    "rates": N_("rates"),
    "parts": N_("parts"),
    "history": N_("history"),
}
"""Each check's name (the stable key scripts read in ``--json``) as a person reads it."""
_TOLD_NAMES: Final = {
    "stage": N_("stage"),
    "status": N_("status"),
    "outcome": N_("outcome"),
    "satisfaction": N_("satisfaction"),
    "lost reason": N_("lost reason"),
}
"""What a deal's row and its history are compared on (the stored fields keep their names)."""


@dataclass
class Check:
    """One area of the check-up: its name, what was looked at, and what is wrong."""

    name: str
    """A stable key (``file``, ``rules``…): the same in every language."""
    summary: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The check's name in the language in force, for people."""
        word = CHECK_NAMES.get(self.name)
        return self.name if word is None else _(word)

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
    row_check.summary = _("{deals}, {jobs} and {events} read").format(
        deals=ngettext("{count} deals", "{count} deals", len(deal_rows)).format(
            count=len(deal_rows)
        ),
        jobs=ngettext("{count} jobs", "{count} jobs", len(job_rows)).format(count=len(job_rows)),
        events=ngettext("{count} events", "{count} events", len(event_rows)).format(
            count=len(event_rows)
        ),
    )
    by_deal: dict[int, list[EventView]] = defaultdict(list)
    for event in events:
        by_deal[event.deal_id].append(event)
    rule_check = Check(
        "rules",
        ngettext(
            "{count} deals checked against the rules and their history",
            "{count} deals checked against the rules and their history",
            len(deals),
        ).format(count=len(deals)),
    )
    for deal in deals:
        rule_check.problems.extend(
            _rule_problems(deal, jobs.get(deal.id, []), by_deal[deal.id], pipeline)
        )
    history_check, head_event, head_hash = _check_chain(
        event_rows, events, expect_head, _rekeyed_note(db)
    )
    summary, rate_problems_found = rate_problems(db)
    rate_check = Check("rates", summary, rate_problems_found)
    with db.read() as session:
        parts_summary, parts_found = part_problems(session.connection(), events)
    part_check = Check("parts", parts_summary, parts_found)
    checks = [
        file_check,
        pipeline_check,
        row_check,
        rule_check,
        part_check,
        rate_check,
        history_check,
    ]
    return Checkup(checks, head_event, head_hash)


# ------------------------------------------------------------------------- the file


def _check_file(db: Database) -> Check:
    check = Check("file")
    if not db.is_sqlite:
        check.problems.extend(_infinite_times(db))
        check.summary = _("the server checks its own pages; no date or time is stored as infinity")
        return check
    with db.engine.connect() as connection:
        found = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]
        orphans = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if found != ["ok"]:
        check.problems.extend(f"integrity_check: {line}" for line in found[:20])
    for table, rowid, parent, _key in orphans[:20]:
        check.problems.append(
            _("{table} row {row} points at a missing {parent} row").format(
                table=table, row=rowid, parent=parent
            )
        )
    check.summary = (
        _("integrity_check and foreign_key_check found damage")
        if check.problems
        else _("integrity_check and foreign_key_check found no damage")
    )
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
                    found.append(
                        _("{table} row {row}: {column} is {value}").format(
                            table=table, row=row_id, column=column, value=value
                        )
                    )
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
    newest_unreadable = False
    for index, (version, text, changes, set_at) in enumerate(found):
        shown = rows.shown(version)
        try:
            read = loads(text if isinstance(text, str) else "")
            if in_force is None:
                in_force = read
        except (SalesboardError, ValueError, TypeError) as error:
            if index == 0:
                newest_unreadable = True
                told = _(
                    "pipeline version {version} cannot be read: {error} (it is in force: "
                    "every command stops on it)"
                )
            else:
                told = _("pipeline version {version} cannot be read: {error}")
            check.problems.append(told.format(version=shown, error=display_safe(str(error))))
        try:
            listed = json.loads(changes) if isinstance(changes, str) else None
        except (ValueError, RecursionError):
            listed = None
        if not isinstance(listed, list):
            check.problems.append(
                _("pipeline version {version}: its list of changes cannot be read").format(
                    version=shown
                )
            )
        try:
            rows.moment(set_at, "set_at")
        except rows.Damaged as damage:
            check.problems.append(
                _("pipeline version {version}: {problem}").format(version=shown, problem=damage)
            )
    if not found:
        check.problems.append(_("the database has no pipeline definition"))
    if newest_unreadable:
        check.summary = ngettext(
            "{count} version read; rules checked against the newest readable one (or the default)",
            "{count} versions read; rules checked against the newest readable one (or the default)",
            len(found),
        ).format(count=len(found))
    else:
        check.summary = ngettext(
            "{count} version read", "{count} versions read", len(found)
        ).format(count=len(found))
    return check, in_force or DEFAULT


# ------------------------------------------------------------------------ the rows


def _read_deals(found: Sequence[Any], check: Check) -> list[DealSummary]:
    deals: list[DealSummary] = []
    for row in found:
        summary = rows.deal_summary(row)
        if summary.damage is not None:
            check.problems.append(
                _("deal {deal} is damaged: {damage}").format(
                    deal=rows.text(row.id), damage=summary.damage
                )
            )
            continue
        deals.append(summary)
        if row.search_text != search_text(summary.title, summary.company, summary.owner):
            check.problems.append(
                _(
                    "deal {deal}: its search text does not match its title, company and "
                    "owner (changed by another tool), so searches may miss it"
                ).format(deal=summary.id)
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
            check.problems.append(
                _("deal {deal}: {damage}").format(deal=rows.text(row.deal_id), damage=damage)
            )
    return jobs


# ------------------------------------------------------------------------ the rules


@dataclass
class _Replay:
    """A deal as its history tells it, event by event."""

    deal_id: int
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
                self.problem = _("deal {deal}: event {event} ticks no job it names").format(
                    deal=self.deal_id, event=event.id
                )
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
            self.problem = _(
                "deal {deal}: event {event} ({kind}) names no stage salesboard knows"
            ).format(deal=self.deal_id, event=event.id, kind=kind)


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
    places = {job.key: job for job in jobs}
    numbers = {job.key: n for s in pipeline.stages for n, job in enumerate(s.jobs, start=1)}
    for job in jobs:
        if not pipeline.is_current(job.key):
            if deal.status is Status.OPEN:  # won and lost deals keep theirs as a record
                yield _("deal {deal}: {stage} job {job} was retired but is listed").format(
                    deal=deal.id, stage=job.stage.label, job=repr(job.key)
                )
        elif numbers[job.key] != job.n:
            yield _("deal {deal}: {stage} job {job} is number {n}, not {place}").format(
                deal=deal.id, stage=job.stage.label, job=repr(job.key), n=job.n,
                place=numbers[job.key],
            )  # fmt: skip
    if deal.status is Status.OPEN:
        missing = [j.key for j in pipeline.jobs_of(deal.stage) if j.key not in places]
        if missing:
            yield _("deal {deal}: its current stage {stage} lacks jobs {jobs}").format(
                deal=deal.id, stage=deal.stage.label, jobs=", ".join(missing)
            )
    unfinished: dict[Stage, list[int]] = defaultdict(list)
    for job in jobs:
        if not job.done and (job.stage < deal.stage or (
            deal.status is Status.FINISHED and job.stage is LAST_STAGE
        )):  # fmt: skip
            unfinished[job.stage].append(job.n)
    for stage, open_numbers in sorted(unfinished.items()):
        yield _(
            "deal {deal} is {status} in {stage}, but {other} has unfinished jobs {numbers}"
        ).format(
            deal=deal.id,
            status=status_word(deal.status),
            stage=deal.stage.label,
            other=stage.label,
            numbers=", ".join(str(n) for n in sorted(open_numbers)),
        )
    yield from _status_problems(deal)
    if len(events) != deal.version:
        yield ngettext(
            "deal {deal} is at version {version} but has {count} events in its history",
            "deal {deal} is at version {version} but has {count} events in its history",
            len(events),
        ).format(deal=deal.id, version=deal.version, count=len(events))
    if not events or events[0].kind != "created":
        yield _("deal {deal}: its history does not start with its creation").format(deal=deal.id)
        return
    if any(event.damage for event in events):
        return  # reported with the history; replaying it would only repeat that
    yield from _history_problems(deal, places, events)


def _status_problems(deal: DealSummary) -> Iterable[str]:
    status = status_word(deal.status)
    if deal.status is Status.FINISHED:
        if deal.stage is not LAST_STAGE:
            yield _("deal {deal} is finished in {stage}, not in {last}").format(
                deal=deal.id, stage=deal.stage.label, last=LAST_STAGE.label
            )
        if deal.outcome is None or deal.satisfaction is None:
            yield _("deal {deal} is finished without an outcome and a satisfaction score").format(
                deal=deal.id
            )
    elif deal.outcome is not None or deal.satisfaction is not None:
        yield _("deal {deal} is {status} but has an outcome or satisfaction score").format(
            deal=deal.id, status=status
        )
    if deal.status is Status.LOST and not (deal.lost_reason or "").strip():
        yield _("deal {deal} is lost without a reason").format(deal=deal.id)
    if deal.status is not Status.LOST and deal.lost_reason is not None:
        yield _("deal {deal} is {status} but has a lost reason").format(deal=deal.id, status=status)


def _history_problems(
    deal: DealSummary,
    places: dict[str, JobView],
    events: Sequence[EventView],
) -> Iterable[str]:
    replay = _Replay(deal.id)
    for event in events:
        replay.apply(event)
        if replay.problem:
            yield replay.problem
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
            word = _TOLD_NAMES.get(name)
            yield _("deal {deal}: its row says {name} {stored}, its history says {told}").format(
                deal=deal.id,
                name=name if word is None else _(word),
                stored=rows.shown(value),
                told=rows.shown(told.get(name)),
            )
    for key, job in sorted(places.items()):
        ticked_by = replay.ticks.get(key)
        if job.done != (ticked_by is not None) or (job.done and job.done_by != ticked_by):
            yield _ticks_disagree(job.done, bool(ticked_by)).format(
                deal=deal.id,
                stage=job.stage.label,
                n=job.n,
                by=rows.shown(job.done_by),
                told=rows.shown(ticked_by),
            )
    worked = [e for e in events if e.kind != "checklist_changed"]  # imports are not news
    last = worked[-1] if worked else events[-1]
    if (last.actor, last.at) != (deal.updated_by, deal.updated_at):
        yield _(
            "deal {deal}: its row says it was last changed by {by} at {at}, its history "
            "says by {actor} at {when}"
        ).format(
            deal=deal.id,
            by=rows.shown(deal.updated_by),
            at=f"{deal.updated_at:%Y-%m-%d %H:%M:%S}",
            actor=rows.shown(last.actor),
            when=f"{last.at:%Y-%m-%d %H:%M:%S}",
        )


def _ticks_disagree(ticked: bool, history_ticked: bool) -> str:
    """A job's tick that its history tells otherwise (fields: deal, stage, n, by, told)."""
    if ticked and history_ticked:
        return _(
            "deal {deal}: {stage} job {n} is ticked (by {by}), but its history says ticked "
            "by {told}"
        )
    if ticked:
        return _(
            "deal {deal}: {stage} job {n} is ticked (by {by}), but its history says not ticked"
        )
    if history_ticked:
        return _(
            "deal {deal}: {stage} job {n} is not ticked (by {by}), but its history says "
            "ticked by {told}"
        )
    return _(
        "deal {deal}: {stage} job {n} is not ticked (by {by}), but its history says not ticked"
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
                _("event {event} (deal {deal}): {damage}").format(
                    event=rows.text(row.id), deal=event.deal_id, damage=event.damage
                )
            )
        elif row.prev_hash != previous:
            check.problems.append(
                _(
                    "event {event} (deal {deal}) does not follow the event before it: an "
                    "event was removed, inserted or reordered there"
                ).format(event=row.id, deal=event.deal_id)
            )
        elif latest is not None and event.at < latest.at - CLOCK_TOLERANCE:
            check.problems.append(
                _(
                    "event {event} (deal {deal}) is dated {at}, before event {other} "
                    "({other_at}) written ahead of it: its time was changed, or a computer's "
                    "clock was wrong"
                ).format(
                    event=event.id,
                    deal=event.deal_id,
                    at=f"{event.at:%Y-%m-%d %H:%M}",
                    other=latest.id,
                    other_at=f"{latest.at:%Y-%m-%d %H:%M}",
                )
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
    if check.ok:
        told = ngettext(
            "{count} events, hash chain unbroken", "{count} events, hash chain unbroken", len(found)
        )
    else:
        told = ngettext(
            "{count} events, hash chain broken", "{count} events, hash chain broken", len(found)
        )
    check.summary = told.format(count=len(found))
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
                _(
                    "event {event}, recorded with hash {wanted}…, is no longer in the history: "
                    "it was removed or rewritten"
                ).format(event=event_id, wanted=wanted[:12])
            )
        elif have != wanted:
            check.problems.append(
                _(
                    "event {event} now has hash {have}…, but {wanted}… was recorded for it: "
                    "the history up to it was rewritten"
                ).format(event=event_id, have=have[:12], wanted=wanted[:12])
            )
        verdict = (
            _("the recorded head (event {event}) matches")
            if have == wanted
            else _("the recorded head (event {event}) does NOT match")
        )
        check.summary += "; " + verdict.format(event=event_id)
    return check, head_event if isinstance(head_event, int) else None, previous


def _tell_rekeying(check: Check, note: dict[str, Any]) -> None:
    """Say that the upgrade re-sealed the chain, and what it found before doing so."""
    if note.get("damaged") or not isinstance(note.get("old_head_hash"), str):
        check.problems.append(_("the record of the upgrade to keys is damaged"))
        return
    when = display_safe(str(note.get("at")))[:30]
    check.summary += "; " + _(
        "sealed again when upgraded to stable keys ({when}): the head before was event "
        "{event} with hash {hash}…"
    ).format(
        when=when, event=rows.shown(note.get("old_head_event")), hash=note["old_head_hash"][:12]
    )
    if note.get("verified") is not True:
        check.problems.append(
            _(
                "before the upgrade to stable keys ({when}) the history was already broken at "
                "event {event}: it had been rewritten"
            ).format(when=when, event=rows.shown(note.get("broken_at_event")))
        )


def schema_revision(db: Database) -> str:
    """The revision stamped in the database (for the report's first line)."""
    with db.engine.connect() as connection:
        row = connection.execute(sql("SELECT version_num FROM alembic_version")).first()
    return "?" if row is None else str(row[0])
