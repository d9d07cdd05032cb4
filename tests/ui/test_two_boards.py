"""Two boards on one database: live changes, stale edits, presence and history."""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from salesboard.store import Database
from salesboard.ui import live
from salesboard.ui.app import SalesboardApp
from salesboard.ui.forms import DealForm
from salesboard.ui.history_screen import HistoryScreen
from salesboard.ui.launch import make_app
from salesboard.workflow import Stage
from tests.ui.helpers import (
    ME,
    WIDE,
    Board,
    column,
    focused_column,
    header_figures,
    header_text,
    notifications,
    screen_text,
    static_text,
)
from tests.ui.scenario import ALPHA, BRAVO

FIRST, SECOND = Stage.PROSPECT, Stage.QUALIFIED
COLLEAGUE = "bob"
LIVE_WITHIN_S = 3.0
"""A change must show within this, by the change signal, not by the 15 s presence look.
The product's "within a second" (one look a second) is measured by benchmarks/server.py;
here the other test worker may starve this one of the CPU for a second (CI saw 2.4 s once
with a 2.0 s bound), and a missed signal would not show at all."""


@pytest.fixture
def colleague_app(small_board: Board) -> Iterator[SalesboardApp]:
    """A second board on the same file, opened separately, run by another login."""
    db = Database.open(small_board.db.url, create=True)
    yield make_app(db, clock=small_board.clock, actor=COLLEAGUE)
    db.close()


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool]) -> float:
    """Let the app run, without pressing anything, until ``condition``; seconds it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > LIVE_WITHIN_S + 3:
            break
        await pilot.pause(0.05)
    return time.monotonic() - start


async def test_a_move_on_one_board_shows_on_the_other_without_a_key(
    small_board: Board, colleague_app: SalesboardApp
) -> None:
    mine = small_board.app()
    async with mine.run_test(size=WIDE) as me, colleague_app.run_test(size=WIDE) as them:
        await them.press("down")  # bob looks at Bravo; his cursor must stay on it
        assert focused_column(colleague_app).current_id == BRAVO
        await me.press("down", "greater_than_sign")
        assert small_board.pipeline.get_deal(BRAVO).stage is SECOND

        took = await wait_until(them, lambda: column(colleague_app, SECOND).contains(BRAVO))
        assert took <= LIVE_WITHIN_S
        assert not column(colleague_app, FIRST).contains(BRAVO)
        assert header_figures(colleague_app, FIRST) == (1, 100_000)
        assert header_figures(colleague_app, SECOND) == (2, 650_000)
        # Bob's focus stayed in his column, on the card now under his cursor.
        col = focused_column(colleague_app)
        assert (col.stage, col.current_id) == (FIRST, ALPHA)
        assert notifications(colleague_app) == []  # someone else's move is not an alert


async def test_a_stale_edit_is_refused_with_who_changed_it(
    small_board: Board, colleague_app: SalesboardApp
) -> None:
    mine = small_board.app()
    async with mine.run_test(size=WIDE) as me, colleague_app.run_test(size=WIDE) as them:
        await them.press("e")  # bob starts editing Alpha...
        assert isinstance(colleague_app.screen, DealForm)

        await me.press("e")  # ...while alice edits and saves it first
        title_box = mine.screen.query_one("#field-title", Input)
        title_box.value = "Alpha rollout (alice)"
        await me.press("ctrl+s")
        assert small_board.pipeline.get_deal(ALPHA).summary.title == "Alpha rollout (alice)"

        bob_title = colleague_app.screen.query_one("#field-title", Input)
        bob_title.value = "Alpha rollout (bob)"
        await them.press("ctrl+s")
        await them.pause()
        deal = small_board.pipeline.get_deal(ALPHA)
        assert deal.summary.title == "Alpha rollout (alice)"  # nothing overwritten
        # Bob's form opens again on alice's version, with what he typed kept and a note.
        again = colleague_app.screen
        assert isinstance(again, DealForm) and again.deal is not None
        assert again.deal.version == deal.version
        assert again.query_one("#field-title", Input).value == "Alpha rollout (bob)"
        note = static_text(again.query_one("#form-note"))
        assert note.startswith(f"{ME} changed title (Alpha rollout → Alpha rollout (alice))")
        # Bob's board shows alice's version behind the form.
        card = column(colleague_app, FIRST).cached_card(ALPHA)
        assert card is not None and card.version == deal.version
        assert card.title == "Alpha rollout (alice)"


async def test_presence_counts_people_and_names_who_has_the_deal_open(
    small_board: Board, colleague_app: SalesboardApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening and closing a checklist is told to colleagues at once, not at the next
    look at the open deal (``TICK_SECONDS``, put out of reach here): seen flaky at 2.57 s
    when that look came every 2 s."""
    monkeypatch.setattr(live, "TICK_SECONDS", 600.0)
    mine = small_board.app()
    async with mine.run_test(size=WIDE) as me:
        status = mine.board.query_one("#status")
        async with colleague_app.run_test(size=WIDE) as them:
            await them.press("enter")  # bob opens Alpha's checklist
            await me.press("enter")  # and so does alice
            viewers = mine.board.query_one("#pane-viewers")

            def bob_is_shown() -> bool:
                return viewers.display and "bob" in static_text(viewers)

            took = await wait_until(me, bob_is_shown)
            assert took <= LIVE_WITHIN_S + 0.5
            assert static_text(viewers) == "Also open by bob"
            assert "2 online (bob)" in static_text(status)
            await them.press("escape")  # bob closes the pane: no longer on Alpha
            await wait_until(me, lambda: not viewers.display)
            assert not viewers.display
        # Bob quit: his session leaves at once rather than expiring.
        await wait_until(me, lambda: "1 online" in static_text(status))
        assert "1 online" in static_text(status)


async def test_heartbeats_do_not_redraw_the_columns(
    small_board: Board, colleague_app: SalesboardApp
) -> None:
    mine = small_board.app()
    async with mine.run_test(size=WIDE) as me:
        redraws: list[int] = []
        board = mine.board
        original = board.apply_remote_changes
        board.apply_remote_changes = lambda changed: (  # type: ignore[method-assign]
            redraws.append(len(changed.deal_ids)),
            original(changed),
        )[1]
        async with colleague_app.run_test(size=WIDE) as them:
            await them.press("enter")  # heartbeats with a deal change, but no deal changes
            status = board.query_one("#status")
            await wait_until(me, lambda: "2 online" in static_text(status))
            assert "2 online" in static_text(status)
        assert redraws == []


async def test_history_lists_every_change_newest_first(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("down", "enter", "H")  # Bravo: created, three jobs ticked
        history = app.screen
        assert isinstance(history, HistoryScreen)
        events = small_board.pipeline.history(BRAVO)
        assert [e.id for e in history.events] == [e.id for e in events]
        assert [e.kind for e in history.events] == [
            "job_ticked",
            "job_ticked",
            "job_ticked",
            "created",
        ]
        text = screen_text(app)
        assert "History of Bravo pilot" in text
        lines = [line for line in text.splitlines() if " UTC " in line]
        assert len(lines) == 4 and all(ME in line for line in lines)
        assert "Prospect job 3" in lines[0] and "created" in lines[-1]
        await pilot.press("escape")
        assert app.screen is app.board


async def test_history_opens_from_the_modal_pane_too(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "H")
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.deal_title == "Alpha rollout"
        await pilot.press("escape", "escape")
        assert app.screen is app.board


async def test_an_imported_pipeline_shows_on_a_running_board(
    small_board: Board, colleague_app: SalesboardApp
) -> None:
    from salesboard import definition_toml
    from salesboard.definition import DEFAULT_JSON, from_json
    from salesboard.service.definitions import PipelineDefinitions

    data = copy.deepcopy(DEFAULT_JSON)
    data["stages"][0]["label"] = {"en": "Lead", "nb": "Emne"}
    data["stages"][0]["jobs"].insert(0, {"key": "budget-known", "text": {"en": "Budget known"}})
    async with colleague_app.run_test(size=WIDE) as them:
        await them.press("enter")  # bob has Alpha's checklist open
        assert "Prospect" in header_text(colleague_app, FIRST)
        definitions = PipelineDefinitions(small_board.db, actor=ME)
        definitions.apply(definitions.plan_import(definition_toml.dumps(from_json(data), 1)))
        took = await wait_until(them, lambda: "Lead" in header_text(colleague_app, FIRST))
        assert took <= LIVE_WITHIN_S
        await them.pause()
        drawn = screen_text(colleague_app)  # what the terminal shows, not what it would
        assert "Lead" in drawn and re.search(r"Prospect\s+▕", drawn) is None  # header repainted
        assert "Budget known" in screen_text(colleague_app)  # the open pane, redrawn
        assert any("pipeline changed (version 2)" in n[2] for n in notifications(colleague_app))
