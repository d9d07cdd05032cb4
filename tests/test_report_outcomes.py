"""The outcomes report (issue 15): a hand-computed fixture, every figure worked out below."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from salesboard.definition import DEFAULT
from salesboard.reports import outcomes
from salesboard.reports.facts import DealFact, Facts, Move, Period
from salesboard.workflow import EventKind, Outcome, Stage, Status

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2027, 4, 10, 12, 0, tzinfo=UTC)
Q1 = Period(date(2027, 1, 1), date(2027, 3, 31))
SUCCESS, FAILURE = Outcome.SUCCESS, Outcome.FAILURE
CREATED_AT = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


MOVES: dict[int, tuple[Move, ...]] = {}


def won(
    id: int, in_base: int | None, outcome: Outcome, score: int | None, when: datetime
) -> DealFact:
    MOVES[id] = (
        Move(CREATED_AT, EventKind.CREATED, Stage.PROSPECT),
        Move(when, EventKind.FINISHED, Stage.CLOSED),
    )
    return DealFact(
        id=id,
        title=f"Won {id}",
        owner="ann",
        stage=Stage.CLOSED,
        status=Status.FINISHED,
        value_minor=in_base if in_base is not None else 20_000_00,
        currency="EUR" if in_base is not None else "SEK",
        in_base=in_base,
        expected_close=None,
        created_at=CREATED_AT,
        stage_since=when,
        outcome=outcome,
        satisfaction=score,
    )


def lost(
    id: int,
    in_base: int | None,
    reason: str | None,
    *ends: datetime,
    status: Status = Status.LOST,
) -> DealFact:
    """A deal lost at each of ``ends`` in turn (reopened in between)."""
    moves = [Move(CREATED_AT, EventKind.CREATED, Stage.PROSPECT)]
    for n, end in enumerate(ends):
        if n:
            moves.append(Move(ends[n - 1].replace(hour=13), EventKind.REOPENED, Stage.QUALIFIED))
        moves.append(Move(end, EventKind.LOST, Stage.QUALIFIED))
    if status is Status.OPEN:
        moves.append(Move(ends[-1].replace(hour=13), EventKind.REOPENED, Stage.QUALIFIED))
    MOVES[id] = tuple(moves)
    return DealFact(
        id=id,
        title=f"Lost {id}",
        owner="bob",
        stage=Stage.QUALIFIED,
        status=status,
        value_minor=in_base if in_base is not None else 900_00,
        currency="EUR" if in_base is not None else "USD",
        in_base=in_base,
        expected_close=None,
        created_at=CREATED_AT,
        stage_since=moves[-1].at,
        lost_reason=reason,
    )


DEALS = (
    # Won in Q1 (Oslo days):
    won(1, 1000_00, SUCCESS, 5, at(1, 20)),
    won(2, 500_00, SUCCESS, 4, at(2, 10)),
    won(3, None, FAILURE, 2, at(3, 1)),  # 20 000 SEK, no rate: counted apart
    won(4, 300_00, FAILURE, None, at(3, 5)),  # no score: unscored
    # 2026-12-31 23:30 UTC is 2027-01-01 00:30 in Oslo: in Q1.
    won(7, 800_00, SUCCESS, 4, at(12, 31, 23, 30, year=2026)),
    # 2027-03-31 22:30 UTC is 2027-04-01 00:30 in Oslo (summer time): after Q1.
    won(5, 9999_00, SUCCESS, 1, at(3, 31, 22, 30)),
    # Lost in Q1. The "price" group is first seen on deal 12 ("Price", 01-10), though
    # deal 11 has the lower id.
    lost(12, 2000_00, "Price", at(1, 10)),
    lost(11, 1000_00, "  price  ", at(2, 1)),
    lost(13, 500_00, "PRICE", at(2, 15)),
    lost(14, 3500_00, "No  budget", at(1, 5)),
    lost(15, None, "no budget", at(2, 20)),  # 900 USD, no rate
    lost(16, 100_00, None, at(3, 1)),
    lost(17, 50_00, "", at(3, 2)),
    lost(20, 700_00, "Competitor", at(1, 12), at(3, 10)),  # lost twice: counted once
    lost(21, 700_00, "Bad fit", at(3, 12)),
    # Lost in Q1, reopened, lost again in April: its last loss is after Q1 → not counted.
    lost(18, 4000_00, "Timing", at(1, 15), at(4, 5)),
    # Lost in Q1 but reopened and open now → not counted.
    lost(19, 4000_00, "Timing", at(1, 10), status=Status.OPEN),
)
FACTS = Facts(DEALS, MOVES, DEFAULT, "EUR", NOW, OSLO)

# Won: 1, 2, 3, 4, 7 → 5 deals; value 1000 + 500 + 300 + 800 = 2 600.00 EUR; 1 unconverted
#   (deal 3).
# Lost: 11, 12, 13, 14, 15, 16, 17, 20, 21 → 9 deals; value 1000 + 2000 + 500 + 3500 + 100
#   + 50 + 700 + 700 = 8 550.00 EUR; 1 unconverted (deal 15).
# Win rate 5 / 14 = 0.357142… → 0.357143.
# Lost reasons (count, value):
#   Price      3  3 500.00 (2000 + 1000 + 500)
#   No budget  2  3 500.00 (3500, and deal 15 unconverted) — ties Price on value, fewer deals
#   (none)     2    150.00 (None and "")
#   Bad fit    1    700.00 — ties Competitor on count and value: "bad fit" < "competitor"
#   Competitor 1    700.00
# Satisfaction of the won: scores 5, 4, 2, 4 (deal 4 unscored) → [0, 1, 0, 2, 1];
#   mean 15 / 4 = 3.75 (shown 3.8, half to even).
#   Success: 5, 4, 4 → [0, 0, 0, 2, 1], mean 13 / 3 = 4.333…; 3 deals.
#   Failure: 2 and unscored → [0, 1, 0, 0, 0], mean 2; 2 deals, 1 unscored.


def test_won_lost_and_win_rate() -> None:
    found = outcomes.report(FACTS, Q1)
    assert found.won == outcomes.Tally(5, 2600_00, 1)
    assert found.lost == outcomes.Tally(9, 8550_00, 1)
    assert found.win_rate == Decimal("0.357143")


def test_lost_reasons_grouped_and_ranked() -> None:
    found = outcomes.report(FACTS, Q1)
    assert [(r.reason, r.tally) for r in found.reasons] == [
        ("Price", outcomes.Tally(3, 3500_00, 0)),
        ("No budget", outcomes.Tally(2, 3500_00, 1)),
        (None, outcomes.Tally(2, 150_00, 0)),
        ("Bad fit", outcomes.Tally(1, 700_00, 0)),
        ("Competitor", outcomes.Tally(1, 700_00, 0)),
    ]


def test_satisfaction_overall_and_by_outcome() -> None:
    found = outcomes.report(FACTS, Q1)
    assert found.satisfaction.counts == (0, 1, 0, 2, 1)
    assert found.satisfaction.mean == Decimal("3.75")
    assert found.satisfaction.unscored == 1
    success, failure = found.by_outcome
    assert success.outcome is SUCCESS
    assert success.satisfaction.counts == (0, 0, 0, 2, 1)
    assert success.satisfaction.mean == Decimal(13) / Decimal(3)
    assert success.satisfaction.deals == 3
    assert failure.satisfaction.counts == (0, 1, 0, 0, 0)
    assert failure.satisfaction.mean == Decimal(2)
    assert (failure.satisfaction.deals, failure.satisfaction.unscored) == (2, 1)


def test_json() -> None:
    data = outcomes.report(FACTS, Q1).to_json()
    assert data["currency"] == "EUR"
    assert (data["from"], data["to"]) == ("2027-01-01", "2027-03-31")
    assert data["won"] == {"deals": 5, "value": "2600.00", "unconverted": 1}
    assert data["lost"] == {"deals": 9, "value": "8550.00", "unconverted": 1}
    assert data["win_rate"] == "0.357143"
    assert data["lost_reasons"][2] == {
        "reason": None,
        "deals": 2,
        "value": "150.00",
        "unconverted": 0,
    }
    assert data["satisfaction"]["mean"] == "3.750000"
    assert data["satisfaction"]["scores"][3] == {"score": 4, "deals": 2}
    assert data["by_outcome"][0]["outcome"] == "success"
    assert data["by_outcome"][0]["mean_satisfaction"] == "4.333333"
    assert data["by_outcome"][1]["deals"] == 2


def test_csv() -> None:
    rows = outcomes.report(FACTS, Q1).csv_rows()
    assert rows[0] == ["section", "item", "deals", "value", "unconverted", "rate", "mean"]
    assert rows[1] == ["summary", "won", "5", "2600.00", "1", "", ""]
    assert rows[3] == ["summary", "win_rate", "", "", "", "0.357143", ""]
    assert rows[4] == ["lost_reason", "Price", "3", "3500.00", "0", "", ""]
    assert ["satisfaction", "mean", "", "", "", "", "3.750000"] in rows
    assert ["failure", "2", "1", "", "", "", ""] in rows
    # 3 summary + 5 reasons + 3 × (5 scores + mean + unscored) = 29 rows after the header.
    assert len(rows) == 1 + 29


def test_tables() -> None:
    ended, reasons, satisfaction = outcomes.report(FACTS, Q1).tables()
    assert ended.rows == [
        ("won", "5", "2 600.00 EUR", "1"),
        ("lost", "9", "8 550.00 EUR", "1"),
    ]
    assert ended.notes[0] == "Win rate: 35.7 %"
    assert ended.notes[1].startswith("2 deals in currencies without an exchange rate")
    assert reasons.rows[2] == ("(no reason)", "2", "150.00 EUR", "0")
    assert satisfaction.rows[3] == ("4", "2", "2", "0")
    assert satisfaction.rows[5] == ("Mean", "3.8", "4.3", "2.0")
    assert satisfaction.notes == ("1 won deal has no satisfaction score.",)


def test_an_empty_period() -> None:
    found = outcomes.report(FACTS, Period(date(2025, 1, 1), date(2025, 12, 31)))
    assert found.won == found.lost == outcomes.Tally(0, 0, 0)
    assert found.win_rate is None
    assert found.reasons == ()
    assert found.satisfaction.mean is None
    assert found.to_json()["satisfaction"]["mean"] is None
    ended, reasons, satisfaction = found.tables()
    assert ended.notes == ("Win rate: —",)
    assert reasons.notes == ("No deal was lost in this period.",)
    assert satisfaction.rows[5] == ("Mean", "—", "—", "—")
