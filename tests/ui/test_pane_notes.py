"""The pane's notes section: the deal's notes, all of them, literal, and their editor.

Tab reaches the notes after the problems; ``e`` (or ``n``) opens the editor, a text area
prefilled with the notes; ctrl+s or Save writes them through ``Pipeline.edit_deal`` with
the version the user saw. A conflict or a refusal opens the editor again with what was
typed; Escape asks before throwing typed text away. Stored text is shown literally.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static, TextArea

from salesboard.errors import InvalidInput
from salesboard.service import Pipeline
from salesboard.store import Deal
from salesboard.ui.app import SalesboardApp
from salesboard.ui.confirm import ConfirmDiscard
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.keymap import HELP_KEYS
from salesboard.ui.notes_form import NotesForm
from salesboard.ui.pane import DealPane, JobList
from salesboard.ui.pane_notes import NotesSection
from salesboard.ui.part_lists import ProblemList
from tests.ui.helpers import ME, NARROW, WIDE, Board, notifications, static_text, status_text

SIZES = pytest.mark.parametrize("size", [NARROW, WIDE], ids=["dialog", "side-pane"])
HOSTILE = "[red]x[/] [@click=app.quit]q[/]\n\x1b[2J\u202eevil\tend"
SHOWN = "[red]x[/] [@click=app.quit]q[/]\nevil    end"  # codes removed, tabs as spaces
NOTES = "Met the buyer.\nBudget: [unknown]\n\nCall back in May."


@pytest.fixture
def notes_board(empty_board: Board) -> Board:
    """#1 Alpha with three paragraphs of notes; #2 Bravo with none."""
    work = empty_board.pipeline
    work.create_deal("Alpha rollout", company="Acme", value="1000", owner=ME, notes=NOTES)
    work.create_deal("Bravo pilot", company="Bolt", value="2500", owner=ME)
    return empty_board


def pane_of(app: SalesboardApp) -> DealPane:
    """The pane in use: the dialog's at 80 columns, the side pane's when wide."""
    return app.screen.pane if isinstance(app.screen, DealScreen) else app.board.pane


async def open_notes(pilot: Pilot[None], *, down: int = 0) -> NotesSection:
    """Open a deal's checklist and Tab to its notes (the fourth section)."""
    await pilot.pause()
    await pilot.press(*["down"] * down, "enter")
    await pilot.pause()
    await pilot.press("tab", "tab", "tab", "tab")
    await pilot.pause()
    notes = pilot.app.focused
    assert isinstance(notes, NotesSection)
    return notes


def focused(app: SalesboardApp) -> Widget | None:
    """What has the keys now (read afresh: the keys move as the test presses)."""
    return app.focused


def editor(app: SalesboardApp) -> NotesForm:
    form = app.screen
    assert isinstance(form, NotesForm)
    return form


async def type_notes(pilot: Pilot[None], text: str) -> None:
    box = pilot.app.screen.query_one("#field-notes", TextArea)
    box.text = text
    await pilot.pause()


async def save(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.pause()


# ------------------------------------------------------------------ showing


@SIZES
async def test_tab_reaches_the_notes_last_and_they_show_every_line(
    notes_board: Board, size: tuple[int, int]
) -> None:
    app = notes_board.app(live=False)
    async with app.run_test(size=size) as pilot:
        notes = await open_notes(pilot)
        pane = pane_of(app)
        assert notes.shown_text == NOTES  # every line, the empty one too, as typed
        assert static_text(notes.query_one(".part-heading", Static)) == "Notes"
        assert "Met the buyer" not in static_text(pane.query_one("#pane-fields", Static))
        await pilot.pause()
        assert pane.region.overlaps(notes.region)  # scrolled into view
        hints = app.screen.query_one("KeyHints")
        assert ("e", "Edit notes", True) in hints.keys  # type: ignore[attr-defined]
        await pilot.press("tab")
        assert isinstance(focused(app), JobList)  # round again
        await pilot.press("shift+tab")
        assert focused(app) is notes
        await pilot.press("shift+tab")
        assert isinstance(app.focused, ProblemList)


async def test_no_notes_say_how_to_write_them(notes_board: Board) -> None:
    app = notes_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        notes = await open_notes(pilot, down=1)
        assert notes.shown_text == "none yet (e writes them)"


async def test_enter_space_and_d_in_the_notes_change_nothing(notes_board: Board) -> None:
    before = notes_board.pipeline.get_deal(1).version
    app = notes_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        notes = await open_notes(pilot)
        await pilot.press("enter", "space", "d", "j", "k", "down", "up")
        await pilot.pause()
        assert app.screen is app.board and app.focused is notes
        assert notes_board.pipeline.get_deal(1).version == before


# ------------------------------------------------------------------ editing


@SIZES
async def test_e_edits_the_notes_and_the_pane_and_history_show_it(
    notes_board: Board, size: tuple[int, int]
) -> None:
    app = notes_board.app(live=False)
    async with app.run_test(size=size) as pilot:
        notes = await open_notes(pilot)
        await pilot.press("e")
        form = editor(app)
        box = form.query_one("#field-notes", TextArea)
        assert box.text == NOTES and app.focused is box  # prefilled, ready to type
        assert static_text(form.query_one(".form-title", Static)) == "Notes on Alpha rollout"
        assert box.cursor_location == box.document.end  # writing on at the end
        await pilot.press("enter", *"Sent the offer.")
        await save(pilot)
        assert not isinstance(app.screen, NotesForm)
        wanted = NOTES + "\nSent the offer."
        assert notes_board.pipeline.get_deal(1).summary.notes == wanted
        assert notes.shown_text == wanted
        assert focused(app) is notes  # the keys are where they were
        if size == WIDE:
            assert "Saved the notes of Alpha rollout" in status_text(app)
        [edit, *_older] = notes_board.pipeline.history(1)
        assert (edit.kind, edit.actor) == ("edited", ME)
        assert edit.before == {"notes": NOTES} and edit.after == {"notes": wanted}


@SIZES
async def test_n_opens_the_same_editor_and_the_save_button_saves(
    notes_board: Board, size: tuple[int, int]
) -> None:
    app = notes_board.app(live=False)
    async with app.run_test(size=size) as pilot:
        notes = await open_notes(pilot, down=1)  # Bravo: none yet
        await pilot.press("n")
        assert editor(app).query_one("#field-notes", TextArea).text == ""
        await type_notes(pilot, "First call went well.\nTwo sites.")
        await pilot.click("#save")
        await pilot.pause()
        assert notes_board.pipeline.get_deal(2).summary.notes == "First call went well.\nTwo sites."
        assert notes.shown_text == "First call went well.\nTwo sites."


async def test_notes_can_be_emptied(notes_board: Board) -> None:
    app = notes_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        notes = await open_notes(pilot)
        await pilot.press("e")
        await type_notes(pilot, "")
        await save(pilot)
        assert notes_board.pipeline.get_deal(1).summary.notes == ""
        assert notes.shown_text == "none yet (e writes them)"


async def test_saving_unchanged_notes_writes_nothing(notes_board: Board) -> None:
    before = notes_board.pipeline.get_deal(1).version
    app = notes_board.app(live=False)
    async with app.run_test(size=WIDE) as pilot:
        await open_notes(pilot)
        await pilot.press("e")
        await save(pilot)
        assert app.screen is app.board
        assert notes_board.pipeline.get_deal(1).version == before


async def test_escape_asks_before_throwing_typed_notes_away(notes_board: Board) -> None:
    app = notes_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await open_notes(pilot)
        await pilot.press("e", "escape")  # nothing typed: closes at once
        assert isinstance(pilot.app.screen, DealScreen)
        await pilot.press("e")
        form = editor(app)
        await type_notes(pilot, "Half a thought")
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ConfirmDiscard)
        await pilot.press("n")  # keep editing
        assert app.screen is form
        assert form.query_one("#field-notes", TextArea).text == "Half a thought"
        await pilot.press("escape", "y")
        assert isinstance(app.screen, DealScreen)
        assert notes_board.pipeline.get_deal(1).summary.notes == NOTES


async def test_q_in_the_editor_is_a_letter(notes_board: Board) -> None:
    app = notes_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await open_notes(pilot, down=1)
        await pilot.press("n", "q")
        await pilot.pause()
        assert app.is_running
        assert editor(app).query_one("#field-notes", TextArea).text == "q"


async def test_too_long_notes_are_shown_as_wrong_and_kept(notes_board: Board) -> None:
    app = notes_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await open_notes(pilot, down=1)
        await pilot.press("n")
        await type_notes(pilot, "x" * 20_001)
        await save(pilot)
        form = editor(app)  # still open: the service's own check said no
        error = form.query_one("#error-notes", Static)
        assert error.display and "the limit is 20000" in static_text(error)
        assert len(form.query_one("#field-notes", TextArea).text) == 20_001
        assert notes_board.pipeline.get_deal(2).summary.notes == ""


async def test_a_refusal_of_the_service_shows_in_the_editor_again(
    notes_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise InvalidInput("the notes are locked today")

    app = notes_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await open_notes(pilot)
        await pilot.press("e")
        await type_notes(pilot, "Mine")
        with monkeypatch.context() as patch:
            patch.setattr(Pipeline, "edit_deal", refuse)
            await save(pilot)
        form = editor(app)
        assert "the notes are locked today" in static_text(form.query_one("#form-note", Static))
        assert form.query_one("#field-notes", TextArea).text == "Mine"
        await save(pilot)  # the service takes it now
        assert notes_board.pipeline.get_deal(1).summary.notes == "Mine"


@SIZES
async def test_a_colleagues_change_meanwhile_is_a_conflict_and_the_typing_is_kept(
    notes_board: Board, size: tuple[int, int]
) -> None:
    app = notes_board.app(live=False)  # the change lands before a live board would see it
    async with app.run_test(size=size) as pilot:
        notes = await open_notes(pilot)
        await pilot.press("e")
        await type_notes(pilot, "My version of events")
        bob = Pipeline(notes_board.db, actor="bob", clock=notes_board.clock)
        bob.edit_deal(1, notes="Bob's version")
        await save(pilot)
        [(severity, title, _message)] = notifications(app)
        assert (severity, title) == ("error", "Changed by someone else")
        form = editor(app)  # open again, with what was typed
        assert form.query_one("#field-notes", TextArea).text == "My version of events"
        told = static_text(form.query_one("#form-note", Static))
        assert "bob changed notes" in told
        assert notes_board.pipeline.get_deal(1).summary.notes == "Bob's version"
        assert notes.shown_text == "Bob's version"  # the pane shows the deal as it is
        await save(pilot)  # on top of bob's change now
        assert notes_board.pipeline.get_deal(1).summary.notes == "My version of events"
        kinds = [(e.actor, e.kind) for e in notes_board.pipeline.history(1)][:2]
        assert kinds == [(ME, "edited"), ("bob", "edited")]


# ---------------------------------------------------------------- hostile


@SIZES
async def test_hostile_notes_are_shown_and_edited_literally(
    notes_board: Board, size: tuple[int, int]
) -> None:
    with notes_board.db.write() as session:  # written behind the service's back
        session.get_one(Deal, 2).notes = HOSTILE
    app = notes_board.app(live=False)
    async with app.run_test(size=size) as pilot:
        notes = await open_notes(pilot, down=1)
        assert notes.shown_text == SHOWN
        await pilot.click(notes, offset=(3, 1))  # on "[@click=app.quit]"
        await pilot.click(notes, offset=(12, 1))
        assert app.is_running
        await pilot.press("e")
        form = editor(app)
        shown = form.query_one("#field-notes", TextArea).text
        assert "[red]x[/] [@click=app.quit]q[/]" in shown
        assert "\x1b" not in shown and "\u202e" not in shown
        await type_notes(pilot, "[bold]loud[/bold] [@click=app.quit]no[/]")
        await save(pilot)
        assert app.is_running
        saved = "[bold]loud[/bold] [@click=app.quit]no[/]"
        assert notes_board.pipeline.get_deal(2).summary.notes == saved
        assert notes.shown_text == saved


# -------------------------------------------------------------------- keys


def test_every_key_of_the_notes_is_in_the_help() -> None:
    helped = {(key.keys, key.action) for key in HELP_KEYS}
    for binding in NotesSection.BINDINGS:
        assert (binding.key, binding.action) in helped, binding  # type: ignore[union-attr]
