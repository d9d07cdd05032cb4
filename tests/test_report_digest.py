"""The weekly digest from a hand-written week, every line worked out by hand.

The week ends on Friday 2027-01-15 12:00 UTC (the user's zone is UTC), so it runs from
2027-01-08 12:00; this quarter is Q1 2027 (January to March). The default pipeline's win
probabilities: Prospect 10 %, Qualified 20 %, Discovery 40 %, Developed 60 %,
Proposed 80 %, Closed 95 %; stuck after 14/21/30/30/21/45 days. Rates: EUR is the base,
1 USD = 0.50 EUR, SEK has no rate.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from salesboard.definition import DEFAULT
from salesboard.reports.digest import Standing, build, load_digest
from salesboard.reports.facts import DealFact, Facts
from salesboard.reports.week import Change, as_they_stood
from salesboard.service import Pipeline
from salesboard.service.part_rows import AgendaEntry
from salesboard.service.part_views import ActivityView
from salesboard.service.substance import Substance
from salesboard.store import Database
from salesboard.substance import ActivityKind
from salesboard.workflow import EventKind, Stage, Status
from tests.conftest import FrozenClock

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2027, 1, 20, 12, 0, tzinfo=UTC)
"""A next step due after now: not overdue."""


def convert(value_minor: int, currency: str) -> int | None:
    """Today's rates: EUR as is, USD at 0.50, no rate for anything else."""
    if currency == "EUR":
        return value_minor
    if currency == "USD":
        return value_minor // 2
    return None


def deal(
    id: int,
    title: str,
    owner: str,
    stage: Stage,
    value: int,
    close: date | None,
    *,
    status: Status = Status.OPEN,
    currency: str = "EUR",
    stage_days: int = 1,
    next_due: datetime | None = LATER,
) -> DealFact:
    return DealFact(
        id=id,
        title=title,
        owner=owner,
        stage=stage,
        status=status,
        value_minor=value,
        currency=currency,
        in_base=convert(value, currency),
        expected_close=close,
        created_at=LONG_AGO,
        stage_since=NOW - timedelta(days=stage_days),
        next_due=next_due,
    )


def change(
    id: int, deal_id: int, day: int, kind: EventKind, before: dict[str, Any] | None
) -> Change:
    at = datetime(2027, 1, day, 10, 0, tzinfo=UTC)
    return Change(id, deal_id, at, "alice", kind, before, None)


# The deals as they stand now (value in hundredths; "w" = weighted now and a week ago,
# counted only for open deals closing in Q1 on or after "today": Jan 15 now, Jan 8 then).
DEALS = (
    # Advanced Qualified → Discovery in the week: w now 40 % of 10 000 = 4 000.00,
    # a week ago 20 % = 2 000.00.
    deal(1, "Alpha", "alice", Stage.DISCOVERY, 1_000_000, date(2027, 2, 10)),
    # Created in the week: w now 10 % of 5 000 = 500.00; a week ago it did not exist.
    deal(2, "Beta", "bob", Stage.PROSPECT, 500_000, date(2027, 3, 1)),
    # Lost from Proposed in the week: now not open (0); a week ago open in Proposed,
    # closing Jan 20: 80 % of 20 000 = 16 000.00.
    deal(3, "Gamma", "alice", Stage.PROPOSED, 2_000_000, date(2027, 1, 20), status=Status.LOST),
    # Edited in the week from 6 000, closing Apr 2 (outside Q1: 0) to 8 000 closing
    # Feb 15: w now 60 % of 8 000 = 4 800.00.
    deal(4, "Delta", "alice", Stage.DEVELOPED, 800_000, date(2027, 2, 15)),
    # No event in the week; 1 000 USD = 500.00 EUR: w 20 % = 100.00 now and then. Its
    # next step was due yesterday: stuck (overdue), 1.0 day in stage, 20 under the limit.
    deal(
        5, "Epsilon", "bob", Stage.QUALIFIED, 100_000, date(2027, 1, 31), currency="USD",
        next_due=datetime(2027, 1, 14, 9, 0, tzinfo=UTC),
    ),
    # Finished (won) in the week from Closed: now 0; a week ago open in Closed, closing
    # Jan 14 (not before Jan 8): 95 % of 3 000 = 2 850.00.
    deal(6, "Zeta", "alice", Stage.CLOSED, 300_000, date(2027, 1, 14), status=Status.FINISHED),
    # In SEK (no rate): counted apart now and then, weighted 0.
    deal(7, "Eta", "alice", Stage.PROSPECT, 1_000_000, date(2027, 2, 1), currency="SEK"),
    # No event, but its close date Jan 12 passed during the week: now overdue (0); a
    # week ago in January: 20 % of 4 000 = 800.00. 30 days in Qualified (limit 21) and no
    # next step: stuck, 9 days over its limit.
    deal(
        8, "Theta", "alice", Stage.QUALIFIED, 400_000, date(2027, 1, 12),
        stage_days=30, next_due=None,
    ),
    # Moved back Discovery → Qualified: w now 20 % of 2 000 = 400.00, then 40 % = 800.00.
    deal(9, "Iota", "bob", Stage.QUALIFIED, 200_000, date(2027, 3, 15)),
    # Reopened in the week (it was lost): w now 80 % of 1 000 = 800.00, then 0.
    deal(10, "Kappa", "bob", Stage.PROPOSED, 100_000, date(2027, 2, 20)),
    # Handed from bob to alice in the week: w 10 % of 1 000 = 100.00 now and then.
    deal(11, "Lambda", "alice", Stage.PROSPECT, 100_000, date(2027, 2, 28)),
)  # fmt: skip

CHANGES = (
    # Before the week: ignored (Alpha's move into Qualified on Jan 1).
    change(50, 1, 1, EventKind.ADVANCED, {"stage": "prospect"}),
    change(101, 1, 10, EventKind.ADVANCED, {"stage": "qualified"}),
    change(102, 2, 11, EventKind.CREATED, None),
    change(103, 3, 12, EventKind.LOST, {"status": "open"}),
    change(104, 4, 13, EventKind.EDITED, {"value_minor": 600_000, "expected_close": "2027-04-02"}),
    change(105, 6, 14, EventKind.FINISHED, {"status": "open"}),
    change(106, 9, 14, EventKind.MOVED_BACK, {"stage": "discovery"}),
    change(107, 10, 14, EventKind.REOPENED, {"status": "lost", "reason": "budget"}),
    change(108, 11, 14, EventKind.EDITED, {"owner": "bob"}),
)


def entry(id: int, deal_id: int, deal_title: str, kind: ActivityKind, title: str,
          due: datetime, owner: str) -> AgendaEntry:  # fmt: skip
    activity = ActivityView(
        id=id, deal_id=deal_id, kind=kind, title=title, due_at=due, owner=owner, agenda="",
        notes="", done_by=None, done_at=None, created_by=owner, created_at=LONG_AGO,
    )  # fmt: skip
    return AgendaEntry(activity, deal_title, "")


DUE = [
    # Due yesterday: overdue.
    entry(1, 5, "Epsilon", ActivityKind.CALL, "Budget call",
          datetime(2027, 1, 14, 9, 0, tzinfo=UTC), "bob"),
    entry(2, 1, "Alpha", ActivityKind.MEETING, "Demo", LATER, "alice"),
    # Due Jan 23, after the 7 days to come (until Jan 22 12:00): left out.
    entry(3, 1, "Alpha", ActivityKind.TASK, "Far away",
          datetime(2027, 1, 23, 12, 0, tzinfo=UTC), "alice"),
]  # fmt: skip


def facts(deals: tuple[DealFact, ...] = DEALS) -> Facts:
    return Facts(deals, {}, DEFAULT, "EUR", NOW, UTC)


def test_the_teams_digest_line_by_line() -> None:
    digest = build(facts(), CHANGES, DUE, convert)
    assert digest.text().splitlines() == [
        "Weekly digest for the team, 2027-01-08 to 2027-01-15",
        "",
        "What moved",
        # One of each move in the week; the edits of Delta and Lambda are not moves.
        "  new: 1 · advanced: 1 · moved back: 1 · won: 1 · lost: 1 · reopened: 1",
        # Most recently moved first (by event): 107, 106, 105, 103, 102, 101.
        "  #10 Kappa (bob): lost → Proposed",
        "  #9 Iota (bob): Discovery → Qualified",
        "  #6 Zeta (alice): Closed → won",
        "  #3 Gamma (alice): Proposed → lost",
        "  #2 Beta (bob): new → Prospect",
        "  #1 Alpha (alice): Qualified → Discovery",
        "",
        # Theta is 9 days over its limit, Epsilon 20 under it (stuck for its overdue step).
        "Stuck: 2 deals",
        "  #8 Theta (alice): Qualified, 30.0 days in stage (limit 21); too long, no next step",
        "  #5 Epsilon (bob): Qualified, 1.0 days in stage (limit 21); overdue",
        "",
        "Due within 7 days or overdue: 2 activities, 1 overdue",
        "  2027-01-14 09:00 call: Budget call (#5 Epsilon) — overdue [bob]",
        "  2027-01-20 12:00 meeting: Demo (#1 Alpha) [alice]",
        "",
        # Now: Alpha 4 000 + Beta 500 + Delta 4 800 + Epsilon 100 + Iota 400 + Kappa 800
        #   + Lambda 100 = 10 700.00.
        # A week ago: Alpha 2 000 + Gamma 16 000 + Epsilon 100 + Zeta 2 850 + Theta 800
        #   + Iota 800 + Lambda 100 = 22 650.00 (Beta, Delta, Kappa: 0).
        # Change: 10 700 − 22 650 = −11 950.00.
        "Weighted forecast for Q1 2027",
        "  10 700.00 EUR now, 22 650.00 EUR a week ago: down 11 950.00 EUR",
        "",
        "Money in EUR at today's exchange rates. "
        "1 deal in a currency without a rate is left out.",  # Eta
    ]
    assert digest.forecast_now.weighted_minor == 1_070_000
    assert digest.forecast_before.weighted_minor == 2_265_000
    assert digest.forecast_change == -1_195_000


def test_one_owners_digest() -> None:
    alices_due = [DUE[1]]  # what the agenda gives for alice
    digest = build(facts(), CHANGES, alices_due, convert, owner="alice")
    lines = digest.text().splitlines()
    assert lines[0] == "Weekly digest for alice, 2027-01-08 to 2027-01-15"
    # Her deals now: Alpha, Gamma, Delta, Zeta, Eta, Theta, Lambda. No owner in the lines.
    assert lines[2:8] == [
        "What moved",
        "  new: 0 · advanced: 1 · moved back: 0 · won: 1 · lost: 1 · reopened: 0",
        "  #6 Zeta: Closed → won",
        "  #3 Gamma: Proposed → lost",
        "  #1 Alpha: Qualified → Discovery",
        "",
    ]
    assert "Stuck: 1 deal" in lines
    assert "  2027-01-20 12:00 meeting: Demo (#1 Alpha)" in lines
    # Now: Alpha 4 000 + Delta 4 800 + Lambda 100 = 8 900.00. A week ago her deals were
    # Alpha 2 000 + Gamma 16 000 + Zeta 2 850 + Theta 800 = 21 650.00 (Lambda was bob's).
    assert "  8 900.00 EUR now, 21 650.00 EUR a week ago: down 12 750.00 EUR" in lines


def test_a_quiet_week() -> None:
    quiet = (deal(1, "Alpha", "alice", Stage.DISCOVERY, 1_000_000, date(2027, 2, 10)),)
    lines = build(facts(quiet), (), [], convert).text().splitlines()
    assert lines == [
        "Weekly digest for the team, 2027-01-08 to 2027-01-15",
        "",
        "What moved",
        "  new: 0 · advanced: 0 · moved back: 0 · won: 0 · lost: 0 · reopened: 0",
        "  Nothing moved.",
        "",
        "Stuck",
        "  No deal is stuck.",
        "",
        "Due",
        "  Nothing is due within 7 days, nothing is overdue.",
        "",
        "Weighted forecast for Q1 2027",
        "  4 000.00 EUR now, unchanged since a week ago",  # 40 % of 10 000
        "",
        "Money in EUR at today's exchange rates.",
    ]


def test_long_lists_are_cut_with_a_count() -> None:
    many = tuple(
        deal(n, f"Deal {n}", "alice", Stage.PROSPECT, 100, None, next_due=None)
        for n in range(1, 14)
    )
    created = [change(200 + n, n, 14, EventKind.CREATED, None) for n in range(1, 14)]
    lines = build(facts(many), created, [], convert).text().splitlines()
    assert "  new: 13 · advanced: 0 · moved back: 0 · won: 0 · lost: 0 · reopened: 0" in lines
    assert lines[4] == "  #13 Deal 13 (alice): new → Prospect"  # the newest first
    assert lines[13] == "  #4 Deal 4 (alice): new → Prospect"  # the tenth
    assert lines[14] == "  … and 3 more"
    assert "Stuck: 13 deals" in lines  # no next step; the five of lowest id (all 0 over)
    assert "  … and 8 more" in lines


def test_text_from_the_database_is_printed_safely() -> None:
    hostile = (
        deal(1, "[red]x[/] \x1b[2Jcleared", "ali\x07ce", Stage.PROSPECT, 100, None),
    )  # fmt: skip
    text = build(facts(hostile), [change(101, 1, 14, EventKind.CREATED, None)], [], convert).text()
    assert "  #1 [red]x[/] cleared (alice): new → Prospect" in text.splitlines()
    assert "\x1b" not in text and "\x07" not in text


def test_undoing_the_week_with_damaged_before_values() -> None:
    alpha = deal(1, "Alpha", "alice", Stage.DISCOVERY, 1_000_000, date(2027, 2, 10))
    changes = [
        # Taken back newest first: the edit (value and currency), then the advance.
        change(1, 1, 10, EventKind.ADVANCED, {"stage": "qualified"}),
        change(2, 1, 11, EventKind.EDITED, {"value_minor": 300_000, "currency": "USD"}),
        # Unreadable values are passed over: the deal is taken as it stands.
        change(3, 1, 12, EventKind.ADVANCED, {"stage": "nowhere"}),
        change(4, 1, 12, EventKind.EDITED, {"value_minor": "lots", "expected_close": "soon"}),
        change(5, 1, 12, EventKind.LOST, {"status": 7}),
        change(6, 1, 12, EventKind.REOPENED, None),
        change(7, 99, 12, EventKind.CREATED, None),  # a deal not among the facts
    ]
    (was,) = as_they_stood([alpha], changes, convert)
    assert Standing.of(was) == Standing(Status.OPEN, Stage.QUALIFIED)
    assert (was.value_minor, was.currency, was.in_base) == (300_000, "USD", 150_000)
    assert was.expected_close == date(2027, 2, 10)


def test_the_digest_read_from_a_database(db: Database, clock: FrozenClock) -> None:
    """The events, deals and agenda read from a real database (SQLite and PostgreSQL)."""
    clock.now = datetime(2027, 1, 2, 9, 0, tzinfo=UTC)
    service = Pipeline(db, actor="alice", clock=clock)
    old = service.create_deal("Old", value="1000", expected_close="2027-02-01").id
    clock.now = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)  # in the week
    new = service.create_deal("New", value="500", expected_close="2027-03-01").id
    service.edit_deal(old, value="3000")
    Substance(service).add_activity(
        new, kind="call", title="Intro call", due=datetime(2027, 1, 14, 9, 0, tzinfo=UTC)
    )
    found = load_digest(db, now=NOW, owner="alice")
    assert dict(found.counts) == {
        EventKind.CREATED: 1, EventKind.ADVANCED: 0, EventKind.MOVED_BACK: 0,
        EventKind.FINISHED: 0, EventKind.LOST: 0, EventKind.REOPENED: 0,
    }  # fmt: skip
    assert [(m.id, m.was, m.now) for m in found.moved] == [
        (new, None, Standing(Status.OPEN, Stage.PROSPECT))
    ]
    assert [(entry.activity.title, late) for _when, entry, late in found.due] == [
        ("Intro call", True)
    ]
    # Now: 10 % of 3 000 + 10 % of 500 = 350.00; a week ago: 10 % of 1 000 = 100.00.
    assert (found.forecast_now.weighted_minor, found.forecast_before.weighted_minor) == (
        35_000,
        10_000,
    )
    assert "  350.00 EUR now, 100.00 EUR a week ago: up 250.00 EUR" in found.text()


def test_a_deal_that_moved_and_came_back_says_so() -> None:
    # Advanced Discovery → Developed on the 11th, moved back on the 12th: it stands where
    # it stood a week ago, which "Discovery → Discovery" would hide.
    back = (deal(1, "Alpha", "alice", Stage.DISCOVERY, 100, None),)
    moves = [
        change(301, 1, 11, EventKind.ADVANCED, {"stage": "discovery"}),
        change(302, 1, 12, EventKind.MOVED_BACK, {"stage": "developed"}),
    ]
    lines = build(facts(back), moves, [], convert).text().splitlines()
    assert "  new: 0 · advanced: 1 · moved back: 1 · won: 0 · lost: 0 · reopened: 0" in lines
    assert "  #1 Alpha (alice): Discovery, moved and back again" in lines
