"""The use cases of a deal's activities, stakeholders and problems, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salesboard.errors import Conflict, InvalidInput, PartNotFound
from salesboard.evidence import EvidenceRefusal
from salesboard.service.pipeline import Pipeline
from salesboard.service.substance import Substance
from salesboard.substance import ActivityKind, Priority, ProblemStatus, Stance
from salesboard.workflow import Stage


@pytest.fixture
def work(pipeline: Pipeline) -> Substance:
    return Substance(pipeline)


def test_an_added_activity_is_the_next_step_and_an_event(pipeline: Pipeline, work: Substance):
    deal = pipeline.create_deal("Fjord ERP", company="Fjord AS")
    added = work.add_activity(
        deal.id,
        kind="meeting",
        title="Kick-off",
        due=datetime(2027, 1, 15, 9, 30, tzinfo=UTC),
        agenda="1. Goals\n2. People",
    )
    assert added.deal.version == deal.version + 1
    step = added.deal.summary.next_step
    assert step is not None and step.activity_id == added.part_id
    assert (step.kind, step.title) == (ActivityKind.MEETING, "Kick-off")
    event = pipeline.history(deal.id)[0]
    assert event.kind == "activity_added"
    assert event.after is not None and event.after["activity"] == added.part_id
    assert event.after["due_at"] == "2027-01-15T09:30:00+00:00"
    assert event.actor == "alice"


def test_the_next_step_is_the_earliest_open_activity(pipeline: Pipeline, work: Substance):
    deal = pipeline.create_deal("Deal")
    late = work.add_activity(deal.id, kind="call", title="Later", due="2027-02-01 10:00")
    early = work.add_activity(deal.id, kind="task", title="Sooner", due="2027-01-10 10:00")
    assert early.deal.summary.next_step is not None
    assert early.deal.summary.next_step.activity_id == early.part_id
    done = work.set_activity_done(early.part_id)
    assert done.deal.summary.next_step is not None
    assert done.deal.summary.next_step.activity_id == late.part_id
    closed = work.set_activity_done(late.part_id)
    assert closed.deal.summary.next_step is None
    listed = {d.id: d for d in pipeline.list_deals()}
    assert listed[deal.id].next_step is None
    work.set_activity_done(late.part_id, False)
    listed = {d.id: d for d in pipeline.list_deals()}
    assert listed[deal.id].next_step is not None
    assert listed[deal.id].next_step.title == "Later"


def test_done_records_who_and_when_and_repeating_it_changes_nothing(
    pipeline: Pipeline, work: Substance, clock
):
    deal = pipeline.create_deal("Deal")
    added = work.add_activity(deal.id, kind="visit", title="Site visit", due="2027-01-10")
    done = work.set_activity_done(added.part_id)
    (activity,) = done.deal.parts.activities
    assert activity.done_by == "alice" and activity.done_at == clock.now
    again = work.set_activity_done(added.part_id)
    assert again.deal.version == done.deal.version


def test_a_due_time_is_read_in_the_users_zone(monkeypatch, pipeline: Pipeline, work: Substance):
    import time

    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    try:
        deal = pipeline.create_deal("Deal")
        added = work.add_activity(deal.id, kind="call", title="Call", due="2027-01-15 10:30")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    (activity,) = added.deal.parts.activities
    assert activity.due_at == datetime(2027, 1, 15, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("kind", "lunch", "lunch"),
        ("title", "  ", "title"),
        ("due", "tomorrow", "YYYY-MM-DD HH:MM"),
        ("due", "2027-01-15 25:00", "YYYY-MM-DD HH:MM"),
        ("due", "2027-02-30 10:00", "YYYY-MM-DD HH:MM"),
    ],
)
def test_a_bad_activity_is_refused_and_nothing_is_written(
    pipeline: Pipeline, work: Substance, field: str, value: str, says: str
):
    deal = pipeline.create_deal("Deal")
    given = {"kind": "meeting", "title": "Meet", "due": "2027-01-15 10:00", field: value}
    with pytest.raises(InvalidInput, match=says):
        work.add_activity(deal.id, **given)
    assert pipeline.get_deal(deal.id).parts.activities == ()
    assert pipeline.get_deal(deal.id).version == deal.version


def test_editing_an_activity_records_only_what_changed(pipeline: Pipeline, work: Substance):
    deal = pipeline.create_deal("Deal")
    added = work.add_activity(deal.id, kind="call", title="Call", due="2027-01-15 10:00")
    edited = work.edit_activity(added.part_id, title="Call the CFO", kind="call")
    event = pipeline.history(deal.id)[0]
    assert event.kind == "activity_edited"
    assert event.before == {"activity": added.part_id, "named": "Call", "title": "Call"}
    assert event.after == {"activity": added.part_id, "named": "Call", "title": "Call the CFO"}
    assert edited.deal.parts.activities[0].title == "Call the CFO"
    with pytest.raises(InvalidInput, match="nothing to change"):
        work.edit_activity(added.part_id)


def test_removing_a_part_is_an_event_that_keeps_what_it_held(pipeline: Pipeline, work: Substance):
    deal = pipeline.create_deal("Deal")
    who = work.add_stakeholder(deal.id, "Kari Nordmann", stance="ally", role="CFO")
    removed = work.remove_stakeholder(who.part_id)
    assert removed.deal.parts.stakeholders == ()
    event = pipeline.history(deal.id)[0]
    assert event.kind == "stakeholder_removed"
    assert event.before is not None
    assert (event.before["name"], event.before["role"], event.before["stance"]) == (
        "Kari Nordmann",
        "CFO",
        "ally",
    )
    with pytest.raises(PartNotFound, match="no stakeholder with id"):
        work.remove_stakeholder(who.part_id)


def test_a_missing_part_is_named(work: Substance):
    with pytest.raises(PartNotFound, match="no activity with id 99"):
        work.set_activity_done(99)
    with pytest.raises(PartNotFound, match="no problem with id 0"):
        work.edit_problem(0, solved=True)


def test_stakeholders_are_grouped_by_stance_and_validated(pipeline: Pipeline, work: Substance):
    deal = pipeline.create_deal("Deal")
    work.add_stakeholder(deal.id, "Ola", stance="neutral")
    work.add_stakeholder(deal.id, "Berit", stance="enemy", influence="high")
    work.add_stakeholder(
        deal.id, "Anne", stance="ally", email="anne@example.no", phone="+47 22 33 44 55"
    )
    parts = pipeline.get_deal(deal.id).parts
    assert [(s, [x.name for x in group]) for s, group in parts.by_stance()] == [
        (Stance.ALLY, ["Anne"]),
        (Stance.ENEMY, ["Berit"]),
        (Stance.NEUTRAL, ["Ola"]),
    ]
    with pytest.raises(InvalidInput, match="e-mail"):
        work.add_stakeholder(deal.id, "X", stance="ally", email="not an address")
    with pytest.raises(InvalidInput, match="phone"):
        work.add_stakeholder(deal.id, "X", stance="ally", phone="call me")
    with pytest.raises(InvalidInput, match="friend"):
        work.add_stakeholder(deal.id, "X", stance="friend")


def test_problems_are_ordered_by_priority_and_totalled_per_currency(
    pipeline: Pipeline, work: Substance
):
    deal = pipeline.create_deal("Deal", value="1000", currency="NOK")
    low = work.add_problem(deal.id, "Slow reports", priority="low", price="1 000")
    high = work.add_problem(deal.id, "Data loss", priority="high", price="25000")
    unset = work.add_problem(deal.id, "Unknown cost")
    parts = pipeline.get_deal(deal.id).parts
    assert [p.id for p in parts.problems] == [high.part_id, low.part_id, unset.part_id]
    assert parts.problems[0].currency == "NOK"
    assert parts.problem_totals() == {"NOK": 2_600_000}
    solved = work.edit_problem(high.part_id, solved=True)
    problems = solved.deal.parts.problems
    assert problems[-1].status is ProblemStatus.SOLVED
    assert solved.deal.parts.problem_totals() == {"NOK": 100_000}
    cleared = work.edit_problem(low.part_id, price=None, priority=None)
    assert next(p for p in cleared.deal.parts.problems if p.id == low.part_id).priority is None
    assert Priority.HIGH.value == "high"


def test_a_problem_priced_with_decimals_in_a_currency_without_them_is_refused(
    pipeline: Pipeline, work: Substance
):
    deal = pipeline.create_deal("Deal", currency="JPY")
    with pytest.raises(InvalidInput, match="decimals"):
        work.add_problem(deal.id, "Cost", priority="high", price="10.50")


def test_a_change_from_a_stale_view_is_a_conflict_not_a_lost_update(
    make_pipeline, pipeline: Pipeline
):
    deal = pipeline.create_deal("Deal")
    alice, bob = Substance(make_pipeline("alice")), Substance(make_pipeline("bob"))
    seen = deal.version
    alice.add_stakeholder(deal.id, "Anne", stance="ally", expected_version=seen)
    with pytest.raises(Conflict):
        bob.add_stakeholder(deal.id, "Bent", stance="enemy", expected_version=seen)
    names = [s.name for s in pipeline.get_deal(deal.id).parts.stakeholders]
    assert names == ["Anne"]


def test_the_agenda_lists_my_open_activities_overdue_first(
    make_pipeline, pipeline: Pipeline, clock
):
    alice, bob = Substance(make_pipeline("alice")), Substance(make_pipeline("bob"))
    deal = pipeline.create_deal("Deal", company="Acme")
    now = clock.now
    soon = alice.add_activity(deal.id, kind="call", title="Soon", due=now + timedelta(days=2))
    late = alice.add_activity(deal.id, kind="task", title="Late", due=now - timedelta(days=3))
    far = alice.add_activity(deal.id, kind="task", title="Far", due=now + timedelta(days=40))
    bob.add_activity(deal.id, kind="call", title="Bob's", due=now)
    done = alice.add_activity(deal.id, kind="call", title="Done", due=now - timedelta(days=1))
    alice.set_activity_done(done.part_id)
    mine = alice.agenda("alice")
    assert [e.activity.id for e in mine] == [late.part_id, soon.part_id, far.part_id]
    assert mine[0].deal_title == "Deal" and mine[0].company == "Acme"
    assert [e.activity.title for e in alice.agenda("alice", days=7)] == ["Late", "Soon"]
    assert len(alice.agenda(None)) == 4


def test_a_deal_read_twice_shows_damaged_part_rows_apart(db, pipeline: Pipeline, work: Substance):
    from sqlalchemy import text

    deal = pipeline.create_deal("Deal")
    work.add_activity(deal.id, kind="call", title="Fine", due="2027-01-01 10:00")
    bad = work.add_activity(deal.id, kind="call", title="Odd", due="2027-01-01 11:00")
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE activity SET kind = 'lunch' WHERE id = :i"), {"i": bad.part_id}
        )
    parts = pipeline.get_deal(deal.id).parts
    assert [a.title for a in parts.activities] == ["Fine"]
    assert len(parts.damaged) == 1 and "lunch" in parts.damaged[0]


# ------------------------------------------------------------------ evidence


def test_meeting_scheduled_needs_a_meeting_checked_at_the_tick(pipeline: Pipeline, work: Substance):
    deal = pipeline.create_deal("Deal")
    with pytest.raises(EvidenceRefusal, match="no meeting is planned") as refused:
        pipeline.set_job(deal.id, 2, True)
    assert refused.value.remedy[1] is ActivityKind.MEETING
    assert pipeline.get_deal(deal.id).jobs()[1].done is False
    work.add_activity(deal.id, kind="call", title="Not a meeting", due="2027-01-01")
    with pytest.raises(EvidenceRefusal):
        pipeline.set_job(deal.id, 2, True)
    work.add_activity(deal.id, kind="meeting", title="Check", due="2027-01-02")
    assert pipeline.set_job(deal.id, 2, True).jobs()[1].done
    assert pipeline.set_job(deal.id, 2, False).jobs()[1].done is False  # unticking is free


def test_a_job_without_evidence_ticks_as_before(pipeline: Pipeline):
    deal = pipeline.create_deal("Deal")
    assert pipeline.set_job(deal.id, 1, True).jobs()[0].done


def _to(pipeline: Pipeline, work: Substance, deal_id: int, stage: Stage) -> None:
    """Give the deal every kind of evidence and walk it to ``stage``."""
    work.add_activity(deal_id, kind="meeting", title="Met", due="2027-01-01", agenda="Goals")
    met = pipeline.get_deal(deal_id).parts.activities[0].id
    work.set_activity_done(met)
    work.add_activity(deal_id, kind="follow-up", title="Again", due="2027-01-09")
    work.add_problem(deal_id, "Cost", priority="high", price="100")
    work.add_stakeholder(deal_id, "Anne", stance="ally")
    visit = work.add_activity(deal_id, kind="visit", title="Visit", due="2027-01-03")
    work.set_activity_done(visit.part_id)
    while pipeline.get_deal(deal_id).stage < stage:
        view = pipeline.get_deal(deal_id)
        for job in view.jobs():
            pipeline.set_job(deal_id, job.n, True)
        pipeline.advance(deal_id)


@pytest.mark.parametrize(
    ("stage", "n", "remove", "says"),
    [
        (Stage.PROSPECT, 3, None, "no meeting of this deal is marked done"),
        (Stage.QUALIFIED, 2, None, "no activity of this deal has an agenda"),
        (Stage.QUALIFIED, 4, None, "no follow-up with a due date"),
        (Stage.DISCOVERY, 1, None, "no problem is recorded"),
        (Stage.DISCOVERY, 3, "unpriced", "1 open problem has no priority or no price"),
        (Stage.DISCOVERY, 5, None, "no stakeholder is named"),
        (Stage.DEVELOPED, 2, None, "no customer visit of this deal is marked done"),
    ],
)
def test_each_default_evidence_rule_refuses_until_its_evidence_exists(
    pipeline: Pipeline, work: Substance, stage: Stage, n: int, remove: str | None, says: str
):
    ready = pipeline.create_deal("Ready")
    _to(pipeline, work, ready.id, stage)
    bare = pipeline.create_deal("Bare")
    # a bare deal walked there with the same ticks made possible on the ready one
    with pytest.raises(EvidenceRefusal, match=says):
        if remove == "unpriced":
            work.add_problem(ready.id, "Not priced yet")
            pipeline.set_job(ready.id, n, False)
            pipeline.set_job(ready.id, n, True)
        else:
            _force_stage(pipeline, bare.id, stage)
            pipeline.set_job(bare.id, n, True)


def _force_stage(pipeline: Pipeline, deal_id: int, stage: Stage) -> None:
    """Put a deal in ``stage`` by hand (the database, not the gate), evidence-free."""
    from sqlalchemy import text

    with pipeline.db.engine.begin() as connection:
        connection.execute(
            text("UPDATE deal SET stage = :s, version = version + 1 WHERE id = :i"),
            {"s": int(stage), "i": deal_id},
        )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("due_at", "garbage"),
        ("kind", "lunch"),
        ("title", b"\x00blob"),
        ("due_at", "9999-12-31 23:59:59.999999"),
    ],
)
def test_a_change_to_a_damaged_part_is_refused_in_one_line(
    sqlite_url: str, column: str, value: object
):
    """Found by an attacker: such changes ended in "internal error" or built on the row.

    On SQLite, where another tool can write any value into any column."""
    from sqlalchemy import text

    from salesboard.errors import DamagedData
    from salesboard.store import Database

    db = Database.open(sqlite_url, create=True)
    pipeline = Pipeline(db, actor="alice")
    work = Substance(pipeline)
    deal = pipeline.create_deal("Deal")
    added = work.add_activity(deal.id, kind="call", title="Call", due="2027-01-01 10:00")
    with db.engine.begin() as connection:
        connection.execute(
            text(f"UPDATE activity SET {column} = :v WHERE id = :i"),
            {"v": value, "i": added.part_id},
        )
    before = pipeline.get_deal(deal.id)
    assert before.parts.activities == () and len(before.parts.damaged) == 1
    for change in (
        lambda: work.set_activity_done(added.part_id),
        lambda: work.edit_activity(added.part_id, title="x"),
        lambda: work.remove_activity(added.part_id),
    ):
        with pytest.raises(DamagedData, match=f"activity {added.part_id} is damaged"):
            change()
    assert pipeline.get_deal(deal.id).version == before.version
    db.close()
