"""The stuck report (issue 15): the pure rule and a hand-computed fixture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from salesboard.definition import DEFAULT
from salesboard.reports import stuck
from salesboard.reports.facts import DealFact, Facts, Period
from salesboard.reports.stuck import StuckReason, stuck_reasons
from salesboard.workflow import Outcome, Stage, Status

NOW = datetime(2027, 2, 15, 12, 0, tzinfo=UTC)
OSLO = ZoneInfo("Europe/Oslo")
TOO_LONG, OVERDUE, NO_NEXT_STEP = StuckReason


def ago(days: float = 0, **more: float) -> datetime:
    return NOW - timedelta(days=days, **more)


def deal(
    id: int,
    stage: Stage,
    since: datetime,
    next_due: datetime | None,
    status: Status = Status.OPEN,
    outcome: Outcome | None = None,
) -> DealFact:
    return DealFact(
        id=id,
        title=f"Deal {id}",
        owner="ann" if id % 2 else "bob",
        stage=stage,
        status=status,
        value_minor=100_00,
        currency="EUR",
        in_base=100_00,
        expected_close=None,
        created_at=ago(200),
        stage_since=since,
        outcome=outcome,
        next_due=next_due,
    )


# ------------------------------------------------------------------ the rule


def test_too_long_means_strictly_more_than_the_limit() -> None:
    later = NOW + timedelta(days=1)
    assert stuck_reasons(ago(14), later, 14, NOW) == ()
    assert stuck_reasons(ago(14, seconds=1), later, 14, NOW) == (TOO_LONG,)


def test_overdue_means_due_before_now() -> None:
    assert stuck_reasons(NOW, NOW, 14, NOW) == ()
    assert stuck_reasons(NOW, ago(seconds=1), 14, NOW) == (OVERDUE,)


def test_no_next_step_and_too_long_together() -> None:
    assert stuck_reasons(ago(40), None, 30, NOW) == (TOO_LONG, NO_NEXT_STEP)
    assert stuck_reasons(ago(40), ago(1), 30, NOW) == (TOO_LONG, OVERDUE)


def test_reasons_have_stable_keys_and_short_words() -> None:
    assert [r.value for r in StuckReason] == ["too_long", "overdue", "no_next_step"]
    assert [r.word for r in StuckReason] == ["too long", "overdue", "no next step"]


# ------------------------------------------------------------------ the report

# The DEFAULT pipeline's "stuck after" limits: prospect 14, qualified 21, discovery 30,
# developed 30, proposed 21, closed 45 days. NOW = 2027-02-15 12:00 UTC.
DEALS = (
    # 1: Prospect 20 days (> 14), next step in 2 days → too_long; 20 − 14 = 6 over.
    deal(1, Stage.PROSPECT, ago(20), NOW + timedelta(days=2)),
    # 2: Qualified 5 days (≤ 21), next step due 2027-02-10 23:30 UTC (before now) →
    #    overdue; 5 − 21 = −16 over. In Oslo (UTC+1 in February) that is 2027-02-11 00:30,
    #    so the day shown is 2027-02-11.
    deal(2, Stage.QUALIFIED, ago(5), datetime(2027, 2, 10, 23, 30, tzinfo=UTC)),
    # 3: Discovery 40.5 days (> 30), no next step → too_long + no_next_step; 10.5 over.
    deal(3, Stage.DISCOVERY, ago(40, hours=12), None),
    # 4: Developed 3 days, next step tomorrow → not stuck.
    deal(4, Stage.DEVELOPED, ago(3), NOW + timedelta(days=1)),
    # 5: lost 100 days ago, no next step → not open, not listed.
    deal(5, Stage.PROSPECT, ago(100), None, status=Status.LOST),
    # 6: finished, no next step → not open, not listed.
    deal(6, Stage.CLOSED, ago(100), None, Status.FINISHED, Outcome.SUCCESS),
    # 7: Proposed exactly 21 days, next step due exactly now → neither rule holds.
    deal(7, Stage.PROPOSED, ago(21), NOW),
    # 8: Proposed 21 days + 1 s → too_long; shown 21.0 days; 1/86400 day over.
    deal(8, Stage.PROPOSED, ago(21, seconds=1), NOW + timedelta(days=3)),
    # 9: Prospect 2 days, no next step → no_next_step; 2 − 14 = −12 over.
    deal(9, Stage.PROSPECT, ago(2), None),
    # 10: Qualified 27 days (> 21), next step later → too_long; 27 − 21 = 6 over (ties #1).
    deal(10, Stage.QUALIFIED, ago(27), NOW + timedelta(days=1)),
)
FACTS = Facts(DEALS, {}, DEFAULT, "EUR", NOW, OSLO)
# Sorted by days over the limit, most first, then id:
#   #3 (10.5), #1 (6), #10 (6), #8 (0.00001), #9 (−12), #2 (−16).


def test_stuck_deals_sorted_by_days_over_the_limit_then_id() -> None:
    found = stuck.report(FACTS)
    assert [d.id for d in found.deals] == [3, 1, 10, 8, 9, 2]
    assert [d.reasons for d in found.deals] == [
        (TOO_LONG, NO_NEXT_STEP),
        (TOO_LONG,),
        (TOO_LONG,),
        (TOO_LONG,),
        (NO_NEXT_STEP,),
        (OVERDUE,),
    ]
    assert [d.limit_days for d in found.deals] == [30, 14, 21, 21, 14, 21]
    assert found.deals[0].days_in_stage == Decimal("40.5")
    assert 0 < found.deals[3].over_limit < Decimal("0.0001")  # 1 s = 0.0000116 days


def test_the_period_is_ignored() -> None:
    period = Period(datetime(2020, 1, 1).date(), datetime(2020, 1, 31).date())
    assert stuck.report(FACTS, period) == stuck.report(FACTS)


def test_json() -> None:
    data = stuck.report(FACTS).to_json()
    assert data["count"] == 6
    assert data["deals"][0] == {
        "id": 3,
        "title": "Deal 3",
        "owner": "ann",
        "stage": "discovery",
        "stage_label": "Discovery",
        "days_in_stage": "40.5",
        "limit_days": 30,
        "next_step_due": None,
        "reasons": ["too_long", "no_next_step"],
    }
    assert data["deals"][3]["days_in_stage"] == "21.0"
    assert data["deals"][5]["next_step_due"] == "2027-02-10T23:30:00+00:00"
    assert data["deals"][5]["reasons"] == ["overdue"]


def test_csv() -> None:
    rows = stuck.report(FACTS).csv_rows()
    assert rows[0] == [
        "id",
        "title",
        "owner",
        "stage",
        "days_in_stage",
        "limit_days",
        "next_step_due",
        "reasons",
    ]
    assert rows[1] == ["3", "Deal 3", "ann", "discovery", "40.5", "30", "", "too_long no_next_step"]
    assert len(rows) == 7


DAYS_NOTE = "Days: in the stage now; limit: the stage's 'stuck after N days'."


def test_table_shows_local_due_day_and_words() -> None:
    (table,) = stuck.report(FACTS).tables()
    assert table.title == "Stuck deals"
    assert table.rows[0] == (
        "#3",
        "Deal 3",
        "ann",
        "Discovery",
        "40.5",
        "30",
        "none",
        "too long, no next step",
    )
    # Deal 2's next step: 2027-02-10 23:30 UTC is 2027-02-11 in Oslo.
    assert table.rows[5][6] == "2027-02-11"
    assert table.notes == ("6 stuck deals", DAYS_NOTE)


def test_nothing_stuck_says_so() -> None:
    facts = Facts((DEALS[3],), {}, DEFAULT, "EUR", NOW, OSLO)
    found = stuck.report(facts)
    assert found.deals == ()
    assert found.to_json() == {"deals": [], "count": 0}
    (table,) = found.tables()
    assert table.rows == []
    assert table.notes == ("No deal is stuck.", DAYS_NOTE)
