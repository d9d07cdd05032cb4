"""The velocity report, checked against an event log worked out by hand.

Period: the first quarter of 2027; ``now`` 2027-04-10 12:00 UTC; base EUR.

The deals and the moves that matter (all times UTC):

- w1 won: created 2027-01-01 09:00, FINISHED 2027-01-11 09:00 → 10 days; 100000.
- w2 won: created 2026-12-20 09:00, FINISHED 2027-01-19 09:00 → 30 days; 300000.
- w3 won: in USD without a rate (in_base None): created 2027-02-01 00:00, FINISHED
  2027-02-21 00:00 → 20 days; counted in won and days, apart from the average value.
- w4 won: created 2026-12-01 23:30, FINISHED 2026-12-31 23:30 → 30 days; 200000. In Oslo
  that is 2027-01-01 00:30: in the period; in UTC it is New Year's Eve: outside. The
  boundary only the time zone decides.
- w5 finished, but its last FINISHED is 2027-04-05 (after a FINISHED in February and a
  REOPENED): judged by the last one, outside the period.
- l1 lost: LOST 2027-03-01 → in the period.
- l2 lost: LOST 2026-12-15 → outside.
- o1, o2 open; o3 open again: LOST 2027-02-10, REOPENED 2027-02-12 (not lost now).

Open deals: 3.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from salesboard.definition import DEFAULT
from salesboard.reports import velocity
from salesboard.reports.facts import DealFact, Facts, Move, Period
from salesboard.workflow import EventKind, Stage, Status

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2027, 4, 10, 12, 0, tzinfo=UTC)
Q1 = Period(date(2027, 1, 1), date(2027, 3, 31))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def deal(
    id: int, status: Status, in_base: int | None, created: datetime, currency: str = "EUR"
) -> DealFact:
    stage = Stage.CLOSED if status is Status.FINISHED else Stage.PROPOSED
    return DealFact(
        id=id,
        title=f"Deal {id}",
        owner="ann",
        stage=stage,
        status=status,
        value_minor=in_base or 123400,
        currency=currency,
        in_base=in_base,
        expected_close=None,
        created_at=created,
        stage_since=created,
    )


def log(created: datetime, *later: tuple[str, EventKind]) -> tuple[Move, ...]:
    moves = [Move(created, EventKind.CREATED, Stage.PROSPECT)]
    for when, kind in later:
        stage = Stage.CLOSED if kind in {EventKind.FINISHED, EventKind.REOPENED} else Stage.PROPOSED
        moves.append(Move(at(when), kind, stage))
    return tuple(moves)


FIN, LOST, REOPENED = EventKind.FINISHED, EventKind.LOST, EventKind.REOPENED
CREATED = {
    1: at("2027-01-01 09:00"),
    2: at("2026-12-20 09:00"),
    3: at("2027-02-01 00:00"),
    4: at("2026-12-01 23:30"),
    5: at("2026-10-01 09:00"),
    11: at("2027-01-05 09:00"),
    12: at("2026-11-01 09:00"),
    21: at("2027-01-02 09:00"),
    22: at("2027-01-03 09:00"),
    23: at("2027-01-04 09:00"),
}
DEALS = (
    deal(1, Status.FINISHED, 100000, CREATED[1]),
    deal(2, Status.FINISHED, 300000, CREATED[2]),
    deal(3, Status.FINISHED, None, CREATED[3], currency="USD"),
    deal(4, Status.FINISHED, 200000, CREATED[4]),
    deal(5, Status.FINISHED, 900000, CREATED[5]),
    deal(11, Status.LOST, 50000, CREATED[11]),
    deal(12, Status.LOST, 70000, CREATED[12]),
    deal(21, Status.OPEN, 10000, CREATED[21]),
    deal(22, Status.OPEN, None, CREATED[22], currency="USD"),
    deal(23, Status.OPEN, 30000, CREATED[23]),
)
MOVES = {
    1: log(CREATED[1], ("2027-01-11 09:00", FIN)),
    2: log(CREATED[2], ("2027-01-19 09:00", FIN)),
    3: log(CREATED[3], ("2027-02-21 00:00", FIN)),
    4: log(CREATED[4], ("2026-12-31 23:30", FIN)),
    5: log(
        CREATED[5],
        ("2027-02-01 09:00", FIN),
        ("2027-02-03 09:00", REOPENED),
        ("2027-04-05 09:00", FIN),
    ),
    11: log(CREATED[11], ("2027-03-01 09:00", LOST)),
    12: log(CREATED[12], ("2026-12-15 09:00", LOST)),
    21: log(CREATED[21]),
    22: log(CREATED[22]),
    23: log(CREATED[23], ("2027-02-10 09:00", LOST), ("2027-02-12 09:00", REOPENED)),
}


def facts(zone: tzinfo, deals: tuple[DealFact, ...] = DEALS) -> Facts:
    return Facts(deals, MOVES, DEFAULT, "EUR", NOW, zone)


def test_velocity_in_oslo() -> None:
    found = velocity.report(facts(OSLO), Q1)
    # Won: w1, w2, w3, w4 (31 Dec 23:30 UTC is 1 Jan in Oslo); w5's last win is in April.
    # Lost: l1 only (l2 in December; o3 was reopened).
    assert (found.open_deals, found.won, found.lost) == (3, 4, 1)
    # 4 / (4 + 1)
    assert found.win_rate == Decimal("0.800000")
    # Over w1, w2, w4 (w3 has no rate): (100000 + 300000 + 200000) / 3 = 200000.
    assert found.average_won_minor == Decimal(200000)
    assert found.unconverted_won == 1
    # (10 + 30 + 20 + 30) / 4 = 22.5 days, w3 included.
    assert found.average_days_to_win == Decimal("22.5")
    # 3 × 200000 × 0.8 ÷ 22.5 = 480000 / 22.5 = 21333.33… → 21333 (213.33 EUR);
    # per 30 days: 21333.33… × 30 = 640000 (6400.00 EUR), from the exact figure.
    assert found.per_day_minor == 21333
    assert found.per_30_days_minor == 640000


def test_velocity_in_utc_leaves_new_years_eve_out() -> None:
    found = velocity.report(facts(UTC), Q1)
    # w4's win is on 31 December in UTC: won w1, w2, w3; lost l1.
    assert (found.open_deals, found.won, found.lost) == (3, 3, 1)
    assert found.win_rate == Decimal("0.750000")
    # (100000 + 300000) / 2 = 200000; days (10 + 30 + 20) / 3 = 20.
    assert found.average_won_minor == Decimal(200000)
    assert found.average_days_to_win == Decimal(20)
    # 3 × 200000 × 0.75 ÷ 20 = 22500 (225.00 EUR); × 30 = 675000.
    assert found.per_day_minor == 22500
    assert found.per_30_days_minor == 675000


def test_json_and_csv() -> None:
    found = velocity.report(facts(OSLO), Q1)
    expected = {
        "currency": "EUR",
        "from": "2027-01-01",
        "to": "2027-03-31",
        "open_deals": 3,
        "won": 4,
        "lost": 1,
        "win_rate": "0.800000",
        "average_won_value": "2000.00",
        "average_days_to_win": "22.5",
        "per_day": "213.33",
        "per_30_days": "6400.00",
        "unconverted_won": 1,
    }
    assert found.to_json() == expected
    header, values = found.csv_rows()
    assert header == list(expected)
    assert values == [str(value) for value in expected.values()]


def test_table() -> None:
    [table] = velocity.report(facts(OSLO), Q1).tables()
    assert table.rows == [
        ("Open deals", "3"),
        ("Won", "4"),
        ("Lost", "1"),
        ("Win rate", "80.0 %"),
        ("Average won value", "2 000.00 EUR"),
        ("Average days to win", "22.5"),
        ("Velocity per day", "213.33 EUR"),
        ("Velocity per 30 days", "6 400.00 EUR"),
    ]
    assert any("counted apart" in note for note in table.notes)


def test_nothing_won_has_no_velocity() -> None:
    # Only l1 ended in the period: win rate 0 / 1 = 0, nothing to average.
    deals = tuple(d for d in DEALS if d.id in {11, 21})
    found = velocity.report(facts(OSLO, deals), Q1)
    assert (found.open_deals, found.won, found.lost) == (1, 0, 1)
    assert found.win_rate == Decimal("0.000000")
    assert found.average_won_minor is None
    assert found.average_days_to_win is None
    assert found.per_day_minor is None and found.per_30_days_minor is None
    shown = found.to_json()
    assert (shown["per_day"], shown["average_won_value"], shown["win_rate"]) == (
        None,
        None,
        "0.000000",
    )
    assert found.csv_rows()[1][-2] == ""
    [table] = found.tables()
    assert ("Velocity per day", "—") in table.rows
    assert "Nothing was won in the period, so there is no velocity to work out." in table.notes


def test_nothing_ended_has_no_win_rate() -> None:
    found = velocity.report(facts(OSLO, DEALS[-3:]), Q1)
    assert (found.won, found.lost, found.win_rate, found.per_day_minor) == (0, 0, None, None)


def test_only_unconverted_wins_have_no_velocity() -> None:
    # w3 alone: won 1, but no value in EUR to average.
    found = velocity.report(facts(OSLO, (DEALS[2], DEALS[7])), Q1)
    assert (found.won, found.unconverted_won, found.average_won_minor) == (1, 1, None)
    assert found.average_days_to_win == Decimal(20)
    assert found.per_day_minor is None
    assert any("converts to EUR" in note for note in found.tables()[0].notes)


def test_a_mean_under_a_day_counts_as_one_day() -> None:
    # Created 2027-01-10 09:00, won 15:00 the same day: 0.25 days → 1 day.
    # One open deal (o1), win rate 1: 1 × 100000 × 1 ÷ 1 = 100000 per day.
    quick = deal(31, Status.FINISHED, 100000, at("2027-01-10 09:00"))
    moves = {31: log(quick.created_at, ("2027-01-10 15:00", FIN)), 21: MOVES[21]}
    found = velocity.report(Facts((quick, DEALS[7]), moves, DEFAULT, "EUR", NOW, OSLO), Q1)
    assert found.average_days_to_win == Decimal(1)
    assert found.per_day_minor == 100000
    assert found.per_30_days_minor == 3000000


def test_ended_is_judged_by_the_last_end() -> None:
    done = velocity.ended(facts(OSLO), Period(date(2027, 2, 1), date(2027, 2, 28)))
    # February: w3 won (21 Feb). w5's February win was undone by its reopening; o3's
    # February loss too (it is open now).
    assert [d.id for d, _ in done.won] == [3]
    assert done.lost == ()
