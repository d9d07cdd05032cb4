"""The reports on the board (issue 15, point 3): the reports screen, weighted column
totals and the stuck marks on cards.

The tiny fixture (``reports_board``) is the UI tests' scenario (``scenario.py``) with
close dates, at the frozen now, 2 Nov 2026 09:00 UTC (the zone is UTC), so the quarter
shown first is Q4 2026 (1 Oct – 31 Dec). Win probabilities are the default pipeline's:
Prospect 10 %, Qualified 20 %.

    #1 Alpha rollout    alice  Prospect   1 000.00 EUR  close 2026-11-20
    #2 Bravo pilot      bob    Prospect   2 500.00 EUR  close 2026-12-15
    #3 Charlie renewal  alice  Qualified  4 000.00 EUR  close 2027-01-10

Forecast, Q4 2026, everyone: Nov 1 000 (weighted 100), Dec 2 500 (weighted 250), so
the period holds 2 deals, value 3 500.00, weighted 350.00; Charlie is later (outside).
Q1 2027: Jan 4 000 (weighted 800.00): 1 deal; Alpha and Bravo are outside.
Q4 2026, bob only: Bravo alone, 2 500.00, weighted 250.00.
Funnel, Q4 2026: all three were created in the period (entered Prospect); Charlie
advanced, so Prospect converts 1 of 3 = 33 %; Qualified: 1 entered, 0 advanced = 0 %.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from salesboard.reports import source
from salesboard.service.substance import Substance
from salesboard.ui.board_screen import BoardScreen
from salesboard.ui.choice_screen import ChoiceScreen
from salesboard.ui.keymap import help_rows
from salesboard.ui.reports_screen import DAYS, FORECAST, FUNNEL, OUTCOMES, STUCK, ReportsScreen
from salesboard.workflow import Stage, Status
from tests.ui.helpers import (
    NARROW,
    NOW,
    WIDE,
    Board,
    card_text,
    column,
    header_text,
    screen_text,
    static_text,
    status_text,
    wait_for_palette_hits,
)
from tests.ui.scenario import ALPHA, BRAVO, CHARLIE

DAYS_LINE = 3
"""The card's line with the checklist bar and the days in stage (and the stuck mark)."""


@pytest.fixture
def reports_board(small_board: Board) -> Board:
    """The scenario's three deals with the close dates of the module docstring."""
    work = small_board.pipeline
    for deal_id, close in ((ALPHA, "2026-11-20"), (BRAVO, "2026-12-15"), (CHARLIE, "2027-01-10")):
        work.edit_deal(deal_id, expected_close=close)
    return small_board


async def open_reports(pilot: Pilot[None]) -> ReportsScreen:
    """Press R and wait until the first report is drawn."""
    await pilot.press("R")
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    await until_shown(pilot, screen)
    return screen


async def until_shown(pilot: Pilot[None], screen: ReportsScreen) -> None:
    """The facts are read and the reports computed in workers: wait for the drawing."""
    for _ in range(200):
        await pilot.pause(0.02)
        if screen.loaded:
            return
    raise AssertionError(f"the report {screen.wanted} was never drawn")


async def press(pilot: Pilot[None], screen: ReportsScreen, *keys: str) -> None:
    await pilot.press(*keys)
    await until_shown(pilot, screen)


def note(screen: ReportsScreen) -> str:
    return static_text(screen.query_one("#reports-note", Static))


def title(screen: ReportsScreen) -> str:
    return static_text(screen.query_one("#reports-title", Static))


# ------------------------------------------------------------ the reports screen


async def test_r_opens_the_forecast_of_this_quarter_and_escape_goes_back(
    reports_board: Board,
) -> None:
    app = reports_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen = await open_reports(pilot)
        assert screen.wanted.report == FORECAST
        assert title(screen) == "Forecast · Q4 2026 (2026-10-01 – 2026-12-31) · everyone"
        assert note(screen).splitlines() == [
            "Period: 2 deals · value 3 500.00 EUR · weighted 350.00 EUR",
            "Apart: no close date 0 · date passed 0 · outside the period 1",
        ]
        shown = screen_text(app)
        assert "Nov '26" in shown and "Dec '26" in shown  # the months under the bars
        assert "value" in shown and "weighted" in shown  # the legend
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


async def test_keys_switch_report_period_and_owner_without_reading_again(
    reports_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[object] = []
    real = source.load_facts

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(source, "load_facts", counted)
    app = reports_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        screen = await open_reports(pilot)
        await press(pilot, screen, "right_square_bracket")  # the next quarter
        assert title(screen).startswith("Forecast · Q1 2027 (2027-01-01 – 2027-03-31)")
        assert note(screen).startswith("Period: 1 deal · value 4 000.00 EUR · weighted 800.00")
        await press(pilot, screen, "left_square_bracket", "left_square_bracket")
        assert title(screen).startswith("Forecast · Q3 2026")
        await press(pilot, screen, "t")  # back to this quarter
        assert title(screen).startswith("Forecast · Q4 2026")
        await press(pilot, screen, "o")  # whose deals: everyone, alice (me) first, bob
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        await pilot.press("down", "down", "enter")
        await until_shown(pilot, screen)
        assert title(screen).endswith("· bob's deals")
        assert note(screen).startswith("Period: 1 deal · value 2 500.00 EUR · weighted 250.00")
        await press(pilot, screen, "m")  # m: everyone's again (the board's "m" too)
        assert title(screen).endswith("· everyone")
        await press(pilot, screen, "m")
        assert title(screen).endswith("· alice's deals")
        await press(pilot, screen, "m", "tab")  # everyone; the next report: the funnel
        assert screen.wanted.report == FUNNEL
        shown = screen_text(app)
        assert "Prospect 33%" in shown and "Qualified 0%" in shown
        assert note(screen).startswith(
            "Won so far: 0 of the 3 deals created in the period (0.0 %)."
        )
        await press(pilot, screen, "tab")
        assert screen.wanted.report == DAYS
        await press(pilot, screen, "4")
        assert screen.wanted.report == STUCK
        assert title(screen).startswith("Stuck · now")
        assert "Alpha rollout" in screen_text(app)  # none has a next step: all stuck
        await press(pilot, screen, "shift+tab")
        assert screen.wanted.report == DAYS
        await press(pilot, screen, "5")
        assert screen.wanted.report == OUTCOMES
        await press(pilot, screen, "1")
        assert screen.wanted.report == FORECAST
        assert (screen.reads, len(reads)) == (1, 1)  # every switch from the loaded facts
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


async def test_reports_are_in_the_palette_and_the_help(reports_board: Board) -> None:
    app = reports_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p", *"reports")
        await wait_for_palette_hits(pilot, "Reports")
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        await until_shown(pilot, screen)
        await pilot.press("escape")
    helped = help_rows()  # what the help screen lists (``test_keymap``)
    assert ("R", "reports: forecast, funnel, stuck, outcomes") in helped
    assert ("v", "column totals: value / weighted value") in helped


async def test_data_in_the_reports_is_shown_literally(reports_board: Board) -> None:
    hostile = "[red]x[/] [@click=app.quit]y"
    reports_board.pipeline.create_deal(hostile, value="10", owner="[b]eve[/b]")
    app = reports_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        screen = await open_reports(pilot)
        await press(pilot, screen, "4")  # the stuck deals: titles and owners in a table
        shown = screen_text(app)
        assert hostile in shown and "[b]eve[/b]" in shown
        await press(pilot, screen, "o")
        await pilot.press("down", "down", "enter")  # everyone, alice (me), [b]eve[/b], bob
        await until_shown(pilot, screen)
        assert title(screen).endswith("· [b]eve[/b]'s deals")
        assert app.is_running


# ------------------------------------------------------------ weighted column totals


async def test_v_switches_the_headers_to_weighted_values(reports_board: Board) -> None:
    app = reports_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        prospect = app.board.header(Stage.PROSPECT)
        qualified = app.board.header(Stage.QUALIFIED)
        assert (prospect.shown_minor, qualified.shown_minor) == (350_000, 400_000)
        await pilot.press("v")
        # Prospect: (1 000 + 2 500) × 10 % = 350.00; Qualified: 4 000 × 20 % = 800.00.
        assert (prospect.shown_minor, qualified.shown_minor) == (35_000, 80_000)
        assert header_text(app, Stage.PROSPECT).splitlines() == [
            "Prospect ×10%",
            "2 · 350 EUR",
        ]
        assert header_text(app, Stage.QUALIFIED).splitlines()[1] == "1 · 800 EUR"
        assert header_text(app, Stage.DISCOVERY).splitlines()[0] == "Discovery ×40%"
        assert "weighted totals" in status_text(app)
        await pilot.press("v")
        assert header_text(app, Stage.PROSPECT).splitlines() == ["Prospect", "2 · 3 500 EUR"]
        assert "weighted" not in status_text(app)


async def test_weighted_headers_say_so_at_80_columns(reports_board: Board) -> None:
    app = reports_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("v")
        # Seen by a newcomer: "Pros… ×10%" cut the name. The name stays whole; where
        # neither line has room for the weight, the status line alone says it.
        name, figures = header_text(app, Stage.PROSPECT).splitlines()
        assert (name, figures) == ("Prospect", "2 · 350")
        # Seen too: "Closed ×95%" beside a bare "Prospect". Every header alike, or none.
        assert not any("×" in header_text(app, stage) for stage in Stage)
        assert "weighted totals" in status_text(app)


# ------------------------------------------------------------ stuck marks


def _plan(board: Board, deal_id: int, days: float) -> None:
    Substance(board.pipeline).add_activity(
        deal_id, kind="call", title="Call", due=NOW + timedelta(days=days)
    )


def _days_line(col: Any, index: int) -> str:
    return card_text(col, index)[DAYS_LINE]


async def test_a_stuck_card_is_marked_and_a_fresh_one_is_not(empty_board: Board) -> None:
    """Prospect is stuck after 14 days; the board is looked at 20 days after the start."""
    work = empty_board.pipeline
    old = work.create_deal("Old", value="100")  # 20 days in Prospect, a call 10 days ahead
    _plan(empty_board, old.id, 30)
    empty_board.clock.advance(days=20)
    idle = work.create_deal("Idle", value="100")  # 0 days in, nothing planned
    fresh = work.create_deal("Fresh", value="100")  # 0 days in, a call 10 days ahead
    _plan(empty_board, fresh.id, 30)
    app = empty_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert prospect.ids == [old.id, idle.id, fresh.id]
        lines = [_days_line(prospect, n) for n in range(3)]
        assert "20d ⚠ stuck" in lines[0]  # too long in its stage
        assert "0d ⚠ stuck" in lines[1]  # no next step
        assert "0d" in lines[2] and "⚠" not in lines[2] and "stuck" not in lines[2]
    app = empty_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert "20d ⚠" in _days_line(prospect, 0)  # narrow: the mark alone
        assert "⚠" not in _days_line(prospect, 2)


async def test_a_card_with_an_overdue_step_is_marked_stuck(empty_board: Board) -> None:
    work = empty_board.pipeline
    late = work.create_deal("Late", value="100")
    _plan(empty_board, late.id, 1)
    empty_board.clock.advance(days=2)  # the call was due a day ago; 2 days in Prospect
    app = empty_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "⚠ stuck" in _days_line(column(app, Stage.PROSPECT), 0)


# ------------------------------------------------------------------------ the palette


async def test_a_palette_action_over_the_reports_acts_on_the_board_in_view(
    reports_board: Board,
) -> None:
    """Seen by a newcomer: R, ctrl+p, "lost", Enter marked the hidden board's lit deal lost
    behind the reports. The action now takes the user back to the board first."""
    app = reports_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await open_reports(pilot)
        await pilot.press("ctrl+p", *"mark lost")
        await wait_for_palette_hits(pilot, "lost")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        # The lost reason is asked over the board itself, its lit card in view.
        assert [type(s).__name__ for s in app.screen_stack[-2:]] == ["BoardScreen", "LostForm"]
        assert reports_board.pipeline.get_deal(ALPHA).summary.status is Status.OPEN


# ------------------------------------------------------------------- edges and damage


async def test_the_quarters_end_at_1900_and_9998_without_a_crash(reports_board: Board) -> None:
    """Found by an attacker: holding [ past the year 1 ended the board with a traceback."""
    from datetime import date

    from salesboard.reports.facts import Period

    app = reports_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_reports(pilot)
        screen._want(replace(screen.wanted, period=Period.quarter_of(date(1900, 2, 1))))
        await until_shown(pilot, screen)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.wanted.period.first == date(1900, 1, 1)  # stays: no quarter before
        screen._want(replace(screen.wanted, period=Period.quarter_of(date(9998, 11, 1))))
        await until_shown(pilot, screen)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.wanted.period.last == date(9998, 12, 31)
        assert app.is_running


async def test_damaged_deals_left_out_are_said_under_the_figures(reports_board: Board) -> None:
    """Found by an attacker: the figures left damaged deals out and said nothing."""
    import sqlite3

    assert reports_board.db.path is not None
    with sqlite3.connect(reports_board.db.path) as conn:
        conn.execute("UPDATE deal SET status = 'weird' WHERE id = ?", (CHARLIE,))
    app = reports_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_reports(pilot)
        note = static_text(screen.query_one("#reports-note", Static))
        assert "1 damaged deal is left out of these figures; run 'salesboard doctor'." in note


async def test_question_mark_shows_the_keys_over_the_reports(reports_board: Board) -> None:
    """Seen by a newcomer: ? did nothing on the reports screen."""
    from salesboard.ui.help_screen import HelpScreen

    app = reports_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_reports(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "reports: quarter before / after; this one" in screen_text(app)
        await pilot.press("escape")
        assert app.screen is screen
