"""The use cases: the only code that changes data.

Each change is one short write transaction that loads and locks the deal, checks the
caller's version (optimistic concurrency), asks the workflow rules for a verdict, writes,
bumps the version and appends one event. Because the rule is checked inside the same
transaction as the write, no interleaving of sessions can slip a deal past the gate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import and_, case, func, or_
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from salesboard import money, stage_clock, validation, workflow
from salesboard.errors import Conflict, DealNotFound, InvalidInput
from salesboard.evidence import check_tick
from salesboard.folding import search_text
from salesboard.i18n import _
from salesboard.identity import current_login
from salesboard.language import language
from salesboard.service import rows
from salesboard.service.definitions import definition_in
from salesboard.service.filters import text_matches
from salesboard.service.part_rows import next_steps, read_parts
from salesboard.service.views import DealSummary, DealView, EventView, JobView
from salesboard.store import ChecklistItem, Database, Deal, Event
from salesboard.validation import display_safe
from salesboard.workflow import EventKind, Outcome, Stage, Status

Clock = Callable[[], datetime]


class _Unset:
    """Marks a keyword the caller did not pass (``None`` may be a real value)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC, as every stored time is."""
    return datetime.now(UTC)


_STAGE_KINDS: Final = tuple(kind.value for kind in workflow.STAGE_MOVES)
"""The events that put a deal into a stage or take it off the board."""
_OFF_BOARD_KINDS: Final = frozenset({EventKind.LOST.value, EventKind.FINISHED.value})


def _stage_json(stage: int) -> str:
    return Stage(stage).key


def _field_json(name: str, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if name == "stage":
        return _stage_json(value)
    return value


ID_MAX: Final = 2**31 - 1
"""The largest deal id either backend can hold (PostgreSQL's ``integer``); a larger one
cannot exist, so it is "no such deal" without asking the database."""


def _seal(session: Session, event: Event) -> None:
    """Give a new event its place in the history's hash chain (loaded on the first write)."""
    from salesboard.store.chain import seal

    seal(session, event)


def _check_decimals(value_minor: int, currency: str) -> None:
    """Refuse an amount with cents in a currency without decimals (after an edit, too)."""
    if value_minor % 100 and money.decimals(currency) == 0:
        raise InvalidInput(
            _(
                "{amount} has decimals, which {currency} does not have; "
                "give a whole amount (with --value)"
            ).format(amount=money.amount_text(value_minor), currency=currency)
        )


def _check_id(deal_id: int) -> None:
    if not 1 <= deal_id <= ID_MAX:
        raise DealNotFound(deal_id)


class Pipeline:
    """Every use case of the sales pipeline, acting as one OS user on one database."""

    def __init__(
        self,
        db: Database,
        actor: str | None = None,
        clock: Clock = utc_now,
        *,
        wait_ms: int | None = None,
    ) -> None:
        self.db = db
        self.actor = actor or current_login()
        self._clock = clock
        self.wait_ms = wait_ms
        """How long a change waits for another session's lock (None: the busy timeout)."""

    def waiting_at_most(self, wait_ms: int | None) -> Pipeline:
        """The same use cases, whose changes wait at most ``wait_ms`` for the lock."""
        return Pipeline(self.db, self.actor, self._clock, wait_ms=wait_ms)

    # ----------------------------------------------------------------- reads

    def get_deal(self, deal_id: int) -> DealView:
        """One deal with its whole checklist (``DamagedData`` if its rows are damaged)."""
        with self.db.read() as session:
            return self._view_of(session, deal_id)

    def list_deals(
        self,
        *,
        stage: Stage | None = None,
        status: Status | None = Status.OPEN,
        owner: str | None = None,
        text: str | None = None,
    ) -> list[DealSummary]:
        """Deals with their current stage's progress, in board order (stage, then id).

        One aggregate query, whatever the number of deals: progress is counted by the
        database, not by loading checklists. A row that cannot be read comes back as a
        damaged summary (``DealSummary.damage``) in its place; the others are unaffected.
        """
        done = func.coalesce(func.sum(case((col(ChecklistItem.done), 1), else_=0)), 0)
        total = func.count(col(ChecklistItem.id))
        query = (
            core_select(*rows.DEAL_COLUMNS, done.label("jobs_done"), total.label("jobs_total"))
            .outerjoin(
                ChecklistItem,
                and_(
                    col(ChecklistItem.deal_id) == col(Deal.id),
                    col(ChecklistItem.stage) == col(Deal.stage),
                ),
            )
            .group_by(col(Deal.stage), col(Deal.id))  # lets SQLite walk the board index
            .order_by(col(Deal.stage), col(Deal.id))
        )
        if stage is not None:
            query = query.where(col(Deal.stage) == int(stage))
        if status is not None:  # and those whose status cannot be read: shown as damaged
            query = query.where(or_(col(Deal.status) == status.value, rows.status_unknown()))
        if owner is not None:
            query = query.where(col(Deal.owner) == validation.strip_controls(owner).strip())
        if text:
            query = query.where(text_matches(text))
        with self.db.read() as session:
            definition_in(session.connection())  # stages named as the team's pipeline says
            found = session.connection().execute(query).all()
            ids = [row.id for row in found] if len(found) < 500 else None
            steps = next_steps(session.connection(), ids)
        return [
            replace(
                rows.deal_summary(row, row.jobs_done, row.jobs_total),
                next_step=steps.get(row.id),
            )
            for row in found
        ]

    def history(self, deal_id: int, limit: int | None = None) -> list[EventView]:
        """Every recorded change of a deal, newest first.

        An entry that does not parse, or whose hash no longer matches its content, is
        marked damaged (``EventView.damage``) and the rest is shown as usual.
        """
        _check_id(deal_id)
        with self.db.read() as session:
            connection = session.connection()
            exists = core_select(col(Deal.id)).where(col(Deal.id) == deal_id)
            if connection.execute(exists).first() is None:
                raise DealNotFound(deal_id)
            definition_in(connection)  # history is told in the words of the pipeline in force
            found = connection.execute(
                core_select(*rows.EVENT_COLUMNS)
                .where(col(Event.deal_id) == deal_id)
                .order_by(col(Event.id).desc())
                .limit(limit)
            ).all()
        return [rows.event_view(row) for row in found]

    def last_change(self, deal_id: int | None = None) -> EventView | None:
        """The actor's newest recorded change (of one deal), or None: what undo takes back."""
        query = core_select(*rows.EVENT_COLUMNS).where(col(Event.actor) == self.actor)
        if deal_id is not None:
            _check_id(deal_id)
            query = query.where(col(Event.deal_id) == deal_id)
        with self.db.read() as session:
            definition_in(session.connection())  # told in the words of the pipeline in force
            found = session.connection().execute(query.order_by(col(Event.id).desc()).limit(1))
            row = found.first()
        return None if row is None else rows.event_view(row)

    def now(self) -> datetime:
        """The time by this service's clock (UTC): what "recent" is measured against."""
        return self._clock()

    # ---------------------------------------------------------------- writes

    def create_deal(
        self,
        title: str,
        *,
        company: str = "",
        value: str | int | Decimal = 0,
        currency: str = "EUR",
        owner: str | None = None,
        expected_close: str | date | None = None,
        notes: str = "",
    ) -> DealView:
        """A new open deal in Prospect with a fresh copy of every stage's checklist."""
        cleaned_currency = validation.clean_currency(currency)
        fields: dict[str, Any] = {
            "title": validation.clean_title(title),
            "company": validation.clean_company(company),
            "value_minor": validation.parse_value(value, cleaned_currency),
            "currency": cleaned_currency,
            "owner": validation.clean_owner(owner if owner is not None else self.actor),
            "expected_close": (
                validation.parse_date(expected_close) if expected_close not in (None, "") else None
            ),
            "notes": validation.clean_notes(notes),
        }
        now = self._clock()
        found_by = search_text(fields["title"], fields["company"], fields["owner"])
        with self.db.write(wait_ms=self.wait_ms) as session:
            deal = Deal(
                **fields,
                search_text=found_by,
                stage=int(workflow.FIRST_STAGE),
                status=Status.OPEN.value,
                version=1,
                created_at=now,
                updated_at=now,
                updated_by=self.actor,
                stage_entered_at=now,
            )
            session.add(deal)
            session.flush()
            assert deal.id is not None
            _version, pipeline = definition_in(session.connection())
            session.add_all(
                ChecklistItem(deal_id=deal.id, stage=int(stage.stage), position=n, job_key=job.key)
                for stage in pipeline.stages
                for n, job in enumerate(stage.jobs, start=1)
            )
            after = {k: _field_json(k, v) for k, v in fields.items()}
            after["stage"] = workflow.FIRST_STAGE.key
            session.flush()
            event = Event(
                deal_id=deal.id,
                at=now,
                actor=self.actor,
                kind=EventKind.CREATED.value,
                before=None,
                after=after,
            )
            _seal(session, event)
            session.add(event)
            session.flush()
            return self._view(session, deal)

    def edit_deal(
        self,
        deal_id: int,
        *,
        expected_version: int | None = None,
        title: str | _Unset = UNSET,
        company: str | _Unset = UNSET,
        value: str | int | Decimal | _Unset = UNSET,
        currency: str | _Unset = UNSET,
        owner: str | _Unset = UNSET,
        expected_close: str | date | _Unset | None = UNSET,
        notes: str | _Unset = UNSET,
    ) -> DealView:
        """Change a deal's fields; only the fields that really change are recorded."""
        wanted: dict[str, Any] = {}
        if not isinstance(title, _Unset):
            wanted["title"] = validation.clean_title(title)
        if not isinstance(company, _Unset):
            wanted["company"] = validation.clean_company(company)
        if not isinstance(value, _Unset):
            wanted["value_minor"] = validation.parse_value(value)
        if not isinstance(currency, _Unset):
            wanted["currency"] = validation.clean_currency(currency)
        if not isinstance(owner, _Unset):
            wanted["owner"] = validation.clean_owner(owner)
        if not isinstance(expected_close, _Unset):
            wanted["expected_close"] = (
                validation.parse_date(expected_close) if expected_close not in (None, "") else None
            )
        if not isinstance(notes, _Unset):
            wanted["notes"] = validation.clean_notes(notes)
        if not wanted:
            raise InvalidInput(_("nothing to change: give at least one field"))
        with self.db.write(wait_ms=self.wait_ms) as session:
            deal = self._lock(session, deal_id, expected_version)
            _check_decimals(
                wanted.get("value_minor", deal.value_minor), wanted.get("currency", deal.currency)
            )
            changed = {k: v for k, v in wanted.items() if getattr(deal, k) != v}
            if not changed:
                return self._view(session, deal)
            before = {k: _field_json(k, getattr(deal, k)) for k in changed}
            for key, new in changed.items():
                setattr(deal, key, new)
            if changed.keys() & {"title", "company", "owner"}:
                deal.search_text = search_text(deal.title, deal.company, deal.owner)
            after = {k: _field_json(k, v) for k, v in changed.items()}
            self._record(session, deal, EventKind.EDITED, before, after)
            return self._view(session, deal)

    def set_job(
        self,
        deal_id: int,
        n: int,
        done: bool,
        *,
        expected_version: int | None = None,
        stage: Stage | None = None,
    ) -> DealView:
        """Tick (``done=True``) or untick job ``n`` (1-based) of the deal's current stage.

        Asking for the state a job already has is a no-op, not a conflict: two people
        ticking the same job agree. With a stale ``expected_version`` that holds only if
        the caller names the ``stage`` it saw and the deal is still there; otherwise job
        ``n`` may be another stage's job now, and the change is refused as a conflict.
        """
        with self.db.write(wait_ms=self.wait_ms) as session:
            deal = self._lock(session, deal_id, None)
            current = Stage(deal.stage)
            if Status(deal.status) is Status.OPEN:
                self._ensure_stage_jobs(session, deal, current)
            item = self._item(session, deal_id, current, n)
            agrees = item is not None and item.done == done and Status(deal.status) is Status.OPEN
            if expected_version is not None and deal.version != expected_version:
                if agrees and stage is current:
                    return self._view(session, deal)
                self._check_version(deal, expected_version)
            stage = current
            if item is None:
                count = self._job_count(session, deal)
                raise InvalidInput(
                    _("{stage} has jobs 1 to {count}; there is no job {n}").format(
                        stage=stage.label, count=count, n=n
                    )
                )
            if agrees:
                return self._view(session, deal)
            workflow.check_set_job(stage, Status(deal.status), stage)
            if done:
                self._check_evidence(session, deal_id, item.job_key)
            now = self._clock()
            before = {"stage": stage.key, "n": n, "job": item.job_key, "done": item.done}
            item.done = done
            item.done_by = self.actor if done else None
            item.done_at = now if done else None
            session.add(item)
            after = {**before, "done": done}
            kind = EventKind.JOB_TICKED if done else EventKind.JOB_UNTICKED
            self._record(session, deal, kind, before, after)
            return self._view(session, deal)

    def advance(self, deal_id: int, *, expected_version: int | None = None) -> DealView:
        """Move one stage right, only if every job of the current stage is done."""
        with self.db.write(wait_ms=self.wait_ms) as session:
            deal = self._lock(session, deal_id, expected_version)
            if Status(deal.status) is Status.OPEN:
                self._ensure_stage_jobs(session, deal, Stage(deal.stage))
            jobs = [job.as_job() for job in self._jobs(session, deal_id)]
            target = workflow.check_advance(Stage(deal.stage), Status(deal.status), jobs)
            return self._move(session, deal, target, EventKind.ADVANCED)

    def move_back(self, deal_id: int, *, expected_version: int | None = None) -> DealView:
        """Move one stage left; every job keeps its state."""
        with self.db.write(wait_ms=self.wait_ms) as session:
            deal = self._lock(session, deal_id, expected_version)
            target = workflow.check_back(Stage(deal.stage), Status(deal.status))
            return self._move(session, deal, target, EventKind.MOVED_BACK)

    def mark_lost(
        self, deal_id: int, reason: str, *, expected_version: int | None = None
    ) -> DealView:
        """Give a deal up from any stage; it keeps its stage so it can be reopened there."""
        cleaned = validation.clean_reason(reason)
        with self.db.write(wait_ms=self.wait_ms) as session:
            deal = self._lock(session, deal_id, expected_version)
            workflow.check_lost(Status(deal.status), cleaned)
            before = {"status": deal.status}
            deal.status = Status.LOST.value
            deal.lost_reason = cleaned
            after = {"status": Status.LOST.value, "reason": cleaned}
            self._record(session, deal, EventKind.LOST, before, after)
            return self._view(session, deal)

    def reopen(self, deal_id: int, *, expected_version: int | None = None) -> DealView:
        """Bring a lost (or finished) deal back to open, at the stage it left."""
        with self.db.write(wait_ms=self.wait_ms) as session:
            deal = self._lock(session, deal_id, expected_version)
            workflow.check_reopen(Status(deal.status))
            before: dict[str, Any] = {
                "status": deal.status,
                "reason": deal.lost_reason,
                "outcome": deal.outcome,
                "satisfaction": deal.satisfaction,
            }
            before = {k: v for k, v in before.items() if v is not None}
            deal.status = Status.OPEN.value
            deal.lost_reason = None
            deal.outcome = None
            deal.satisfaction = None
            after: dict[str, Any] = {"status": Status.OPEN.value, "stage": _stage_json(deal.stage)}
            retired = self._drop_retired_jobs(session, deal_id)
            if retired:
                after["removed"] = retired  # jobs the team retired while the deal was off
            self._record(session, deal, EventKind.REOPENED, before, after)
            self._start_stage_clock(session, deal, Stage(deal.stage))
            self._ensure_stage_jobs(session, deal, Stage(deal.stage))
            return self._view(session, deal)

    def finish(
        self,
        deal_id: int,
        outcome: str | Outcome,
        satisfaction: int,
        *,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> DealView:
        """Finish a Closed deal whose checklist is complete, recording how it went.

        ``comment``, if any, is kept in the finish event (shown in the history and the
        pane), not on the deal: it belongs to that moment, and a reopen keeps it there.
        """
        try:
            result = Outcome(str(outcome).strip().lower())
        except ValueError:
            raise InvalidInput(
                _("outcome must be success or failure, not {value}").format(value=repr(outcome))
            ) from None
        said = validation.clean_comment(comment)
        with self.db.write(wait_ms=self.wait_ms) as session:
            deal = self._lock(session, deal_id, expected_version)
            if Status(deal.status) is Status.OPEN:
                self._ensure_stage_jobs(session, deal, Stage(deal.stage))
            jobs = [job.as_job() for job in self._jobs(session, deal_id)]
            workflow.check_finish(Stage(deal.stage), Status(deal.status), jobs, satisfaction)
            before = {"status": deal.status}
            deal.status = Status.FINISHED.value
            deal.outcome = result.value
            deal.satisfaction = satisfaction
            after: dict[str, Any] = {
                "status": Status.FINISHED.value,
                "outcome": result.value,
                "satisfaction": satisfaction,
            }
            if said is not None:
                after["comment"] = said
            self._record(session, deal, EventKind.FINISHED, before, after)
            return self._view(session, deal)

    # --------------------------------------------------------------- helpers

    def _lock(self, session: Session, deal_id: int, expected_version: int | None) -> Deal:
        """Load the deal holding its row lock (PostgreSQL; SQLite holds the file lock).

        A deal whose row breaks the rules is refused (``DamagedData``): no change is
        built on data that cannot be trusted.
        """
        _check_id(deal_id)
        definition_in(session.connection())  # refusals name stages as the team does
        try:
            deal = session.exec(
                select(Deal).where(col(Deal.id) == deal_id).with_for_update()
            ).first()
        except (ValueError, TypeError, LookupError) as error:
            raise rows.damaged_deal(
                deal_id, _("it cannot be read: {error}").format(error=error)
            ) from None
        if deal is None:
            raise DealNotFound(deal_id)
        rows.checked_summary(deal)
        self._check_version(deal, expected_version)
        return deal

    def _item(self, session: Session, deal_id: int, stage: Stage, n: int) -> ChecklistItem | None:
        """Job ``n`` of the deal's ``stage``, checked like every stored row."""
        if not 1 <= n <= 10_000:
            return None
        try:
            item = session.exec(
                select(ChecklistItem).where(
                    col(ChecklistItem.deal_id) == deal_id,
                    col(ChecklistItem.stage) == int(stage),
                    col(ChecklistItem.position) == n,
                )
            ).first()
            if item is not None:
                rows.job_view(item, definition_in(session.connection())[1])
        except (rows.Damaged, ValueError, TypeError, LookupError) as error:
            raise rows.damaged_deal(deal_id, str(error)) from None
        return item

    @staticmethod
    def _check_evidence(session: Session, deal_id: int, job_key: str) -> None:
        """Refuse a tick whose evidence the deal lacks, read in the tick's own transaction."""
        _version, pipeline = definition_in(session.connection())
        job = pipeline.job(job_key)
        if job is None or job.evidence is None:
            return
        facts = read_parts(session.connection(), deal_id).facts()
        check_tick(display_safe(job.text_in(language())), job.evidence, facts)

    @staticmethod
    def _check_version(deal: Deal, expected_version: int | None) -> None:
        if expected_version is not None and deal.version != expected_version:
            assert deal.id is not None
            raise Conflict(deal.id, expected_version, deal.version, deal.updated_by)

    def _jobs(self, session: Session, deal_id: int) -> tuple[JobView, ...]:
        """The deal's whole checklist, read raw and checked (``DamagedData`` if broken)."""
        found = (
            session.connection()
            .execute(core_select(*rows.JOB_COLUMNS).where(col(ChecklistItem.deal_id) == deal_id))
            .all()
        )
        _version, pipeline = definition_in(session.connection())
        try:
            return rows.job_views(found, pipeline)
        except rows.Damaged as damage:
            raise rows.damaged_deal(deal_id, str(damage)) from None

    def _job_count(self, session: Session, deal: Deal) -> int:
        count = session.exec(
            select(func.count(col(ChecklistItem.id))).where(
                col(ChecklistItem.deal_id) == deal.id, col(ChecklistItem.stage) == deal.stage
            )
        ).one()
        return int(count)

    @staticmethod
    def _drop_retired_jobs(session: Session, deal_id: int) -> list[str]:
        """Take jobs the pipeline has retired off a deal coming back; their keys, sorted.

        A won or lost deal keeps its checklist as it was; back on the board it follows
        the pipeline in force like every open deal.
        """
        _version, pipeline = definition_in(session.connection())
        keys = session.exec(
            select(col(ChecklistItem.job_key)).where(col(ChecklistItem.deal_id) == deal_id)
        ).all()
        retired = sorted(key for key in keys if not pipeline.is_current(key))
        if retired:
            items = ChecklistItem.__table__  # type: ignore[attr-defined]
            session.connection().execute(
                items.delete().where(items.c.deal_id == deal_id, items.c.job_key.in_(retired))
            )
        return retired

    def _ensure_stage_jobs(self, session: Session, deal: Deal, stage: Stage) -> None:
        """Give the deal, unticked, any job its ``stage`` has in the pipeline but it lacks.

        A job added to a stage reaches deals at or before it when it is imported; a deal
        that was past it (or off the board) gets it here, on entering the stage, and the
        gate checks it before any move right (``salesboard.definition_diff``).
        """
        assert deal.id is not None
        _version, pipeline = definition_in(session.connection())
        have = set(
            session.exec(
                select(col(ChecklistItem.job_key)).where(
                    col(ChecklistItem.deal_id) == deal.id, col(ChecklistItem.stage) == int(stage)
                )
            ).all()
        )
        missing = [
            ChecklistItem(deal_id=deal.id, stage=int(stage), position=n, job_key=job.key)
            for n, job in enumerate(pipeline.jobs_of(stage), start=1)
            if job.key not in have
        ]
        if missing:
            session.add_all(missing)
            session.flush()

    def _move(self, session: Session, deal: Deal, target: Stage, kind: EventKind) -> DealView:
        before = {"stage": _stage_json(deal.stage)}
        deal.stage = int(target)
        self._record(session, deal, kind, before, {"stage": target.key})
        self._start_stage_clock(session, deal, target)
        self._ensure_stage_jobs(session, deal, target)
        return self._view(session, deal)

    def _start_stage_clock(self, session: Session, deal: Deal, stage: Stage) -> None:
        """The deal (re)enters ``stage`` now: its days there carry over earlier visits.

        The rule is ``salesboard.stage_clock``'s; the visits come from the deal's events,
        the one that records this entry excepted (it is the last, and starts no time).
        """
        assert deal.id is not None
        visits = self._visits(session, deal.id)[:-1]
        deal.stage_entered_at = stage_clock.clock_start(visits, stage, deal.updated_at)
        session.add(deal)

    @staticmethod
    def _visits(session: Session, deal_id: int) -> list[stage_clock.Visit]:
        """Where the deal has been, from its events: each entry into a stage or off the board.

        Events are read raw, as untrusted rows: one whose time or stage cannot be read is
        passed over, so the clock counts a little less; it never stops a move.
        """
        query = (
            core_select(
                rows.raw(col(Event.at), "at"), col(Event.kind), rows.raw(col(Event.after), "after")
            )
            .where(col(Event.deal_id) == deal_id, col(Event.kind).in_(_STAGE_KINDS))
            .order_by(col(Event.id))
        )
        visits: list[stage_clock.Visit] = []
        for raw_at, kind, raw_after in session.connection().execute(query):
            try:
                at = rows.moment(raw_at, "at")
                stage: Stage | None = None
                if kind not in _OFF_BOARD_KINDS:
                    key = (rows.json_object(raw_after, "after") or {}).get("stage")
                    stage = workflow.stage_by_key(key)
                    if stage is None:
                        continue
            except (rows.Damaged, ValueError):
                continue
            visits.append(stage_clock.Visit(at, stage))
        return visits

    def _record(
        self,
        session: Session,
        deal: Deal,
        kind: EventKind,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Bump the version, stamp who and when, and append the event, in one go."""
        assert deal.id is not None
        now = self._clock()
        deal.version += 1
        deal.updated_at = now
        deal.updated_by = self.actor
        session.add(deal)
        session.flush()
        event = Event(
            deal_id=deal.id,
            at=now,
            actor=self.actor,
            kind=kind.value,
            before=before,
            after=after,
        )
        _seal(session, event)
        session.add(event)
        session.flush()

    def _view(self, session: Session, deal: Deal) -> DealView:
        """The deal as it stands in this transaction, after a change."""
        assert deal.id is not None
        session.flush()
        return self._view_of(session, deal.id)

    def _view_of(self, session: Session, deal_id: int) -> DealView:
        """A deal and its checklist read raw and checked (``DamagedData`` if broken)."""
        _check_id(deal_id)
        row = (
            session.connection()
            .execute(core_select(*rows.DEAL_COLUMNS).where(col(Deal.id) == deal_id))
            .first()
        )
        if row is None:
            raise DealNotFound(deal_id)
        checklist = self._jobs(session, deal_id)
        stage = rows.checked_summary(row).stage
        current = [job for job in checklist if job.stage == stage]
        summary = rows.checked_summary(row, sum(job.done for job in current), len(current))
        parts = read_parts(session.connection(), deal_id)
        summary = replace(summary, next_step=parts.next_step)
        return DealView(summary=summary, checklist=checklist, parts=parts)
