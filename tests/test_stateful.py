"""Random sequences of use cases, by several users, checked step by step against a model.

A Hypothesis state machine drives the service on a real SQLite file. After every step the
database is read directly (not through the service) and compared with a small model of
each deal; refused and no-op operations must leave the deal byte-for-byte as it was, every
change must bump the version by exactly one and append exactly one event by the acting
user, and no deal may ever sit past a stage with an unfinished job.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from salesboard import workflow
from salesboard.errors import Conflict, InvalidInput
from salesboard.service import DealView, Pipeline
from salesboard.store import Database
from salesboard.workflow import (
    EventKind,
    GateRefusal,
    Outcome,
    Stage,
    Status,
    WorkflowRefusal,
)
from tests.checklists import DEFAULT_CHECKLISTS
from tests.evidence import give_evidence

USERS = ("alice", "bob", "carol")
TITLES = ("Fleet rollout", "Pilot", "Renewal")
REASONS = ("", "   ", "\n\t", "Budget cut", "  Went with a competitor  ")
OUTCOMES = ("success", "failure", "Success", " FAILURE ", "maybe", "")
Place = tuple[int, int]  # (stage, job number)


@dataclass
class ModelDeal:
    """What the database should say about one deal."""

    title: str
    stage: Stage = Stage.PROSPECT
    status: Status = Status.OPEN
    done: set[Place] = field(default_factory=set)
    version: int = 1
    events: int = 1
    updated_by: str = ""
    outcome: str | None = None
    satisfaction: int | None = None
    lost_reason: str | None = None

    def missing(self) -> list[int]:
        """The unfinished jobs of the current stage."""
        count = len(DEFAULT_CHECKLISTS[self.stage])
        return [n for n in range(1, count + 1) if (int(self.stage), n) not in self.done]


@dataclass(frozen=True)
class Change:
    """The call must succeed and record exactly one event of ``kind``."""

    kind: EventKind


@dataclass(frozen=True)
class NoOp:
    """The call must succeed and change nothing at all."""


@dataclass(frozen=True)
class Refusal:
    """The call must raise exactly ``error`` and change nothing at all."""

    error: type[Exception]


Expectation = Change | NoOp | Refusal


@dataclass(frozen=True)
class Snapshot:
    """Every stored value of one deal: its row, its checklist rows and its event rows."""

    deal: dict[str, Any]
    items: tuple[tuple[Any, ...], ...]
    events: tuple[tuple[Any, ...], ...]


class StepClock:
    """A clock that moves one second per reading, for distinct, deterministic times."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class PipelineMachine(RuleBasedStateMachine):
    """The service against its model, on a fresh copy of a migrated database."""

    deals = Bundle("deals")

    def __init__(self, template: Path) -> None:
        super().__init__()
        self.tmpdir = Path(tempfile.mkdtemp(prefix="salesboard-stateful-"))
        path = self.tmpdir / "board.db"
        shutil.copyfile(template, path)
        self.db = Database.open(str(path), create=True)
        clock = StepClock()
        self.users = {user: Pipeline(self.db, actor=user, clock=clock) for user in USERS}
        self.model: dict[int, ModelDeal] = {}

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    # ------------------------------------------------------------------ helpers

    def snapshot(self, deal_id: int) -> Snapshot:
        """Everything stored about one deal, as raw rows: deal, checklist, events."""
        with self.db.read() as session:
            params = {"id": deal_id}
            row = session.execute(text("SELECT * FROM deal WHERE id = :id"), params).one()
            items = session.execute(
                text("SELECT * FROM checklist_item WHERE deal_id = :id ORDER BY id"), params
            ).all()
            events = session.execute(
                text("SELECT * FROM event WHERE deal_id = :id ORDER BY id"), params
            ).all()
        return Snapshot(
            dict(row._mapping),
            tuple(tuple(i) for i in items),
            tuple((e.id, e.kind, e.actor, e.before, e.after) for e in events),
        )

    def attempt(
        self,
        deal_id: int,
        user: str,
        expect: Expectation,
        call: Callable[[Pipeline], DealView],
    ) -> Exception | None:
        """Run ``call`` as ``user`` and hold it to ``expect``; return the refusal if any."""
        model = self.model[deal_id]
        before = self.snapshot(deal_id)
        pipeline = self.users[user]
        if isinstance(expect, Refusal):
            with pytest.raises(Exception) as raised:
                call(pipeline)
            assert type(raised.value) is expect.error, repr(raised.value)
            assert self.snapshot(deal_id) == before, "a refused operation changed the deal"
            return raised.value
        view = call(pipeline)
        after = self.snapshot(deal_id)
        if isinstance(expect, NoOp):
            assert after == before, "a no-op changed the deal"
            assert view.version == model.version
            return None
        model.version += 1
        model.events += 1
        model.updated_by = user
        assert view.version == model.version == before.deal["version"] + 1
        assert view.summary.updated_by == user
        # Exactly one event appended, by this user, of this kind; history is append-only.
        assert after.events[:-1] == before.events
        assert after.events[-1][1:3] == (expect.kind.value, user)
        return None

    # -------------------------------------------------------------------- rules

    @rule(target=deals, user=st.sampled_from(USERS), title=st.sampled_from(TITLES))
    def create(self, user: str, title: str) -> int:
        view = self.users[user].create_deal(title)
        assert view.id not in self.model
        give_evidence(self.db, view.id)  # any job may be ticked: the model is about the gate
        self.model[view.id] = ModelDeal(title=title, updated_by=user)
        assert [(e.kind, e.actor) for e in self.users[user].history(view.id)] == [("created", user)]
        return view.id

    def _set_job(self, deal_id: int, user: str, n: int, done: bool, **kw: Any) -> None:
        model = self.model[deal_id]
        place = (int(model.stage), n)
        expect: Expectation
        exists = 1 <= n <= len(DEFAULT_CHECKLISTS[model.stage])
        agrees = exists and model.status is Status.OPEN and (place in model.done) == done
        stale = "expected_version" in kw and kw["expected_version"] != model.version
        if stale:
            # Only a caller who names the stage it saw may be told "already done": the
            # job number may mean another stage's job now.
            same_job = kw.get("stage") is model.stage
            expect = NoOp() if agrees and same_job else Refusal(Conflict)
        elif not exists:
            expect = Refusal(InvalidInput)
        elif agrees:
            expect = NoOp()  # two people ticking the same job agree
        elif model.status is not Status.OPEN:
            expect = Refusal(WorkflowRefusal)
        else:
            expect = Change(EventKind.JOB_TICKED if done else EventKind.JOB_UNTICKED)
        self.attempt(deal_id, user, expect, lambda p: p.set_job(deal_id, n, done, **kw))
        if isinstance(expect, Change):
            (model.done.add if done else model.done.discard)(place)

    @rule(
        deal=deals,
        user=st.sampled_from(USERS),
        n=st.integers(0, 7),
        done=st.sampled_from([True, True, False]),
    )
    def set_job(self, deal: int, user: str, n: int, done: bool) -> None:
        self._set_job(deal, user, n, done)

    def _advance(self, deal_id: int, user: str) -> None:
        model = self.model[deal_id]
        expect: Expectation
        if model.status is not Status.OPEN or model.stage is workflow.LAST_STAGE:
            expect = Refusal(WorkflowRefusal)
        elif model.missing():
            expect = Refusal(GateRefusal)
        else:
            expect = Change(EventKind.ADVANCED)
        refusal = self.attempt(deal_id, user, expect, lambda p: p.advance(deal_id))
        if isinstance(refusal, GateRefusal):
            assert [job.n for job in refusal.missing] == model.missing()
        if isinstance(expect, Change):
            model.stage = Stage(model.stage + 1)

    @rule(deal=deals, user=st.sampled_from(USERS))
    def advance(self, deal: int, user: str) -> None:
        self._advance(deal, user)

    @rule(deal=deals, user=st.sampled_from(USERS), rounds=st.integers(1, 6))
    def push(self, deal: int, user: str, rounds: int) -> None:
        """Tick every job of the current stage and advance, ``rounds`` times (to reach Closed)."""
        model = self.model[deal]
        for _ in range(rounds):
            for n in model.missing():
                self._set_job(deal, user, n, True)
            if model.status is not Status.OPEN or model.stage is workflow.LAST_STAGE:
                break
            self._advance(deal, user)
        if model.status is Status.OPEN and model.stage is workflow.LAST_STAGE:
            for n in model.missing():
                self._set_job(deal, user, n, True)  # ready to finish

    @rule(deal=deals, user=st.sampled_from(USERS), pick=st.integers(0, 20))
    def untick(self, deal: int, user: str, pick: int) -> None:
        """Untick a job that is done, when the current stage has one."""
        model = self.model[deal]
        ticked = sorted(n for stage, n in model.done if stage == model.stage)
        self._set_job(deal, user, ticked[pick % len(ticked)] if ticked else pick % 8, False)

    @rule(deal=deals, user=st.sampled_from(USERS))
    def move_back(self, deal: int, user: str) -> None:
        model = self.model[deal]
        expect: Expectation
        if model.status is not Status.OPEN or model.stage is workflow.FIRST_STAGE:
            expect = Refusal(WorkflowRefusal)
        else:
            expect = Change(EventKind.MOVED_BACK)
        self.attempt(deal, user, expect, lambda p: p.move_back(deal))
        if isinstance(expect, Change):
            model.stage = Stage(model.stage - 1)

    @rule(deal=deals, user=st.sampled_from(USERS), reason=st.sampled_from(REASONS))
    def mark_lost(self, deal: int, user: str, reason: str) -> None:
        model = self.model[deal]
        expect: Expectation
        if not reason.strip():
            expect = Refusal(InvalidInput)
        elif model.status is not Status.OPEN:
            expect = Refusal(WorkflowRefusal)
        else:
            expect = Change(EventKind.LOST)
        self.attempt(deal, user, expect, lambda p: p.mark_lost(deal, reason))
        if isinstance(expect, Change):
            model.status, model.lost_reason = Status.LOST, reason.strip()

    @rule(deal=deals, user=st.sampled_from(USERS))
    def reopen(self, deal: int, user: str) -> None:
        model = self.model[deal]
        expect: Expectation
        if model.status is Status.OPEN:
            expect = Refusal(WorkflowRefusal)
        else:
            expect = Change(EventKind.REOPENED)
        self.attempt(deal, user, expect, lambda p: p.reopen(deal))
        if isinstance(expect, Change):
            model.status = Status.OPEN
            model.outcome = model.satisfaction = model.lost_reason = None

    @rule(
        deal=deals,
        user=st.sampled_from(USERS),
        outcome=st.sampled_from(OUTCOMES),
        satisfaction=st.integers(-1, 7),
    )
    def finish(self, deal: int, user: str, outcome: str, satisfaction: int) -> None:
        model = self.model[deal]
        cleaned = outcome.strip().lower()
        expect: Expectation
        if cleaned not in {o.value for o in Outcome}:
            expect = Refusal(InvalidInput)
        elif model.status is not Status.OPEN or model.stage is not workflow.LAST_STAGE:
            expect = Refusal(WorkflowRefusal)
        elif model.missing():
            expect = Refusal(GateRefusal)
        elif satisfaction not in workflow.SATISFACTION_RANGE:
            expect = Refusal(WorkflowRefusal)
        else:
            expect = Change(EventKind.FINISHED)
        self.attempt(deal, user, expect, lambda p: p.finish(deal, outcome, satisfaction))
        if isinstance(expect, Change):
            model.status, model.outcome, model.satisfaction = (
                Status.FINISHED,
                cleaned,
                satisfaction,
            )

    @rule(deal=deals, user=st.sampled_from(USERS), title=st.sampled_from(TITLES))
    def edit_current(self, deal: int, user: str, title: str) -> None:
        model = self.model[deal]
        version = model.version
        expect: Expectation = NoOp() if title == model.title else Change(EventKind.EDITED)
        self.attempt(
            deal, user, expect, lambda p: p.edit_deal(deal, title=title, expected_version=version)
        )
        model.title = title

    @rule(
        deal=deals,
        user=st.sampled_from(USERS),
        lag=st.integers(1, 3),
        action=st.sampled_from(
            ["edit", "advance", "move_back", "mark_lost", "reopen", "finish", "set_job"]
        ),
        n=st.integers(0, 7),
    )
    def stale_write(self, deal: int, user: str, lag: int, action: str, n: int) -> None:
        """A write made from an older view is refused with Conflict and changes nothing."""
        model = self.model[deal]
        stale = model.version - lag
        if action == "set_job":
            seen = model.stage if lag % 2 else None  # the board names it, the CLI cannot
            self._set_job(deal, user, n, True, expected_version=stale, stage=seen)
            return
        calls: dict[str, Callable[[Pipeline], DealView]] = {
            "edit": lambda p: p.edit_deal(deal, title="Stale", expected_version=stale),
            "advance": lambda p: p.advance(deal, expected_version=stale),
            "move_back": lambda p: p.move_back(deal, expected_version=stale),
            "mark_lost": lambda p: p.mark_lost(deal, "stale", expected_version=stale),
            "reopen": lambda p: p.reopen(deal, expected_version=stale),
            "finish": lambda p: p.finish(deal, "success", 5, expected_version=stale),
        }
        conflict = self.attempt(deal, user, Refusal(Conflict), calls[action])
        assert isinstance(conflict, Conflict)
        assert (conflict.expected, conflict.actual) == (stale, model.version)
        assert conflict.changed_by == model.updated_by

    # --------------------------------------------------------------- invariants

    @invariant()
    def database_matches_model(self) -> None:
        with self.db.read() as session:
            rows = {r.id: r for r in session.execute(text("SELECT * FROM deal")).all()}
            items = session.execute(
                text("SELECT deal_id, stage, position, job_key, done FROM checklist_item")
            ).all()
            counted = session.execute(text("SELECT deal_id, count(*) FROM event GROUP BY deal_id"))
            counts = {deal_id: n for deal_id, n in counted}
        assert set(rows) == set(self.model)
        # Refused operations wrote no event anywhere: every event belongs to a change.
        assert counts == {deal_id: m.events for deal_id, m in self.model.items()}
        jobs: dict[int, list[workflow.Job]] = {deal_id: [] for deal_id in rows}
        for deal_id, stage, position, label, done in items:
            jobs[deal_id].append(workflow.Job(Stage(stage), position, label, bool(done)))
        for deal_id, m in self.model.items():
            row = rows[deal_id]
            stored = (row.title, row.stage, row.status, row.version, row.updated_by)
            assert stored == (m.title, m.stage, m.status, m.version, m.updated_by)
            finish = (row.outcome, row.satisfaction, row.lost_reason)
            assert finish == (m.outcome, m.satisfaction, m.lost_reason)
            # One version per recorded change, starting at 1 with the "created" event.
            assert row.version == counts[deal_id]
            assert {(int(j.stage), j.n) for j in jobs[deal_id] if j.done} == m.done
            # The gate: no deal (open, lost or finished) sits past an unfinished job.
            assert workflow.gate_violations(Stage(row.stage), jobs[deal_id]) == []


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty database that each machine copies (migrating is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    Database.open(str(path), create=True).close()
    assert not path.with_name("template.db-wal").exists()  # checkpointed on close
    return path


@pytest.mark.slow
def test_random_use_cases_keep_model_invariants(template: Path) -> None:
    class OnTemplate(PipelineMachine):
        def __init__(self) -> None:
            super().__init__(template)

    run_state_machine_as_test(
        OnTemplate,
        settings=settings(
            max_examples=40,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
