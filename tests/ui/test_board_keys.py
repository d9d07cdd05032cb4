"""Every key of the board, driven through the real app with a pilot.

Effects are checked where they matter: the database (through the service), which column
holds which deal, where the keyboard focus is, and what the headers say.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input

from salesboard.service.board import BoardFilter
from salesboard.service.presence import Colleague
from salesboard.store import Database
from salesboard.ui.app import SalesboardApp
from salesboard.ui.column import CARD_HEIGHT, StageColumn, cards_in_view
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.forms import DealForm
from salesboard.ui.header import StatusLine, shorten_path
from salesboard.ui.help_screen import HelpScreen
from salesboard.ui.pane import JobList
from salesboard.ui.pane_notes import NotesSection
from salesboard.workflow import Stage
from tests.conftest import FrozenClock
from tests.evidence import give_evidence
from tests.ui.helpers import (
    ME,
    NARROW,
    NOW,
    WIDE,
    Board,
    card_text,
    column,
    copy_db,
    focused_column,
    header_figures,
    header_text,
    notifications,
    screen_text,
    static_text,
    status_text,
    wait_for_palette_hits,
    widget_lines,
)

FIRST, SECOND, THIRD = Stage.PROSPECT, Stage.QUALIFIED, Stage.DISCOVERY


# ------------------------------------------------------------------ start


async def test_board_starts_on_first_card_with_status_and_headers(demo_board: Board) -> None:
    ids = demo_board.queries.all_column_ids()
    totals = demo_board.queries.totals()
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        col = focused_column(app)
        assert col.stage is FIRST
        assert col.current_id == ids[FIRST][0]
        for stage in Stage:
            assert column(app, stage).ids == ids[stage]
            assert header_figures(app, stage) == (totals[stage].count, totals[stage].value_minor)
            assert header_text(app, stage).startswith(stage.label)
        status = static_text(app.board.query_one("#status"))
        assert "demo.db" in status
        assert f"user {ME}" in status
        assert not app.board.query_one("#empty-hint").display


async def test_empty_board_says_what_to_do(empty_board: Board) -> None:
    app = empty_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        hint = app.board.query_one("#empty-hint")
        assert hint.display
        assert "Press n to add a deal" in static_text(hint)
        # The demo is pointed at as a board of its own, never as data for this one.
        assert "salesboard --demo" in static_text(hint)
        assert "salesboard demo" not in static_text(hint)
        # Keys that need a card do nothing rather than fail.
        await pilot.press("enter", "greater_than_sign", "less_than_sign", "e", "x", "down")
        assert app.screen is app.board
        assert app.is_running


# ------------------------------------------------------------- navigation


async def test_left_right_and_h_l_move_focus_between_columns(demo_board: Board) -> None:
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("right", "l")
        assert focused_column(app).stage is THIRD
        await pilot.press("left")
        assert focused_column(app).stage is SECOND
        await pilot.press("h", "left")  # the second one has nowhere to go
        assert focused_column(app).stage is FIRST
        await pilot.press("end", *["l"] * 6)
        assert focused_column(app).stage is Stage.CLOSED
        # Entering a shorter column puts the cursor on its last card, not past it.
        assert focused_column(app).current_id == focused_column(app).ids[-1]


async def test_up_down_and_j_k_move_between_cards(demo_board: Board) -> None:
    ids = demo_board.queries.column_ids(FIRST)
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("down", "j", "j")
        assert focused_column(app).current_id == ids[3]
        await pilot.press("up")
        assert focused_column(app).current_id == ids[2]
        await pilot.press("k")
        assert focused_column(app).current_id == ids[1]
        await pilot.press("k", "up")
        assert focused_column(app).current_id == ids[0]


async def test_moving_down_scrolls_the_focused_card_into_view(demo_board: Board) -> None:
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press(*["down"] * 6)
        col = focused_column(app)
        assert col.cursor == 6
        assert col.top > 0
        title = demo_board.pipeline.get_deal(col.ids[6]).summary.title
        assert card_text(col, 6)[0].strip().rstrip("…") in title


async def test_home_end_and_g_G_jump_to_first_and_last_card(demo_board: Board) -> None:
    ids = demo_board.queries.column_ids(FIRST)
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        col = focused_column(app)
        for last, first in (("end", "home"), ("G", "g")):
            await pilot.press(last)
            assert col.current_id == ids[-1]
            card_text(col, len(ids) - 1)  # the last card is on screen
            await pilot.press(first)
            assert col.current_id == ids[0]
            assert col.top == 0


def scroll_thumb_rows(col: StageColumn) -> list[int]:
    """The rows where a column's own scroll bar draws its thumb (its last cell)."""
    height = col.size.height
    return [y for y in range(height) if col.render_line(y).text.endswith("▐")]


async def test_a_long_column_shows_where_the_view_is(demo_board: Board) -> None:
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        col = focused_column(app)
        height = col.size.height
        assert len(col.ids) * CARD_HEIGHT > height, "the test needs a column longer than the screen"
        top = scroll_thumb_rows(col)
        assert top and top[0] == 0
        await pilot.press("G")
        bottom = scroll_thumb_rows(col)
        assert bottom and bottom[-1] == height - 1
        await pilot.press("g")
        assert scroll_thumb_rows(col) == top


async def test_a_column_that_fits_has_no_scroll_thumb(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        for stage in Stage:
            col = column(app, stage)
            assert len(col.ids) * CARD_HEIGHT <= col.size.height
            assert scroll_thumb_rows(col) == []


async def test_page_down_and_up_move_by_a_screenful(demo_board: Board) -> None:
    ids = demo_board.queries.column_ids(FIRST)
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        col = focused_column(app)
        page = cards_in_view(col.size.height)
        assert page >= 3
        await pilot.press("pagedown")
        assert col.current_id == ids[page]
        await pilot.press("pagedown")
        assert col.current_id == ids[2 * page]
        await pilot.press("pageup")
        assert col.current_id == ids[page]
        await pilot.press("pageup", "pageup")
        assert col.current_id == ids[0]


# ------------------------------------------------------------------ pane


async def test_enter_opens_the_pane_beside_the_board_when_wide(demo_board: Board) -> None:
    app = demo_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("down")
        deal_id = focused_column(app).current_id
        assert not app.board.pane.display
        await pilot.press("enter")
        assert app.screen is app.board
        assert app.board.pane.display
        assert app.board.pane.deal is not None and app.board.pane.deal.id == deal_id
        assert isinstance(app.focused, JobList)
        # Seen by a newcomer: with the keys in the pane, no card was lit at all. The card
        # beside the pane stays lit: the pane's keys act on it.
        assert [(c.current_id, c.lit) for c in app.board.columns if c.lit] == [(deal_id, True)]
        title = demo_board.pipeline.get_deal(deal_id).summary.title
        assert static_text(app.board.query_one("#pane-fields")).startswith(title)
        # The board stays visible: the pane sits to the right of the columns.
        assert app.board.pane.region.x >= column(app, Stage.CLOSED).region.right
        # Moving between cards while the pane is open follows the new card.
        await pilot.press("right")
        assert focused_column(app).stage is SECOND
        await pilot.press("down")
        following = focused_column(app).current_id
        assert app.board.pane.deal.id == following != deal_id
        await pilot.press("escape")
        assert not app.board.pane.display
        assert focused_column(app).current_id == following


async def test_enter_opens_a_modal_pane_when_narrow(demo_board: Board) -> None:
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("right", "down")
        deal_id = focused_column(app).current_id
        await pilot.press("enter")
        assert isinstance(app.screen, DealScreen)
        assert app.screen.pane.deal is not None and app.screen.pane.deal.id == deal_id
        assert isinstance(app.focused, JobList)
        await pilot.press("escape")
        assert app.screen is app.board
        col = focused_column(app)
        assert (col.stage, col.current_id) == (SECOND, deal_id)


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["wide", "narrow"])
async def test_space_ticks_and_unticks_the_focused_job(
    small_board: Board, size: tuple[int, int]
) -> None:
    give_evidence(small_board.db, 1)  # Alpha's job 2 needs a meeting
    app = small_board.app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter", "down")  # Alpha, job 2 (job 1 is done already)
        await pilot.press("space")
        job = small_board.pipeline.get_deal(1).jobs()[1]
        assert job.done and job.done_by == ME and job.done_at == small_board.clock.now
        pane = app.board.pane if size == WIDE else app.screen.pane
        assert pane.highlighted_job == 2
        assert "2/3 jobs done" in static_text(pane.query_one("#pane-stage-title"))
        assert column(app, FIRST).cached_card(1).jobs_done == 2  # the card's progress updates
        await pilot.press("space")
        assert not small_board.pipeline.get_deal(1).jobs()[1].done
        assert "1/3 jobs done" in static_text(pane.query_one("#pane-stage-title"))
        await pilot.press("up", "enter")  # Enter changes nothing in the job list
        assert small_board.pipeline.get_deal(1).jobs()[0].done
        await pilot.press("space")  # alice unticks her own tick without being asked
        assert not small_board.pipeline.get_deal(1).jobs()[0].done


# ------------------------------------------------------------- the gate


async def test_advance_moves_the_card_and_keeps_focus_on_it(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("down")  # Bravo, 3/3
        assert focused_column(app).current_id == 2
        await pilot.press("greater_than_sign")
        assert small_board.pipeline.get_deal(2).stage is SECOND
        assert 2 not in column(app, FIRST).ids
        assert column(app, SECOND).ids == [2, 3]
        col = focused_column(app)
        assert (col.stage, col.current_id) == (SECOND, 2)
        assert header_figures(app, FIRST) == (1, 100_000)
        assert header_figures(app, SECOND) == (2, 650_000)
        assert header_text(app, FIRST).endswith("1 · 1.0k")  # compact: a narrow header
        assert header_text(app, SECOND).endswith("2 · 6.5k")
        assert "✓ Advanced to Qualified" in status_text(app)
        assert not notifications(app), "a routine move confirms in the status line, no toast"


async def test_a_confirmation_leaves_the_status_line_after_a_while(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        status = app.board.query_one(StatusLine)
        status.tell("Advanced to Qualified", seconds=1.0)
        await pilot.pause()
        assert status.message == "Advanced to Qualified"
        assert "✓ Advanced to Qualified" in status_text(app)
        assert "alice" in status_text(app), "the facts stay on the line"
        for _ in range(40):  # gone after its second (a loaded machine may take longer)
            await pilot.pause(0.1)
            if not status.message:
                break
        assert status.message == ""
        assert "✓" not in status_text(app) and "alice" in status_text(app)


@pytest.mark.parametrize(
    ("size", "key"),
    [(WIDE, "greater_than_sign"), (NARROW, "shift+right")],
    ids=["wide", "narrow"],
)
async def test_refused_advance_names_every_unfinished_job_and_opens_the_pane(
    small_board: Board, size: tuple[int, int], key: str
) -> None:
    app = small_board.app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(key)  # Alpha: job 1 done, jobs 2 and 3 not
        assert small_board.pipeline.get_deal(1).stage is FIRST
        assert column(app, FIRST).ids == [1, 2]
        assert column(app, SECOND).ids == [3]
        assert header_figures(app, FIRST) == (2, 350_000)
        assert header_figures(app, SECOND) == (1, 400_000)
        [(severity, title, message)] = notifications(app)
        assert (severity, title) == ("warning", "Move refused")
        prospect = small_board.pipeline.get_deal(1).jobs()
        assert prospect[1].text in message and prospect[2].text in message
        assert prospect[0].text not in message
        if size == WIDE:
            assert app.screen is app.board and app.board.pane.display
            pane = app.board.pane
        else:
            assert isinstance(app.screen, DealScreen)
            pane = app.screen.pane
        assert pane.deal is not None and pane.deal.id == 1
        assert pane.highlighted_job == 2  # the first unfinished job
        assert isinstance(app.focused, JobList)


async def test_refused_advance_from_the_modal_does_not_stack_modals(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "greater_than_sign")
        assert [type(s) for s in app.screen_stack].count(DealScreen) == 1
        assert app.screen.pane.highlighted_job == 2
        await pilot.press("escape")
        assert app.screen is app.board
        assert focused_column(app).current_id == 1


async def test_refusal_is_shown_as_a_toast(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("greater_than_sign")
        await pilot.pause()
        toasts = [
            " ".join(line.strip() for line in widget_lines(toast))
            for toast in app.screen.query("Toast")
        ]
        assert len(toasts) == 1
        assert "Move refused" in toasts[0]
        assert "agenda" not in toasts[0]  # only Prospect's jobs are named
        assert small_board.pipeline.get_deal(1).jobs()[2].text[:20] in toasts[0]


async def test_ticking_the_last_jobs_in_the_pane_then_advancing(small_board: Board) -> None:
    give_evidence(small_board.db, 1)  # Alpha's jobs 2 and 3 need meetings
    app = small_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("enter", "down", "space", "down", "space")
        assert small_board.pipeline.get_deal(1).summary.jobs_done == 3
        await pilot.press("greater_than_sign")
        assert small_board.pipeline.get_deal(1).stage is SECOND
        assert app.board.pane.deal is not None and app.board.pane.deal.stage is SECOND
        assert isinstance(app.focused, JobList)  # advancing from the pane stays in the pane
        assert column(app, SECOND).current_id == 1
        assert header_figures(app, SECOND) == (2, 500_000)
        await pilot.press("escape")
        assert (focused_column(app).stage, focused_column(app).current_id) == (SECOND, 1)


async def test_advance_from_the_modal_pane(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("down", "enter", "greater_than_sign")
        assert small_board.pipeline.get_deal(2).stage is SECOND
        assert isinstance(app.screen, DealScreen)
        assert app.screen.pane.deal is not None and app.screen.pane.deal.stage is SECOND
        await pilot.press("less_than_sign")
        assert small_board.pipeline.get_deal(2).stage is FIRST
        await pilot.press("escape")
        assert (focused_column(app).stage, focused_column(app).current_id) == (FIRST, 2)


async def test_advance_then_back_at_once_is_not_a_conflict(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("down", "shift+right", "shift+left")
        assert small_board.pipeline.get_deal(2).stage is FIRST
        assert notifications(app) == [], "no conflict, no refusal"
        assert "✓ Moved back to Prospect" in status_text(app)
        col = focused_column(app)
        assert (col.stage, col.current_id) == (FIRST, 2)
        assert header_figures(app, FIRST) == (2, 350_000)


async def test_back_moves_left_and_keeps_the_checklist(small_board: Board) -> None:
    before = small_board.pipeline.get_deal(3)
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("right")
        assert focused_column(app).current_id == 3
        await pilot.press("less_than_sign")
        after = small_board.pipeline.get_deal(3)
        assert after.stage is FIRST
        assert [j.done for j in after.checklist] == [j.done for j in before.checklist]
        col = focused_column(app)
        assert (col.stage, col.current_id) == (FIRST, 3)
        assert column(app, SECOND).ids == []
        assert header_figures(app, FIRST) == (3, 750_000)
        assert header_figures(app, SECOND) == (0, 0)


async def test_back_from_the_first_stage_is_refused(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("less_than_sign")
        assert small_board.pipeline.get_deal(1).stage is FIRST
        [(severity, _title, message)] = notifications(app)
        assert severity == "warning" and "first stage" in message
        assert focused_column(app).current_id == 1


async def test_a_stale_card_is_refused_and_reloaded(small_board: Board) -> None:
    app = small_board.app(live=False)  # the change lands before a live board would see it
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        # Someone else renames Bravo after this board drew it.
        small_board.pipeline.edit_deal(2, title="Bravo pilot (changed)")
        await pilot.press("down", "greater_than_sign")
        assert small_board.pipeline.get_deal(2).stage is FIRST
        [(severity, title, _message)] = notifications(app)
        assert (severity, title) == ("error", "Changed by someone else")
        assert column(app, FIRST).cached_card(2).title == "Bravo pilot (changed)"
        await pilot.press("greater_than_sign")  # now with the fresh version
        assert small_board.pipeline.get_deal(2).stage is SECOND


# ---------------------------------------------------------- filter, mine


async def test_slash_filters_by_text_and_escape_clears(demo_board: Board) -> None:
    everything = demo_board.queries.all_column_ids()
    narrowed = demo_board.queries.all_column_ids(BoardFilter(text="pos"))
    assert 0 < sum(map(len, narrowed.values())) < sum(map(len, everything.values()))
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("slash")
        box = app.board.query_one("#filter", Input)
        assert box.display and box.has_focus
        await pilot.press(*"pos")
        for stage in Stage:
            assert column(app, stage).ids == narrowed[stage]
        assert header_figures(app, FIRST)[0] == len(narrowed[FIRST])
        assert "filter pos" in static_text(app.board.query_one("#status"))
        await pilot.press("escape")
        assert box.value == "" and not box.display
        for stage in Stage:
            assert column(app, stage).ids == everything[stage]
        assert focused_column(app).stage is FIRST


async def test_a_filter_longer_than_the_box_scrolls_to_what_is_typed(demo_board: Board) -> None:
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("slash", *"abcdefghij" * 9, "X", "Y", "Z")
        box = app.board.query_one("#filter", Input)
        assert box.value.endswith("XYZ") and len(box.value) == 93
        assert box.scroll_x > 0
        assert "ijXYZ" in widget_lines(box)[1], "the end of the text and the cursor show"


async def test_filter_matches_company_and_owner_case_insensitively(demo_board: Board) -> None:
    by_owner = demo_board.queries.all_column_ids(BoardFilter(text="bob"))
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("slash", *"BOB")
        for stage in Stage:
            assert column(app, stage).ids == by_owner[stage]
            for deal_id in column(app, stage).ids:
                card = demo_board.pipeline.get_deal(deal_id).summary
                assert "bob" in f"{card.title} {card.company} {card.owner}".lower()


async def test_enter_keeps_the_filter_and_returns_to_the_board(demo_board: Board) -> None:
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("slash", *"pos", "enter")
        col = focused_column(app)
        narrowed = demo_board.queries.all_column_ids(BoardFilter(text="pos"))
        assert col.ids == next(ids for ids in narrowed.values() if ids)
        # Board keys work again and the filter stays until Esc on the board.
        await pilot.press("down")
        assert col.cursor == min(1, len(col.ids) - 1)
        await pilot.press("escape")
        assert sum(len(column(app, s).ids) for s in Stage) == sum(
            len(ids) for ids in demo_board.queries.all_column_ids().values()
        )


async def test_typing_board_keys_into_the_filter_only_filters(demo_board: Board) -> None:
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("slash", *"qxnm?")
        assert app.is_running
        assert app.screen is app.board
        assert app.board.query_one("#filter", Input).value == "qxnm?"
        assert app.board.board_filter.owner is None
        hint = app.board.query_one("#empty-hint")
        assert hint.display and "No open deal matches" in static_text(hint)
        await pilot.press("escape")
        assert not hint.display


async def test_the_empty_hint_names_the_way_back_that_applies(empty_board: Board) -> None:
    """Seen by a newcomer: with only 'my deals' and no filter, the hint said to press Esc
    to clear the filter, which did nothing."""
    empty_board.pipeline.create_deal("Bob's", company="C", owner="bob")
    app = empty_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("m")
        hint = app.board.query_one("#empty-hint")
        assert hint.display
        assert "Press m to show everyone's deals." in static_text(hint)
        assert "Esc" not in static_text(hint)
        await pilot.press("slash", "x")
        assert "Esc to clear the filter" in static_text(hint)
        assert "Press m" in static_text(hint)


async def test_m_toggles_only_my_deals(demo_board: Board) -> None:
    mine = demo_board.queries.all_column_ids(BoardFilter(owner=ME))
    everything = demo_board.queries.all_column_ids()
    assert 0 < sum(map(len, mine.values())) < sum(map(len, everything.values()))
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("m")
        for stage in Stage:
            assert column(app, stage).ids == mine[stage]
            assert header_figures(app, stage)[0] == len(mine[stage])
        assert "only my deals" in static_text(app.board.query_one("#status"))
        await pilot.press("m")
        for stage in Stage:
            assert column(app, stage).ids == everything[stage]
        assert "only my deals" not in static_text(app.board.query_one("#status"))


# ------------------------------------------------------ help, palette, quit


async def test_question_mark_and_f1_show_every_key(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            assert isinstance(app.screen, HelpScreen)
            shown = screen_text(app)
            for words in ("shift+→", "Home End", "PgUp PgDn", "only my deals"):
                assert words in shown
            await pilot.press("end")  # the rest of the help, scrolled to at 24 rows
            shown = screen_text(app)
            for words in ("sort: value", "ctrl+p", "quit", "Esc closes this help"):
                assert words in shown
            await pilot.press("escape")
            assert app.screen is app.board
            assert focused_column(app).current_id == 1


async def test_palette_jumps_to_a_deal_by_name(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("slash", *"alpha", "enter")  # Charlie is filtered out
        assert column(app, SECOND).ids == []
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"charlie")
        await wait_for_palette_hits(pilot, "Jump to Charlie renewal")
        await pilot.press("enter")
        assert app.screen is app.board
        col = focused_column(app)
        assert (col.stage, col.current_id) == (SECOND, 3)
        assert app.board.board_filter == BoardFilter()


async def test_palette_offers_every_action_and_runs_them(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("down", "ctrl+p")
        await wait_for_palette_hits(pilot)
        hits = app.screen.query_one(CommandList)
        offered = {
            hits.get_option_at_index(i).prompt.plain.split("\n")[0]  # type: ignore[union-attr]
            for i in range(hits.option_count)
        }
        assert {
            "New deal", "Edit deal", "Open checklist", "Advance deal", "Move deal back",
            "Mark deal lost", "Filter", "Only my deals", "Help",
        } <= offered  # fmt: skip
        await pilot.press(*"advance deal")
        await wait_for_palette_hits(pilot, "Advance deal")
        await pilot.press("enter")
        assert small_board.pipeline.get_deal(2).stage is SECOND
        assert (focused_column(app).stage, focused_column(app).current_id) == (SECOND, 2)
        await pilot.press("ctrl+p", *"new deal")
        await wait_for_palette_hits(pilot, "New deal")
        await pilot.press("enter")
        assert isinstance(app.screen, DealForm)


async def test_q_quits(demo_board: Board) -> None:
    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_the_focused_card_is_highlighted_on_every_line(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        col = focused_column(app)
        card_width = col.size.width - 1  # the last cell: scroll bar
        cursor_rows = [col.render_line(y).crop(0, card_width) for y in range(CARD_HEIGHT - 1)]
        next_card = range(CARD_HEIGHT - 1, CARD_HEIGHT + 3)  # the blank row, the next card
        other_rows = [col.render_line(y).crop(0, card_width) for y in next_card]
        cursor_bg = {seg.style.bgcolor for row in cursor_rows for seg in row if seg.style}
        other_bg = {seg.style.bgcolor for row in other_rows for seg in row if seg.style}
        assert len(cursor_bg) == 1, "every cell of the focused card has the cursor background"
        assert cursor_bg.isdisjoint(other_bg)
        # Another column's cursor is drawn dimmer than the focused one.
        await pilot.press("right")
        first_row = column(app, FIRST).render_line(0).crop(0, card_width)
        blurred = {seg.style.bgcolor for seg in first_row if seg.style}
        assert len(blurred) == 1 and blurred != cursor_bg


# ------------------------------------------------------ what the status line shows


async def mine_and_filtered_with_bob_online(pilot: Pilot[None], filter_text: str) -> str:
    """The status line once bob is online, 'only my deals' is on and a filter typed."""
    app = pilot.app
    assert isinstance(app, SalesboardApp)
    app.board.show_presence([Colleague("s1", "bob", None)])
    await pilot.press("m", "slash", *filter_text, "enter")
    await pilot.pause()
    [drawn] = widget_lines(app.board.query_one("#status"))
    return drawn


async def test_the_status_line_shows_modes_first_at_80_columns(
    tmp_path: Path, demo_template: Path
) -> None:
    deep = tmp_path / "a-rather-long-directory-name" / "and-another-one-below-it"
    deep.mkdir(parents=True)
    db = Database.open(str(copy_db(demo_template, deep)))
    board = Board(db, FrozenClock(NOW))
    app = board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        drawn = await mine_and_filtered_with_bob_online(pilot, "ab")
        assert cell_len(drawn) <= NARROW[0]
        for shown in ("only my deals", "filter ab", "2 online", f"user {ME}", "demo.db"):
            assert shown in drawn, drawn
        assert "…" in drawn  # the path gave way, in its middle
        assert drawn.index("only my deals") < drawn.index("demo.db")
    db.close()


async def test_a_long_filter_and_read_only_leave_room_for_who_is_online(
    small_board: Board,
) -> None:
    """Seen by a newcomer at 80 columns: a long filter pushed "N online" off the line, and
    a read-only board counted itself online though nobody else counts it."""

    app = small_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        drawn = await mine_and_filtered_with_bob_online(pilot, "a very long filter text to go")
        assert "filter a very long fil…" in drawn and "2 online (bob)" in drawn, drawn
        app.board.read_only = True
        app.board.show_presence([Colleague("s1", "bob", None)])
        await pilot.pause()
        [drawn] = widget_lines(app.board.query_one("#status"))
        assert "READ-ONLY" in drawn and "1 online (bob)" in drawn, drawn


def test_a_path_is_shortened_in_its_middle_and_home_is_a_tilde() -> None:
    home = str(Path.home())
    assert shorten_path(f"{home}/.local/share/salesboard/board.db", 60) == (
        "~/.local/share/salesboard/board.db"
    )
    short = shorten_path("/srv/teams/sales-norway/2026/pipeline/board.db", 20)
    assert cell_len(short) == 20 and short.endswith("board.db") and short.startswith("/srv")
    assert "…" in short


async def test_the_pane_shows_every_line_of_the_notes(empty_board: Board) -> None:
    notes = "\n".join(f"line {n}: {'word ' * 12}".strip() for n in range(1, 9))
    empty_board.pipeline.create_deal("Long notes", company="N", owner=ME, notes=notes)
    app = empty_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("enter")
        # The notes have their own section, the pane's last: every line of them is there.
        shown = app.board.pane.query_one(NotesSection).shown_text
        for n in range(1, 9):
            assert f"line {n}: word" in shown
        assert shown.count("word") == 8 * 12  # nothing cut; the pane wraps and scrolls
        assert "line 1" not in static_text(app.board.query_one("#pane-fields"))
        assert app.board.pane.query_one(NotesSection).size.height >= 8 + 1  # heading, lines


async def test_the_mouse_wheel_scrolls_by_whole_cards_and_the_cursor_follows(
    demo_board: Board,
) -> None:
    from textual import events

    app = demo_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        col = focused_column(app)
        for _ in range(3):
            col.post_message(events.MouseScrollDown(col, 1, 1, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert col.top == 3 and col.cursor == 3  # the lit card stays in sight
        col.post_message(events.MouseScrollUp(col, 1, 1, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert col.top == 2 and col.cursor == 3
