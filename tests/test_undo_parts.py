"""Undo of changes to activities, stakeholders and problems: the opposite change, same rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from salesboard.service import Pipeline
from salesboard.service.substance import Substance
from salesboard.service.undo import UNDO_WINDOW, UndoRefused, undo_last
from salesboard.store.chain import content, event_hash
from salesboard.store.models import metadata
from salesboard.substance import ActivityKind, Influence, Priority, ProblemStatus, Stance
from tests.conftest import FrozenClock

DUE = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)


@pytest.fixture
def work(pipeline: Pipeline) -> Substance:
    return Substance(pipeline)


def _kinds(pipeline: Pipeline, deal_id: int) -> list[str]:
    return [event.kind for event in pipeline.history(deal_id)]


# --------------------------------------------------------------- activities


def test_an_added_activity_is_removed_and_undoing_that_adds_it_again(
    pipeline: Pipeline, work: Substance
) -> None:
    deal = pipeline.create_deal("Deal")
    work.add_activity(
        deal.id, kind="meeting", title="Kick-off", due=DUE, agenda="Goals", notes="Bring coffee"
    )
    undone = undo_last(pipeline)
    assert undone.deal.parts.activities == ()
    assert undone.what.startswith("activity planned: meeting planned: Kick-off, ")
    assert undone.deal.summary.next_step is None
    again = undo_last(pipeline).deal.parts.activities  # the removal undone: added again
    (back,) = again
    assert (back.kind, back.title, back.due_at, back.agenda, back.notes, back.owner) == (
        ActivityKind.MEETING,
        "Kick-off",
        DUE,
        "Goals",
        "Bring coffee",
        "alice",
    )
    assert not back.done
    assert _kinds(pipeline, deal.id)[:3] == [
        "activity_added",
        "activity_removed",
        "activity_added",
    ]  # history only grows


def test_a_removed_activity_comes_back_with_its_owner_and_done(
    pipeline: Pipeline, work: Substance
) -> None:
    deal = pipeline.create_deal("Deal")
    added = work.add_activity(deal.id, kind="visit", title="Site", due=DUE, owner="bob")
    work.set_activity_done(added.part_id)
    work.remove_activity(added.part_id)
    undone = undo_last(pipeline)
    assert undone.what.startswith("activity removed: visit removed: Site, ")
    (back,) = undone.deal.parts.activities
    assert (back.kind, back.owner, back.done, back.done_by) == (
        ActivityKind.VISIT,
        "bob",
        True,
        "alice",
    )
    assert _kinds(pipeline, deal.id)[:2] == ["activity_done", "activity_added"]


def test_done_and_reopened_take_each_other_back(pipeline: Pipeline, work: Substance) -> None:
    deal = pipeline.create_deal("Deal")
    added = work.add_activity(deal.id, kind="call", title="Call", due=DUE)
    work.set_activity_done(added.part_id)
    undone = undo_last(pipeline)
    assert undone.what == "activity done: activity done: Call"
    assert not undone.deal.parts.activities[0].done
    assert undone.deal.summary.next_step is not None
    redone = undo_last(pipeline)
    assert redone.deal.parts.activities[0].done
    assert _kinds(pipeline, deal.id)[:3] == [
        "activity_done",
        "activity_reopened",
        "activity_done",
    ]


def test_an_activity_edit_is_edited_back(pipeline: Pipeline, work: Substance) -> None:
    deal = pipeline.create_deal("Deal")
    added = work.add_activity(deal.id, kind="call", title="Call", due=DUE, agenda="A")
    later = datetime(2027, 2, 1, 14, 0, tzinfo=UTC)
    work.edit_activity(
        added.part_id, kind="visit", title="Visit", due=later, agenda="", owner="bob"
    )
    (back,) = undo_last(pipeline).deal.parts.activities
    assert (back.kind, back.title, back.due_at, back.agenda, back.owner) == (
        ActivityKind.CALL,
        "Call",
        DUE,
        "A",
        "alice",
    )
    (again,) = undo_last(pipeline).deal.parts.activities
    assert (again.kind, again.due_at, again.owner) == (ActivityKind.VISIT, later, "bob")


# ------------------------------------------------------------- stakeholders


def test_stakeholders_added_removed_and_edited_are_taken_back(
    pipeline: Pipeline, work: Substance
) -> None:
    deal = pipeline.create_deal("Deal")
    kari = work.add_stakeholder(
        deal.id,
        "Kari Nordmann",
        stance="ally",
        organisation="Fjord AS",
        role="CFO",
        influence="high",
        notes="Signs",
        email="kari@fjord.no",
        phone="+47 22 33 44 55",
    )
    assert undo_last(pipeline).deal.parts.stakeholders == ()
    (back,) = undo_last(pipeline).deal.parts.stakeholders  # added again, every field kept
    assert (
        back.name,
        back.stance,
        back.organisation,
        back.role,
        back.influence,
        back.notes,
        back.email,
        back.phone,
    ) == (
        "Kari Nordmann",
        Stance.ALLY,
        "Fjord AS",
        "CFO",
        Influence.HIGH,
        "Signs",
        "kari@fjord.no",
        "+47 22 33 44 55",
    )
    assert _kinds(pipeline, deal.id)[:2] == ["stakeholder_added", "stakeholder_removed"]
    assert kari.deal.version < back_version(pipeline, deal.id)  # history only grows
    work.edit_stakeholder(back.id, stance="enemy", influence="low", email="")
    (edited_back,) = undo_last(pipeline).deal.parts.stakeholders
    assert (edited_back.stance, edited_back.influence, edited_back.email) == (
        Stance.ALLY,
        Influence.HIGH,
        "kari@fjord.no",
    )
    work.remove_stakeholder(back.id)
    undone = undo_last(pipeline)
    assert undone.what == "stakeholder removed: stakeholder removed: Kari Nordmann, Fjord AS (ally)"
    assert [s.name for s in undone.deal.parts.stakeholders] == ["Kari Nordmann"]


# ----------------------------------------------------------------- problems


def test_problems_added_removed_and_edited_are_taken_back(
    pipeline: Pipeline, work: Substance
) -> None:
    deal = pipeline.create_deal("Deal", currency="NOK")
    found = work.add_problem(deal.id, "Invoices typed twice", priority="high", price="12500.50")
    assert undo_last(pipeline).deal.parts.problems == ()
    (back,) = undo_last(pipeline).deal.parts.problems
    assert (back.description, back.priority, back.price_minor, back.currency) == (
        "Invoices typed twice",
        Priority.HIGH,
        1_250_050,
        "NOK",
    )
    work.edit_problem(back.id, priority=None, price=None, currency="EUR", solved=True)
    (edited_back,) = undo_last(pipeline).deal.parts.problems
    assert (
        edited_back.priority,
        edited_back.price_minor,
        edited_back.currency,
        edited_back.status,
    ) == (Priority.HIGH, 1_250_050, "NOK", ProblemStatus.OPEN)
    assert found.deal.version + 4 == back_version(pipeline, deal.id)  # four more changes


def test_a_removed_solved_problem_comes_back_solved(pipeline: Pipeline, work: Substance) -> None:
    deal = pipeline.create_deal("Deal")
    found = work.add_problem(deal.id, "Slow", priority="low")
    work.edit_problem(found.part_id, solved=True)
    work.remove_problem(found.part_id)
    (back,) = undo_last(pipeline).deal.parts.problems
    assert (back.status, back.priority, back.price_minor) == (
        ProblemStatus.SOLVED,
        Priority.LOW,
        None,
    )


def back_version(pipeline: Pipeline, deal_id: int) -> int:
    return pipeline.get_deal(deal_id).version


# ---------------------------------------------------------------- the rules


def test_the_same_rules_as_any_undo(
    pipeline: Pipeline, work: Substance, clock: FrozenClock
) -> None:
    deal = pipeline.create_deal("Deal")
    added = work.add_activity(deal.id, kind="call", title="Call", due=DUE)
    clock.advance(seconds=UNDO_WINDOW.total_seconds() + 1)
    with pytest.raises(UndoRefused, match="more than 15 minutes old"):
        undo_last(pipeline)
    work.set_activity_done(added.part_id)
    bob = Substance(Pipeline(pipeline.db, actor="bob", clock=clock))
    bob.add_stakeholder(deal.id, "Ola", stance="neutral")
    with pytest.raises(UndoRefused, match="bob changed deal 1 after you"):
        undo_last(pipeline)
    assert Substance(pipeline).parts(deal.id).activities[0].done  # nothing was undone


def test_only_my_own_change_is_taken_back(
    pipeline: Pipeline, work: Substance, clock: FrozenClock
) -> None:
    deal = pipeline.create_deal("Deal")
    bob = Pipeline(pipeline.db, actor="bob", clock=clock)
    Substance(bob).add_problem(deal.id, "Bob's problem")
    with pytest.raises(UndoRefused, match="bob changed deal 1 after you"):
        undo_last(pipeline)  # my last change is the deal's creation, then bob's problem
    assert len(work.parts(deal.id).problems) == 1


def _damage(pipeline: Pipeline, deal_id: int, **values: Any) -> None:
    """Rewrite the newest event as a careless tool might, sealing it again (no hash error).

    The chain would catch a plain rewrite; this one reaches undo's own checks.
    """
    newest = pipeline.history(deal_id)[0]
    before, after = values.get("before", newest.before), values.get("after", newest.after)
    table = metadata.tables["event"]
    with pipeline.db.write() as session:
        connection = session.connection()
        prev = connection.execute(select(table.c.prev_hash).where(table.c.id == newest.id))
        sealed = event_hash(
            prev.scalar_one(),
            content(deal_id, newest.at, newest.actor, newest.kind, before, after),
        )
        connection.execute(
            table.update()
            .where(table.c.id == newest.id)
            .values(before=before, after=after, chain_hash=sealed)
        )


@pytest.mark.parametrize(
    "before",
    [
        {"activity": 1, "kind": "call", "title": 7, "due_at": "2027-01-15T09:30:00+00:00"},
        {"activity": 1, "kind": "call", "title": "Call", "due_at": "someday"},
        {"activity": 1, "kind": "party", "title": "Call", "due_at": "2027-01-15T09:30:00+00:00"},
    ],
)
def test_a_removal_that_does_not_keep_what_it_removed_is_refused(
    pipeline: Pipeline, work: Substance, before: dict[str, Any]
) -> None:
    deal = pipeline.create_deal("Deal")
    added = work.add_activity(deal.id, kind="call", title="Call", due=DUE)
    work.remove_activity(added.part_id)
    _damage(pipeline, deal.id, before=before)
    with pytest.raises(UndoRefused, match=r"your last change to deal 1 (does not keep|cannot be)"):
        undo_last(pipeline)
    assert work.parts(deal.id).activities == ()


def test_an_add_that_names_no_part_is_refused(pipeline: Pipeline, work: Substance) -> None:
    deal = pipeline.create_deal("Deal")
    work.add_stakeholder(deal.id, "Ola", stance="neutral")
    _damage(pipeline, deal.id, after={"stakeholder": "one"})
    with pytest.raises(UndoRefused, match="does not keep the stakeholder"):
        undo_last(pipeline)
    assert len(work.parts(deal.id).stakeholders) == 1


def test_an_undo_is_a_new_version_of_the_deal(pipeline: Pipeline, work: Substance) -> None:
    """Undo goes through the versioned write path like any change: one more version."""
    deal = pipeline.create_deal("Deal")
    work.add_problem(deal.id, "P")
    undone = undo_last(pipeline)
    assert undone.deal.version == 3 and undone.deal.parts.problems == ()
