"""Snapshot tests of the main screens on the demo pipeline (pytest-textual-snapshot).

Update the baselines with ``pytest tests/ui/test_snapshots.py --snapshot-update`` and look
at the SVGs under ``__snapshots__`` before committing them.

Everything on screen is fixed: the demo data (120 deals, seed 7), the clock, the user and
the database name, which is given relative to the test's own directory so the status line
reads ``db demo.db`` on every machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from salesboard.store import Database
from salesboard.ui.app import SalesboardApp
from salesboard.ui.forms import DealForm
from salesboard.ui.launch import make_app
from tests.conftest import FrozenClock
from tests.ui.helpers import DB_NAME, ME, NARROW, NOW, WIDE, copy_db

SnapCompare = Callable[..., bool]


@pytest.fixture
def demo_app(
    tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SalesboardApp]:
    """The board on a private copy of the demo pipeline, shown as ``demo.db``."""
    copy_db(demo_template, tmp_path)
    monkeypatch.chdir(tmp_path)
    db = Database.open(f"sqlite:///{DB_NAME}", create=True)
    assert db.name == DB_NAME
    yield make_app(db, clock=FrozenClock(NOW), actor=ME)
    db.close()


async def _form_with_errors(pilot: Pilot[None]) -> None:
    """Open the new-deal form, type three bad values and try to save."""
    await pilot.press("n")
    form = pilot.app.screen
    assert isinstance(form, DealForm)
    form.query_one("#field-value", Input).value = "-5"
    form.query_one("#field-expected_close", Input).value = "2026-13-45"
    form.query_one("#field-company", Input).value = "Bluepeak Logistics"
    await pilot.press("ctrl+s")
    # A blinking cursor would make the picture depend on timing.
    for box in form.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def test_board_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, terminal_size=NARROW)


def test_board_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, terminal_size=WIDE)


def test_pane_beside_the_board_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["down", "enter"], terminal_size=WIDE)


def test_pane_as_modal_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["down", "enter"], terminal_size=NARROW)


def test_refused_move_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["down", "greater_than_sign"], terminal_size=NARROW)


def test_refused_move_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["down", "greater_than_sign"], terminal_size=WIDE)


def test_help_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["question_mark"], terminal_size=NARROW)


def test_new_deal_form_with_errors_80x24(
    snap_compare: SnapCompare, demo_app: SalesboardApp
) -> None:
    assert snap_compare(demo_app, run_before=_form_with_errors, terminal_size=NARROW)


def test_new_deal_form_with_errors_160x45(
    snap_compare: SnapCompare, demo_app: SalesboardApp
) -> None:
    assert snap_compare(demo_app, run_before=_form_with_errors, terminal_size=WIDE)


async def _finish_form(pilot: Pilot[None]) -> None:
    """The finish form over the first Closed deal, saved empty (both errors showing)."""
    from salesboard.ui.finish_form import FinishForm

    app = pilot.app
    assert isinstance(app, SalesboardApp)
    await pilot.press(*"lllll")
    deal_id = app.board.current_deal_id()
    assert deal_id is not None
    app.push_screen(FinishForm(app.ctx.pipeline.get_deal(deal_id).summary.title))
    await pilot.pause()
    await pilot.press("ctrl+s")
    for box in app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def test_finish_form_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, run_before=_finish_form, terminal_size=NARROW)


def test_finish_form_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, run_before=_finish_form, terminal_size=WIDE)


def test_won_and_lost_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["w"], terminal_size=NARROW)


def test_won_and_lost_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["w"], terminal_size=WIDE)


def test_sort_choice_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["s", "j"], terminal_size=NARROW)


async def _bobs_deals_by_value(pilot: Pilot[None]) -> None:
    """Sorted by value (highest first), only bob's deals: a colleague's review."""
    await pilot.press("s", "j", "enter", "o")
    await pilot.pause()
    screen = pilot.app.screen
    from salesboard.ui.choice_screen import ChoiceScreen

    assert isinstance(screen, ChoiceScreen)
    bob = next(n for n, label in enumerate(screen.choices) if label.plain.startswith("bob "))
    await pilot.press(*["down"] * bob, "enter")
    await pilot.pause()


def test_one_owner_by_value_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, run_before=_bobs_deals_by_value, terminal_size=WIDE)
