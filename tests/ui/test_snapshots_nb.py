"""Snapshot tests of the board in Norwegian Bokmål at 80×24 (pytest-textual-snapshot).

The demo pipeline is filled in Norwegian (its deal titles, notes and lost reasons follow
the language) and the board runs in ``nb``: stage names, key hints, the pane, the help, a
refused move, a form's refusals, money (``32 000,00 €``) and dates (``3. apr. 2027``).
Update the baselines with ``pytest tests/ui/test_snapshots_nb.py --snapshot-update`` and
look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from salesboard.i18n import install
from salesboard.store import Database
from salesboard.ui.app import SalesboardApp
from salesboard.ui.launch import make_app
from tests.conftest import FrozenClock
from tests.ui.helpers import DB_NAME, ME, NARROW, NOW, copy_db, seed_demo_file
from tests.ui.test_snapshots import _finish_form, _form_with_errors

SnapCompare = Callable[..., bool]


@pytest.fixture(scope="session")
def demo_template_nb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo pipeline filled in Norwegian (same seed and deals as the English one)."""
    install("nb")
    try:
        return seed_demo_file(tmp_path_factory.mktemp("demo-template-nb"))
    finally:
        install("en")


@pytest.fixture
def norwegian_app(
    tmp_path: Path, demo_template_nb: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SalesboardApp]:
    """The board in Norwegian on a private copy of the Norwegian demo, shown as demo.db."""
    copy_db(demo_template_nb, tmp_path)
    monkeypatch.chdir(tmp_path)
    install("nb")
    db = Database.open(f"sqlite:///{DB_NAME}", create=True)
    try:
        yield make_app(db, clock=FrozenClock(NOW), actor=ME)
    finally:
        db.close()
        install("en")


def test_board_nb_80x24(snap_compare: SnapCompare, norwegian_app: SalesboardApp) -> None:
    assert snap_compare(norwegian_app, terminal_size=NARROW)


def test_pane_nb_80x24(snap_compare: SnapCompare, norwegian_app: SalesboardApp) -> None:
    assert snap_compare(norwegian_app, press=["down", "enter"], terminal_size=NARROW)


def test_help_nb_80x24(snap_compare: SnapCompare, norwegian_app: SalesboardApp) -> None:
    assert snap_compare(norwegian_app, press=["question_mark"], terminal_size=NARROW)


def test_refused_move_nb_80x24(snap_compare: SnapCompare, norwegian_app: SalesboardApp) -> None:
    assert snap_compare(norwegian_app, press=["greater_than_sign"], terminal_size=NARROW)


def test_new_deal_form_with_errors_nb_80x24(
    snap_compare: SnapCompare, norwegian_app: SalesboardApp
) -> None:
    assert snap_compare(norwegian_app, run_before=_form_with_errors, terminal_size=NARROW)


def test_finish_form_nb_80x24(snap_compare: SnapCompare, norwegian_app: SalesboardApp) -> None:
    assert snap_compare(norwegian_app, run_before=_finish_form, terminal_size=NARROW)
