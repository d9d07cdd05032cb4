"""Days in stage (issue 12, point 4): every day spent open in the stage, over all visits."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesboard.service import Pipeline
from salesboard.stage_clock import Visit, clock_start, time_spent
from salesboard.store import Database
from salesboard.workflow import Stage
from tests.conftest import FROZEN_START, FrozenClock
from tests.test_service import evidenced, tick_all, walk_to

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def test_a_move_back_and_straight_forward_keeps_a_stale_deal_stale() -> None:
    visits = [Visit(day(0), Stage.PROSPECT), Visit(day(30), Stage.QUALIFIED)]
    # Thirty days in Qualified, sent back for an hour, then forward again:
    visits.append(Visit(day(60), Stage.PROSPECT))
    start = clock_start(visits, Stage.QUALIFIED, day(60) + timedelta(hours=1))
    assert day(60) + timedelta(hours=1) - start == timedelta(days=30)


def test_days_elsewhere_and_off_the_board_do_not_count() -> None:
    visits = [
        Visit(day(0), Stage.DISCOVERY),  # 10 days in Discovery
        Visit(day(10), Stage.DEVELOPED),  # 5 days in Developed
        Visit(day(15), Stage.DISCOVERY),  # 5 more in Discovery
        Visit(day(20), None),  # lost for 100 days
    ]
    assert time_spent(visits, Stage.DISCOVERY, day(120)) == timedelta(days=15)
    assert time_spent(visits, Stage.DEVELOPED, day(120)) == timedelta(days=5)
    assert clock_start(visits, Stage.DISCOVERY, day(120)) == day(105)  # reopened: 15 days
    assert clock_start(visits, Stage.PROPOSED, day(120)) == day(120)  # first visit: fresh


def test_clocks_a_little_apart_never_give_negative_time() -> None:
    visits = [Visit(day(5), Stage.PROSPECT), Visit(day(4), Stage.QUALIFIED)]
    assert time_spent(visits, Stage.PROSPECT, day(10)) == timedelta()
    # Nothing counts before the deal was created (its first visit): day 5 to day 10.
    assert time_spent(visits, Stage.QUALIFIED, day(10)) == timedelta(days=5)


moves = st.lists(st.tuples(st.integers(0, 1_000_000), st.sampled_from([*Stage, None])), max_size=30)


@given(moves, st.sampled_from(list(Stage)), st.integers(0, 200_000))
def test_a_detour_never_makes_a_deal_look_fresher(
    steps: list[tuple[int, Stage | None]], stage: Stage, detour: int
) -> None:
    """Whatever happened before, leaving ``stage`` for a while and coming back never shows
    fewer days in it than it had when it left, and never more than its whole age."""
    at = T0
    visits = [Visit(T0, Stage.PROSPECT)]
    for gap, where in steps:
        at += timedelta(seconds=gap)
        visits.append(Visit(at, where))
    at += timedelta(seconds=1)
    visits.append(Visit(at, stage))
    left = at + timedelta(days=3)
    had = time_spent(visits, stage, left)
    visits.append(Visit(left, Stage.PROSPECT if stage is not Stage.PROSPECT else None))
    back = left + timedelta(seconds=detour)
    shown = back - clock_start(visits, stage, back)
    assert had <= shown <= back - T0
    assert shown == had  # the detour itself is not counted
    assert had >= timedelta(days=3)


def test_the_service_carries_days_over_a_move_back_and_forward(
    pipeline: Pipeline, clock: FrozenClock
) -> None:
    deal = evidenced(pipeline, pipeline.create_deal("Stale", owner="alice"))
    deal = walk_to(pipeline, deal, Stage.QUALIFIED)
    entered = deal.summary.stage_entered_at
    clock.advance(days=40)
    back = pipeline.move_back(deal.id)
    assert back.summary.stage_entered_at == clock()  # no earlier time in Prospect
    clock.advance(minutes=5)
    again = pipeline.advance(deal.id)
    assert again.stage is Stage.QUALIFIED
    assert clock() - again.summary.stage_entered_at == timedelta(days=40)
    assert again.summary.stage_entered_at == entered + timedelta(minutes=5)


def test_a_reopened_deal_counts_only_its_open_days(pipeline: Pipeline, clock: FrozenClock) -> None:
    deal = evidenced(pipeline, pipeline.create_deal("Lost a while", owner="alice"))
    deal = tick_all(pipeline, deal)
    clock.advance(days=7)
    pipeline.mark_lost(deal.id, "No budget")
    clock.advance(days=90)
    reopened = pipeline.reopen(deal.id)
    assert clock() - reopened.summary.stage_entered_at == timedelta(days=7)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", "garbage"),
        ("at", 12345),
        ("at", ""),
        ("after", "not json{"),
        ("after", "[" * 100_000 + "]" * 100_000),
        ("after", '{"stage": 7}'),
        ("after", '{"stage": "Nowhere"}'),
        ("at", "0001-01-02 00:00:00"),  # out of order: a visit two thousand years long
    ],
    ids=["text", "number", "empty", "not-json", "nested", "odd-stage", "no-stage", "year-1"],
)
def test_a_damaged_event_never_stops_a_move(
    sqlite_url: str, clock: FrozenClock, column: str, value: object
) -> None:
    """The history is read as untrusted rows: what cannot be read is passed over."""
    db = Database.open(sqlite_url, create=True)
    try:
        pipeline = Pipeline(db, actor="alice", clock=clock)
        deal = evidenced(pipeline, pipeline.create_deal("Deal"))
        deal = walk_to(pipeline, deal, Stage.QUALIFIED)
        clock.advance(days=3)
        pipeline.move_back(deal.id)
        clock.advance(days=1)
        path = sqlite_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(path)) as raw, raw:
            raw.execute(f"UPDATE event SET {column} = ? WHERE kind = 'advanced'", (value,))
        moved = pipeline.advance(deal.id)  # reads the damaged history
        assert moved.stage is Stage.QUALIFIED
        days = clock() - moved.summary.stage_entered_at
        assert timedelta() <= days <= clock() - FROZEN_START  # never more than its age
        assert pipeline.move_back(deal.id).stage is Stage.PROSPECT
    finally:
        db.close()
