"""Shared pieces of the UI tests: fixed demo data, app construction and screen reading."""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from salesboard.service import Pipeline
from salesboard.service.board import BoardQueries
from salesboard.service.demo import seed_demo
from salesboard.store import Database
from salesboard.ui.app import SalesboardApp
from salesboard.ui.column import CARD_HEIGHT, StageColumn
from salesboard.ui.launch import make_app
from salesboard.workflow import Stage
from tests.conftest import FROZEN_START, FrozenClock

NOW: datetime = FROZEN_START
ME = "alice"
DEMO_DEALS = 120
DEMO_SEED = 7
WIDE = (160, 45)
NARROW = (80, 24)
DB_NAME = "demo.db"


def seed_demo_file(directory: Path) -> Path:
    """A closed SQLite file holding the fixed demo pipeline (the same every time)."""
    path = directory / DB_NAME
    db = Database.open(str(path), create=True)
    try:
        seed_demo(db, deals=DEMO_DEALS, seed=DEMO_SEED, now=NOW, me=ME)
    finally:
        db.close()
    return path


def copy_db(template: Path, directory: Path) -> Path:
    """A private copy of a closed SQLite file (cheaper than seeding again)."""
    target = directory / DB_NAME
    shutil.copyfile(template, target)
    return target


@dataclass
class Board:
    """One test's database, clock and the service acting as ``alice``, plus app factory."""

    db: Database
    clock: FrozenClock

    @property
    def pipeline(self) -> Pipeline:
        """The service as the board's user sees it (same actor and clock)."""
        return Pipeline(self.db, actor=ME, clock=self.clock)

    @property
    def queries(self) -> BoardQueries:
        """The board's read side, to compute expectations independently of the UI."""
        return BoardQueries(self.db)

    def app(self, *, live: bool = True) -> SalesboardApp:
        """A fresh app on this database, as the CLI would start it."""
        return make_app(self.db, clock=self.clock, actor=ME, live=live)


def column(app: SalesboardApp, stage: Stage) -> StageColumn:
    """One column of the running board."""
    return app.board.column(stage)


def focused_column(app: SalesboardApp) -> StageColumn:
    """The active column while the board holds the keys (fails if focus is elsewhere)."""
    focused = app.focused
    assert focused is app.board.grid, f"focus is on {focused!r}, not the board's columns"
    column = app.board.grid.active
    assert column.lit, "the active column's cursor is not drawn as focused"
    return column


def card_text(col: StageColumn, index: int) -> list[str]:
    """The drawn lines of the card at ``index`` (it must be scrolled into view)."""
    top = (index - col.top) * CARD_HEIGHT
    assert 0 <= top < col.size.height, "card is not on screen"
    return [col.render_line(top + line).text for line in range(CARD_HEIGHT - 1)]


def static_text(widget: Static) -> str:
    """The plain text a Static shows (its content is a Rich Text or a string)."""
    content = widget.content
    return content.plain if isinstance(content, Text) else str(content)


def widget_lines(widget: Widget) -> list[str]:
    """The rendered rows of a widget (padding and border included), without children."""
    whole = Region(0, 0, *widget.outer_size)
    return [strip.text for strip in widget.render_lines(whole)]


def screen_lines(app: App[None]) -> list[str]:
    """Every row of the whole screen as plain text: what ``export_screenshot`` draws.

    Renders exactly as ``App.export_screenshot`` does (the compositor's full update, with
    the screens below a modal), but records plain text instead of SVG.
    """
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        record=True,
        force_terminal=True,
        color_system=None,
        legacy_windows=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False).splitlines()


def screen_text(app: App[None]) -> str:
    """The whole screen as one string (rows joined by newlines)."""
    return "\n".join(screen_lines(app))


def notifications(app: SalesboardApp) -> list[tuple[str, str, str]]:
    """(severity, title, message) of every notification currently shown."""
    return [(n.severity, n.title, n.message) for n in app._notifications]


def status_text(app: SalesboardApp) -> str:
    """What the board's status line shows (facts and any confirmation), as plain text."""
    return static_text(app.board.query_one("#status", Static))


def header_figures(app: SalesboardApp, stage: Stage) -> tuple[int, int]:
    """(open deals, total value in cents) a column header displays."""
    totals = app.board.header(stage).totals
    return totals.count, totals.value_minor


def header_text(app: SalesboardApp, stage: Stage) -> str:
    """What a column header shows, as plain text."""
    return app.board.header(stage).text


async def wait_for_palette_hits(pilot: Pilot[None], first: str = "") -> None:
    """The palette searches in a worker: wait until its highlighted hit contains ``first``."""
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    hits = palette.query_one(CommandList)
    for _ in range(60):
        await pilot.pause(0.05)
        if hits.option_count and hits.highlighted is not None:
            prompt = hits.get_option_at_index(hits.highlighted).prompt
            if first in getattr(prompt, "plain", str(prompt)):
                return
    raise AssertionError(f"the command palette did not offer {first!r}")


@contextmanager
def in_zone(zone: str) -> Iterator[None]:
    """Run with ``TZ`` set to ``zone``, then put back the zone there was."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
