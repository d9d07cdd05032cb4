"""Snapshots of the reports on the demo pipeline: the reports screen's forecast and funnel
at 80×24 and 160×45, and the board with its stuck marks and weighted totals
(pytest-textual-snapshot).

Update with ``pytest tests/ui/test_snapshots_reports.py --snapshot-update`` and look at the
SVGs before committing them. The demo data, clock, user, zone (UTC) and database name are
fixed as in ``test_snapshots.py``; the facts are read and the report computed in workers,
so each picture is taken once the screen says it shows what was asked for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

from salesboard.ui.app import SalesboardApp
from salesboard.ui.reports_screen import ReportsScreen
from tests.ui.helpers import NARROW, WIDE
from tests.ui.test_snapshots import demo_app

SnapCompare = Callable[..., bool]

__all__ = ["demo_app"]


def reports(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Open the reports (R), press ``keys``, and wait for the report to be drawn."""

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("R", *keys)
        screen = pilot.app.screen
        assert isinstance(screen, ReportsScreen)
        for _ in range(250):
            await pilot.pause(0.02)
            if screen.loaded:
                await pilot.pause()
                return
        raise AssertionError("the report was never drawn")

    return run_before


def test_reports_forecast_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, run_before=reports(), terminal_size=NARROW)


def test_reports_forecast_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, run_before=reports(), terminal_size=WIDE)


def test_reports_funnel_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, run_before=reports("2"), terminal_size=NARROW)


def test_reports_funnel_160x45(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, run_before=reports("2"), terminal_size=WIDE)


def test_reports_days_in_stage_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, run_before=reports("3"), terminal_size=NARROW)


def test_reports_stuck_80x24(snap_compare: SnapCompare, demo_app: SalesboardApp) -> None:
    assert snap_compare(demo_app, run_before=reports("4"), terminal_size=NARROW)


def test_board_stuck_marks_weighted_80x24(
    snap_compare: SnapCompare, demo_app: SalesboardApp
) -> None:
    assert snap_compare(demo_app, press=["v"], terminal_size=NARROW)


def test_board_stuck_marks_weighted_160x45(
    snap_compare: SnapCompare, demo_app: SalesboardApp
) -> None:
    assert snap_compare(demo_app, press=["v"], terminal_size=WIDE)
