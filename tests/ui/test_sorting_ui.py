"""Sorting and owner views on the board (issue 12, point 4), remembered per user.

s picks how every column orders its cards, o whose deals the board shows; both are kept
in the user's settings file (platformdirs; each test has its own, ``private_config``) and
come back on the next start. Cards show the expected close date, a passed one marked.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from salesboard.service import Pipeline
from salesboard.service.rates import RateBook
from salesboard.service.sorting import CardOrder
from salesboard.settings import FILE_NAME, board_key
from salesboard.ui.choice_screen import ChoiceScreen
from salesboard.ui.column import CARD_HEIGHT
from salesboard.workflow import Stage
from tests.evidence import give_evidence
from tests.ui.helpers import (
    ME,
    NARROW,
    WIDE,
    Board,
    card_text,
    column,
    focused_column,
    notifications,
    status_text,
)
from tests.ui.scenario import ALPHA, BRAVO
from tests.ui.test_forms import fill


def settings_file(config: Path) -> dict[str, object]:
    return json.loads((config / "salesboard" / FILE_NAME).read_text(encoding="utf-8"))


def values_of(board: Board, ids: list[int]) -> list[int]:
    pipeline = board.pipeline
    return [pipeline.get_deal(i).summary.value_minor for i in ids]


async def test_s_sorts_every_column_by_value_and_the_next_start_remembers(
    demo_board: Board, private_config: Path
) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        board_order = column(app, Stage.QUALIFIED).ids
        assert board_order == sorted(board_order)
        await pilot.press("j", "j")  # the third card of Prospect lit
        lit = {stage: column(app, stage).current_id for stage in Stage}
        await pilot.press("s")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("j", "enter")  # board order → value (highest first)
        await pilot.pause()
        for stage in Stage:
            ids = column(app, stage).ids
            assert sorted(ids) == sorted(demo_board.queries.column_ids(stage))
            values = values_of(demo_board, ids)
            assert values == sorted(values, reverse=True), stage  # all EUR in the demo
            assert column(app, stage).current_id == lit[stage]  # the lit card stays lit
        assert "by value" in status_text(app)
        assert focused_column(app).stage is Stage.PROSPECT
        assert focused_column(app).current_id == lit[Stage.PROSPECT]
    saved = settings_file(private_config)
    assert saved["boards"] == {
        board_key(demo_board.db.url): {"order": "value", "owner": None, "weighted": False}
    }

    again = demo_board.app(live=False)
    async with again.run_test(size=WIDE):
        values = values_of(demo_board, column(again, Stage.QUALIFIED).ids)
        assert values == sorted(values, reverse=True)
        assert again.board.index.order is CardOrder.VALUE


async def test_a_new_exchange_rate_places_value_sorted_cards_anew(small_board: Board) -> None:
    """A deal in yen has no rate (last); once the team sets one, it takes its place."""
    yen = small_board.pipeline.create_deal("Yen deal", value="500000", currency="JPY")
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        app.board.sort_by(CardOrder.VALUE)
        await pilot.pause()
        assert column(app, Stage.PROSPECT).ids == [BRAVO, ALPHA, yen.id]  # no rate: last
        RateBook(small_board.db, actor=ME).set_rate("JPY", "0.0062")  # 3 100 EUR
        app.board.rates_changed()  # what the live board does when a rate changes
        await pilot.pause()
        assert column(app, Stage.PROSPECT).ids == [yen.id, BRAVO, ALPHA]


async def test_escape_keeps_the_order_and_enter_alone_changes_nothing(
    small_board: Board, private_config: Path
) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("s", "j", "escape")
        assert app.screen is app.board and app.board.index.order is CardOrder.BOARD
        await pilot.press("s", "enter")  # the current order starts highlighted
        assert app.board.index.order is CardOrder.BOARD
        assert focused_column(app).current_id == ALPHA


async def test_a_sorted_column_places_a_changed_card_anew_and_the_cursor_follows_it(
    small_board: Board,
) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        app.board.sort_by(CardOrder.VALUE)
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert prospect.ids == [BRAVO, ALPHA]  # 2 500 before 1 000
        await pilot.press("j", "e")  # edit Alpha
        await fill(pilot, "value", "9000")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert small_board.pipeline.get_deal(ALPHA).summary.value_minor == 900_000
        assert prospect.ids == [ALPHA, BRAVO]
        assert focused_column(app).current_id == ALPHA  # the cursor went with it

        # A colleague's change moves a card under the cursor; the lit card stays lit.
        bob = Pipeline(small_board.db, actor="bob", clock=small_board.clock)
        fresh = bob.edit_deal(BRAVO, value="99000")
        app.board.show_change(fresh, remote=True)
        await pilot.pause()
        assert prospect.ids == [BRAVO, ALPHA]
        assert focused_column(app).current_id == ALPHA


async def test_last_change_order_brings_a_ticked_deal_to_the_top(small_board: Board) -> None:
    give_evidence(small_board.db, ALPHA)  # Alpha's job 2 needs a meeting
    small_board.clock.advance(minutes=1)
    small_board.pipeline.edit_deal(BRAVO, notes="Called back")
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        app.board.sort_by(CardOrder.CHANGED)
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert prospect.ids == [BRAVO, ALPHA]  # Bravo was changed last
        small_board.clock.advance(minutes=1)
        await pilot.press("j", "enter", "down", "space", "escape")  # tick Alpha's job 2
        await pilot.pause()
        assert small_board.pipeline.get_deal(ALPHA).checklist[1].done
        assert prospect.ids == [ALPHA, BRAVO]
        assert focused_column(app).current_id == ALPHA


async def test_o_shows_one_colleagues_deals_and_m_shows_everyones_again(
    small_board: Board, private_config: Path
) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("o")
        screen = app.screen
        assert isinstance(screen, ChoiceScreen)
        labels = [choice.plain for choice in screen.choices]
        assert labels == ["Everyone (3 open deals)", "alice (2) · you", "bob (1)"]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert column(app, Stage.PROSPECT).ids == [BRAVO]
        assert column(app, Stage.QUALIFIED).ids == []
        assert "only bob's deals" in status_text(app)
        assert settings_file(private_config)["boards"] == {
            board_key(small_board.db.url): {"order": "board", "owner": "bob", "weighted": False}
        }
        await pilot.press("m")
        await pilot.pause()
        assert column(app, Stage.PROSPECT).ids == [ALPHA, BRAVO]
        assert "only" not in status_text(app)
        await pilot.press("m")
        assert "only my deals" in status_text(app)
        assert column(app, Stage.PROSPECT).ids == [ALPHA]


async def test_a_remembered_owner_with_no_deals_left_shows_the_way_back(
    small_board: Board, private_config: Path
) -> None:
    where = private_config / "salesboard"
    where.mkdir()
    owner_view = {board_key(small_board.db.url): {"order": "days", "owner": "zoe"}}
    (where / FILE_NAME).write_text(json.dumps({"version": 1, "boards": owner_view}))
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True):
        assert all(column(app, stage).ids == [] for stage in Stage)
        assert "only zoe's deals" in status_text(app) and "by days in stage" in status_text(app)
        hint = str(app.board.query_one("#empty-hint").render())
        assert "Press m to show everyone's deals." in hint
        assert notifications(app) == []


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b"[]", json.dumps({"boards": 7}).encode(), b"x" * 300_000],
    ids=["broken", "not-utf8", "a-list", "wrong-shape", "huge"],
)
async def test_a_settings_file_that_cannot_be_read_costs_only_the_remembering(
    small_board: Board, private_config: Path, content: bytes
) -> None:
    where = private_config / "salesboard"
    where.mkdir()
    (where / FILE_NAME).write_bytes(content)
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("s", "j", "enter")  # the board still sorts...
        await pilot.pause()
        assert app.board.index.order is CardOrder.VALUE
        [(severity, title, message)] = notifications(app)  # ...and says it once, at start
        assert (severity, title) == ("warning", "Settings")
        assert str(where / FILE_NAME) in message and "board order, all deals" in message
    # What was there may be another version's or the user's: it is left as it is.
    assert (where / FILE_NAME).read_bytes() == content


async def test_odd_stored_values_are_left_out_and_said(
    small_board: Board, private_config: Path
) -> None:
    where = private_config / "salesboard"
    where.mkdir()
    stored = {board_key(small_board.db.url): {"order": "price", "owner": 42}}
    (where / FILE_NAME).write_text(json.dumps({"version": 1, "boards": stored}))
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.pause()
        [(_, _, message)] = notifications(app)
        assert message == (
            "The remembered settings had an unknown card order and an owner that is not "
            "a login; left out."
        )
        assert app.board.index.order is CardOrder.BOARD
        assert column(app, Stage.PROSPECT).ids == [ALPHA, BRAVO]


async def test_a_hostile_owner_in_the_database_is_shown_literally_when_picked(
    small_board: Board,
) -> None:
    """An owner written past the rules (raw SQL) is picked and shown, never obeyed."""
    hostile = "[red]zoe[/]\x1b[2J\u202eevil"
    with closing(sqlite3.connect(small_board.db.url.removeprefix("sqlite:///"))) as raw, raw:
        raw.execute("UPDATE deal SET owner = ? WHERE id = ?", (hostile, BRAVO))
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("o")
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        labels = [label.plain for label in picker.choices]
        assert "[red]zoe[/]evil (1)" in labels  # the escape sequence and the override removed
        await pilot.press(*["down"] * labels.index("[red]zoe[/]evil (1)"), "enter")
        await pilot.pause()
        assert column(app, Stage.PROSPECT).ids == [BRAVO]
        shown = status_text(app)
        assert "only [red]zoe[/]evil's deals" in shown
        assert "\x1b" not in shown and "\u202e" not in shown


async def test_a_remembered_owner_is_shown_literally(
    small_board: Board, private_config: Path
) -> None:
    where = private_config / "salesboard"
    where.mkdir()
    stored = {board_key(small_board.db.url): {"owner": "[red]zoe[/]\x1b[2J"}}
    (where / FILE_NAME).write_text(json.dumps({"version": 1, "boards": stored}))
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE):
        status = app.board.query_one("#status").render()
        assert "only [red]zoe[/]'s deals" in str(status)
        assert "\x1b" not in str(status)


async def test_a_config_directory_that_cannot_be_written_is_said_once(
    small_board: Board, private_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = private_config / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))  # no directory can be made in it
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("s", "j", "enter")
        await pilot.pause()
        assert app.board.index.order is CardOrder.VALUE  # the board still sorts
        await pilot.press("o", "enter")
        await pilot.pause()
        said = [n for n in notifications(app) if n[1] == "Settings"]
        assert len(said) == 1, said  # the file could not be read at start: said then only
        assert "settings.json cannot be read: Not a directory" in said[0][2]
        assert str(blocker) in said[0][2]


async def test_a_settings_file_that_cannot_be_saved_is_said_once(
    small_board: Board, private_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        blocker = private_config / "a-file"
        blocker.write_text("not a directory")
        monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
        app.board.ctx.settings._path = None  # worked out again: now inside a file
        await pilot.press("s", "j", "enter")
        await pilot.pause()
        await pilot.press("o", "enter")
        await pilot.pause()
        assert app.board.index.order is CardOrder.VALUE  # the board still sorts
        said = [n for n in notifications(app) if n[1] == "Settings"]
        assert len(said) == 1, said
        assert said[0][2].startswith("Could not remember the board's order and owner in ")


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (WIDE, ("⚠ close 1 Nov", "close 15 Jan 2027", "no close date")),
        (NARROW, ("⚠ 1 Nov", "15 Jan '27", "no date")),  # a narrow card drops words first
    ],
    ids=["wide", "narrow"],
)
async def test_cards_show_the_close_date_and_mark_one_that_has_passed(
    small_board: Board, size: tuple[int, int], shown: tuple[str, str, str]
) -> None:
    today = small_board.clock().date()
    assert today.isoformat() == "2026-11-02"  # the demo's now
    small_board.pipeline.edit_deal(ALPHA, expected_close="2026-11-01")
    small_board.pipeline.edit_deal(BRAVO, expected_close="2027-01-15")
    app = small_board.app(live=False)
    async with app.run_test(size=size):
        prospect = column(app, Stage.PROSPECT)
        alpha, bravo = card_text(prospect, 0), card_text(prospect, 1)
        charlie = card_text(column(app, Stage.QUALIFIED), 0)
        assert (alpha[4].strip(), bravo[4].strip(), charlie[4].strip()) == shown
        overdue_color = prospect.get_component_rich_style("card--overdue").color
        assert overdue_color is not None
        alpha_row = {seg.text.strip(): seg.style for seg in prospect.render_line(4)}
        bravo_row = {seg.text.strip(): seg.style for seg in prospect.render_line(4 + CARD_HEIGHT)}
        assert alpha_row[shown[0]].color == overdue_color  # marked, not only by the ⚠
        assert all(style.color != overdue_color for style in bravo_row.values())


async def test_a_very_long_owner_is_cut_in_the_picker_and_the_status_line(
    small_board: Board,
) -> None:
    long_login = "L" * 3000  # written past the rules
    with closing(sqlite3.connect(small_board.db.url.removeprefix("sqlite:///"))) as raw, raw:
        raw.execute("UPDATE deal SET owner = ? WHERE id = ?", (long_login, BRAVO))
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("o")
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        assert max(label.cell_len for label in picker.choices) < 60  # one line each
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert column(app, Stage.PROSPECT).ids == [BRAVO]
        shown = status_text(app)
        assert "only LLLL" in shown and "…'s deals" in shown
        assert "user alice" in shown  # the facts after it still fit


async def test_jumping_to_a_deal_the_owner_view_hides_says_so(small_board: Board) -> None:
    app = small_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("m")  # only alice's: Bravo (bob's) is hidden
        assert BRAVO not in column(app, Stage.PROSPECT).ids
        app.board.jump_to(BRAVO)  # what the palette's "Jump to" does
        await pilot.pause()
        assert focused_column(app).current_id == BRAVO
        assert "Showing every deal, to show Bravo pilot" in status_text(app)
        assert app.board.board_filter.owner is None


async def test_weighted_totals_are_remembered_for_the_next_start(
    demo_board: Board, private_config: Path
) -> None:
    app = demo_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("v")
        assert app.board.weighted
    saved = settings_file(private_config)
    assert saved["boards"][board_key(demo_board.db.url)]["weighted"] is True

    again = demo_board.app(live=False)
    async with again.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert again.board.weighted
        assert again.board.header(Stage.PROSPECT).weighted
        assert "weighted totals" in status_text(again)
        await pilot.press("v")
    assert (
        settings_file(private_config)["boards"][board_key(demo_board.db.url)]["weighted"] is False
    )
