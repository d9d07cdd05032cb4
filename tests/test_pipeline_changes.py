"""Importing a changed pipeline: what happens to checklists, history and the gate."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from salesboard import definition_toml
from salesboard.definition import DEFAULT, DEFAULT_JSON, from_json, in_force
from salesboard.errors import InvalidInput
from salesboard.service import Pipeline
from salesboard.service.definitions import PipelineChanged, PipelineDefinitions
from salesboard.service.doctor import examine
from salesboard.service.history_text import describe_event
from salesboard.store import Database
from salesboard.workflow import GateRefusal, Stage, Status
from tests.conftest import FROZEN_START as FROZEN
from tests.conftest import FrozenClock
from tests.evidence import examined_but_parts, give_evidence

Edit = Callable[[dict[str, Any]], None]


def toml_with(change: Edit) -> str:
    data = copy.deepcopy(DEFAULT_JSON)
    change(data)
    return definition_toml.dumps(from_json(data), 1)


def add_job(stage: int, key: str, text: str, at: int | None = None) -> Edit:
    def change(data: dict[str, Any]) -> None:
        jobs = data["stages"][stage - 1]["jobs"]
        jobs.insert(len(jobs) if at is None else at, {"key": key, "text": {"en": text}})

    return change


def drop_job(key: str) -> Edit:
    def change(data: dict[str, Any]) -> None:
        for stage in data["stages"]:
            stage["jobs"] = [j for j in stage["jobs"] if j["key"] != key]

    return change


@pytest.fixture
def definitions(db: Database, clock: FrozenClock) -> PipelineDefinitions:
    return PipelineDefinitions(db, actor="carol", clock=clock)


def walk_to(pipeline: Pipeline, deal_id: int, stage: Stage) -> None:
    """Tick every job and advance until the deal is in ``stage``."""
    deal = pipeline.get_deal(deal_id)
    while deal.stage < stage:
        for job in deal.jobs():
            if not job.done:
                deal = pipeline.set_job(deal_id, job.n, True)
        deal = pipeline.advance(deal_id)


def imported(definitions: PipelineDefinitions, change: Edit) -> int:
    return definitions.apply(definitions.plan_import(toml_with(change)))


def test_a_new_database_has_the_default_pipeline_as_version_1(
    definitions: PipelineDefinitions,
) -> None:
    version, found = definitions.current()
    assert (version, found) == (1, DEFAULT)
    assert definition_toml.loads(definitions.export_toml()) == DEFAULT


def test_an_added_job_is_unticked_where_it_applies_and_past_deals_are_not_pulled_back(
    pipeline: Pipeline, definitions: PipelineDefinitions
) -> None:
    before = pipeline.create_deal("Before").id  # in Prospect
    here = pipeline.create_deal("Here").id
    give_evidence(pipeline.db, here)
    walk_to(pipeline, here, Stage.QUALIFIED)
    pipeline.set_job(here, 1, True)
    past = pipeline.create_deal("Past").id
    give_evidence(pipeline.db, past)
    walk_to(pipeline, past, Stage.DISCOVERY)
    lost = pipeline.create_deal("Lost").id
    give_evidence(pipeline.db, lost)
    walk_to(pipeline, lost, Stage.QUALIFIED)
    pipeline.mark_lost(lost, "no budget")

    plan = definitions.plan_import(toml_with(add_job(2, "budget-known", "Budget known", at=0)))
    assert [(c.kind, c.key) for c in plan.changes] == [("added", "budget-known")]
    assert "1 open deal in Qualified gets it unticked" in plan.effects[0]
    assert "1 deal before Qualified will find it there" in plan.effects[0]
    assert definitions.apply(plan) == 2

    got = pipeline.get_deal(here)
    jobs = got.jobs()
    assert [(j.n, j.key, j.done) for j in jobs][:2] == [
        (1, "budget-known", False),
        (2, "confirmed-real", True),
    ]
    assert (got.summary.jobs_done, got.summary.jobs_total) == (1, 5)
    with pytest.raises(GateRefusal, match="Budget known"):
        pipeline.advance(here)
    qualified = [j for j in pipeline.get_deal(before).checklist if j.stage is Stage.QUALIFIED]
    assert qualified[0].key == "budget-known"
    assert "budget-known" not in {j.key for j in pipeline.get_deal(past).checklist}
    assert "budget-known" not in {j.key for j in pipeline.get_deal(lost).checklist}
    # Each deal whose checklist changed says so in its own history, as the importer.
    event = pipeline.history(here)[0]
    assert (event.kind, event.actor, event.after) == (
        "checklist_changed",
        "carol",
        {"pipeline": 2, "added": ["budget-known"], "renumbered": True},
    )
    assert describe_event(event.kind, event.before, event.after) == (
        "pipeline version 2; + Budget known; jobs renumbered"
    )
    # A deal past it meets the job when it comes back to the stage, and the gate holds.
    moved = pipeline.move_back(past)
    assert moved.jobs()[0].key == "budget-known" and not moved.jobs()[0].done
    with pytest.raises(GateRefusal):
        pipeline.advance(past)
    reopened = pipeline.reopen(lost)
    assert reopened.jobs()[0].key == "budget-known"
    found = examined_but_parts(pipeline.db)
    assert found.ok, [c.problems for c in found.checks]


def test_a_removed_job_leaves_checklists_but_its_history_stays_readable(
    pipeline: Pipeline, definitions: PipelineDefinitions
) -> None:
    deal = pipeline.create_deal("Deal").id
    give_evidence(pipeline.db, deal)
    pipeline.set_job(deal, 1, True)
    pipeline.set_job(deal, 2, True)
    imported(definitions, drop_job("met-producers"))
    got = pipeline.get_deal(deal)
    assert [j.key for j in got.jobs()] == ["target-market", "meeting-scheduled"]
    assert (got.summary.jobs_done, got.summary.jobs_total) == (2, 2)
    assert pipeline.advance(deal).stage is Stage.QUALIFIED  # nothing left to wait for
    imported(definitions, drop_job("target-market"))  # a ticked job retired too
    told = [describe_event(e.kind, e.before, e.after) for e in pipeline.history(deal)]
    assert "Prospect job 1: Prospect found in the target market" in told
    assert "pipeline version 3; − Prospect found in the target market; jobs renumbered" in told
    assert in_force().job("target-market") is not None
    assert not in_force().is_current("target-market")
    assert examined_but_parts(pipeline.db).ok


def test_a_renamed_job_keeps_its_ticks(
    pipeline: Pipeline, definitions: PipelineDefinitions
) -> None:
    deal = pipeline.create_deal("Deal").id
    give_evidence(pipeline.db, deal)
    pipeline.set_job(deal, 2, True)

    def rename(data: dict[str, Any]) -> None:
        data["stages"][0]["jobs"][1]["text"] = {"en": "First meeting booked", "nb": "Møte booket"}

    version_before = pipeline.get_deal(deal).version
    imported(definitions, rename)
    got = pipeline.get_deal(deal)
    assert (got.jobs()[1].text, got.jobs()[1].done) == ("First meeting booked", True)
    assert got.version == version_before  # a rename changes no deal
    told = describe_event(*(lambda e: (e.kind, e.before, e.after))(pipeline.history(deal)[0]))
    assert told == "Prospect job 2: First meeting booked"


def test_stage_names_and_figures_follow_the_pipeline(
    pipeline: Pipeline, definitions: PipelineDefinitions
) -> None:
    def rename_stage(data: dict[str, Any]) -> None:
        data["stages"][0]["label"] = {"en": "Lead", "nb": "Emne"}
        data["stages"][0]["win_probability"] = 5

    imported(definitions, rename_stage)
    deal = pipeline.create_deal("Deal")
    assert deal.stage.label == "Lead"
    assert Stage.parse("lead") is Stage.PROSPECT and Stage.parse("prospect") is Stage.PROSPECT
    assert definitions.current()[1].of(Stage.PROSPECT).win_probability == 5
    created = pipeline.history(deal.id)[0]
    assert created.after is not None and created.after["stage"] == "prospect"
    assert describe_event(created.kind, created.before, created.after) == "created in Lead: Deal"


def test_an_import_planned_on_an_older_version_is_refused(
    definitions: PipelineDefinitions, db: Database, clock: FrozenClock
) -> None:
    stale = definitions.plan_import(toml_with(add_job(1, "a", "A")))
    other = PipelineDefinitions(db, actor="dave", clock=clock)
    imported(other, add_job(1, "b", "B"))
    with pytest.raises(PipelineChanged, match="version 1 when this import was checked, 2 now"):
        definitions.apply(stale)
    assert [j.key for j in definitions.current()[1].jobs_of(Stage.PROSPECT)][-1] == "b"


def test_the_pipeline_keeps_its_own_history(definitions: PipelineDefinitions) -> None:
    imported(definitions, add_job(3, "legal-review", "Legal review"))
    history = definitions.history()
    assert [(v.version, v.set_by) for v in history] == [(2, "carol"), (1, "salesboard")]
    assert history[0].changes[0]["kind"] == "added"
    assert history[0].changes[0]["key"] == "legal-review"


def test_an_import_without_changes_writes_nothing(definitions: PipelineDefinitions) -> None:
    plan = definitions.plan_import(definitions.export_toml())
    assert plan.changes == ()
    assert definitions.apply(plan) == 1
    assert len(definitions.history()) == 1


def test_a_forbidden_change_is_refused_before_anything_is_written(
    definitions: PipelineDefinitions,
) -> None:
    def move(data: dict[str, Any]) -> None:
        data["stages"][1]["jobs"].append(data["stages"][0]["jobs"].pop())

    with pytest.raises(InvalidInput, match="never moves to another stage"):
        definitions.plan_import(toml_with(move))
    assert definitions.current()[0] == 1


def test_demo_data_follows_a_changed_pipeline(
    db: Database, definitions: PipelineDefinitions
) -> None:
    from salesboard.service.demo import seed_demo

    def change(data: dict[str, Any]) -> None:
        add_job(2, "budget-known", "Budget known", at=0)(data)
        drop_job("roi-approved")(data)

    imported(definitions, change)
    seed_demo(db, deals=120, seed=3)
    found = examine(db)
    assert found.ok, [c.problems for c in found.checks]
    pipeline = Pipeline(db, actor="alice")
    keys = {
        j.key
        for d in pipeline.list_deals(status=None)[:40]
        for j in pipeline.get_deal(d.id).checklist
    }
    assert "budget-known" in keys and "roi-approved" not in keys
    assert all(d.status in set(Status) for d in pipeline.list_deals(status=None))


def test_won_and_lost_deals_keep_their_checklist_until_reopened(
    pipeline: Pipeline, definitions: PipelineDefinitions, clock: FrozenClock
) -> None:
    lost = pipeline.create_deal("Lost").id
    give_evidence(pipeline.db, lost)
    pipeline.set_job(lost, 3, True)
    pipeline.mark_lost(lost, "no budget")
    working = pipeline.create_deal("Working").id
    before = pipeline.get_deal(lost)
    clock.advance(hours=1)
    imported(definitions, drop_job("met-producers"))
    kept = pipeline.get_deal(lost)
    assert kept.version == before.version  # not touched: a record of what was done
    assert "met-producers" in {j.key for j in kept.checklist}
    touched = pipeline.get_deal(working)
    assert touched.version == 2 and "met-producers" not in {j.key for j in touched.checklist}
    # An import is history, not news: "last changed" stays with whoever worked the deal.
    assert (touched.summary.updated_by, touched.summary.updated_at) == ("alice", FROZEN)
    reopened = pipeline.reopen(lost)
    assert "met-producers" not in {j.key for j in reopened.checklist}
    event = pipeline.history(lost)[0]
    assert event.after is not None and event.after["removed"] == ["met-producers"]
    assert describe_event(event.kind, event.before, event.after).endswith(
        "; − Met the people who would produce the product"
    )
    found = examined_but_parts(pipeline.db)
    assert found.ok, [c.problems for c in found.checks]


@pytest.mark.postgres
def test_an_import_waits_for_a_deal_being_created_so_it_gets_the_new_job(pg_url: str) -> None:
    """Deterministic: a creation is held open by hand while the import runs."""
    import threading

    from sqlalchemy import text

    db = Database.open(pg_url, create=True)
    definitions = PipelineDefinitions(db, actor="carol")
    plan = definitions.plan_import(toml_with(add_job(1, "pros-new", "Prospect new", at=0)))
    now = "2026-11-02 09:00:00+00"
    with db.engine.connect() as creation:
        held = creation.begin()
        deal_id = creation.execute(
            text(
                "INSERT INTO deal (title, company, value_minor, currency, owner, notes, stage, "
                "status, version, search_text, created_at, updated_at, updated_by, "
                "stage_entered_at) VALUES ('In flight', '', 0, 'EUR', 'bob', '', 1, 'open', 1, "
                f"'', '{now}', '{now}', 'bob', '{now}') RETURNING id"
            )
        ).scalar_one()
        importer = threading.Thread(target=definitions.apply, args=(plan,))
        importer.start()
        importer.join(timeout=1.0)
        assert importer.is_alive(), "the import did not wait for the deal being created"
        for n, job in enumerate(DEFAULT.jobs_of(Stage.PROSPECT), start=1):  # the old pipeline
            creation.execute(
                text(
                    "INSERT INTO checklist_item (deal_id, stage, position, job_key, done) "
                    "VALUES (:d, 1, :n, :k, false)"
                ),
                {"d": deal_id, "n": n, "k": job.key},
            )
        held.commit()
    importer.join(timeout=30)
    assert not importer.is_alive()
    keys = [j.key for j in Pipeline(db, actor="bob").get_deal(deal_id).jobs()]
    assert keys == ["pros-new", "target-market", "meeting-scheduled", "met-producers"]
    db.close()
