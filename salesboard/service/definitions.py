"""The pipeline definition in force, its history, and importing a new one.

Every board and command reads the newest ``pipeline_version`` row, so a team sees one
pipeline. An import is planned first (what it changes, and what that does to open deals),
then applied in one write transaction that checks nobody imported in between, changes the
checklists the rules say (``salesboard.definition_diff``) and records, for each deal whose
checklist changed, one event in that deal's history, so versions and history stay in step.
"""

from __future__ import annotations

import json
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, and_, case, delete, func, insert, select, update
from sqlalchemy import text as sql
from sqlmodel import col

from salesboard.calendar_text import moment_text
from salesboard.definition import PipelineDefinition, in_force, loads, use
from salesboard.errors import DamagedData, InvalidInput, SalesboardError
from salesboard.i18n import _, ngettext
from salesboard.identity import current_login
from salesboard.language import language
from salesboard.service.rows import Damaged, moment, raw
from salesboard.store import PIPELINE_VERSION, ChecklistItem, Database, Deal, Event
from salesboard.validation import display_safe
from salesboard.workflow import EventKind, Stage, Status

if TYPE_CHECKING:  # the TOML and diff modules load only when a pipeline is imported
    from salesboard import definition_diff

_CURRENT: Final = (
    select(PIPELINE_VERSION.c.version, PIPELINE_VERSION.c.definition)
    .order_by(PIPELINE_VERSION.c.version.desc())
    .limit(1)
)


class StaleFile(SalesboardError):
    """The file was exported from an older version than the one in force now."""

    exit_code = 4

    def __init__(self, file_version: int, version: int, by: str, at: datetime | None) -> None:
        if at is None:
            told = _(
                "the file was exported from pipeline version {file_version}, but version "
                "{version} (by {by}) is in force: importing it would undo what came after. "
                "Export again and redo your edits, or add --force to replace version "
                "{version} knowingly"
            )
        else:
            told = _(
                "the file was exported from pipeline version {file_version}, but version "
                "{version} (by {by}, {at} UTC) is in force: importing it would undo what came "
                "after. Export again and redo your edits, or add --force to replace version "
                "{version} knowingly"
            )
        super().__init__(
            told.format(
                file_version=file_version,
                version=version,
                by=display_safe(by),
                at=moment_text(at) if at is not None else "",
            )
        )


class PipelineChanged(SalesboardError):
    """Someone imported another pipeline between this import's plan and its apply."""

    exit_code = 4

    def __init__(self, planned: int, now: int) -> None:
        super().__init__(
            _(
                "the pipeline was changed by someone else (version {planned} when this import "
                "was checked, {now} now); nothing was applied — run the import again to see "
                "what it would change now"
            ).format(planned=planned, now=now)
        )


@lru_cache(maxsize=8)
def _parsed(text: str) -> PipelineDefinition:
    return loads(text)


_READ_IN: weakref.WeakKeyDictionary[Connection, tuple[int, PipelineDefinition]] = (
    weakref.WeakKeyDictionary()
)
"""What each open transaction's connection has already read: one read per use case."""


def definition_in(connection: Connection) -> tuple[int, PipelineDefinition]:
    """The version and definition in force, as this transaction sees them.

    Read once per transaction (the lock, the gate, the view of one change all ask) and
    parsed once per distinct text, so a use case pays one small read.
    """
    known = _READ_IN.get(connection)
    if known is not None:
        return known
    row = connection.execute(_CURRENT).first()
    if row is None:
        raise DamagedData(_("the database has no pipeline definition; run 'salesboard doctor'"))
    try:
        found = _parsed(str(row.definition))
    except (ValueError, TypeError, SalesboardError) as error:
        raise DamagedData(
            _("the pipeline definition (version {version}) cannot be read: {error}").format(
                version=row.version, error=error
            )
        ) from None
    if found is not in_force():
        use(found, language())
    _READ_IN[connection] = (int(row.version), found)
    return int(row.version), found


@dataclass(frozen=True)
class ImportPlan:
    """A checked import: the changes, their effect on deals, and the version it is based on."""

    base_version: int
    plan: definition_diff.Plan
    effects: tuple[str, ...]
    file_version: int | None = None
    """The version the file says it was exported from (None: a file written by hand)."""

    @property
    def changes(self) -> tuple[definition_diff.Change, ...]:
        """The differences from the definition in force (empty: nothing to do)."""
        return self.plan.changes


@dataclass(frozen=True)
class PipelineVersionView:
    """One version of the pipeline, for ``salesboard pipeline history``."""

    version: int
    set_by: str
    set_at: datetime | None
    """None when the stored time cannot be read (doctor names it)."""
    changes: tuple[dict[str, Any], ...] | None
    """None when the stored list cannot be read (doctor names it)."""


class PipelineDefinitions:
    """Reading, exporting and importing the team's pipeline definition."""

    def __init__(
        self, db: Database, actor: str | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        from salesboard.service.pipeline import utc_now

        self.db = db
        self.actor = actor or current_login()
        self._clock = clock or utc_now

    def current(self) -> tuple[int, PipelineDefinition]:
        """The version and definition in force."""
        with self.db.read() as session:
            return definition_in(session.connection())

    def version(self) -> int:
        """The version in force, with one tiny read (live boards look after each commit)."""
        with self.db.read() as session:
            found = (
                session.connection().execute(select(func.max(PIPELINE_VERSION.c.version))).scalar()
            )
        return int(found or 0)

    def export_toml(self, version: int | None = None) -> str:
        """The definition in force (or an earlier ``version``) as the TOML a team keeps."""
        from salesboard import definition_toml

        if version is None:
            number, found = self.current()
            return definition_toml.dumps(found, number)
        query = select(PIPELINE_VERSION.c.definition).where(PIPELINE_VERSION.c.version == version)
        with self.db.read() as session:
            row = session.connection().execute(query).first()
        if row is None:
            raise InvalidInput(
                _("there is no pipeline version {version}; see 'pipeline history'").format(
                    version=version
                )
            )
        try:
            return definition_toml.dumps(_parsed(str(row.definition)), version)
        except (ValueError, TypeError, SalesboardError) as error:
            raise DamagedData(
                _("pipeline version {version} cannot be read: {error}").format(
                    version=version, error=error
                )
            ) from None

    def history(self) -> list[PipelineVersionView]:
        """Every version, newest first, with who made it, when, and what it changed."""
        query = select(
            PIPELINE_VERSION.c.version,
            PIPELINE_VERSION.c.set_by,
            raw(PIPELINE_VERSION.c.set_at, "set_at"),
            PIPELINE_VERSION.c.changes,
        ).order_by(PIPELINE_VERSION.c.version.desc())
        with self.db.read() as session:
            found = session.connection().execute(query).all()
        views = []
        for row in found:
            try:
                changes = json.loads(row.changes)
            except (TypeError, ValueError, RecursionError):
                changes = None  # damaged: doctor names it
            try:
                when: datetime | None = moment(row.set_at, "set_at")
            except Damaged:
                when = None
            views.append(
                PipelineVersionView(
                    int(row.version),
                    str(row.set_by),
                    when,
                    tuple(c for c in changes if isinstance(c, dict))
                    if isinstance(changes, list)
                    else None,
                )
            )
        return views

    def plan_import(self, text: str) -> ImportPlan:
        """Check a TOML definition against the one in force; nothing is written."""
        from salesboard import definition_diff, definition_toml

        imported, file_version = definition_toml.read(text)
        with self.db.read() as session:
            connection = session.connection()
            version, current = definition_in(connection)
            plan = definition_diff.plan(current, imported)
            effects = _effects(connection, plan)
        return ImportPlan(version, plan, effects, file_version)

    def check_not_stale(self, planned: ImportPlan) -> None:
        """Refuse a file exported from another version than the one in force (``StaleFile``).

        Without this, a file kept in git and imported again after a colleague's import
        would silently undo the colleague's changes.
        """
        if planned.file_version is None or planned.file_version == planned.base_version:
            return
        newest = self.history()[0]
        raise StaleFile(planned.file_version, newest.version, newest.set_by, newest.set_at)

    def apply(self, planned: ImportPlan) -> int:
        """Make a planned import the pipeline in force; return its version.

        Refused (``PipelineChanged``) if another import landed after the plan was made.
        The deal table is locked first, so no new deal, tick, move or reopen can slip
        between the checklist changes and the commit (PostgreSQL; SQLite's write lock
        already covers the whole database).
        """
        if not planned.changes:
            return planned.base_version
        plan = planned.plan
        now = self._clock()
        with self.db.write() as session:
            connection = session.connection()
            latest = connection.execute(_CURRENT.with_for_update()).first()
            version = int(latest.version) if latest is not None else 0
            if version != planned.base_version:
                raise PipelineChanged(planned.base_version, version)
            if connection.dialect.name == "postgresql":
                # No deal may be created, ticked, moved or reopened between the checklist
                # changes and the commit: a deal made meanwhile from the old pipeline would
                # keep its jobs. Readers are not held up. (SQLite's write lock covers this.)
                connection.execute(sql("LOCK TABLE deal IN SHARE ROW EXCLUSIVE MODE"))
            new_version = version + 1
            touched = _change_checklists(connection, plan)
            connection.execute(
                insert(PIPELINE_VERSION).values(
                    version=new_version,
                    definition=plan.wanted.dumps(),
                    changes=json.dumps([c.to_json() for c in plan.changes], ensure_ascii=False),
                    set_by=self.actor,
                    set_at=now,
                )
            )
            _record_checklist_events(session, touched, version, new_version, self.actor, now)
        return new_version


def _effects(connection: Connection, plan: definition_diff.Plan) -> tuple[str, ...]:
    """What the import does to deals, in words, counted with aggregate queries."""
    open_by_stage = Counter[int](
        dict(
            connection.execute(
                select(col(Deal.stage), func.count())
                .where(col(Deal.status) == Status.OPEN.value)
                .group_by(col(Deal.stage))
            ).all()
        )
    )
    said: list[str] = []
    for job in plan.added:
        here = open_by_stage[int(job.stage)]
        before = sum(open_by_stage[s] for s in range(1, int(job.stage)))
        past = sum(open_by_stage[s] for s in range(int(job.stage) + 1, len(Stage) + 1))
        label = plan.wanted.of(job.stage).label_in(language())
        if job.stage is Stage.CLOSED:
            told = ngettext(
                "+ {job}: {count} open deal in {stage} gets it unticked and cannot be finished "
                "until it is done",
                "+ {job}: {count} open deals in {stage} get it unticked and cannot be finished "
                "until it is done",
                here,
            )
        else:
            told = ngettext(
                "+ {job}: {count} open deal in {stage} gets it unticked and cannot move on "
                "until it is done",
                "+ {job}: {count} open deals in {stage} get it unticked and cannot move on "
                "until it is done",
                here,
            )
        clauses = [told.format(job=job.key, count=here, stage=label)]
        if job.stage is not Stage.PROSPECT:
            clauses.append(
                ngettext(
                    "{count} deal before {stage} will find it there",
                    "{count} deals before {stage} will find it there",
                    before,
                ).format(count=before, stage=label)
            )
        if job.stage is not Stage.CLOSED:
            clauses.append(
                ngettext(
                    "{count} deal past it is not pulled back",
                    "{count} deals past it are not pulled back",
                    past,
                ).format(count=past)
            )
        said.append("; ".join(clauses))
    for job in plan.removed:
        in_stage_open = and_(
            col(Deal.status) == Status.OPEN.value,
            col(Deal.stage) == int(job.stage),
            ~col(ChecklistItem.done),
        )
        ticked, open_unticked = connection.execute(
            select(
                func.coalesce(func.sum(case((col(ChecklistItem.done), 1), else_=0)), 0),
                func.coalesce(func.sum(case((in_stage_open, 1), else_=0)), 0),
            )
            .select_from(ChecklistItem)
            .join(Deal, col(Deal.id) == col(ChecklistItem.deal_id))
            .where(col(ChecklistItem.job_key) == job.key, col(Deal.status) == Status.OPEN.value)
        ).one()
        ticks, waiting = int(ticked), int(open_unticked)
        leaves = ngettext(
            "- {job}: leaves the checklists of open deals ({count} tick kept in their history; "
            "won and lost deals keep it as done or not)",
            "- {job}: leaves the checklists of open deals ({count} ticks kept in their history; "
            "won and lost deals keep it as done or not)",
            ticks,
        ).format(job=job.key, count=ticks)
        no_longer = ngettext(
            "{count} open deal in {stage} no longer waits for it",
            "{count} open deals in {stage} no longer wait for it",
            waiting,
        ).format(count=waiting, stage=plan.wanted.of(job.stage).label_in(language()))
        said.append(f"{leaves}; {no_longer}")
    return tuple(said)


def _change_checklists(connection: Connection, plan: definition_diff.Plan) -> dict[int, Any]:
    """Apply the job rules to the open deals' checklists; return what changed for each.

    Won and lost deals keep their checklists as a record of what was done (a retired job
    included); they are brought up to date if they are ever reopened. Numbers follow the
    new order on every checklist: they are the pipeline's, not a deal's.
    """
    touched: dict[int, dict[str, list[str]]] = {}
    open_deals = select(col(Deal.id)).where(col(Deal.status) == Status.OPEN.value)

    def note(deal_ids: Any, what: str, key: str) -> None:
        for (deal_id,) in deal_ids:
            touched.setdefault(int(deal_id), {}).setdefault(what, []).append(key)

    positions = {
        job.key: n for stage in plan.wanted.stages for n, job in enumerate(stage.jobs, start=1)
    }
    items = ChecklistItem.__table__  # type: ignore[attr-defined]
    for job in plan.removed:
        on_open = and_(items.c.job_key == job.key, items.c.deal_id.in_(open_deals))
        note(connection.execute(select(items.c.deal_id).where(on_open)).all(), "removed", job.key)
        connection.execute(delete(items).where(on_open))
    for key, n in positions.items():
        elsewhere = and_(items.c.job_key == key, items.c.position != n)
        moved = connection.execute(
            select(items.c.deal_id).where(elsewhere, items.c.deal_id.in_(open_deals))
        ).all()
        note(moved, "renumbered", key)
        connection.execute(update(items).where(elsewhere).values(position=n))
    for job in plan.added:
        deals = select(col(Deal.id)).where(
            col(Deal.status) == Status.OPEN.value,
            col(Deal.stage) <= int(job.stage),
            ~select(items.c.id)
            .where(and_(items.c.deal_id == col(Deal.id), items.c.job_key == job.key))
            .exists(),
        )
        found = connection.execute(deals).all()
        note(found, "added", job.key)
        if found:
            connection.execute(
                insert(items),
                [
                    {
                        "deal_id": deal_id,
                        "stage": int(job.stage),
                        "position": positions[job.key],
                        "job_key": job.key,
                        "done": False,
                    }
                    for (deal_id,) in found
                ],
            )
    return touched


def _record_checklist_events(
    session: Any,
    touched: dict[int, dict[str, list[str]]],
    old_version: int,
    new_version: int,
    actor: str,
    now: datetime,
) -> None:
    """One event per open deal whose checklist changed, with its version bumped to match.

    The deal's "last changed" (by whom, when) stays that of the last person who worked it:
    an import is recorded in the history, but it is not news about the deal.
    """
    from salesboard.store.chain import seal

    if not touched:
        return
    connection = session.connection()
    for deal_id in sorted(touched):
        what = touched[deal_id]
        after: dict[str, Any] = {"pipeline": new_version}
        for part in ("added", "removed"):
            if what.get(part):
                after[part] = sorted(what[part])
        if what.get("renumbered"):
            after["renumbered"] = True
        connection.execute(
            update(Deal).where(col(Deal.id) == deal_id).values(version=col(Deal.version) + 1)
        )
        event = Event(
            deal_id=deal_id,
            at=now,
            actor=actor,
            kind=EventKind.CHECKLIST_CHANGED.value,
            before={"pipeline": old_version},
            after=after,
        )
        seal(session, event)
        session.add(event)
        session.flush()
