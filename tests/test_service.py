"""Every use case, its refusals and its events, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from salesboard.errors import Conflict, DealNotFound, InvalidInput
from salesboard.service import DealView, Pipeline
from salesboard.workflow import (
    GateRefusal,
    Outcome,
    Stage,
    Status,
    WorkflowRefusal,
)
from tests.checklists import DEFAULT_CHECKLISTS
from tests.conftest import FROZEN_START, FrozenClock
from tests.evidence import give_evidence


def evidenced(pipeline: Pipeline, deal: DealView) -> DealView:
    """The deal, given every kind of evidence so that any of its jobs can be ticked."""
    give_evidence(pipeline.db, deal.id)
    return deal


def tick_all(pipeline: Pipeline, deal: DealView) -> DealView:
    for job in deal.jobs():
        deal = pipeline.set_job(deal.id, job.n, True)
    return deal


def walk_to(pipeline: Pipeline, deal: DealView, stage: Stage) -> DealView:
    while deal.stage < stage:
        deal = pipeline.advance(tick_all(pipeline, deal).id)
    return deal


def events(pipeline: Pipeline, deal_id: int) -> list[str]:
    return [e.kind for e in pipeline.history(deal_id)]


def test_create_copies_every_default_checklist_and_records_event(pipeline: Pipeline) -> None:
    deal = pipeline.create_deal(
        "Fleet rollout", company="Northwind", value="12500.50", expected_close="2026-12-31"
    )
    assert deal.stage is Stage.PROSPECT and deal.status is Status.OPEN and deal.version == 1
    assert deal.summary.value_minor == 1_250_050
    assert deal.summary.owner == "alice"  # defaults to the acting user
    for stage, texts in DEFAULT_CHECKLISTS.items():
        assert [j.text for j in deal.jobs(stage)] == list(texts)
    assert not any(j.done for j in deal.checklist)
    [created] = pipeline.history(deal.id)
    assert created.kind == "created" and created.actor == "alice"
    assert created.at == FROZEN_START
    assert created.after is not None and created.after["title"] == "Fleet rollout"


def test_checklists_are_copies_per_deal(pipeline: Pipeline) -> None:
    first = pipeline.create_deal("One")
    second = pipeline.create_deal("Two")
    pipeline.set_job(first.id, 1, True)
    assert not pipeline.get_deal(second.id).jobs()[0].done


def test_create_refuses_bad_input_and_writes_nothing(pipeline: Pipeline) -> None:
    with pytest.raises(InvalidInput, match="title must not be empty"):
        pipeline.create_deal("   ")
    with pytest.raises(InvalidInput, match="negative"):
        pipeline.create_deal("x", value="-1")
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        pipeline.create_deal("x", expected_close="next week")
    assert pipeline.list_deals(status=None) == []


def test_tick_records_who_and_when_and_bumps_version(
    pipeline: Pipeline, clock: FrozenClock
) -> None:
    deal = evidenced(pipeline, pipeline.create_deal("Deal"))
    clock.advance(hours=1)
    ticked = pipeline.set_job(deal.id, 2, True, expected_version=deal.version)
    job = ticked.jobs()[1]
    assert job.done and job.done_by == "alice" and job.done_at == clock.now
    assert ticked.version == 2
    assert (ticked.summary.jobs_done, ticked.summary.jobs_total) == (1, 3)
    unticked = pipeline.set_job(deal.id, 2, False)
    assert not unticked.jobs()[1].done and unticked.jobs()[1].done_by is None
    assert unticked.version == 3
    history = pipeline.history(deal.id)
    assert [e.kind for e in history] == ["job_unticked", "job_ticked", "created"]
    assert history[1].before == {  # keys, never labels: history reads in any language
        "stage": "prospect",
        "n": 2,
        "job": "meeting-scheduled",
        "done": False,
    }
    assert history[1].after is not None and history[1].after["done"] is True


def test_ticking_a_ticked_job_is_a_no_op_not_a_conflict(pipeline: Pipeline) -> None:
    deal = pipeline.create_deal("Deal")
    stale = deal.version
    pipeline.set_job(deal.id, 1, True)
    again = pipeline.set_job(deal.id, 1, True, expected_version=stale, stage=Stage.PROSPECT)
    assert again.version == 2
    assert events(pipeline, deal.id) == ["job_ticked", "created"]


def test_a_stale_tick_without_the_stage_seen_is_a_conflict(
    make_pipeline: Callable[[str], Pipeline],
) -> None:
    alice, bob = make_pipeline("alice"), make_pipeline("bob")
    deal = alice.create_deal("Deal")
    bob.set_job(deal.id, 1, True)
    with pytest.raises(Conflict, match="by bob"):
        alice.set_job(deal.id, 1, True, expected_version=deal.version)


def test_a_tick_meant_for_a_stage_the_deal_has_left_is_a_conflict(
    make_pipeline: Callable[[str], Pipeline],
) -> None:
    alice, bob = make_pipeline("alice"), make_pipeline("bob")
    deal = evidenced(alice, alice.create_deal("Deal"))
    for n in (1, 2, 3):
        deal = alice.set_job(deal.id, n, True)
    seen = alice.advance(deal.id)  # Qualified, nothing ticked; alice's view
    bob.move_back(deal.id)  # back in Prospect, where job 2 is already ticked
    with pytest.raises(Conflict, match="by bob"):  # not a silent "already ticked"
        alice.set_job(deal.id, 2, True, expected_version=seen.version, stage=seen.stage)
    with pytest.raises(Conflict, match="by bob"):  # not "Prospect has no job 4"
        alice.set_job(deal.id, 4, True, expected_version=seen.version, stage=seen.stage)
    assert alice.get_deal(deal.id).stage is Stage.PROSPECT
    assert events(alice, deal.id)[0] == "moved_back"


def test_job_number_out_of_range(pipeline: Pipeline) -> None:
    deal = pipeline.create_deal("Deal")
    with pytest.raises(InvalidInput, match="Prospect has jobs 1 to 3; there is no job 4"):
        pipeline.set_job(deal.id, 4, True)


def test_refused_advance_names_jobs_and_changes_nothing(pipeline: Pipeline) -> None:
    deal = pipeline.set_job(evidenced(pipeline, pipeline.create_deal("Deal")).id, 2, True)
    with pytest.raises(GateRefusal) as caught:
        pipeline.advance(deal.id)
    assert [j.n for j in caught.value.missing] == [1, 3]
    after = pipeline.get_deal(deal.id)
    assert after.stage is Stage.PROSPECT and after.version == deal.version
    assert events(pipeline, deal.id) == ["job_ticked", "created"]


def test_advance_moves_one_stage_and_records_it(pipeline: Pipeline, clock: FrozenClock) -> None:
    deal = tick_all(pipeline, evidenced(pipeline, pipeline.create_deal("Deal")))
    clock.advance(days=2)
    moved = pipeline.advance(deal.id, expected_version=deal.version)
    assert moved.stage is Stage.QUALIFIED
    assert moved.summary.stage_entered_at == clock.now
    assert (moved.summary.jobs_done, moved.summary.jobs_total) == (0, 4)
    latest = pipeline.history(deal.id)[0]
    assert (latest.kind, latest.before, latest.after) == (
        "advanced",
        {"stage": "prospect"},
        {"stage": "qualified"},
    )


def test_back_keeps_every_job_state(pipeline: Pipeline) -> None:
    deal = walk_to(pipeline, evidenced(pipeline, pipeline.create_deal("Deal")), Stage.QUALIFIED)
    deal = pipeline.set_job(deal.id, 3, True)
    back = pipeline.move_back(deal.id)
    assert back.stage is Stage.PROSPECT
    assert all(j.done for j in back.jobs(Stage.PROSPECT))
    assert [j.done for j in back.jobs(Stage.QUALIFIED)] == [False, False, True, False]
    assert events(pipeline, deal.id)[0] == "moved_back"
    with pytest.raises(WorkflowRefusal, match="first stage"):
        pipeline.move_back(deal.id)


def test_earlier_stage_jobs_cannot_be_unticked(pipeline: Pipeline) -> None:
    deal = walk_to(pipeline, evidenced(pipeline, pipeline.create_deal("Deal")), Stage.QUALIFIED)
    # Job numbers always mean the current stage: unticking job 1 here touches Qualified's
    # job, never Prospect's, so an open deal can never sit past an unfinished stage.
    pipeline.set_job(deal.id, 1, True)
    result = pipeline.set_job(deal.id, 1, False)
    assert all(j.done for j in result.jobs(Stage.PROSPECT))
    assert not result.jobs(Stage.QUALIFIED)[0].done
    assert events(pipeline, deal.id)[:2] == ["job_unticked", "job_ticked"]


def test_walk_to_closed_and_finish(pipeline: Pipeline) -> None:
    deal = walk_to(pipeline, evidenced(pipeline, pipeline.create_deal("Deal")), Stage.CLOSED)
    assert deal.stage is Stage.CLOSED
    with pytest.raises(GateRefusal):
        pipeline.finish(deal.id, "success", 4)
    deal = tick_all(pipeline, deal)
    with pytest.raises(WorkflowRefusal, match="last stage"):
        pipeline.advance(deal.id)
    with pytest.raises(InvalidInput, match="success or failure"):
        pipeline.finish(deal.id, "great", 4)
    with pytest.raises(WorkflowRefusal, match="1 to 5"):
        pipeline.finish(deal.id, "success", 9)
    done = pipeline.finish(deal.id, "success", 4)
    assert done.status is Status.FINISHED
    assert done.summary.outcome is Outcome.SUCCESS and done.summary.satisfaction == 4
    latest = pipeline.history(deal.id)[0]
    assert latest.kind == "finished"
    assert latest.after == {"status": "finished", "outcome": "success", "satisfaction": 4}
    with pytest.raises(WorkflowRefusal, match="finished"):
        pipeline.set_job(deal.id, 1, False)


def test_a_finish_may_carry_a_comment_in_its_event(pipeline: Pipeline) -> None:
    deal = evidenced(pipeline, pipeline.create_deal("Deal"))
    deal = tick_all(pipeline, walk_to(pipeline, deal, Stage.CLOSED))
    with pytest.raises(InvalidInput, match="comment is 1001 characters"):
        pipeline.finish(deal.id, "failure", 2, comment="x" * 1001)
    pipeline.finish(deal.id, "failure", 2, comment="  Chose the cheaper rival \x1b[31m ")
    latest = pipeline.history(deal.id)[0]
    assert latest.after is not None
    assert latest.after["comment"] == "Chose the cheaper rival"
    assert pipeline.reopen(deal.id).status is Status.OPEN  # the comment stays in history
    blank = pipeline.finish(deal.id, "success", 5, comment="   ")
    assert "comment" not in (pipeline.history(blank.id)[0].after or {})


def test_finish_outside_closed_refused(pipeline: Pipeline) -> None:
    deal = pipeline.create_deal("Deal")
    with pytest.raises(WorkflowRefusal, match="only a deal in Closed"):
        pipeline.finish(deal.id, "failure", 2)


def test_lost_needs_reason_leaves_board_and_reopens_at_same_stage(pipeline: Pipeline) -> None:
    deal = walk_to(pipeline, evidenced(pipeline, pipeline.create_deal("Deal")), Stage.DISCOVERY)
    with pytest.raises(InvalidInput, match="reason is required"):
        pipeline.mark_lost(deal.id, "  ")
    lost = pipeline.mark_lost(deal.id, "Chose a competitor")
    assert lost.status is Status.LOST and lost.stage is Stage.DISCOVERY
    assert lost.summary.lost_reason == "Chose a competitor"
    assert [d.id for d in pipeline.list_deals()] == []
    assert [d.id for d in pipeline.list_deals(status=Status.LOST)] == [deal.id]
    with pytest.raises(WorkflowRefusal, match="lost"):
        pipeline.advance(deal.id)
    with pytest.raises(WorkflowRefusal, match="lost"):
        pipeline.mark_lost(deal.id, "again")
    reopened = pipeline.reopen(deal.id)
    assert reopened.status is Status.OPEN and reopened.stage is Stage.DISCOVERY
    assert reopened.summary.lost_reason is None
    history = pipeline.history(deal.id)
    assert [e.kind for e in history[:2]] == ["reopened", "lost"]
    assert history[1].after == {"status": "lost", "reason": "Chose a competitor"}
    assert history[0].before == {"status": "lost", "reason": "Chose a competitor"}
    with pytest.raises(WorkflowRefusal, match="already open"):
        pipeline.reopen(deal.id)


def test_edit_records_only_changed_fields(pipeline: Pipeline) -> None:
    deal = pipeline.create_deal("Deal", company="Old Co", value=100)
    edited = pipeline.edit_deal(
        deal.id, title="Deal", company="New Co", value="250.75", expected_close="2027-01-15"
    )
    assert edited.summary.company == "New Co" and edited.summary.value_minor == 25_075
    assert edited.version == 2
    latest = pipeline.history(deal.id)[0]
    assert latest.kind == "edited"
    assert latest.before == {"company": "Old Co", "value_minor": 10_000, "expected_close": None}
    assert latest.after == {
        "company": "New Co",
        "value_minor": 25_075,
        "expected_close": "2027-01-15",
    }
    unchanged = pipeline.edit_deal(deal.id, company="New Co")
    assert unchanged.version == 2
    cleared = pipeline.edit_deal(deal.id, expected_close=None)
    assert cleared.summary.expected_close is None
    with pytest.raises(InvalidInput, match="nothing to change"):
        pipeline.edit_deal(deal.id)
    with pytest.raises(InvalidInput, match="title must not be empty"):
        pipeline.edit_deal(deal.id, title="")


def test_stale_version_is_refused_with_who_changed_it(
    make_pipeline: Callable[[str], Pipeline],
) -> None:
    alice, bob = make_pipeline("alice"), make_pipeline("bob")
    deal = alice.create_deal("Shared deal")
    bob.edit_deal(deal.id, title="Bob's title", expected_version=deal.version)
    operations: list[Callable[[], object]] = [
        lambda: alice.edit_deal(deal.id, title="Alice's", expected_version=deal.version),
        lambda: alice.set_job(deal.id, 1, True, expected_version=deal.version),
        lambda: alice.advance(deal.id, expected_version=deal.version),
        lambda: alice.mark_lost(deal.id, "x", expected_version=deal.version),
    ]
    for operation in operations:
        with pytest.raises(Conflict, match="changed by bob") as caught:
            operation()
        assert caught.value.exit_code == 4
    current = alice.get_deal(deal.id)
    assert current.summary.title == "Bob's title" and current.version == 2
    assert events(alice, deal.id) == ["edited", "created"]


def test_events_carry_each_actor(make_pipeline: Callable[[str], Pipeline]) -> None:
    alice, bob = make_pipeline("alice"), make_pipeline("bob")
    deal = alice.create_deal("Deal")
    bob.set_job(deal.id, 1, True)
    assert [(e.kind, e.actor) for e in alice.history(deal.id)] == [
        ("job_ticked", "bob"),
        ("created", "alice"),
    ]
    assert alice.get_deal(deal.id).jobs()[0].done_by == "bob"


def test_unknown_deal(pipeline: Pipeline) -> None:
    for call in (
        lambda: pipeline.get_deal(999),
        lambda: pipeline.advance(999),
        lambda: pipeline.history(999),
        lambda: pipeline.set_job(999, 1, True),
    ):
        with pytest.raises(DealNotFound, match="no deal with id 999"):
            call()


def test_list_filters_and_progress(pipeline: Pipeline) -> None:
    a = pipeline.create_deal("Alpha", company="Acme", owner="dana")
    beta_deal = evidenced(pipeline, pipeline.create_deal("Beta", company="Blue"))
    b = walk_to(pipeline, beta_deal, Stage.QUALIFIED)
    pipeline.set_job(b.id, 1, True)
    c = pipeline.create_deal("Gamma", company="ACME Labs")
    pipeline.mark_lost(c.id, "No budget")
    assert [d.title for d in pipeline.list_deals()] == ["Alpha", "Beta"]  # open, board order
    assert [d.id for d in pipeline.list_deals(stage=Stage.QUALIFIED)] == [b.id]
    assert [d.id for d in pipeline.list_deals(owner="dana")] == [a.id]
    assert [d.id for d in pipeline.list_deals(text="acme", status=None)] == [a.id, c.id]
    beta = next(d for d in pipeline.list_deals() if d.id == b.id)
    assert (beta.jobs_done, beta.jobs_total) == (1, 4)


def test_hostile_text_is_stored_literally_minus_control_bytes(pipeline: Pipeline) -> None:
    title = "[@click=app.quit]x[/] \x1b[2J\u200f🚀 [EMEA]"
    deal = pipeline.create_deal(title, company="[/]", notes="line\n\x1b[31mred\x1b[0m")
    stored = pipeline.get_deal(deal.id).summary
    assert stored.title == "[@click=app.quit]x[/] \u200f🚀 [EMEA]"  # the whole sequence goes
    assert stored.company == "[/]"
    assert stored.notes == "line\nred"


def test_search_text_is_literal_not_a_pattern(pipeline: Pipeline) -> None:
    discount = pipeline.create_deal("50% discount renewal")
    pipeline.create_deal("500 seats")
    pipeline.create_deal("snake_case tooling")
    assert [d.id for d in pipeline.list_deals(text="50%")] == [discount.id]
    assert [d.title for d in pipeline.list_deals(text="e_c")] == ["snake_case tooling"]


def test_stage_entered_at_is_the_move_event_time(pipeline: Pipeline) -> None:
    deal = evidenced(pipeline, pipeline.create_deal("Deal"))
    moved = pipeline.advance(tick_all(pipeline, deal).id)
    assert moved.summary.stage_entered_at == pipeline.history(moved.id)[0].at
