"""The forecast report, checked against a pipeline worked out by hand.

The pipeline is the default one: win probabilities prospect 10 %, qualified 20 %,
discovery 40 %, developed 60 %, proposed 80 %, closed 95 %. Base currency EUR.

``now`` is 2027-01-31 23:30 UTC: in Oslo (UTC+1 in winter) that is already 2027-02-01
00:30, so "today" is 1 February there and 31 January in UTC. Deal 8's close date, 31
January, is therefore overdue in Oslo but in January in UTC: the month boundary only the
time zone decides.

The deals (all open unless said otherwise), weighted = in_base × p, rounded half to
even per deal:

==  =========  ====  ==========================  ==========  ========  ==================
id  stage      p     value                       in_base     weighted  close → bucket (Oslo)
==  =========  ====  ==========================  ==========  ========  ==================
1   prospect   10 %  1 000.00 EUR                100000      10000     2027-02-10 → Feb
2   discovery  40 %  2 500.00 EUR                250000      100000    2027-02-28 → Feb
3   proposed   80 %  333.33 EUR                  33333       26666     2027-03-15 → Mar
                                                             (26666.4 → 26666)
4   qualified  20 %  5 000.00 USD at 0.9         450000      90000     2027-03-31 → Mar
5   developed  60 %  7 000.00 SEK, no rate       None        0         2027-03-01 → Mar
6   closed     95 %  200.00 EUR                  20000       19000     none → undated
7   prospect   10 %  500.00 EUR                  50000       5000      2027-01-15 → overdue
8   proposed   80 %  1 200.00 EUR                120000      96000     2027-01-31 → overdue
                                                                       (UTC: January)
9   discovery  40 %  800.00 EUR                  80000       32000     2027-04-02 → outside
10  closed, FINISHED 9 999.00 EUR                            -         not open: left out
11  developed, LOST  4 000.00 EUR                            -         not open: left out
12  prospect   10 %  0.25 EUR                    25          2         2027-02-01 → Feb
                                                             (2.5 → 2, half to even)
==  =========  ====  ==========================  ==========  ========  ==================

Ten open deals: 1-9 and 12.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from salesboard.definition import DEFAULT
from salesboard.reports import forecast
from salesboard.reports.facts import DealFact, Facts, Period
from salesboard.reports.forecast import Figures
from salesboard.workflow import Stage, Status

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)
CREATED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
Q1 = Period(date(2027, 1, 1), date(2027, 3, 31))


def deal(
    id: int,
    stage: Stage,
    in_base: int | None,
    close: date | None,
    *,
    status: Status = Status.OPEN,
    currency: str = "EUR",
    value_minor: int | None = None,
) -> DealFact:
    return DealFact(
        id=id,
        title=f"Deal {id}",
        owner="ann" if id % 2 else "bob",
        stage=stage,
        status=status,
        value_minor=(in_base or 0) if value_minor is None else value_minor,
        currency=currency,
        in_base=in_base,
        expected_close=close,
        created_at=CREATED,
        stage_since=CREATED,
    )


DEALS = (
    deal(1, Stage.PROSPECT, 100000, date(2027, 2, 10)),
    deal(2, Stage.DISCOVERY, 250000, date(2027, 2, 28)),
    deal(3, Stage.PROPOSED, 33333, date(2027, 3, 15)),
    deal(4, Stage.QUALIFIED, 450000, date(2027, 3, 31), currency="USD", value_minor=500000),
    deal(5, Stage.DEVELOPED, None, date(2027, 3, 1), currency="SEK", value_minor=700000),
    deal(6, Stage.CLOSED, 20000, None),
    deal(7, Stage.PROSPECT, 50000, date(2027, 1, 15)),
    deal(8, Stage.PROPOSED, 120000, date(2027, 1, 31)),
    deal(9, Stage.DISCOVERY, 80000, date(2027, 4, 2)),
    deal(10, Stage.CLOSED, 999900, date(2027, 2, 15), status=Status.FINISHED),
    deal(11, Stage.DEVELOPED, 400000, date(2027, 3, 1), status=Status.LOST),
    deal(12, Stage.PROSPECT, 25, date(2027, 2, 1)),
)


def facts(zone: tzinfo, deals: tuple[DealFact, ...] = DEALS) -> Facts:
    return Facts(deals, {}, DEFAULT, "EUR", NOW, zone)


def test_today_is_decided_by_the_time_zone() -> None:
    assert facts(OSLO).today == date(2027, 2, 1)
    assert facts(UTC).today == date(2027, 1, 31)


def test_forecast_in_oslo() -> None:
    found = forecast.report(facts(OSLO), Q1)
    assert [m.month for m in found.months] == [date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)]
    # January: deal 8 closes on 31 January, before Oslo's today (1 February): overdue.
    assert found.months[0].figures == Figures(0, 0, 0, 0)
    # February: deals 1, 2, 12 → value 100000 + 250000 + 25 = 350025,
    # weighted 10000 + 100000 + 2 = 110002.
    assert found.months[1].figures == Figures(3, 350025, 110002, 0)
    # March: deals 3, 4, 5 → value 33333 + 450000 = 483333 (deal 5 has no rate),
    # weighted 26666 + 90000 = 116666, one unconverted.
    assert found.months[2].figures == Figures(3, 483333, 116666, 1)
    # Total = the months: 6 deals, 350025 + 483333 = 833358, 110002 + 116666 = 226668.
    assert found.total == Figures(6, 833358, 226668, 1)
    assert [(q.quarter, q.figures) for q in found.quarters] == [("2027-Q1", found.total)]
    # Apart: deal 6 undated (20000, 95 % → 19000); deals 7, 8 overdue
    # (50000 + 120000 = 170000; 5000 + 96000 = 101000); deal 9 outside (80000, 32000).
    assert found.undated == Figures(1, 20000, 19000, 0)
    assert found.overdue == Figures(2, 170000, 101000, 0)
    assert found.outside == Figures(1, 80000, 32000, 0)
    # Every open deal in exactly one bucket: 6 + 1 + 2 + 1 = 10 open deals.
    assert found.total.deals + found.undated.deals + found.overdue.deals + found.outside.deals == 10
    assert found.missing_rates == ("SEK",)


def test_forecast_in_utc_keeps_the_31st_in_january() -> None:
    found = forecast.report(facts(UTC), Q1)
    # Today is 31 January in UTC: deal 8 (close 31 January) is not past, so January.
    assert found.months[0].figures == Figures(1, 120000, 96000, 0)
    assert found.months[1].figures == Figures(3, 350025, 110002, 0)
    assert found.months[2].figures == Figures(3, 483333, 116666, 1)
    # 7 deals; 120000 + 833358 = 953358; 96000 + 226668 = 322668.
    assert found.total == Figures(7, 953358, 322668, 1)
    # Only deal 7 is overdue now.
    assert found.overdue == Figures(1, 50000, 5000, 0)


def test_json_has_the_shape_scripts_read() -> None:
    shown = forecast.report(facts(OSLO), Q1).to_json()
    assert shown["currency"] == "EUR"
    assert (shown["from"], shown["to"]) == ("2027-01-01", "2027-03-31")
    assert shown["months"][1] == {
        "month": "2027-02",
        "deals": 3,
        "value": "3500.25",
        "weighted": "1100.02",
        "unconverted": 0,
    }
    assert shown["quarters"] == [
        {
            "quarter": "2027-Q1",
            "deals": 6,
            "value": "8333.58",
            "weighted": "2266.68",
            "unconverted": 1,
        }
    ]
    assert shown["undated"] == {
        "deals": 1,
        "value": "200.00",
        "weighted": "190.00",
        "unconverted": 0,
    }
    assert shown["overdue"]["weighted"] == "1010.00"
    assert shown["outside"]["value"] == "800.00"
    assert shown["total"]["value"] == "8333.58"


def test_a_period_across_two_quarters() -> None:
    # 10 March to 20 April, Oslo (today 1 February):
    # March holds deals 3 (15 Mar) and 4 (31 Mar): 2 deals, 483333, 116666;
    # deal 5 (1 March) is before the period but still ahead of today: outside.
    # April holds deal 9 (2 Apr): 80000, 32000.
    # Outside: deals 1, 2, 12 (February) and 5 → 4 deals, 350025, 110002, 1 unconverted.
    found = forecast.report(facts(OSLO), Period(date(2027, 3, 10), date(2027, 4, 20)))
    assert [(m.month, m.figures) for m in found.months] == [
        (date(2027, 3, 1), Figures(2, 483333, 116666, 0)),
        (date(2027, 4, 1), Figures(1, 80000, 32000, 0)),
    ]
    assert [(q.quarter, q.figures) for q in found.quarters] == [
        ("2027-Q1", Figures(2, 483333, 116666, 0)),
        ("2027-Q2", Figures(1, 80000, 32000, 0)),
    ]
    assert found.total == Figures(3, 563333, 148666, 0)
    assert found.outside == Figures(4, 350025, 110002, 1)
    assert found.overdue == Figures(2, 170000, 101000, 0)


def test_one_owner() -> None:
    # Ann has the odd ids: open 1, 3, 5, 7, 9. February: deal 1 (100000, 10000);
    # March: 3 and 5 (33333, 26666, one unconverted); overdue: 7; outside: 9.
    found = forecast.report(facts(OSLO).of_owner("ann"), Q1)
    assert found.total == Figures(3, 133333, 36666, 1)
    assert found.overdue == Figures(1, 50000, 5000, 0)
    assert found.outside == Figures(1, 80000, 32000, 0)
    assert found.undated == Figures()


def test_csv_rows() -> None:
    rows = forecast.report(facts(OSLO), Q1).csv_rows()
    assert rows[0] == ["bucket", "deals", "value", "weighted", "unconverted", "currency"]
    assert [row[0] for row in rows[1:]] == [
        "2027-01",
        "2027-02",
        "2027-03",
        "2027-Q1",
        "undated",
        "overdue",
        "outside",
        "total",
    ]
    assert rows[3] == ["2027-03", "3", "4833.33", "1166.66", "1", "EUR"]
    assert rows[-1] == ["total", "6", "8333.58", "2266.68", "1", "EUR"]


def test_table_lists_months_quarter_total_and_the_deals_apart() -> None:
    [table] = forecast.report(facts(OSLO), Q1).tables()
    assert [row[0] for row in table.rows] == [
        "2027-01",
        "2027-02",
        "2027-03",
        "Q1 2027",
        "Total",
        "No close date",
        "Close date passed",
        "Outside the period",
    ]
    assert table.rows[1] == ("2027-02", "3", "3 500.25 EUR", "1 100.02 EUR")
    assert table.right == frozenset({1, 2, 3})
    apart = [note for note in table.notes if "SEK" in note]
    assert apart == [
        "1 deal is in a currency without a rate (SEK): it is counted apart, its value left "
        "out of value and weighted, never guessed."
    ]


def test_no_open_deals() -> None:
    closed = tuple(d for d in DEALS if d.status is not Status.OPEN)
    found = forecast.report(facts(OSLO, closed), Q1)
    assert found.total == Figures()
    assert [m.figures for m in found.months] == [Figures()] * 3
    assert "No open deals." in found.tables()[0].notes
