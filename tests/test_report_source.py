"""The reports' facts as read from a real database (SQLite and PostgreSQL).

Deals are made through the service with a frozen clock, so every move's time is known;
the facts must hold exactly those moves, the values in the base currency, each open deal's
next step, and leave a damaged deal out rather than stop.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from salesboard.reports.source import load_facts
from salesboard.service import Pipeline
from salesboard.service.rates import RateBook
from salesboard.service.substance import Substance
from salesboard.store import Database
from salesboard.workflow import EventKind, Outcome, Stage, Status
from tests.conftest import FROZEN_START, FrozenClock
from tests.evidence import give_evidence

DAY = timedelta(days=1)


def _tick_stage(pipeline: Pipeline, deal_id: int) -> None:
    view = pipeline.get_deal(deal_id)
    for job in view.jobs():
        pipeline.set_job(deal_id, job.n, True)


def test_facts_hold_every_move_in_order_with_its_stage(
    db: Database, pipeline: Pipeline, clock: FrozenClock
) -> None:
    walked = pipeline.create_deal("Walked", value="1000", owner="alice")
    give_evidence(db, walked.id)
    _tick_stage(pipeline, walked.id)
    clock.advance(days=1)
    pipeline.advance(walked.id)  # into Qualified on day 1
    clock.advance(days=1)
    pipeline.move_back(walked.id)  # back to Prospect on day 2
    clock.advance(days=1)
    pipeline.advance(walked.id)  # Qualified again on day 3
    clock.advance(days=1)
    pipeline.mark_lost(walked.id, "Budget cut")  # lost from Qualified on day 4
    clock.advance(days=1)
    pipeline.reopen(walked.id)  # open in Qualified again on day 5

    facts = load_facts(db, now=clock.now)

    moves = facts.moves_of(walked.id)
    assert [(m.kind, m.stage, m.at) for m in moves] == [
        (EventKind.CREATED, Stage.PROSPECT, FROZEN_START),
        (EventKind.ADVANCED, Stage.QUALIFIED, FROZEN_START + DAY),
        (EventKind.MOVED_BACK, Stage.PROSPECT, FROZEN_START + 2 * DAY),
        (EventKind.ADVANCED, Stage.QUALIFIED, FROZEN_START + 3 * DAY),
        (EventKind.LOST, Stage.QUALIFIED, FROZEN_START + 4 * DAY),
        (EventKind.REOPENED, Stage.QUALIFIED, FROZEN_START + 5 * DAY),
    ]
    (deal,) = facts.deals
    assert (deal.stage, deal.status, deal.created_at) == (
        Stage.QUALIFIED,
        Status.OPEN,
        FROZEN_START,
    )
    assert facts.now == clock.now and facts.base == "EUR"


def test_facts_convert_to_the_base_and_count_a_currency_without_a_rate_apart(
    db: Database, pipeline: Pipeline, clock: FrozenClock
) -> None:
    RateBook(db, actor="alice", clock=clock).set_rate("USD", "0.5")
    euros = pipeline.create_deal("Euros", value="1000.50", owner="alice")
    dollars = pipeline.create_deal("Dollars", value="200", currency="USD", owner="bob")
    yen = pipeline.create_deal("Yen", value="300000", currency="JPY", owner="bob")

    facts = load_facts(db, now=clock.now, moves=False)

    by_id = {deal.id: deal for deal in facts.deals}
    assert by_id[euros.id].in_base == 100_050
    assert by_id[dollars.id].in_base == 10_000  # 200 USD at 0.5
    assert by_id[yen.id].in_base is None  # no rate: counted apart, never guessed
    assert facts.moves == {}
    assert [d.id for d in facts.of_owner("bob").deals] == [dollars.id, yen.id]


def test_open_deals_carry_their_next_step_and_ended_ones_do_not(
    db: Database, pipeline: Pipeline, clock: FrozenClock
) -> None:
    planned = pipeline.create_deal("Planned", owner="alice")
    bare = pipeline.create_deal("Bare", owner="alice")
    gone = pipeline.create_deal("Gone", owner="alice")
    work = Substance(pipeline)
    due = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    work.add_activity(planned.id, kind="call", title="Call", due=due)
    work.add_activity(planned.id, kind="meeting", title="Later", due=due + 3 * DAY)
    work.add_activity(gone.id, kind="call", title="Call", due=due)
    pipeline.mark_lost(gone.id, "No budget")

    facts = load_facts(db, now=clock.now, moves=False)

    by_id = {deal.id: deal for deal in facts.deals}
    assert by_id[planned.id].next_due == due  # the earliest open activity
    assert by_id[bare.id].next_due is None
    assert by_id[gone.id].next_due is None  # a lost deal has no next step to keep
    assert by_id[gone.id].lost_reason == "No budget"


def test_a_finished_deal_keeps_its_outcome_and_satisfaction(
    db: Database, pipeline: Pipeline, clock: FrozenClock
) -> None:
    deal = pipeline.create_deal("Won", owner="alice")
    give_evidence(db, deal.id)
    for _stage in range(5):
        _tick_stage(pipeline, deal.id)
        clock.advance(days=2)
        pipeline.advance(deal.id)
    _tick_stage(pipeline, deal.id)
    clock.advance(days=1)
    pipeline.finish(deal.id, "success", 4)

    facts = load_facts(db, now=clock.now)

    (fact,) = facts.deals
    assert (fact.status, fact.outcome, fact.satisfaction) == (Status.FINISHED, Outcome.SUCCESS, 4)
    last = facts.moves_of(deal.id)[-1]
    assert (last.kind, last.stage, last.at) == (EventKind.FINISHED, Stage.CLOSED, clock.now)


def test_a_damaged_deal_is_left_out_and_named_and_a_damaged_move_passed_over(
    db: Database, pipeline: Pipeline, clock: FrozenClock
) -> None:
    sound = pipeline.create_deal("Sound", owner="alice")
    broken = pipeline.create_deal("Broken", owner="alice")
    clock.advance(days=1)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE deal SET status = 'weird' WHERE id = :i"), {"i": broken.id})
        # An event another tool wrote, naming a stage that does not exist.
        conn.execute(
            text(
                "INSERT INTO event (deal_id, at, actor, kind, after) "
                "VALUES (:i, :at, 'x', 'advanced', :after)"
            ),
            {"i": sound.id, "at": clock.now, "after": '{"stage": "nowhere"}'},
        )

    facts = load_facts(db, now=clock.now)

    assert [deal.id for deal in facts.deals] == [sound.id]
    assert [deal_id for deal_id, _why in facts.damaged] == [broken.id]
    assert "weird" in facts.damaged[0][1]
    assert [m.kind for m in facts.moves_of(sound.id)] == [EventKind.CREATED]


def test_a_move_whose_json_is_malformed_is_passed_over(sqlite_url: str, clock: FrozenClock) -> None:
    db = Database.open(sqlite_url, create=True)
    pipeline = Pipeline(db, actor="alice", clock=clock)
    deal = pipeline.create_deal("Sound", owner="alice")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO event (deal_id, at, actor, kind, after) "
                "VALUES (:i, :at, 'x', 'advanced', 'not json {')"
            ),
            {"i": deal.id, "at": clock.now},
        )

    facts = load_facts(db, now=clock.now)

    assert [m.kind for m in facts.moves_of(deal.id)] == [EventKind.CREATED]
    db.close()


def test_reading_only_the_endings_gives_each_deal_its_last_ending_as_all_moves_do(
    db: Database, pipeline: Pipeline, clock: FrozenClock
) -> None:
    """Velocity, outcomes and owners read wins and losses only (a tenth of the log): the
    last ending of every deal, what they judge by, must be the one the whole log gives."""
    from salesboard.reports.source import ENDINGS

    deal = pipeline.create_deal("Twice lost", owner="alice")
    give_evidence(db, deal.id)
    _tick_stage(pipeline, deal.id)
    clock.advance(days=1)
    pipeline.advance(deal.id)
    clock.advance(days=1)
    pipeline.mark_lost(deal.id, "Budget")  # lost from Qualified
    clock.advance(days=1)
    pipeline.reopen(deal.id)
    pipeline.move_back(deal.id)
    clock.advance(days=1)
    pipeline.mark_lost(deal.id, "Budget again")  # lost from Prospect

    every = load_facts(db, now=clock.now).moves_of(deal.id)
    endings = load_facts(db, now=clock.now, moves=ENDINGS).moves_of(deal.id)

    assert [m.kind for m in endings] == [EventKind.LOST, EventKind.LOST]
    assert endings[-1] == every[-1] == (FROZEN_START + 4 * DAY, EventKind.LOST, Stage.PROSPECT)


def test_the_stage_is_read_from_the_after_text_whatever_a_title_holds() -> None:
    """The stage is found by searching the stored JSON text (quicker than parsing it): a
    title that spells out a stage key must not be taken for it, damage names no stage."""
    import json

    from salesboard.reports.facts import DealFact
    from salesboard.reports.source import _moves
    from salesboard.workflow import Status

    tricky = json.dumps({"title": 'say "stage": "closed"', "stage": "prospect"})
    spaced = '{ "stage" : "qualified" }'  # valid JSON another tool may write
    at = "2026-11-02 09:00:00.000000"
    found = [
        (1, at, "created", tricky),
        (1, at, "advanced", spaced),
        (1, at, "advanced", '{"stage": "nowhere"}'),
        (1, at, "advanced", 'not json "stage": "closed"}'),
        (1, at, "moved_back", None),
    ]
    deal = DealFact(
        1, "T", "alice", Stage.QUALIFIED, Status.OPEN, 0, "EUR", 0, None,
        FROZEN_START, FROZEN_START,
    )  # fmt: skip
    moves = _moves(found, {1: deal})[1]
    assert [(m.kind, m.stage) for m in moves] == [
        (EventKind.CREATED, Stage.PROSPECT),
        (EventKind.ADVANCED, Stage.QUALIFIED),
    ]
