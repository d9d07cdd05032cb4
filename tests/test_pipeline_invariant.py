"""The gate holds across any sequence of pipeline changes and deal operations.

A Hypothesis state machine imports random pipeline edits (jobs added anywhere, retired,
renamed, reordered, retired keys brought back) between random use cases by several
users, and after every step reads the database directly: no open deal sits past a stage
with an unfinished job, every open deal's current stage holds exactly the jobs the
pipeline in force gives it (so no job can be skipped), no retired job is on a
checklist of an open deal (won and lost deals keep theirs as a record), and ``doctor``
finds every deal consistent with its history.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
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

from salesboard import definition_toml
from salesboard.definition import PipelineDefinition
from salesboard.errors import InvalidInput
from salesboard.service import Pipeline
from salesboard.service.definitions import PipelineDefinitions
from salesboard.service.doctor import examine
from salesboard.store import Database
from salesboard.workflow import Stage, WorkflowRefusal
from tests.evidence import give_evidence
from tests.test_stateful import StepClock

USERS = ("alice", "bob")


class PipelineEditsMachine(RuleBasedStateMachine):
    """Pipeline imports interleaved with deal operations, on a real SQLite file."""

    deals = Bundle("deals")

    def __init__(self, template: Path) -> None:
        super().__init__()
        self.tmpdir = Path(tempfile.mkdtemp(prefix="salesboard-edits-"))
        path = self.tmpdir / "board.db"
        shutil.copyfile(template, path)
        self.db = Database.open(str(path), create=True)
        clock = StepClock()
        self.users = {u: Pipeline(self.db, actor=u, clock=clock) for u in USERS}
        self.definitions = PipelineDefinitions(self.db, actor="admin", clock=clock)
        self.new_keys = 0

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    # ------------------------------------------------------------ pipeline edits

    def _import(self, change: Any) -> None:
        version, current = self.definitions.current()
        data = current.to_json()
        retired = data.pop("retired")
        change(data, retired)
        plan = self.definitions.plan_import(definition_toml.dumps(_parsed(data), version))
        self.definitions.apply(plan)

    @rule(stage=st.integers(1, 6), at=st.integers(0, 20))
    def add_job(self, stage: int, at: int) -> None:
        self.new_keys += 1
        key = f"new-{self.new_keys}"

        def change(data: dict[str, Any], _retired: list[Any]) -> None:
            jobs = data["stages"][stage - 1]["jobs"]
            if len(jobs) < 20:
                jobs.insert(at % (len(jobs) + 1), {"key": key, "text": {"en": f"Job {key}"}})

        self._import(change)

    @rule(stage=st.integers(1, 6), pick=st.integers(0, 20))
    def remove_job(self, stage: int, pick: int) -> None:
        def change(data: dict[str, Any], _retired: list[Any]) -> None:
            jobs = data["stages"][stage - 1]["jobs"]
            if len(jobs) > 1:
                jobs.pop(pick % len(jobs))

        self._import(change)

    @rule(pick=st.integers(0, 40))
    def bring_back_a_retired_job(self, pick: int) -> None:
        def change(data: dict[str, Any], retired: list[Any]) -> None:
            if retired:
                job = retired[pick % len(retired)]
                stage = [s["key"] for s in data["stages"]].index(job["stage"])
                jobs = data["stages"][stage]["jobs"]
                if len(jobs) < 20:
                    jobs.append({"key": job["key"], "text": job["text"]})

        self._import(change)

    @rule(stage=st.integers(1, 6), pick=st.integers(0, 20))
    def rename_job(self, stage: int, pick: int) -> None:
        def change(data: dict[str, Any], _retired: list[Any]) -> None:
            jobs = data["stages"][stage - 1]["jobs"]
            job = jobs[pick % len(jobs)]
            job["text"] = {"en": (job["text"]["en"] + " (renamed)")[-60:]}

        self._import(change)

    @rule(stage=st.integers(1, 6))
    def reverse_jobs(self, stage: int) -> None:
        self._import(lambda data, _r: data["stages"][stage - 1]["jobs"].reverse())

    # ---------------------------------------------------------- deal operations

    @rule(target=deals, user=st.sampled_from(USERS))
    def create(self, user: str) -> int:
        deal_id = self.users[user].create_deal("Deal").id
        give_evidence(self.db, deal_id)  # so that evidence never keeps a deal in Prospect
        return deal_id

    def _try(self, call: Any) -> None:
        # Refusals are expected; the invariants say whether anything slipped through.
        with contextlib.suppress(WorkflowRefusal, InvalidInput):
            call()

    @rule(deal=deals, user=st.sampled_from(USERS), n=st.integers(1, 8), done=st.booleans())
    def set_job(self, deal: int, user: str, n: int, done: bool) -> None:
        self._try(lambda: self.users[user].set_job(deal, n, done))

    @rule(deal=deals, user=st.sampled_from(USERS), rounds=st.integers(1, 6))
    def push(self, deal: int, user: str, rounds: int) -> None:
        """Tick the current stage's jobs and advance, ``rounds`` times."""
        pipeline = self.users[user]
        for _ in range(rounds):
            view = pipeline.get_deal(deal)
            for job in view.jobs():
                if not job.done:
                    self._try(lambda n=job.n: pipeline.set_job(deal, n, True))
            self._try(lambda: pipeline.advance(deal))

    @rule(deal=deals, user=st.sampled_from(USERS))
    def advance(self, deal: int, user: str) -> None:
        self._try(lambda: self.users[user].advance(deal))

    @rule(deal=deals, user=st.sampled_from(USERS), rounds=st.integers(1, 5))
    def move_back(self, deal: int, user: str, rounds: int) -> None:
        for _ in range(rounds):
            self._try(lambda: self.users[user].move_back(deal))

    @rule(deal=deals, user=st.sampled_from(USERS))
    def lose_or_reopen(self, deal: int, user: str) -> None:
        pipeline = self.users[user]
        self._try(lambda: pipeline.mark_lost(deal, "lost"))
        self._try(lambda: pipeline.reopen(deal))

    @rule(deal=deals, user=st.sampled_from(USERS))
    def finish(self, deal: int, user: str) -> None:
        self._try(lambda: self.users[user].finish(deal, "success", 4))

    # --------------------------------------------------------------- invariants

    @invariant()
    def the_gate_holds(self) -> None:
        _, pipeline = self.definitions.current()
        with self.db.read() as session:
            deals = session.execute(text("SELECT id, stage, status FROM deal")).all()
            items = session.execute(
                text("SELECT deal_id, stage, position, job_key, done FROM checklist_item")
            ).all()
        by_deal: dict[int, list[Any]] = {}
        for item in items:
            by_deal.setdefault(item.deal_id, []).append(item)
        numbers = {j.key: n for s in pipeline.stages for n, j in enumerate(s.jobs, start=1)}
        for deal in deals:
            rows = by_deal.get(deal.id, [])
            for row in rows:
                if not pipeline.is_current(row.job_key):
                    # Won and lost deals keep their checklist as a record of what was done.
                    assert deal.status != "open", f"retired {row.job_key} on open {deal.id}"
                    continue
                assert row.position == numbers[row.job_key]
            if deal.status == "open":
                past = [r.job_key for r in rows if r.stage < deal.stage and not r.done]
                assert past == [], f"open deal {deal.id} sits past unfinished {past}"
                here = {r.job_key for r in rows if r.stage == deal.stage}
                wanted = {j.key for j in pipeline.jobs_of(Stage(deal.stage))}
                assert here == wanted, f"deal {deal.id} in stage {deal.stage}"
            if deal.status == "finished":
                assert all(r.done for r in rows if r.stage <= deal.stage)

    @invariant()
    def every_deal_agrees_with_its_history(self) -> None:
        found = examine(self.db)
        problems = [p for c in found.checks if c.name in ("rules", "history") for p in c.problems]
        assert problems == []


def _parsed(data: dict[str, Any]) -> PipelineDefinition:
    from salesboard.definition import from_json

    return from_json(data)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    Database.open(str(path), create=True).close()
    return path


@pytest.mark.slow
def test_the_gate_holds_across_any_pipeline_changes(template: Path) -> None:
    class OnTemplate(PipelineEditsMachine):
        def __init__(self) -> None:
            super().__init__(template)

    run_state_machine_as_test(
        OnTemplate,
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
