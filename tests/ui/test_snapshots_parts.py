"""Snapshots of a deal's substance on the demo pipeline: the pane's sections, a part's
form and the agenda, at 80×24 and 160×45 (pytest-textual-snapshot).

Update with ``pytest tests/ui/test_snapshots_parts.py --snapshot-update`` and look at the
SVGs before committing them. The demo data, clock, user, zone (UTC) and database name are
fixed as in ``test_snapshots.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from salesboard.ui.app import SalesboardApp
from tests.ui.helpers import NARROW, WIDE
from tests.ui.test_snapshots import demo_app

SnapCompare = Callable[..., bool]

__all__ = ["demo_app"]


def test_pane_activities_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["down", "enter", "tab"], terminal_size=NARROW)


def test_pane_sections_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["down", "enter", "tab", "tab"], terminal_size=WIDE)


def test_pane_problems_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(
        demo_app, press=["down", "enter", "tab", "tab", "tab"], terminal_size=NARROW
    )


def test_activity_form_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["down", "enter", "tab", "n"], terminal_size=NARROW)


def test_activity_form_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["down", "enter", "tab", "n"], terminal_size=WIDE)


def test_agenda_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["A"], terminal_size=NARROW)


def test_agenda_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, press=["A"], terminal_size=WIDE)


def test_notes_editor_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    keys = ["down", "enter", "tab", "tab", "tab", "tab", "e"]
    assert snap_compare(demo_app, press=keys, terminal_size=WIDE)
