"""What each key repaints: only what changed, never the whole screen twice (issue 16).

Every repaint is bytes sent to the user's terminal, over SSH often on a slow link. The
tests record each frame the compositor renders (whether it is a full frame, and the
regions it repaints) while one key is handled, and check the key repainted what it
changed and no more. No timing is measured; the figures are cells, not milliseconds.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from rich.text import Text
from textual import _compositor
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from salesboard.ui.app import SalesboardApp
from salesboard.ui.column import CARD_HEIGHT, StageColumn
from salesboard.ui.deal_screen import DealScreen
from salesboard.ui.filter_box import FilterBox
from salesboard.ui.pane import JobList
from salesboard.ui.quiet import text_key, update_static
from salesboard.workflow import Stage
from tests.ui.helpers import NARROW, WIDE, Board, column, focused_column, screen_text

MEDIUM = (120, 36)
"""Narrower than the side pane needs: the checklist opens as a dialog over the board."""


@dataclass
class Frames:
    """The frames rendered while recording: (full frame?, regions repainted) each."""

    frames: list[tuple[bool, list[Region]]] = field(default_factory=list)

    @property
    def full(self) -> int:
        """How many frames repainted the whole screen."""
        return sum(full for full, _regions in self.frames)

    @property
    def regions(self) -> list[Region]:
        """Every region repainted, frame after frame."""
        return [region for _full, regions in self.frames for region in regions]

    @property
    def cells(self) -> int:
        """Cells sent, frame after frame (a cell repainted in two frames counts twice)."""
        total = 0
        for _full, regions in self.frames:
            painted = {
                (x, y)
                for region in regions
                for y in range(region.y, region.bottom)
                for x in range(region.x, region.right)
            }
            total += len(painted)
        return total

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.frames.clear()


@contextmanager
def recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[Frames]:
    """Record every frame the compositor renders (headless tests render them too)."""
    seen = Frames()
    render_update = _compositor.Compositor.render_update

    def recorded(self: _compositor.Compositor, full: bool = False, **kwargs: Any) -> Any:
        regions = list(self._dirty_regions)
        whole = full or self.size.region in self._dirty_regions
        update = render_update(self, full, **kwargs)
        if update is not None:
            seen.frames.append((whole, regions))
        return update

    monkeypatch.setattr(_compositor.Compositor, "render_update", recorded)
    yield seen


async def press(pilot: Pilot[None], frames: Frames, *keys: str) -> Frames:
    """Press ``keys`` and let every frame they cause be drawn; only those are recorded."""
    await pilot.pause()
    frames.clear()
    await pilot.press(*keys)
    await pilot.pause()
    await pilot.pause()
    return frames


def top(app: SalesboardApp) -> Screen[Any]:
    """The screen on top (a call, so that a type checker narrows nothing across keys)."""
    return app.screen_stack[-1]


def inside(region: Region, *areas: Region) -> bool:
    """Whether ``region`` lies within one of ``areas``."""
    return any(area.contains_region(region) for area in areas)


async def test_a_column_change_repaints_the_two_cursors_only(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen at 120×36 on 10,000 deals: ``l`` sent the whole screen (45 KB): focusing the
    board again, although it had the keys already, repainted every column."""
    app = demo_board.app(live=False)
    with recording(monkeypatch) as frames:
        async with app.run_test(size=MEDIUM) as pilot:
            for key in ("l", "h"):
                await press(pilot, frames, key)
                width = column(app, Stage.PROSPECT).size.width
                assert frames.frames and not frames.full
                assert sum(r.area for r in frames.regions) <= 3 * width * CARD_HEIGHT
            assert focused_column(app).stage is Stage.PROSPECT


async def test_going_down_a_column_redraws_it_once_a_page_not_at_every_key(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in the benchmark: `j` and `k` sent 2.6 KB a move but 6 KB once the cursor
    had reached the edge of the view, as the column scrolled a card at every key."""
    app = demo_board.app(live=False)
    with recording(monkeypatch) as frames:
        async with app.run_test(size=MEDIUM) as pilot:
            prospect = column(app, Stage.PROSPECT)
            per_page = prospect.state.per_page
            moves = min(len(prospect.state.ids) - 1, 3 * per_page)
            assert per_page >= 3 and moves > 2 * per_page  # pages to turn
            redrawn = 0
            for _ in range(moves):
                await press(pilot, frames, "j")
                assert prospect.state.top <= prospect.state.cursor
                assert prospect.state.cursor < prospect.state.top + per_page  # in sight
                whole = prospect.region.height * prospect.region.width
                redrawn += any(r.area >= whole for r in frames.regions)
            # A page turn shows per_page - 1 new cards.
            assert redrawn == (moves - 1) // (per_page - 1), (redrawn, moves, per_page)
            assert focused_column(app).current_id == prospect.state.ids[moves]


async def test_the_filter_box_opens_and_closes_over_the_board_without_repainting_it(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen: ``/`` sent 123 KB and Esc 136 KB, three frames each: the focus move repainted
    the screen, and the box took rows from the board, which was laid out and repainted,
    then repainted again as each column heard of its new size."""
    app = demo_board.app(live=False)
    with recording(monkeypatch) as frames:
        async with app.run_test(size=MEDIUM) as pilot:
            screen = Region(0, 0, *MEDIUM)
            await press(pilot, frames, "slash")
            box = app.board.query_one("#filter", FilterBox)
            assert box.has_focus and box.display
            assert not frames.full
            assert sum(r.area for r in frames.regions) < screen.area // 4
            first = column(app, Stage.PROSPECT)
            assert first.covered == FilterBox.ROWS
            # The box lies exactly over the rows the columns keep clear.
            assert box.region.y == first.region.bottom - FilterBox.ROWS
            assert box.region.height == FilterBox.ROWS

            await press(pilot, frames, "escape")
            assert not box.display and first.covered == 0
            assert not frames.full
            assert sum(r.area for r in frames.regions) < screen.area // 4
            assert focused_column(app) is first


async def test_the_cursor_stays_clear_of_the_filter_box(demo_board: Board) -> None:
    """The box covers the bottom of the board: a card it would hide scrolls into view."""
    app = demo_board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        col = focused_column(app)
        await pilot.press("j", "j")  # the third card: the last whole one at 80×24
        assert (col.cursor - col.top + 1) * CARD_HEIGHT - 1 <= col.size.height
        await pilot.press("slash", "a", "enter")
        assert app.board.query_one("#filter", FilterBox).display
        shown = (col.cursor - col.top + 1) * CARD_HEIGHT - 1
        assert shown <= col.size.height - FilterBox.ROWS
        await pilot.press("G")
        shown = (col.cursor - col.top + 1) * CARD_HEIGHT - 1
        assert shown <= col.size.height - FilterBox.ROWS


async def test_focus_moves_restyle_the_grid_but_not_every_column(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual restyles a widget and all its descendants when it gains or loses focus:
    for the grid, six columns with thirteen card styles each, on every ``/`` and Esc."""
    restyled: list[DOMNode] = []
    update_nodes = Stylesheet.update_nodes

    def recorded(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        restyled.extend(nodes)
        update_nodes(self, nodes, animate=animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", recorded)
    app = demo_board.app(live=False)
    async with app.run_test(size=MEDIUM) as pilot:
        await pilot.pause()
        restyled.clear()
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert app.board.grid in restyled  # its :focus state did change
        assert not [node for node in restyled if isinstance(node, StageColumn)]


async def test_the_checklist_dialog_is_built_once_and_opens_and_closes_in_one_frame(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen: Enter sent 120 KB and Esc 133 KB: the dialog's widgets were composed on each
    Enter and removed on each Esc (each repainting the screen), and the board beneath
    repainted itself in full as the dialog was pushed. Then the first Enter of a session
    still drew the whole screen three times (107 KB): as the dialog was pushed, once its
    widgets showed the deal, and once more when its scroll bar appeared."""
    app = demo_board.app(live=False)
    with recording(monkeypatch) as frames:
        async with app.run_test(size=MEDIUM) as pilot:
            await press(pilot, frames, "enter")
            dialog = app.screen
            assert isinstance(dialog, DealScreen)
            assert frames.full == 1 and len(frames.frames) == 1
            widgets = len(list(dialog.walk_children()))
            first = dialog.pane.deal
            await press(pilot, frames, "escape")
            assert top(app) is app.board
            assert frames.full == 1

            await pilot.press("j")
            await press(pilot, frames, "enter")
            shown_again = top(app) is dialog
            assert shown_again  # the same dialog, not a new one
            assert len(list(dialog.walk_children())) == widgets  # nothing composed anew
            assert dialog.pane.deal is not None and first is not None
            assert dialog.pane.deal.id != first.id  # showing the deal asked for
            assert dialog.pane.highlighted_job == 1
            assert frames.full == 1
            # Laid out for the new deal in that same frame, not drawn once before it.
            assert frames.frames[0][0]

            await press(pilot, frames, "escape")
            assert frames.full == 1
            assert focused_column(app).current_id == dialog.pane.deal.id


async def test_a_checklist_with_another_number_of_jobs_opens_in_one_frame(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in the benchmark: opening a Discovery or Proposed deal after a Qualified or
    Developed one (five jobs after four, or four after five) sent a last 2.7 KB ~30 ms
    after the frame. The job list decided on its scroll bar against its old height, was
    laid out at the new one and drew itself again on the resize; and every layout of
    the dialog asked its scroll bars to repaint after the frame had drawn them."""
    app = demo_board.app(live=False)
    with recording(monkeypatch) as frames:
        async with app.run_test(size=MEDIUM) as pilot:
            await pilot.press("l", "enter")  # a Qualified deal: the dialog is built
            await pilot.pause()
            await pilot.press("escape")
            opened: list[tuple[Stage, int]] = []
            for key in ("l", "h", "l", "l", "h"):
                await pilot.press(key)
                await press(pilot, frames, "enter")
                dialog = top(app)
                assert isinstance(dialog, DealScreen) and dialog.pane.deal is not None
                deal = dialog.pane.deal
                jobs = dialog.query_one("#pane-jobs", JobList)
                opened.append((deal.stage, jobs.option_count))
                assert len(frames.frames) == 1 and frames.full == 1, (key, frames.frames)
                assert jobs.option_count == len(deal.jobs())
                assert not jobs.show_vertical_scrollbar  # every job shown, none scrolled
                assert jobs.size.height == jobs.virtual_size.height
                drawn = screen_text(app)
                for job in deal.jobs():
                    assert job.text[:20] in drawn
                await press(pilot, frames, "escape")
            counts = [count for _stage, count in opened]
            assert len(set(counts)) > 1, counts  # the number of jobs changed between opens


async def test_a_card_redrawn_beneath_the_dialog_never_cuts_through_the_dialog(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen by a tester: with the checklist open, a colleague's change to a card half
    under the dialog left a two-cell hole in every line of wide characters (漢) in the
    dialog, at the card's edge. The card's region was repainted on the dialog's screen,
    cutting the dialog's lines there: a wide character cut in half is drawn as a space,
    which erases the whole character on the terminal. A repaint that reaches into the
    dialog must take in the dialog's whole width on those rows."""
    app = demo_board.app(live=False)
    with recording(monkeypatch) as frames:
        async with app.run_test(size=MEDIUM) as pilot:
            await pilot.press("l", "enter")
            dialog = top(app)
            assert isinstance(dialog, DealScreen)
            await pilot.pause()
            beneath = column(app, Stage.QUALIFIED)
            pane = dialog.pane.region
            assert beneath.region.overlaps(pane) and not pane.contains_region(beneath.region)
            frames.clear()
            beneath.refresh()  # as a colleague's change to one of its cards does
            await pilot.pause()
            await pilot.pause()
            reaching_in = [r for r in frames.regions if r.overlaps(pane)]
            assert reaching_in  # the card is repainted where it shows, dimmed
            for region in reaching_in:
                assert region.x <= pane.x and region.right >= pane.right, region
            assert top(app) is dialog


async def test_a_tick_in_the_dialog_repaints_the_dialog_and_the_card_only(
    small_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen: a tick sent 62–101 KB. The pane rebuilt every section (each repainting,
    each laid out), and the board beneath, repainted under a dialog, made the dialog's
    whole screen go out again."""
    app = small_board.app(live=False)
    with recording(monkeypatch) as frames:
        async with app.run_test(size=MEDIUM) as pilot:
            card = column(app, Stage.PROSPECT)
            await pilot.press("enter")
            dialog = app.screen
            assert isinstance(dialog, DealScreen)
            assert dialog.pane.deal is not None
            before = dialog.pane.deal.jobs()[0].done
            await press(pilot, frames, "space")
            assert dialog.pane.deal.jobs()[0].done is not before  # ticked (or unticked)
            assert frames.frames and not frames.full
            # The count, the job, the newest changes and the card; nothing moved: who
            # ticked the job and when share its line, and the newest changes always
            # take as many lines (a pane that grew went to the terminal whole, 16 KB).
            changed = [
                dialog.query_one(f"#{name}").region
                for name in ("pane-stage-title", "pane-jobs", "pane-recent")
            ]
            for region in frames.regions:
                assert inside(region, *changed, card.region), region


def test_a_static_given_what_it_shows_is_not_repainted() -> None:
    """``Static.update`` repaints even unchanged content; ``update_static`` does not, and
    tells a dimmed line from a plain one (Rich's ``Text ==`` ignores the text's style)."""
    shown = Static(Text("2/3 jobs done"))
    assert not update_static(shown, Text("2/3 jobs done"))
    assert text_key(Text("x", "dim")) != text_key(Text("x"))
    assert text_key(Text("x")) != text_key("x")


async def test_the_side_pane_opens_and_closes_painting_the_board_once(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen at 160×45: Enter sent 145 KB and Esc 123 KB. The columns, narrowed or
    widened by the pane, were painted by the layout and then again, whole, as each
    column, header and stage box heard of its new size."""
    app = demo_board.app(live=False)
    with recording(monkeypatch) as frames:
        async with app.run_test(size=WIDE) as pilot:
            await press(pilot, frames, "enter")
            pane = app.board.pane
            assert pane.display
            left_of_pane = [
                any(r.x < pane.region.x for r in regions) for _, regions in frames.frames
            ]
            assert sum(left_of_pane) == 1  # the columns, in one frame
            assert not frames.full
            await press(pilot, frames, "escape")
            assert not pane.display
            first = column(app, Stage.PROSPECT).region
            painted = [any(r.overlaps(first) for r in regions) for _, regions in frames.frames]
            assert sum(painted) == 1  # the columns, in one frame (the key hints may follow)
            assert not frames.full


async def test_the_start_up_collection_waits_until_the_first_frame_is_out(
    demo_board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in a terminal at 10,000 deals: the collection that exempts start-up's objects
    from later ones (50-80 ms) ran between the board's load and its first frame, holding
    the frame back. It must wait until the frame has had time to reach the terminal
    (``AFTER_FRAME_SECONDS`` after it was rendered), and still run."""
    from salesboard.ui import board_screen

    events: list[tuple[str, float]] = []
    monkeypatch.setattr(
        board_screen, "exempt_from_gc", lambda: events.append(("collect", time.monotonic()))
    )
    render_update = _compositor.Compositor.render_update

    def noted(self: _compositor.Compositor, full: bool = False, **kwargs: Any) -> Any:
        whole = full or self.size.region in self._dirty_regions
        update = render_update(self, full, **kwargs)
        if update is not None and whole:
            events.append(("full frame", time.monotonic()))
        return update

    monkeypatch.setattr(_compositor.Compositor, "render_update", noted)
    app = demo_board.app(live=False)
    async with app.run_test(size=MEDIUM) as pilot:
        await pilot.pause(board_screen.AFTER_FRAME_SECONDS * 4)
    names = [name for name, _at in events]
    assert names.count("collect") == 1
    first_frame = events[names.index("full frame")][1]
    collected = events[names.index("collect")][1]
    assert collected - first_frame >= board_screen.AFTER_FRAME_SECONDS


def test_the_start_up_collection_only_acts_when_the_start_turned_collection_off() -> None:
    """The CLI turns the collector off for the start; ``exempt_from_gc`` freezes what
    start-up built and turns it on again. A program embedding the board (these tests)
    keeps its collector as it is: a full collection of its heap in the middle of its
    work was a pause it did not ask for."""
    from salesboard.ui.board_screen import exempt_from_gc

    frozen = gc.get_freeze_count()
    exempt_from_gc()  # collection is on: nothing happens
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    kept = [object() for _ in range(10)]
    gc.disable()
    try:
        exempt_from_gc()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.enable()
        gc.unfreeze()
