"""Make the README's screenshots from the real app on demo data.

Run from anywhere::

    python screenshots/make_screenshots.py            # writes screenshots/*.svg
    python screenshots/make_screenshots.py --out DIR  # somewhere else

A fresh demo database is built in a temporary directory (the same 120 deals every time:
seed 7, a fixed "now", the user ``alice``), the app runs headless at a fixed terminal size
with a frozen clock, keys are pressed as a user would, and each screen is saved as SVG.
The same inputs give the same files, so a changed SVG in a diff is a changed screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from contextlib import chdir
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from salesboard.i18n import install
from salesboard.service.demo import seed_demo
from salesboard.store import Database
from salesboard.ui.forms import DealForm
from salesboard.ui.launch import make_app

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ME = "alice"
DEALS = 120
SEED = 7
DB_FILE = "demo.db"  # opened relative to the temporary directory: the status line says demo.db
OUT = Path(__file__).resolve().parent

Step = Callable[[Pilot[None]], Awaitable[None]]


async def _new_deal_form(pilot: Pilot[None]) -> None:
    """Type a new deal with one mistake and try to save: the error shows under the field."""
    await pilot.press("n")
    form = pilot.app.screen
    assert isinstance(form, DealForm)
    await pilot.press(*"Fleet telematics rollout", "tab")
    await pilot.press(*"Northwind Logistics", "tab")
    await pilot.press("backspace", *"-12 500", "tab", "tab", "tab")  # value, past currency, owner
    await pilot.press(*"2027-03-31", "ctrl+s")
    for box in form.query(Input):
        box.cursor_blink = False  # a blinking cursor would make the picture depend on timing


async def _bobs_deals_by_value(pilot: Pilot[None]) -> None:
    """Every column by value, only bob's deals: preparing a one-to-one with a colleague."""
    from salesboard.ui.choice_screen import ChoiceScreen

    await pilot.press("s", "j", "enter", "o")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, ChoiceScreen)
    bob = next(n for n, label in enumerate(picker.choices) if label.plain.startswith("bob "))
    await pilot.press(*["down"] * bob, "enter")
    await pilot.pause(3.2)  # the "sorted by" confirmation has gone from the status line


async def _finish_form(pilot: Pilot[None]) -> None:
    """Complete the first Closed deal's checklist, then finish it: the form, filled in."""
    from salesboard.ui.app import SalesboardApp

    app = pilot.app
    assert isinstance(app, SalesboardApp)
    await pilot.press(*"lllll")
    deal_id = app.board.current_deal_id()
    assert deal_id is not None
    deal = app.ctx.pipeline.get_deal(deal_id)
    for job in deal.checklist:
        if job.stage is deal.stage and not job.done:
            app.ctx.pipeline.set_job(deal_id, job.n, True)
    app.board.refresh_deal(deal_id)
    await pilot.pause()
    await pilot.press("f", "enter", "tab", "5", "tab", *"Live in all four sites")
    for box in app.screen.query(Input):
        box.cursor_blink = False


@dataclass(frozen=True)
class Shot:
    """One screenshot: file name, terminal size, keys to press, and any further steps."""

    name: str
    size: tuple[int, int]
    keys: tuple[str, ...] = ()
    step: Step | None = None
    language: str = "en"


def _reports(*keys: str) -> Step:
    """Open the reports, wait until the facts are read and the report drawn, press keys."""

    async def step(pilot: Pilot[None]) -> None:
        await pilot.press("R")
        for key in ("", *keys):
            if key:
                await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return step


SHOTS: tuple[Shot, ...] = (
    Shot("board-80x24.svg", (80, 24)),
    Shot("board-160x45.svg", (160, 45)),
    # The second Prospect card has two of three jobs ticked: who ticked them shows.
    Shot("pane-160x45.svg", (160, 45), ("down", "enter")),
    # Advancing it is refused: the notice names the missing job, the checklist opens on it.
    Shot("refused-move-80x24.svg", (80, 24), ("down", "greater_than_sign")),
    Shot("help-80x24.svg", (80, 24), ("question_mark",)),
    Shot("new-deal-form.svg", (160, 45), step=_new_deal_form),
    Shot("finish-form-80x24.svg", (80, 24), step=_finish_form),
    Shot("won-and-lost-80x24.svg", (80, 24), ("w",)),
    Shot("sort-choice-80x24.svg", (80, 24), ("s", "j")),
    Shot("one-owner-by-value-160x45.svg", (160, 45), step=_bobs_deals_by_value),
    # A deal's substance: Tab moves from the checklist to its activities, stakeholders,
    # problems and notes; A opens my agenda, overdue first.
    Shot("pane-sections-160x45.svg", (160, 45), ("down", "enter", "tab", "tab")),
    Shot("activity-form-80x24.svg", (80, 24), ("down", "enter", "tab", "n")),
    Shot("agenda-80x24.svg", (80, 24), ("A",)),
    # Insight: R opens the reports (forecast, funnel, days in stage, stuck, outcomes);
    # v switches the column headers to weighted values; stuck cards are marked.
    Shot("reports-forecast-160x45.svg", (160, 45), step=_reports()),
    Shot("reports-funnel-80x24.svg", (80, 24), step=_reports("2")),
    Shot("reports-stuck-80x24.svg", (80, 24), step=_reports("4")),
    Shot("board-weighted-80x24.svg", (80, 24), ("v",)),
    # In Norwegian, on a demo filled in Norwegian: LANG=nb_NO.UTF-8 salesboard --demo.
    Shot("board-nb-80x24.svg", (80, 24), language="nb"),
    Shot("pane-nb-160x45.svg", (160, 45), ("enter",), language="nb"),
    Shot("refused-move-nb-80x24.svg", (80, 24), ("greater_than_sign",), language="nb"),
)


async def take(shot: Shot, db: Database, out: Path) -> Path:
    """Run the app on ``db``, play the shot's keys, and save what the terminal shows."""
    app = make_app(db, clock=lambda: NOW, actor=ME)
    async with app.run_test(size=shot.size, notifications=True) as pilot:
        await pilot.pause()
        if shot.keys:
            await pilot.press(*shot.keys)
        if shot.step is not None:
            await shot.step(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        app.save_screenshot(shot.name, str(out))
    return out / shot.name


def make_screenshots(out: Path, shots: Sequence[Shot] = SHOTS) -> list[Path]:
    """Build the demo database once and take every shot on a fresh copy of it."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="salesboard-shots-") as tmp, chdir(tmp):
        templates: dict[str, Path] = {}
        for language in sorted({shot.language for shot in shots}):
            install(language)  # the demo's wording follows the language it is filled in
            templates[language] = Path(f"template-{language}.db")
            db = Database.open(str(templates[language]), create=True)
            seed_demo(db, deals=DEALS, seed=SEED, now=NOW, me=ME)
            db.close()
        for n, shot in enumerate(shots):
            install(shot.language)
            # Each shot starts as a new user would: nothing remembered (card order, owner),
            # and nothing it chooses reaches the real user's settings.
            os.environ["XDG_CONFIG_HOME"] = str(Path(tmp, f"config-{n}").resolve())
            shutil.copyfile(templates[shot.language], DB_FILE)
            db = Database.open(f"sqlite:///{DB_FILE}", create=True)
            try:
                written.append(asyncio.run(take(shot, db, out)))
            finally:
                db.close()
            Path(DB_FILE).unlink()
    install("en")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT, help=f"directory (default {OUT})")
    args = parser.parse_args(argv)
    for path in make_screenshots(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
