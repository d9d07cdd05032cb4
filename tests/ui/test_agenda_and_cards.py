"""The next step on every card, and the agenda (issue 14, point 1, on the board).

A card shows its deal's next step (kind, and day and time in the user's zone), overdue
ones in the warning style, and says when an open deal has none. ``A`` (or "Agenda" in
the palette) lists my open activities by due time, overdue first; ``m`` shows everyone's;
Enter takes the board to the activity's deal. Times here are read in Europe/Oslo, an hour
ahead of UTC in November: the frozen "now" (09:00 UTC) is 10:00 there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from rich.segment import Segment
from sqlalchemy import event
from textual.command import CommandPalette
from textual.pilot import Pilot

from salesboard.i18n import install
from salesboard.service import Pipeline
from salesboard.service.substance import Substance
from salesboard.store import ACTIVITY, Database
from salesboard.ui.agenda_list import AgendaList
from salesboard.ui.agenda_screen import AgendaScreen
from salesboard.ui.column import CARD_HEIGHT, StageColumn, cards_in_view
from salesboard.ui.ended_screen import EndedScreen
from salesboard.workflow import Stage
from tests.ui.helpers import (
    ME,
    NARROW,
    NOW,
    WIDE,
    Board,
    card_text,
    column,
    focused_column,
    in_zone,
    screen_lines,
    screen_text,
    wait_for_palette_hits,
)

FLEET, LATE, BARE, BOBS, HOSTILE = 1, 2, 3, 4, 5
HOSTILE_TITLE = "[red]x[/] [@click=app.quit]y"
HOSTILE_STEP = "[bold]visit[/] [@click=app.quit]z"
"""The hostile activity's title as drawn: stored with a terminal escape in it too."""
STEP_LINE = 5
"""The card's line that shows the next step (under the close date)."""
LIVE_WITHIN_S = 3.0


@pytest.fixture(autouse=True)
def oslo() -> Iterator[None]:
    """The user's zone is Europe/Oslo (UTC+1 in November) for every test here."""
    with in_zone("Europe/Oslo"):
        yield


@pytest.fixture
def planned(empty_board: Board) -> Board:
    """Five deals in Prospect, one per kind of next step (ids 1 to 5).

    1 Fleet rollout: a meeting on 5 Nov at 11:30 (Oslo).
    2 Late renewal: a call two days overdue, and a task later.
    3 Nothing planned: no activity at all.
    4 Bob's pilot: bob's follow-up today at 12:00.
    5 a hostile title, company and activity title (with a terminal escape in it).
    """
    pipeline = empty_board.pipeline
    work = Substance(pipeline)
    fleet = pipeline.create_deal("Fleet rollout", company="Nordic Freight", value="1000")
    work.add_activity(
        fleet.id, kind="meeting", title="Kick-off with IT", due=NOW + timedelta(days=3, hours=1.5)
    )
    late = pipeline.create_deal("Late renewal", company="Bolt", value="2000")
    work.add_activity(late.id, kind="call", title="Call back", due=NOW - timedelta(days=2))
    work.add_activity(late.id, kind="task", title="Send terms", due=NOW + timedelta(days=10))
    pipeline.create_deal("Nothing planned", company="Crane", value="3000")
    bobs = pipeline.create_deal("Bob's pilot", company="Delta", value="4000", owner="bob")
    work.add_activity(
        bobs.id, kind="follow-up", title="Send the offer", due=NOW + timedelta(hours=2), owner="bob"
    )
    hostile = pipeline.create_deal(HOSTILE_TITLE, company="[b]Evil[/]", value="5000")
    added = work.add_activity(hostile.id, kind="visit", title="visit", due=NOW + timedelta(days=5))
    with empty_board.db.write() as session:  # behind the service's back, as another tool might
        session.connection().execute(
            ACTIVITY.update()
            .where(ACTIVITY.c.id == added.part_id)
            .values(title="[bold]vis\x1b[2Jit[/] [@click=app.quit]z")
        )
    assert (fleet.id, late.id, bobs.id, hostile.id) == (FLEET, LATE, BOBS, HOSTILE)
    return empty_board


def step_line(col: StageColumn, index: int) -> str:
    """The next-step line of the card at ``index``, without the card's margins."""
    return card_text(col, index)[STEP_LINE][:-1].strip()


def step_segments(col: StageColumn, index: int) -> list[Segment]:
    """The drawn segments of the next-step line of the card at ``index``."""
    return list(col.render_line((index - col.top) * CARD_HEIGHT + STEP_LINE))


def segment_with(segments: list[Segment], text: str) -> Segment:
    return next(segment for segment in segments if text in segment.text)


async def open_agenda(pilot: Pilot[None], *keys: str) -> AgendaScreen:
    """Press ``keys`` (``A`` by default) and wait until the agenda has been read."""
    await pilot.press(*(keys or ("A",)))
    screen = pilot.app.screen
    assert isinstance(screen, AgendaScreen)
    await until_read(pilot, screen)
    return screen


async def until_read(pilot: Pilot[None], screen: AgendaScreen) -> None:
    """The agenda is read in a worker thread: wait for its answer to be shown."""
    for _ in range(200):
        await pilot.pause(0.02)
        if screen.loaded:
            return
    raise AssertionError("the agenda was never read")


def agenda_rows(screen: AgendaScreen) -> list[str]:
    """The rows the agenda draws, as plain text (the header left out)."""
    listing = screen.query_one(AgendaList)
    return [listing.render_line(y).text.rstrip() for y in range(1, len(listing.rows) + 1)]


# ------------------------------------------------------------------ the cards


async def test_a_card_shows_its_next_step_kind_and_local_time(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert [step_line(prospect, n) for n in range(5)] == [
            "→ meeting 5 Nov 11:30",  # 10:30 UTC
            "→ ⚠ call 31 Oct 10:00",  # the earliest open activity, overdue
            "no next step",
            "→ follow-up today 12:00",
            "→ visit 7 Nov 10:00",
        ]
        # The lines above are what they were: the close date is still the fifth.
        assert card_text(prospect, 0)[4].strip().startswith("no close date")
        assert card_text(prospect, 0)[0].strip() == "Fleet rollout"


async def test_a_narrow_card_keeps_the_day_and_drops_the_kind(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert cards_in_view(prospect.size.height) == 3  # as many whole cards as before
        assert [step_line(prospect, n) for n in range(3)] == [
            "→ 5 Nov",
            "→ ⚠ 31 Oct",
            "no step",
        ]
        assert all(len(line) <= NARROW[0] for line in screen_lines(app))


async def test_the_next_step_is_written_the_norwegian_way(planned: Board) -> None:
    install("nb")
    app = planned.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert step_line(prospect, 0).endswith("5. nov. 11:30")
        assert step_line(prospect, 3).endswith("i dag 12:00")


async def test_an_overdue_step_is_drawn_in_the_warning_style(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        overdue_style = prospect.get_component_rich_style("card--overdue")
        future = segment_with(step_segments(prospect, 0), "5 Nov").style
        overdue = segment_with(step_segments(prospect, 1), "31 Oct").style
        assert future is not None and overdue is not None
        assert overdue.color == overdue_style.color and overdue.bold
        assert future.color != overdue.color and not future.bold
        kind = segment_with(step_segments(prospect, 0), "meeting").style
        assert (
            kind is not None
            and kind.color == prospect.get_component_rich_style("card--detail").color
        )  # the kind is muted, as the word "close"


async def test_an_open_deal_without_a_next_step_is_marked(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        marked = segment_with(step_segments(prospect, 2), "no next step").style
        assert marked is not None
        assert marked.color == prospect.get_component_rich_style("card--no-step").color
        plain = segment_with(step_segments(prospect, 0), "5 Nov").style
        assert plain is not None and marked.color != plain.color


async def test_next_steps_come_with_the_cards_in_batches(planned: Board) -> None:
    """Drawing a next step costs no query: it comes with the details of the cards shown,
    read for a window of cards at once (as they always were), never deal by deal."""
    work = Substance(planned.pipeline)
    for n in range(40):
        deal = planned.pipeline.create_deal(f"Deal {n}")
        work.add_activity(deal.id, kind="call", title="Call", due=NOW + timedelta(days=n))
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    app = planned.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        event.listen(planned.db.engine, "before_cursor_execute", count)
        try:
            await pilot.press("G", "g", "down", "down", "down", "up", "G")
            await pilot.pause()
            prospect = column(app, Stage.PROSPECT)
            assert step_line(prospect, prospect.cursor).startswith("→ ")
        finally:
            event.remove(planned.db.engine, "before_cursor_execute", count)
    cards = [s for s in statements if "jobs_total" in s]
    steps = [s for s in statements if "FROM activity" in s]
    assert 1 <= len(steps) == len(cards) <= 2, "\n".join(statements)
    assert all("activity.deal_id IN" in s for s in steps)


async def test_another_session_planning_a_step_updates_the_card(planned: Board) -> None:
    app = planned.app()  # live
    other = Database.open(planned.db.url, create=True)
    try:
        bob = Substance(Pipeline(other, actor="bob", clock=planned.clock))
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            prospect = column(app, Stage.PROSPECT)
            assert step_line(prospect, 2) == "no next step"
            seen = bob.pipeline.get_deal(BARE).version
            added = bob.add_activity(
                BARE, kind="visit", title="Site visit", due=NOW + timedelta(days=1),
                expected_version=seen,
            )  # fmt: skip
            await wait_until(pilot, lambda: step_line(prospect, 2) != "no next step")
            assert step_line(prospect, 2) == "→ visit 3 Nov 10:00"
            assert focused_column(app).current_id == FLEET  # the cursor stayed
            bob.set_activity_done(added.part_id, expected_version=added.deal.version)
            await wait_until(pilot, lambda: step_line(prospect, 2) == "no next step")
            assert step_line(prospect, 2) == "no next step"
    finally:
        other.close()


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the board run, without a key pressed, until ``condition`` (or a few seconds)."""
    start = time.monotonic()
    while not condition() and time.monotonic() - start < LIVE_WITHIN_S:
        await pilot.pause(0.05)


# ------------------------------------------------------------------ the agenda


async def test_the_agenda_lists_my_open_activities_overdue_first(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_agenda(pilot)
        rows = agenda_rows(screen)
        assert [row.split()[:4] for row in rows] == [
            ["⚠", "31", "Oct", "10:00"],
            ["5", "Nov", "11:30", "meeting"],
            ["7", "Nov", "10:00", "visit"],
            ["12", "Nov", "10:00", "task"],
        ]
        assert "Call back" in rows[0] and "Late renewal · Bolt" in rows[0]
        assert "Kick-off with IT" in rows[1] and "Fleet rollout · Nordic Freight" in rows[1]
        assert not any("Send the offer" in row for row in rows)  # bob's
        text = screen_text(app)
        assert "My agenda: 4 open activities, 1 overdue" in text
        # The overdue row's due time is in the warning style; a future one's is not.
        listing = screen.query_one(AgendaList)
        warned = listing.get_component_rich_style("agenda-list--overdue", partial=True)
        overdue = segment_with(list(listing.render_line(1)), "31 Oct").style
        future = segment_with(list(listing.render_line(2)), "5 Nov").style
        assert overdue is not None and future is not None
        assert overdue.color == warned.color and overdue.bold
        assert future.color != warned.color


async def test_enter_goes_to_the_deal_even_past_a_filter(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash", *"late", "enter")  # Fleet rollout is filtered out
        assert not column(app, Stage.PROSPECT).contains(FLEET)
        await open_agenda(pilot)
        await pilot.press("j", "enter")  # the meeting, on Fleet rollout
        await pilot.pause()
        assert app.screen is app.board
        col = focused_column(app)
        assert (col.stage, col.current_id) == (Stage.PROSPECT, FLEET)
        assert app.board.board_filter.text == ""
        await open_agenda(pilot)
        await pilot.press("enter")  # the overdue call
        await pilot.pause()
        assert focused_column(app).current_id == LATE


async def test_escape_closes_the_agenda_where_the_board_was(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("down", "down")
        await open_agenda(pilot)
        assert "My agenda" in screen_text(app)
        await pilot.press("j", "escape")
        assert app.screen is app.board
        assert focused_column(app).current_id == BARE


async def test_m_shows_everyones_activities_with_whose_they_are(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_agenda(pilot)
        await pilot.press("m")
        await until_read(pilot, screen)
        rows = agenda_rows(screen)
        assert len(rows) == 5
        assert "Send the offer" in rows[1] and rows[1].endswith("bob")
        assert rows[1].split()[:3] == ["today", "12:00", "follow-up"]
        assert rows[0].endswith(ME)
        assert "Everyone's agenda: 5 open activities, 1 overdue" in screen_text(app)
        await pilot.press("m")
        await until_read(pilot, screen)
        assert len(agenda_rows(screen)) == 4
        await pilot.press("m")
        await until_read(pilot, screen)
        await pilot.press("down", "enter")  # bob's follow-up: his deal
        await pilot.pause()
        assert focused_column(app).current_id == BOBS


async def test_an_activity_of_a_deal_that_left_the_board_opens_won_and_lost(
    planned: Board,
) -> None:
    planned.pipeline.mark_lost(LATE, "Went elsewhere")
    app = planned.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await open_agenda(pilot)
        await pilot.press("enter")  # the overdue call, on the lost deal
        await pilot.pause()
        ended = app.screen
        assert isinstance(ended, EndedScreen)
        current = ended.current()
        assert current is not None and current.id == LATE


async def test_the_palette_opens_the_agenda(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("ctrl+p", *"agenda")
        await wait_for_palette_hits(pilot, "Agenda")
        assert isinstance(app.screen, CommandPalette)
        screen = await open_agenda(pilot, "enter")
        assert len(agenda_rows(screen)) == 4


async def test_hostile_text_is_drawn_literally_in_the_agenda(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=(200, 30)) as pilot:
        screen = await open_agenda(pilot)
        [row] = [row for row in agenda_rows(screen) if "Nov" in row and "visit" in row]
        assert HOSTILE_STEP in row
        assert f"{HOSTILE_TITLE} · [b]Evil[/]" in row
        for line in screen_lines(app):
            assert not any(ord(ch) < 32 for ch in line), repr(line)
        await pilot.click(AgendaList, offset=(60, 3))  # on the row's "[@click=app.quit]"
        await pilot.pause()
        assert app.is_running
        await pilot.press("enter")
        await pilot.pause()
        assert focused_column(app).current_id == HOSTILE
        assert step_line(column(app, Stage.PROSPECT), 4) == "→ visit 7 Nov 10:00"


async def test_an_empty_agenda_says_so(empty_board: Board) -> None:
    empty_board.pipeline.create_deal("Nothing yet")
    app = empty_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await open_agenda(pilot)
        text = screen_text(app)
        assert "My agenda: 0 open activities" in text
        assert "You have no open activities. Press m to see everyone's." in text
        await pilot.press("enter")  # nothing to go to: the agenda stays
        assert isinstance(app.screen, AgendaScreen)


async def test_q_quits_from_the_agenda_and_the_help_lists_it(planned: Board) -> None:
    app = planned.app(live=False)
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("question_mark")
        assert "my agenda / go to the deal / everyone's" in screen_text(app)
        await pilot.press("escape")
        await open_agenda(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running
