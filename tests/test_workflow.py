"""The rules where they live: pure functions, no database."""

from __future__ import annotations

import pytest

from salesboard import workflow
from salesboard.i18n import install
from salesboard.workflow import (
    GateRefusal,
    Job,
    Outcome,
    Stage,
    Status,
    WorkflowRefusal,
)
from tests.checklists import DEFAULT_CHECKLISTS


def jobs_for(stage: Stage, done: set[int] | None = None) -> list[Job]:
    done = done or set()
    return [Job(stage, n, text, n in done) for n, text in enumerate(DEFAULT_CHECKLISTS[stage], 1)]


def complete(stage: Stage) -> list[Job]:
    return jobs_for(stage, set(range(1, len(DEFAULT_CHECKLISTS[stage]) + 1)))


def test_six_stages_in_design_order() -> None:
    assert [s.label for s in Stage] == [
        "Prospect",
        "Qualified",
        "Discovery",
        "Developed",
        "Proposed",
        "Closed",
    ]
    assert workflow.FIRST_STAGE is Stage.PROSPECT
    assert workflow.LAST_STAGE is Stage.CLOSED


def test_default_checklists_match_design_sizes() -> None:
    assert {s: len(j) for s, j in DEFAULT_CHECKLISTS.items()} == {
        Stage.PROSPECT: 3,
        Stage.QUALIFIED: 4,
        Stage.DISCOVERY: 5,
        Stage.DEVELOPED: 5,
        Stage.PROPOSED: 4,
        Stage.CLOSED: 5,
    }
    assert "Funding secured" in DEFAULT_CHECKLISTS[Stage.DISCOVERY]
    assert DEFAULT_CHECKLISTS[Stage.CLOSED][-1].startswith("Customer satisfaction tracked")


@pytest.mark.parametrize("stage", [s for s in Stage if s is not Stage.CLOSED])
def test_advance_with_complete_checklist_moves_exactly_one_right(stage: Stage) -> None:
    assert workflow.check_advance(stage, Status.OPEN, complete(stage)) == Stage(stage + 1)


def test_advance_refusal_names_every_unfinished_job_in_order() -> None:
    with pytest.raises(GateRefusal) as caught:
        workflow.check_advance(Stage.QUALIFIED, Status.OPEN, jobs_for(Stage.QUALIFIED, {2}))
    refusal = caught.value
    assert [j.n for j in refusal.missing] == [1, 3, 4]
    for n in (1, 3, 4):
        assert DEFAULT_CHECKLISTS[Stage.QUALIFIED][n - 1] in str(refusal)
    assert DEFAULT_CHECKLISTS[Stage.QUALIFIED][1] not in str(refusal)
    assert "3 unfinished jobs" in str(refusal)


def test_gate_looks_only_at_the_current_stage() -> None:
    # Later stages' jobs being open must not block; other stages' done jobs must not help.
    jobs = complete(Stage.PROSPECT) + jobs_for(Stage.QUALIFIED)
    assert workflow.check_advance(Stage.PROSPECT, Status.OPEN, jobs) is Stage.QUALIFIED
    with pytest.raises(GateRefusal):
        workflow.check_advance(Stage.QUALIFIED, Status.OPEN, jobs)


def test_closed_is_last() -> None:
    with pytest.raises(WorkflowRefusal, match="last stage"):
        workflow.check_advance(Stage.CLOSED, Status.OPEN, complete(Stage.CLOSED))


@pytest.mark.parametrize("stage", [s for s in Stage if s is not Stage.PROSPECT])
def test_back_always_allowed_one_step(stage: Stage) -> None:
    assert workflow.check_back(stage, Status.OPEN) == Stage(stage - 1)


def test_back_from_first_stage_refused() -> None:
    with pytest.raises(WorkflowRefusal, match="first stage"):
        workflow.check_back(Stage.PROSPECT, Status.OPEN)


@pytest.mark.parametrize("status", [Status.LOST, Status.FINISHED])
def test_closed_statuses_refuse_moves_and_jobs(status: Status) -> None:
    with pytest.raises(WorkflowRefusal, match=status.value):
        workflow.check_advance(Stage.PROSPECT, status, complete(Stage.PROSPECT))
    with pytest.raises(WorkflowRefusal, match=status.value):
        workflow.check_back(Stage.QUALIFIED, status)
    with pytest.raises(WorkflowRefusal, match=status.value):
        workflow.check_set_job(Stage.QUALIFIED, status, Stage.QUALIFIED)
    with pytest.raises(WorkflowRefusal):
        workflow.check_lost(status, "reason")


def test_only_current_stage_jobs_change() -> None:
    workflow.check_set_job(Stage.DISCOVERY, Status.OPEN, Stage.DISCOVERY)
    with pytest.raises(WorkflowRefusal, match="current stage"):
        workflow.check_set_job(Stage.DISCOVERY, Status.OPEN, Stage.PROSPECT)
    with pytest.raises(WorkflowRefusal, match="current stage"):
        workflow.check_set_job(Stage.DISCOVERY, Status.OPEN, Stage.CLOSED)


def test_lost_needs_reason_and_open_deal() -> None:
    workflow.check_lost(Status.OPEN, "Budget frozen")
    with pytest.raises(WorkflowRefusal, match="reason"):
        workflow.check_lost(Status.OPEN, "   ")


def test_reopen_only_from_lost_or_finished() -> None:
    workflow.check_reopen(Status.LOST)
    workflow.check_reopen(Status.FINISHED)
    with pytest.raises(WorkflowRefusal, match="already open"):
        workflow.check_reopen(Status.OPEN)


def test_finish_rules() -> None:
    workflow.check_finish(Stage.CLOSED, Status.OPEN, complete(Stage.CLOSED), 5)
    with pytest.raises(WorkflowRefusal, match="only a deal in Closed"):
        workflow.check_finish(Stage.PROPOSED, Status.OPEN, complete(Stage.PROPOSED), 3)
    with pytest.raises(GateRefusal) as caught:
        workflow.check_finish(Stage.CLOSED, Status.OPEN, jobs_for(Stage.CLOSED, {1, 2}), 3)
    assert [j.n for j in caught.value.missing] == [3, 4, 5]
    for bad in (0, 6, -1):
        with pytest.raises(WorkflowRefusal, match="1 to 5"):
            workflow.check_finish(Stage.CLOSED, Status.OPEN, complete(Stage.CLOSED), bad)
    assert {o.value for o in Outcome} == {"success", "failure"}


def test_gate_violations_detects_unfinished_earlier_stage() -> None:
    sound = complete(Stage.PROSPECT) + jobs_for(Stage.QUALIFIED, {1})
    assert workflow.gate_violations(Stage.QUALIFIED, sound) == []
    broken = jobs_for(Stage.PROSPECT, {1, 2}) + jobs_for(Stage.QUALIFIED)
    assert [j.n for j in workflow.gate_violations(Stage.QUALIFIED, broken)] == [3]


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("prospect", Stage.PROSPECT),
        ("Disc", Stage.DISCOVERY),
        ("6", Stage.CLOSED),
        ("  qualified ", Stage.QUALIFIED),
        ("DEVELOPED", Stage.DEVELOPED),
    ],
)
def test_stage_parse_accepts_names_prefixes_numbers(text: str, stage: Stage) -> None:
    assert Stage.parse(text) is stage


@pytest.mark.parametrize("text", ["", "x", "7", "0"])
def test_stage_parse_refuses_unknown(text: str) -> None:
    with pytest.raises(ValueError, match="expected one of"):
        Stage.parse(text)


@pytest.mark.parametrize(
    ("text", "which"), [("d", "Discovery or Developed"), ("pro", "Prospect or Proposed")]
)
def test_an_ambiguous_prefix_names_the_stages_it_could_be(text: str, which: str) -> None:
    """Seen by a newcomer: 'pro' was an "unknown stage", though it is the start of two."""
    with pytest.raises(ValueError, match=f"could be {which}; type more of the name"):
        Stage.parse(text)


def test_a_stage_typed_in_decomposed_form_is_found() -> None:
    install("nb")
    try:
        assert Stage.parse("Foresla\u030att") is Stage.PROPOSED  # å as a + ring, from macOS
        assert Stage.parse("FORESLÅTT") is Stage.PROPOSED
    finally:
        install("en")


def test_a_stage_key_wins_over_a_label() -> None:
    workflow.use_labels({Stage.PROSPECT: "qualified"})  # a stored pipeline, never strict
    assert Stage.parse("qualified") is Stage.QUALIFIED
