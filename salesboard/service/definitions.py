"""The pipeline definition in force, its history, and importing a new one.

Every board and command reads the newest ``pipeline_version`` row, so a team sees one
pipeline. An import is planned first (what it changes, and what that does to open deals),
then applied in one write transaction that checks nobody imported in between, changes the
checklists the rules say (``salesboard.definition_diff``) and records, for each deal whose
checklist changed, one event in that deal's history, so versions and history stay in step.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, and_, case, delete, func, insert, select, update
from sqlmodel import col

from salesboard.definition import PipelineDefinition, in_force, loads, use
from salesboard.errors import DamagedData, SalesboardError
from salesboard.identity import current_login
from salesboard.language import language
from salesboard.service.rows import moment, raw
from salesboard.store import PIPELINE_VERSION, ChecklistItem, Database, Deal, Event
from salesboard.workflow import EventKind, Stage, Status

if TYPE_CHECKING:  # the TOML and diff modules load only when a pipeline is imported
    from salesboard import definition_diff

_CURRENT: Final = (
    select(PIPELINE_VERSION.c.version, PIPELINE_VERSION.c.definition)
    .order_by(PIPELINE_VERSION.c.version.desc())
    .limit(1)
)


class PipelineChanged(SalesboardError):
    """Someone imported another pipeline between this import's plan and its apply."""

    exit_code = 4

    def __init__(self, planned: int, now: int) -> None:
        super().__init__(
            f"the pipeline was changed by someone else (version {planned} when this import "
            f"was checked, {now} now); nothing was applied — run the import again to see "
            "what it would change now"
        )


@lru_cache(maxsize=8)
def _parsed(text: str) -> PipelineDefinition:
    return loads(text)


def definition_in(connection: Connection) -> tuple[int, PipelineDefinition]:
    """The version and definition in force, as this transaction sees them.

    Parsed once per distinct text (cached), so a use case pays one small read.
    """
    row = connection.execute(_CURRENT).first()
    if row is None:
        raise DamagedData("the database has no pipeline definition; run 'salesboard doctor'")
    try:
        found = _parsed(str(row.definition))
    except (ValueError, TypeError, SalesboardError) as error:
        raise DamagedData(
            f"the pipeline definition (version {row.version}) cannot be read: {error}"
        ) from None
    if found is not in_force():
        use(found, language())
    return int(row.version), found


@dataclass(frozen=True)
class ImportPlan:
    """A checked import: the changes, their effect on deals, and the version it is based on."""

    base_version: int
    plan: definition_diff.Plan
    effects: tuple[str, ...]

    @property
    def changes(self) -> tuple[definition_diff.Change, ...]:
        """The differences from the definition in force (empty: nothing to do)."""
        return self.plan.changes


@dataclass(frozen=True)
class PipelineVersionView:
    """One version of the pipeline, for ``salesboard pipeline history``."""

    version: int
    set_by: str
    set_at: datetime
    changes: tuple[dict[str, Any], ...]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


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

    def export_toml(self) -> str:
        """The definition in force as the TOML file a team keeps in git."""
        from salesboard import definition_toml

        version, found = self.current()
        return definition_toml.dumps(found, version)

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
            except (TypeError, ValueError):
                changes = []
            views.append(
                PipelineVersionView(
                    int(row.version),
                    str(row.set_by),
                    moment(row.set_at, "set_at"),
                    tuple(c for c in changes if isinstance(c, dict)),
                )
            )
        return views

    def plan_import(self, text: str) -> ImportPlan:
        """Check a TOML definition against the one in force; nothing is written."""
        from salesboard import definition_diff, definition_toml

        imported = definition_toml.loads(text)
        with self.db.read() as session:
            connection = session.connection()
            version, current = definition_in(connection)
            plan = definition_diff.plan(current, imported)
            effects = _effects(connection, plan)
        return ImportPlan(version, plan, effects)

    def apply(self, planned: ImportPlan) -> int:
        """Make a planned import the pipeline in force; return its version.

        Refused (``PipelineChanged``) if another import landed after the plan was made.
        Every open deal is locked first, so no tick, move or reopen of a deal can slip
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
            connection.execute(
                select(col(Deal.id)).where(col(Deal.status) == Status.OPEN.value).with_for_update()
            )
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
        label = plan.wanted.of(job.stage).label_in("en")
        told = (
            f"+ {job.key}: {_plural(here, 'open deal', 'open deals')} in {label} "
            f"{'gets' if here == 1 else 'get'} it unticked and cannot move on until it is done"
        )
        if job.stage is not Stage.PROSPECT:
            told += (
                f"; {_plural(before, 'deal', 'deals')} before {label} will find it there; "
                "deals past it are not pulled back"
            )
        said.append(told)
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
            .where(col(ChecklistItem.job_key) == job.key)
        ).one()
        said.append(
            f"- {job.key}: leaves every checklist ({_plural(int(ticked), 'tick', 'ticks')} "
            f"kept in history); {_plural(int(open_unticked), 'open deal', 'open deals')} in "
            f"{plan.wanted.of(job.stage).label_in('en')} no longer "
            f"{'waits' if int(open_unticked) == 1 else 'wait'} for it"
        )
    return tuple(said)


def _change_checklists(connection: Connection, plan: definition_diff.Plan) -> dict[int, Any]:
    """Apply the job rules to every checklist; return, per deal, what changed for it."""
    touched: dict[int, dict[str, list[str]]] = {}

    def note(deal_ids: Any, what: str, key: str) -> None:
        for (deal_id,) in deal_ids:
            touched.setdefault(int(deal_id), {}).setdefault(what, []).append(key)

    positions = {
        job.key: n for stage in plan.wanted.stages for n, job in enumerate(stage.jobs, start=1)
    }
    items = ChecklistItem.__table__  # type: ignore[attr-defined]
    for job in plan.removed:
        note(
            connection.execute(select(items.c.deal_id).where(items.c.job_key == job.key)).all(),
            "removed",
            job.key,
        )
        connection.execute(delete(items).where(items.c.job_key == job.key))
    for key, n in positions.items():
        moved = connection.execute(
            select(items.c.deal_id).where(items.c.job_key == key, items.c.position != n)
        ).all()
        if moved:
            note(moved, "renumbered", key)
            connection.execute(update(items).where(items.c.job_key == key).values(position=n))
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
    """One event per deal whose checklist changed, with its version bumped to match."""
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
            update(Deal)
            .where(col(Deal.id) == deal_id)
            .values(version=col(Deal.version) + 1, updated_at=now, updated_by=actor)
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
