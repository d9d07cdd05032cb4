"""The new / edit deal form and the lost form: saving, inline validation, cancelling."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from salesboard.ui.confirm import ConfirmDiscard
from salesboard.ui.forms import DealForm, LostForm
from salesboard.workflow import Stage, Status
from tests.ui.helpers import (
    ME,
    NARROW,
    WIDE,
    Board,
    card_text,
    column,
    focused_column,
    header_figures,
    notifications,
    static_text,
    status_text,
)


async def fill(pilot: Pilot[None], field: str, text: str, *, type_it: bool = False) -> None:
    """Replace what a form field holds: typed key by key, or pasted in one go (faster)."""
    box = pilot.app.screen.query_one(f"#field-{field}", Input)
    box.focus()
    box.clear()
    await pilot.pause()
    if type_it:
        await pilot.press(*text)
    else:
        box.insert_text_at_cursor(text)
        await pilot.pause()
    assert box.value == text


def error_of(form: DealForm | LostForm, field: str) -> str | None:
    """The inline message under a field, or None when none is shown."""
    error = form.query_one(f"#error-{field}", Static)
    return static_text(error) if error.display else None


def count_deals(board: Board) -> int:
    return len(board.pipeline.list_deals(status=None))


# ------------------------------------------------------------------- new


async def test_new_deal_is_saved_and_focused(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, DealForm)
        assert form.query_one("#field-owner", Input).value == ME
        await fill(pilot, "title", "Delta expansion", type_it=True)
        await fill(pilot, "company", "Dyne AG")
        await fill(pilot, "value", "12 500.50", type_it=True)
        await fill(pilot, "expected_close", "2027-01-31")
        await pilot.press("ctrl+s")
        assert app.screen is app.board
        [deal] = small_board.pipeline.list_deals(text="Delta")
        assert (deal.title, deal.company, deal.value_minor, deal.owner) == (
            "Delta expansion",
            "Dyne AG",
            1_250_050,
            ME,
        )
        assert deal.expected_close is not None and deal.expected_close.isoformat() == "2027-01-31"
        assert deal.stage is Stage.PROSPECT
        col = focused_column(app)
        assert (col.stage, col.current_id) == (Stage.PROSPECT, deal.id)
        assert header_figures(app, Stage.PROSPECT) == (3, 350_000 + 1_250_050)
        assert card_text(col, col.cursor)[0].strip() == "Delta expansion"
        assert "✓ Created Delta expansion" in status_text(app)


async def test_enter_in_a_field_saves_too(empty_board: Board) -> None:
    app = empty_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n", *"Echo", "enter")
        assert app.screen is app.board
        [deal] = empty_board.pipeline.list_deals()
        assert deal.title == "Echo"
        assert not app.board.query_one("#empty-hint").display


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("title", "   ", "title must not be empty"),
        ("value", "-5", "value must not be negative"),
        ("expected_close", "2026-13-45", "is not a date in the calendar"),
        ("currency", "EURO", "currency must be a three-letter code"),
    ],
)
async def test_invalid_field_shows_an_inline_error_and_saves_nothing(
    small_board: Board, field: str, typed: str, message: str
) -> None:
    before = count_deals(small_board)
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, DealForm)
        if field != "title":
            await fill(pilot, "title", "Valid title")
        await fill(pilot, field, typed)
        await pilot.press("ctrl+s")
        assert app.screen is form  # still open
        shown = error_of(form, field)
        assert shown is not None and message in shown
        others = [name for name in ("title", "value", "expected_close") if name != field]
        assert all(error_of(form, name) is None for name in others)
        assert form.query_one(f"#field-{field}", Input).has_focus
        assert count_deals(small_board) == before
        # The message goes away once the fixed field is left, and then it saves.
        good = {
            "title": "Fixed",
            "value": "5",
            "expected_close": "2027-02-01",
            "currency": "USD",
            "owner": "bob",
        }[field]
        await fill(pilot, field, good)
        assert error_of(form, field) is not None  # not re-checked on every key
        await pilot.press("tab")
        assert error_of(form, field) is None
        await pilot.press("ctrl+s")
        assert app.screen is app.board
        assert count_deals(small_board) == before + 1


async def test_several_errors_are_shown_at_once_and_focus_goes_to_the_first(
    empty_board: Board,
) -> None:
    app = empty_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, DealForm)
        await fill(pilot, "value", "-5")
        await fill(pilot, "expected_close", "tomorrow")
        await pilot.press("ctrl+s")
        assert error_of(form, "title") == "title must not be empty"
        assert "negative" in (error_of(form, "value") or "")
        assert "YYYY-MM-DD" in (error_of(form, "expected_close") or "")
        assert form.query_one("#field-title", Input).has_focus
        # Even at 80x24 the buttons stay on screen; the fields scroll.
        save = form.query_one("#save")
        assert save.region.bottom <= app.size.height
        assert empty_board.pipeline.list_deals() == []


async def test_cancel_by_escape_or_button_saves_nothing(small_board: Board) -> None:
    before = count_deals(small_board)
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("down")
        for cancel in ("escape", "#cancel"):
            await pilot.press("n")
            assert isinstance(app.screen, DealForm)
            if cancel == "escape":
                await pilot.press("escape")
            else:
                await pilot.click(cancel)
            assert app.screen is app.board  # nothing typed: closed at once
            assert count_deals(small_board) == before
            assert focused_column(app).current_id == 2


@pytest.mark.parametrize("cancel", ["escape", "#cancel"])
async def test_cancelling_a_form_with_typing_in_it_asks_first(
    small_board: Board, cancel: str
) -> None:
    before = count_deals(small_board)
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n", *"Nordic fleet")
        form = app.screen
        assert isinstance(form, DealForm)

        async def cancel_it() -> None:
            if cancel == "escape":
                await pilot.press("escape")
            else:
                await pilot.click(cancel)

        await cancel_it()
        assert isinstance(app.screen, ConfirmDiscard)
        assert "Discard what you typed in the new deal?" in static_text(
            app.screen.query_one(".form-title", Static)
        )
        await pilot.press("enter")  # the focused answer keeps the typing
        assert app.screen is form
        assert form.query_one("#field-title", Input).value == "Nordic fleet"
        await cancel_it()
        await pilot.press("escape")  # Escape on the question keeps it too
        assert app.screen is form
        await cancel_it()
        await pilot.press("y")
        assert app.screen is app.board
        assert count_deals(small_board) == before


# ------------------------------------------------------------------ edit


async def test_edit_changes_the_deal_and_its_card(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, DealForm)
        assert form.query_one("#field-title", Input).value == "Alpha rollout"
        assert form.query_one("#field-value", Input).value == "1 000.00"
        await fill(pilot, "title", "Alpha rollout v2")
        await fill(pilot, "value", "1500")
        await pilot.press("ctrl+s")
        assert app.screen is app.board
        deal = small_board.pipeline.get_deal(1).summary
        assert (deal.title, deal.value_minor, deal.company) == ("Alpha rollout v2", 150_000, "Acme")
        [edit] = [e for e in small_board.pipeline.history(1) if e.kind == "edited"]
        assert set(edit.after or {}) == {"title", "value_minor"}
        col = focused_column(app)
        assert (col.stage, col.current_id) == (Stage.PROSPECT, 1)
        assert card_text(col, 0)[0].strip() == "Alpha rollout v2"
        assert header_figures(app, Stage.PROSPECT) == (2, 400_000)


async def test_saving_an_unchanged_edit_is_quiet(small_board: Board) -> None:
    version = small_board.pipeline.get_deal(1).version
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("e", "ctrl+s")
        assert app.screen is app.board
        assert notifications(app) == []
        assert small_board.pipeline.get_deal(1).version == version


async def test_edit_with_an_empty_title_is_refused_inline(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, DealForm)
        await fill(pilot, "title", "")
        await pilot.press("enter")
        assert app.screen is form
        assert error_of(form, "title") == "title must not be empty"
        await pilot.press("escape", "y")  # the title was typed over: discard it
        assert app.screen is app.board
        assert small_board.pipeline.get_deal(1).summary.title == "Alpha rollout"


# ------------------------------------------------------------------ lost


async def test_lost_needs_a_reason_then_takes_the_deal_off_the_board(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("down", "x")
        form = app.screen
        assert isinstance(form, LostForm)
        assert "Bravo pilot" in static_text(form.query_one(".form-title", Static))
        await pilot.press("enter")  # no reason yet
        assert app.screen is form
        assert error_of(form, "reason") == "a reason is required to mark a deal lost"
        await pilot.press("space", "space", "enter")  # blanks are no reason either
        assert app.screen is form
        assert small_board.pipeline.get_deal(2).status is Status.OPEN
        form.query_one("#reason", Input).insert_text_at_cursor("Chose a competitor")
        await pilot.press("enter")
        assert app.screen is app.board
        deal = small_board.pipeline.get_deal(2).summary
        assert (deal.status, deal.lost_reason) == (Status.LOST, "Chose a competitor")
        assert column(app, Stage.PROSPECT).ids == [1]
        assert header_figures(app, Stage.PROSPECT) == (1, 100_000)
        assert focused_column(app).current_id == 1
        assert "✓ Marked lost: Bravo pilot" in status_text(app)


async def test_a_conflict_on_lost_keeps_the_reason_typed_and_says_what_changed(
    small_board: Board,
) -> None:
    """Seen: the reason typed in the lost dialog was thrown away on a conflict."""
    from salesboard.service import Pipeline

    app = small_board.app(live=False)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("down", "x")
        form = app.screen
        assert isinstance(form, LostForm)
        form.query_one("#reason", Input).insert_text_at_cursor("Chose a competitor")
        Pipeline(small_board.db, actor="bob", clock=small_board.clock).edit_deal(2, value="7777")
        await pilot.press("enter")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, LostForm) and again is not form  # asked again, not lost
        assert again.query_one("#reason", Input).value == "Chose a competitor"
        assert "bob changed value" in static_text(again.query_one("#form-note", Static))
        assert small_board.pipeline.get_deal(2).status is Status.OPEN
        await pilot.press("enter")
        assert app.screen is app.board
    deal = small_board.pipeline.get_deal(2).summary
    assert (deal.status, deal.lost_reason) == (Status.LOST, "Chose a competitor")


async def test_lost_from_the_pane_closes_it(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("enter", "x", *"Budget", "enter")
        assert small_board.pipeline.get_deal(1).status is Status.LOST
        assert not app.board.pane.display
        assert column(app, Stage.PROSPECT).ids == [2]
        assert focused_column(app).stage is Stage.PROSPECT


async def test_cancelling_lost_keeps_the_deal(small_board: Board) -> None:
    app = small_board.app()
    async with app.run_test(size=NARROW) as pilot:
        for cancel in ("escape", "#cancel"):
            await pilot.press("x")
            assert isinstance(app.screen, LostForm)
            await pilot.press("escape")  # nothing typed: closes at once
            assert app.screen is app.board
            await pilot.press("x", *"maybe")
            form = app.screen
            assert isinstance(form, LostForm)
            if cancel == "escape":
                await pilot.press("escape")
            else:
                await pilot.click(cancel)
            # Seen by a newcomer: a typed reason was thrown away without a word, where
            # the deal form asks. Now it asks too; Enter keeps the typing.
            assert isinstance(app.screen, ConfirmDiscard)
            await pilot.press("enter")
            assert app.screen is form and form.query_one("#reason", Input).value == "maybe"
            await pilot.press("escape", "y")
            assert app.screen is app.board
            assert small_board.pipeline.get_deal(1).status is Status.OPEN
            assert column(app, Stage.PROSPECT).ids == [1, 2]


# ------------------------------------------------ checked when left, every key kept


async def test_a_field_is_checked_when_it_is_left(empty_board: Board) -> None:
    app = empty_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, DealForm)
        await fill(pilot, "value", "1e3", type_it=True)
        assert error_of(form, "value") is None  # nothing flickers while typing
        await pilot.press("tab")
        assert "no exponent" in (error_of(form, "value") or "")
        assert error_of(form, "title") is None  # untouched fields are not judged yet


async def test_a_burst_of_keys_while_an_error_shows_keeps_every_key(empty_board: Board) -> None:
    from textual import events

    app = empty_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, DealForm)
        await fill(pilot, "title", "Burst")
        await fill(pilot, "value", "-5")
        await pilot.press("ctrl+s")
        assert error_of(form, "value") is not None
        box = form.query_one("#field-value", Input)
        box.focus()
        box.clear()
        await pilot.pause()
        for key in "12 500,50":  # as a paste or an SSH link delivers it: all at once
            app.post_message(events.Key("space" if key == " " else key, key))
        await pilot.pause()
        assert box.value == "12 500,50"
        await pilot.press("ctrl+s")
        assert app.screen is app.board
    [deal] = empty_board.pipeline.list_deals()
    assert deal.value_minor == 1_250_050


async def test_a_conflict_keeps_what_was_typed_and_says_what_changed(small_board: Board) -> None:
    from salesboard.service import Pipeline

    app = small_board.app(live=False)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await pilot.press("e")  # Alpha
        form = app.screen
        assert isinstance(form, DealForm)
        await fill(pilot, "title", "Alpha, my new title")
        Pipeline(small_board.db, actor="bob", clock=small_board.clock).edit_deal(1, value="7777")
        await pilot.press("ctrl+s")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, DealForm) and again is not form  # back, on the fresh deal
        assert again.query_one("#field-title", Input).value == "Alpha, my new title"
        assert again.query_one("#field-value", Input).value == "7 777.00"  # bob's, shown
        note = static_text(again.query_one("#form-note"))
        assert "bob changed value (1 000.00 → 7 777.00)" in note
        await pilot.press("ctrl+s")
        assert app.screen is app.board
    deal = small_board.pipeline.get_deal(1).summary
    assert (deal.title, deal.value_minor) == ("Alpha, my new title", 777_700)
