"""User text is shown literally everywhere: no markup, no actions, no terminal escapes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from sqlalchemy import update
from textual.command import CommandList
from textual.widgets import Input, Static

from salesboard.folding import search_text
from salesboard.store import Database, Deal
from salesboard.ui.column import CARD_HEIGHT
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.forms import DealForm, LostForm
from salesboard.workflow import Stage
from tests.conftest import FrozenClock
from tests.ui.helpers import (
    ME,
    NARROW,
    NOW,
    WIDE,
    Board,
    card_text,
    column,
    focused_column,
    notifications,
    screen_lines,
    screen_text,
    static_text,
    wait_for_palette_hits,
    widget_lines,
)

ESCAPE = "\x1b[2J"
"""Erase the screen: written straight into the database, it must not be drawn at all."""
# (stored title, what must be drawn). Markup-looking text is drawn as typed; the escape
# byte, written by some other tool straight into the database, is dropped when drawn.
HOSTILE = [
    ("[@click=app.quit]x[/]", "[@click=app.quit]x[/]"),
    ("[red]x[/]", "[red]x[/]"),
    ("[/]", "[/]"),
    (f"clear{ESCAPE}ed", "cleared"),
    ("[EMEA]", "[EMEA]"),
]


@pytest.fixture
def hostile_board(tmp_path: Path) -> Iterator[Board]:
    """One deal per hostile title, its company the same text, in Prospect, ids 1 to 5."""
    db = Database.open(str(tmp_path / "hostile.db"), create=True)
    board = Board(db, FrozenClock(NOW))
    for title, _shown in HOSTILE:
        deal = board.pipeline.create_deal("placeholder", company="placeholder", owner=ME)
        # Written behind the service's back, as an older version or another tool might.
        with db.write() as session:
            session.execute(
                update(Deal)
                .where(Deal.id == deal.id)
                .values(title=title, company=title, search_text=search_text(title, title, ME))
            )
    yield board
    db.close()


def _no_control_bytes(lines: list[str]) -> None:
    for line in lines:
        assert not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in line), repr(line)


async def test_cards_and_pane_show_hostile_titles_literally(hostile_board: Board) -> None:
    app = hostile_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        col = column(app, Stage.PROSPECT)
        for index, (_title, shown) in enumerate(HOSTILE):
            title_line, company_line, *_ = card_text(col, index)
            assert title_line.strip() == shown
            assert company_line.strip() == shown
        screen = screen_lines(app)
        _no_control_bytes(screen)
        for _title, shown in HOSTILE:
            assert sum(line.count(shown) for line in screen) >= 2  # title and company
        await pilot.press("enter")
        for deal_id, (_title, shown) in enumerate(HOSTILE, start=1):
            if deal_id > 1:  # the pane follows the cursor; drawing is what is tested here
                app.board.pane.show(hostile_board.pipeline.get_deal(deal_id))
                await pilot.pause()
            fields = app.board.query_one("#pane-fields")
            assert static_text(fields).splitlines()[:2] == [shown, f"Company  {shown}"]
            drawn = widget_lines(fields)
            _no_control_bytes(drawn)
            assert drawn[0].strip() == shown
            assert shown in screen_text(app)
        assert app.is_running
        assert app.screen is app.board
        assert notifications(app) == []


async def test_clicking_a_markup_title_runs_no_action(hostile_board: Board) -> None:
    app = hostile_board.app()
    async with app.run_test(size=WIDE) as pilot:
        col = column(app, Stage.PROSPECT)
        await pilot.click(col, offset=(3, 0))  # on "[@click=app.quit]x[/]"
        await pilot.click(col, offset=(10, 0))
        assert app.is_running
        await pilot.press("enter")
        await pilot.click("#pane-fields", offset=(3, 0))
        await pilot.click("#pane-fields", offset=(10, 1))
        assert app.is_running
        assert app.screen is app.board
        assert hostile_board.pipeline.get_deal(1).stage is Stage.PROSPECT


async def test_modal_pane_shows_hostile_titles_literally(hostile_board: Board) -> None:
    app = hostile_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("down", "enter")
        assert isinstance(app.screen, DealScreen)
        assert static_text(app.screen.query_one("#pane-fields")).startswith("[red]x[/]\n")
        assert "[red]x[/]" in screen_text(app)
        await pilot.press("escape", "down", "down", "enter")
        assert isinstance(app.screen, DealScreen)
        assert static_text(app.screen.query_one("#pane-fields")).startswith("cleared\n")
        _no_control_bytes(screen_lines(app))


async def test_forms_and_notices_keep_hostile_text_literal(hostile_board: Board) -> None:
    app = hostile_board.app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("down", "e")  # "[red]x[/]"
        assert isinstance(app.screen, DealForm)
        assert app.screen.query_one("#field-title", Input).value == "[red]x[/]"
        await pilot.press("escape", "x")
        form = app.screen
        assert isinstance(form, LostForm)
        assert static_text(form.query_one(".form-title")) == "Mark lost: [red]x[/]"
        form.query_one("#reason", Input).insert_text_at_cursor("[b]no[/b] budget")
        await pilot.press("enter")
        await pilot.pause()
        deal = hostile_board.pipeline.get_deal(2).summary
        assert deal.lost_reason == "[b]no[/b] budget"
        status = app.board.query_one("#status", Static)
        assert "✓ Marked lost: [red]x[/]" in static_text(status)
        assert "Marked lost: [red]x[/]" in " ".join(widget_lines(status))
        assert app.is_running


async def test_typed_escape_bytes_are_not_stored(empty_board: Board) -> None:
    app = empty_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        title = app.screen.query_one("#field-title", Input)
        title.insert_text_at_cursor(f"{ESCAPE}[@click=app.quit]boom[/]")
        await pilot.press("ctrl+s")
        [deal] = empty_board.pipeline.list_deals()
        assert deal.title == "[@click=app.quit]boom[/]"  # the whole sequence is gone
        assert card_text(column(app, Stage.PROSPECT), 0)[0].strip().startswith("[@click=a")
        assert app.is_running


async def test_palette_and_filter_take_hostile_text_literally(hostile_board: Board) -> None:
    app = hostile_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("down", "ctrl+p", *"[/")
        await wait_for_palette_hits(pilot, "Jump to [@click=app.quit]x[/]")
        shown = screen_text(app)
        for _title, literal in HOSTILE:
            if "[/" in literal:
                assert f"Jump to {literal} · {literal}" in shown
        await pilot.press("escape", "ctrl+p", *"[E")
        await wait_for_palette_hits(pilot, "Jump to [EMEA]")
        assert "Jump to [EMEA] · [EMEA]" in screen_text(app)
        await pilot.press("enter")
        assert focused_column(app).current_id == 5
        await pilot.press("slash", *"[red]")
        assert column(app, Stage.PROSPECT).ids == [2]
        assert "filter [red]" in static_text(app.board.query_one("#status"))
        await pilot.press("escape")
        assert column(app, Stage.PROSPECT).ids == [1, 2, 3, 4, 5]
        assert app.is_running


ODD_TITLES = [
    "日本語の非常に長い案件名と説明",  # wide characters, cut in the middle of one
    "Café crème — naïve coöperation deal",  # accents, some as combining marks
    "🚀🚀🚀 rocket launch partnership programme",  # emoji (two cells each)
    "zero\u200bwidth\u200bspaces\u200bin\u200ba\u200bvery\u200blong\u200btitle",
]


async def test_odd_unicode_titles_are_cut_to_the_card_width(tmp_path: Path) -> None:
    db = Database.open(str(tmp_path / "odd.db"), create=True)
    board = Board(db, FrozenClock(NOW))
    for title in ODD_TITLES:
        board.pipeline.create_deal(title, company=title, owner=ME)
    app = board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        col = column(app, Stage.PROSPECT)
        width = col.size.width
        for index in range(len(ODD_TITLES)):
            for y in range(index * CARD_HEIGHT, index * CARD_HEIGHT + CARD_HEIGHT - 1):
                row = col.render_line(y)
                assert row.cell_length == width, (index, y, row.text)
                assert cell_len(row.text) == width, (index, y, row.text)
            title_row = col.render_line(index * CARD_HEIGHT).text
            assert title_row[:-1].rstrip().endswith("…"), title_row  # last cell: scroll bar
        assert all(cell_len(line) <= NARROW[0] for line in screen_lines(app))
    db.close()


async def test_a_hostile_title_in_a_conflict_notice_runs_nothing_when_clicked(
    hostile_board: Board,
) -> None:
    from textual.widgets._toast import Toast

    from salesboard.service import Pipeline

    app = hostile_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("enter")  # deal 1 "[@click=app.quit]x[/]" in the checklist
        Pipeline(hostile_board.db, actor="bob", clock=hostile_board.clock).edit_deal(
            1, company="changed"
        )
        await pilot.press("space")  # a tick on a stale view: the conflict notice
        for _ in range(20):
            await pilot.pause(0.05)
            if app.screen.query(Toast):
                break
        [toast] = app.screen.query(Toast)
        shown = toast.render()
        message = str(shown)
        assert "[@click=app.quit]x[/] was changed by bob" in message
        for line, row in enumerate(message.splitlines()):
            column_at = row.find("[@click")
            if column_at >= 0:
                await pilot.click(toast, offset=(column_at + 3, line + 1))  # on the "link"
        await pilot.pause()
        assert app.is_running and app.return_code is None


async def test_a_hostile_stage_name_is_literal_in_the_palette_and_runs_nothing(
    hostile_board: Board,
) -> None:
    import copy

    from salesboard import definition_toml
    from salesboard.definition import DEFAULT_JSON, from_json
    from salesboard.service.definitions import PipelineDefinitions

    data = copy.deepcopy(DEFAULT_JSON)
    data["stages"][0]["label"] = {"en": "[reverse]RV[/] [@click=app.quit]QUIT[/]"}
    definitions = PipelineDefinitions(hostile_board.db, actor="carol")
    definitions.apply(definitions.plan_import(definition_toml.dumps(from_json(data), 1)))
    app = hostile_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+p", *"[E")
        await wait_for_palette_hits(pilot, "Jump to [EMEA]")
        assert "[reverse]RV[/] [@click=app.quit]QUIT[/] · #5" in screen_text(app)
        palette = app.screen
        hits = palette.query_one(CommandList)
        prompt = hits.get_option_at_index(hits.highlighted or 0).prompt
        spans = [str(span.style) for span in getattr(prompt, "spans", [])]
        assert not any("click" in style or "reverse" in style for style in spans)
        await pilot.click(CommandList, offset=(20, 1))  # where "QUIT" is drawn
        assert app.is_running
