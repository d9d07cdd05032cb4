"""The owners report, checked against deals worked out by hand.

Default pipeline (win probability prospect 10 %, discovery 40 %, proposed 80 %; stuck
after prospect 14, discovery 30, proposed 21 days). Base EUR. Period: the first quarter
of 2027; ``now`` 2027-03-20 12:00 UTC.

ann
  a1 open prospect 1 000.00 EUR (100000, weighted 10000); in the stage since 1 March
     12:00: 19 days > 14 → stuck (too long); next step due 25 March.
  a2 open proposed 500.00 EUR (50000, weighted 40000); 10 days ≤ 21; next step due
     21 March → not stuck.
  a3 won 3 000.00 EUR: created 1 January 12:00, FINISHED 21 January 12:00 → 20 days.
  a4 lost 1 February.
  → open 2, value 150000, weighted 50000, won 1 (300000), lost 1, win rate 0.5, 20.0
    days, stuck 1.
bob
  b1 open discovery in USD, no rate: unconverted; since 19 March (1 day); no next step
     → stuck.
  b2 open discovery 2 000.00 EUR (200000, weighted 80000); since 18 February 12:00:
     exactly 30 days, not more → not too long; next step due 19 March, past → stuck.
  → open 2, value 200000, weighted 80000, 1 unconverted, nothing ended, stuck 2.
cat
  c1 won in SEK without a rate: created 1 February 12:00, FINISHED 11 February 12:00
     → 10 days; won value 0 (counted apart).
  → open 0, won 1, lost 0, win rate 1, 10.0 days.
dan
  d1 lost at 2026-12-31 23:30 UTC: 1 January 00:30 in Oslo (in the period), New Year's
     Eve in UTC (outside): dan is listed in Oslo only.
eve
  e1 won 1 November 2026: outside the period, and nothing open → not listed.

Team (Oslo): open 4, value 350000, weighted 130000, unconverted 1, won 2 (a3, c1) worth
300000, lost 2 (a4, d1), win rate 2/4 = 0.5, days (20 + 10) / 2 = 15.0, stuck 3.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from salesboard.definition import DEFAULT
from salesboard.reports import owners
from salesboard.reports.facts import DealFact, Facts, Move, Period
from salesboard.workflow import EventKind, Stage, Status

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)
Q1 = Period(date(2027, 1, 1), date(2027, 3, 31))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def deal(
    id: int,
    owner: str,
    stage: Stage,
    status: Status,
    in_base: int | None,
    *,
    since: str = "2027-01-01 12:00",
    due: str | None = None,
    currency: str = "EUR",
) -> DealFact:
    return DealFact(
        id=id,
        title=f"Deal {id}",
        owner=owner,
        stage=stage,
        status=status,
        value_minor=in_base or 500000,
        currency=currency,
        in_base=in_base,
        expected_close=None,
        created_at=at("2027-01-01 12:00"),
        stage_since=at(since),
        next_due=None if due is None else at(due),
    )


def ended(created: str, when: str, kind: EventKind) -> tuple[Move, ...]:
    return (
        Move(at(created), EventKind.CREATED, Stage.PROSPECT),
        Move(at(when), kind, Stage.CLOSED if kind is EventKind.FINISHED else Stage.PROSPECT),
    )


OPEN, WON, LOST = Status.OPEN, Status.FINISHED, Status.LOST
DEALS = (
    deal(1, "ann", Stage.PROSPECT, OPEN, 100000, since="2027-03-01 12:00", due="2027-03-25 09:00"),
    deal(2, "ann", Stage.PROPOSED, OPEN, 50000, since="2027-03-10 12:00", due="2027-03-21 09:00"),
    deal(3, "ann", Stage.CLOSED, WON, 300000),
    deal(4, "ann", Stage.PROSPECT, LOST, 70000),
    deal(5, "bob", Stage.DISCOVERY, OPEN, None, since="2027-03-19 12:00", currency="USD"),
    deal(6, "bob", Stage.DISCOVERY, OPEN, 200000, since="2027-02-18 12:00", due="2027-03-19 09:00"),
    deal(7, "cat", Stage.CLOSED, WON, None, currency="SEK"),
    deal(8, "dan", Stage.PROSPECT, LOST, 80000),
    deal(9, "eve", Stage.CLOSED, WON, 90000),
)
MOVES = {
    3: ended("2027-01-01 12:00", "2027-01-21 12:00", EventKind.FINISHED),
    4: ended("2027-01-01 12:00", "2027-02-01 12:00", EventKind.LOST),
    7: ended("2027-02-01 12:00", "2027-02-11 12:00", EventKind.FINISHED),
    8: ended("2026-12-01 12:00", "2026-12-31 23:30", EventKind.LOST),
    9: ended("2026-10-01 12:00", "2026-11-01 12:00", EventKind.FINISHED),
}


def facts(zone: tzinfo) -> Facts:
    # created_at for the won deals is the CREATED move's moment (days to win count from it)
    fixed = tuple(replace(d, created_at=MOVES[d.id][0].at) if d.id in MOVES else d for d in DEALS)
    return Facts(fixed, MOVES, DEFAULT, "EUR", NOW, zone)


def test_owners_in_oslo() -> None:
    found = owners.report(facts(OSLO), Q1)
    assert [row.owner for row in found.owners] == ["ann", "bob", "cat", "dan"]
    ann, bob, cat, dan = found.owners
    assert (ann.open_deals, ann.value_minor, ann.weighted_minor, ann.unconverted) == (
        2,
        150000,
        50000,
        0,
    )
    assert (ann.won, ann.won_value_minor, ann.lost, ann.win_rate) == (
        1,
        300000,
        1,
        Decimal("0.500000"),
    )
    assert (ann.average_days_to_win, ann.stuck) == (Decimal(20), 1)
    assert (bob.open_deals, bob.value_minor, bob.weighted_minor, bob.unconverted) == (
        2,
        200000,
        80000,
        1,
    )
    assert (bob.won, bob.lost, bob.win_rate, bob.average_days_to_win, bob.stuck) == (
        0,
        0,
        None,
        None,
        2,
    )
    assert (cat.open_deals, cat.won, cat.won_value_minor, cat.unconverted_won) == (0, 1, 0, 1)
    assert (cat.win_rate, cat.average_days_to_win) == (Decimal("1.000000"), Decimal(10))
    assert (dan.lost, dan.win_rate, dan.stuck) == (1, Decimal("0.000000"), 0)
    team = found.team
    assert team.owner is None
    assert (team.open_deals, team.value_minor, team.weighted_minor, team.unconverted) == (
        4,
        350000,
        130000,
        1,
    )
    assert (team.won, team.won_value_minor, team.unconverted_won, team.lost) == (2, 300000, 1, 2)
    assert (team.win_rate, team.average_days_to_win, team.stuck) == (
        Decimal("0.500000"),
        Decimal(15),
        3,
    )


def test_owners_in_utc_leave_dan_out() -> None:
    found = owners.report(facts(UTC), Q1)
    # d1 was lost on New Year's Eve in UTC: dan has nothing in the period, nothing open.
    assert [row.owner for row in found.owners] == ["ann", "bob", "cat"]
    # Team: won 2, lost 1 (a4) → 2/3.
    assert (found.team.lost, found.team.win_rate) == (1, Decimal("0.666667"))


def test_json_and_csv() -> None:
    found = owners.report(facts(OSLO), Q1)
    shown = found.to_json()
    assert (shown["currency"], shown["from"], shown["to"]) == ("EUR", "2027-01-01", "2027-03-31")
    assert shown["owners"][0] == {
        "owner": "ann",
        "open_deals": 2,
        "value": "1500.00",
        "weighted": "500.00",
        "unconverted": 0,
        "won": 1,
        "won_value": "3000.00",
        "lost": 1,
        "win_rate": "0.500000",
        "average_days_to_win": "20.0",
        "stuck": 1,
    }
    assert shown["team"]["owner"] is None
    assert shown["team"]["average_days_to_win"] == "15.0"
    rows = found.csv_rows()
    assert rows[0] == [*owners.KEYS, "currency"]
    assert rows[2] == ["bob", "2", "2000.00", "800.00", "1", "0", "0.00", "0", "", "", "2", "EUR"]
    assert rows[-1][0] == ""
    assert len(rows) == 1 + 4 + 1


def test_table() -> None:
    [table] = owners.report(facts(OSLO), Q1).tables()
    assert [row[0] for row in table.rows] == ["ann", "bob", "cat", "dan", "Team"]
    assert table.columns[2] == "Value (EUR)"  # whole amounts, the currency named once
    assert table.rows[0] == (
        "ann",
        "2",
        "1 500",
        "500",
        "1",
        "3 000",
        "1",
        "50.0 %",
        "20.0",
        "1",
    )
    assert table.rows[1][7:9] == ("—", "—")
    # b1 (open, USD) and c1 (won, SEK) have no rate.
    assert any(note.startswith("2 deals are in currencies without a rate") for note in table.notes)


def test_nobody_active() -> None:
    quiet = Facts(DEALS[-1:], {9: MOVES[9]}, DEFAULT, "EUR", NOW, OSLO)
    found = owners.report(quiet, Q1)
    assert found.owners == ()
    assert found.team.open_deals == 0 and found.team.win_rate is None
    assert any("No owner" in note for note in found.tables()[0].notes)
