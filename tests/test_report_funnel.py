"""The funnel report (issue 15): a hand-computed fixture, every figure worked out below."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from salesboard.definition import DEFAULT
from salesboard.reports import funnel
from salesboard.reports.facts import DealFact, Facts, Move, Period
from salesboard.workflow import EventKind, Outcome, Stage, Status

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2027, 4, 10, 12, 0, tzinfo=UTC)
Q1 = Period(date(2027, 1, 1), date(2027, 3, 31))

P, Q, D, V, R, C = Stage  # prospect, qualified, discovery, developed, proposed, closed
CREATED, ADVANCED, BACK = EventKind.CREATED, EventKind.ADVANCED, EventKind.MOVED_BACK
LOST, REOPENED, FINISHED = EventKind.LOST, EventKind.REOPENED, EventKind.FINISHED


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def mv(kind: EventKind, stage: Stage, moment: datetime) -> Move:
    return Move(moment, kind, stage)


def deal(id: int, stage: Stage, status: Status, moves: tuple[Move, ...]) -> DealFact:
    return DealFact(
        id=id,
        title=f"Deal {id}",
        owner="ann",
        stage=stage,
        status=status,
        value_minor=1000_00,
        currency="EUR",
        in_base=1000_00,
        expected_close=None,
        created_at=moves[0].at,
        stage_since=moves[-1].at,
        outcome=Outcome.SUCCESS if status is Status.FINISHED else None,
        satisfaction=4 if status is Status.FINISHED else None,
        lost_reason="price" if status is Status.LOST else None,
    )


MOVES: dict[int, tuple[Move, ...]] = {
    # 1: back and forward again, open in Discovery now.
    #    Prospect 01-05→01-15 (10 d) + 01-20→01-22 (2 d) = 12 d;
    #    Qualified 01-15→01-20 (5 d) + 01-22→02-01 (10 d) = 15 d.
    1: (
        mv(CREATED, P, at(2027, 1, 5)),
        mv(ADVANCED, Q, at(2027, 1, 15)),
        mv(BACK, P, at(2027, 1, 20)),
        mv(ADVANCED, Q, at(2027, 1, 22)),
        mv(ADVANCED, D, at(2027, 2, 1)),
    ),
    # 2: lost in Qualified. Prospect 3 d; Qualified 01-13→02-02 = 20 d.
    2: (
        mv(CREATED, P, at(2027, 1, 10)),
        mv(ADVANCED, Q, at(2027, 1, 13)),
        mv(LOST, Q, at(2027, 2, 2)),
    ),
    # 3: lost in Prospect, reopened a month later, then advanced; open in Qualified now.
    #    Prospect 01-03→01-07 (4 d) + 02-07→02-10 (3 d) = 7 d (the lost month not counted).
    3: (
        mv(CREATED, P, at(2027, 1, 3)),
        mv(LOST, P, at(2027, 1, 7)),
        mv(REOPENED, P, at(2027, 2, 7)),
        mv(ADVANCED, Q, at(2027, 2, 10)),
    ),
    # 4: created before the period, advances inside it, moved back; open in Discovery.
    #    Enters Discovery 01-11 and Developed 02-10 in the period (Prospect and Qualified
    #    before it). Developed 02-10→02-22 = 12 d.
    4: (
        mv(CREATED, P, at(2026, 12, 1)),
        mv(ADVANCED, Q, at(2026, 12, 21)),
        mv(ADVANCED, D, at(2027, 1, 11)),
        mv(ADVANCED, V, at(2027, 2, 10)),
        mv(BACK, D, at(2027, 2, 22)),
    ),
    # 5: won. Created 2026-12-31 23:30 UTC = 2027-01-01 00:30 in Oslo: in Q1 only because
    #    of the time zone. Prospect 4 d, Qualified 5 d, then 10 d in each later stage.
    5: (
        mv(CREATED, P, at(2026, 12, 31, 23, 30)),
        mv(ADVANCED, Q, at(2027, 1, 4, 23, 30)),
        mv(ADVANCED, D, at(2027, 1, 9, 23, 30)),
        mv(ADVANCED, V, at(2027, 1, 19, 23, 30)),
        mv(ADVANCED, R, at(2027, 1, 29, 23, 30)),
        mv(ADVANCED, C, at(2027, 2, 8, 23, 30)),
        mv(FINISHED, C, at(2027, 2, 18, 23, 30)),
    ),
    # 6: created 2027-03-31 22:30 UTC = 2027-04-01 00:30 in Oslo (summer time, UTC+2):
    #    after Q1 in Oslo, inside it in UTC. Open in Prospect.
    6: (mv(CREATED, P, at(2027, 3, 31, 22, 30)),),
    # 7: advanced, moved back, lost from Prospect.
    #    Prospect 02-01→02-05 (4 d) + 02-08→02-09 (1 d) = 5 d; Qualified 02-05→02-08 = 3 d.
    7: (
        mv(CREATED, P, at(2027, 2, 1)),
        mv(ADVANCED, Q, at(2027, 2, 5)),
        mv(BACK, P, at(2027, 2, 8)),
        mv(LOST, P, at(2027, 2, 9)),
    ),
    # 9: every move before the period: in no cohort.
    9: (mv(CREATED, P, at(2026, 11, 1)), mv(ADVANCED, Q, at(2026, 11, 10))),
}
DEALS = (
    deal(1, D, Status.OPEN, MOVES[1]),
    deal(2, Q, Status.LOST, MOVES[2]),
    deal(3, Q, Status.OPEN, MOVES[3]),
    deal(4, D, Status.OPEN, MOVES[4]),
    deal(5, C, Status.FINISHED, MOVES[5]),
    deal(6, P, Status.OPEN, MOVES[6]),
    deal(7, P, Status.LOST, MOVES[7]),
    deal(9, Q, Status.OPEN, MOVES[9]),
)


def facts(zone: tzinfo) -> Facts:
    return Facts(DEALS, MOVES, DEFAULT, "EUR", NOW, zone)


def figures(flow: funnel.StageFlow) -> tuple[int, int, int, int, int]:
    return flow.entered, flow.advanced, flow.lost, flow.still, flow.elsewhere


# In Oslo, Q1 2027:
# Prospect cohort: 1, 2, 3, 5, 7 (4 and 9 created before, 6 after). All five advanced
#   (3 after its reopening, 7 before being moved back). Conversion 5/5 = 1.
#   Samples (none open in Prospect): 12, 3, 7, 4, 5 → sorted 3 4 5 7 12; median 5;
#   p80 rank ceil(0.8 × 5) = 4 → 7.
# Qualified cohort: 1 (01-15, entered twice, counted once), 2, 3, 5 (01-04 23:30 UTC =
#   01-05 Oslo), 7. 1 and 5 advanced; 2 lost there; 3 still there; 7 elsewhere (lost
#   from Prospect). Conversion 2/5 = 0.4. Samples (3 is open there): 15, 20, 5, 3 →
#   sorted 3 5 15 20; median (5 + 15) / 2 = 10; p80 rank ceil(3.2) = 4 → 20.
# Discovery cohort: 1 (still), 4 (advanced, then back: open there now), 5 (advanced).
#   Conversion 2/3 = 0.666667. Samples: only 5 (1 and 4 are open in Discovery) → 10.
# Developed cohort: 4 (moved back: elsewhere), 5 (advanced). Conversion 1/2.
#   Samples 12 and 10 → median 11; p80 rank ceil(1.6) = 2 → 12.
# Proposed and Closed: 5 alone, advanced (Closed: finished); 10 d each.
# Overall: created 5, won 1 (deal 5) → win conversion 0.2.
EXPECTED = {
    P: ((5, 5, 0, 0, 0), "1.000000", "5", "7", 5),
    Q: ((5, 2, 1, 1, 1), "0.400000", "10", "20", 4),
    D: ((3, 2, 0, 1, 0), "0.666667", "10", "10", 1),
    V: ((2, 1, 0, 0, 1), "0.500000", "11", "12", 2),
    R: ((1, 1, 0, 0, 0), "1.000000", "10", "10", 1),
    C: ((1, 1, 0, 0, 0), "1.000000", "10", "10", 1),
}


def test_funnel_in_oslo() -> None:
    found = funnel.report(facts(OSLO), Q1)
    assert [flow.stage for flow in found.stages] == list(Stage)
    for flow in found.stages:
        counts, conversion, middle, p80, samples = EXPECTED[flow.stage]
        assert figures(flow) == counts, flow.stage
        assert flow.conversion == Decimal(conversion), flow.stage
        assert flow.median_days == Decimal(middle), flow.stage
        assert flow.p80_days == Decimal(p80), flow.stage
        assert flow.samples == samples, flow.stage
    assert (found.created, found.won, found.win_conversion) == (5, 1, Decimal("0.2"))


def test_the_time_zone_decides_the_boundaries() -> None:
    # In UTC deal 5's creation (2026-12-31 23:30) is before Q1 and deal 6's (2027-03-31
    # 22:30) inside it. Prospect cohort: 1, 2, 3, 7 (advanced) and 6 (still there).
    # Samples 12, 3, 7, 5 → sorted 3 5 7 12; median 6; p80 rank ceil(3.2) = 4 → 12.
    # Deal 5's later entries are all inside Q1 in UTC too, so the other stages are as in
    # Oslo. Created 5, won 0 (deal 5 is not in the cohort) → 0.
    found = funnel.report(facts(UTC), Q1)
    prospect = found.stages[0]
    assert figures(prospect) == (5, 4, 0, 1, 0)
    assert prospect.median_days == 6
    assert (prospect.p80_days, prospect.samples) == (Decimal(12), 4)
    assert (found.created, found.won, found.win_conversion) == (5, 0, Decimal(0))
    for flow in found.stages[1:]:
        assert figures(flow) == EXPECTED[flow.stage][0]


def test_json() -> None:
    data = funnel.report(facts(OSLO), Q1).to_json()
    assert data["from"] == "2027-01-01"
    assert data["to"] == "2027-03-31"
    assert data["stages"][1] == {
        "stage": "qualified",
        "stage_label": "Qualified",
        "entered": 5,
        "advanced": 2,
        "lost": 1,
        "still": 1,
        "elsewhere": 1,
        "conversion": "0.400000",
        "median_days": "10.0",
        "p80_days": "20.0",
        "samples": 4,
    }
    assert (data["created"], data["won"], data["win_conversion"]) == (5, 1, "0.200000")


def test_csv() -> None:
    rows = funnel.report(facts(OSLO), Q1).csv_rows()
    assert rows[0][:3] == ["stage", "entered", "advanced"]
    assert rows[1] == ["prospect", "5", "5", "0", "0", "0", "1.000000", "5.0", "7.0", "5"]
    assert len(rows) == 7


def test_table() -> None:
    (table,) = funnel.report(facts(OSLO), Q1).tables()
    assert table.rows[2] == ("Discovery", "3", "2", "0", "1", "0", "66.7 %", "10.0", "10.0", "1")
    assert table.notes[0] == "Won so far: 1 of the 5 deals created in the period (20.0 %)."


def test_an_empty_period() -> None:
    found = funnel.report(facts(OSLO), Period(date(2025, 1, 1), date(2025, 1, 31)))
    for flow in found.stages:
        assert figures(flow) == (0, 0, 0, 0, 0)
        assert flow.conversion is flow.median_days is flow.p80_days is None
    assert found.win_conversion is None
    assert found.to_json()["stages"][0]["conversion"] is None
    (table,) = found.tables()
    assert table.rows[0][6:9] == ("—", "—", "—")
    assert table.notes == ("No deal entered a stage in this period.",)
