"""The board: six stage columns, the checklist pane, filtering, and every card action.

The screen is the only UI code that calls the service. A move updates exactly the two
columns involved and their headers from the deal the service returns; it never reloads
the board. Other sessions' changes arrive through ``LiveUpdates`` and are applied the
same way, card by card, keeping the user's cursor and scroll.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, Self

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.geometry import Region
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input, Static

from salesboard.errors import Conflict, DealNotFound
from salesboard.i18n import N_, _, ngettext
from salesboard.money import amount_text
from salesboard.service import DealView, EventView, Pipeline
from salesboard.service.board import BoardFilter, ChangedDeals, ColumnTotals, OpenDealIndex
from salesboard.service.filters import search_key
from salesboard.service.presence import Colleague
from salesboard.service.sorting import CardOrder
from salesboard.settings import BoardSettings, board_key
from salesboard.ui import keymap
from salesboard.ui.board_model import BoardModel
from salesboard.ui.changes import Change, ChangeRunner, Done, Refused
from salesboard.ui.choice_screen import ChoiceScreen, owner_choices
from salesboard.ui.column import CARD_HEIGHT, StageColumn
from salesboard.ui.context import BoardContext
from salesboard.ui.filter_box import FilterBox
from salesboard.ui.footer import KeyHints
from salesboard.ui.grid import BoardGrid, StageBox
from salesboard.ui.guard import keeps_running
from salesboard.ui.header import ColumnHeader, StatusLine
from salesboard.ui.keymap import bindings
from salesboard.ui.live import LiveUpdates
from salesboard.ui.pane import DealPane
from salesboard.ui.quiet import quiet_focus
from salesboard.validation import display_safe
from salesboard.workflow import LAST_STAGE, GateRefusal, Outcome, Stage, Status

if TYPE_CHECKING:  # loaded on first use (``part_editor``)
    from salesboard.ui.deal_screen import DealScreen
    from salesboard.ui.notes_editor import NotesEditor
    from salesboard.ui.part_actions import PartEditor

AFTER_FRAME_SECONDS = 0.05
"""How long after a frame is handed to the terminal's writer ``after_frame`` work waits."""
WIDE_PANE = 140  # at this width and above the pane opens beside the board


_ORDER_SHORT = {
    CardOrder.VALUE: N_("value"),
    CardOrder.CLOSE: N_("close date"),
    CardOrder.DAYS: N_("days in stage"),
    CardOrder.CHANGED: N_("last change"),
}
"""The card order as the status line names it (the board order goes unsaid)."""


class _Seen:
    """Marks "the version the user sees on screen" as a change's expected version."""


SEEN = _Seen()


_EDITABLE = (
    ("title", N_("title")),
    ("company", N_("company")),
    ("value_minor", N_("value")),
    ("currency", N_("currency")),
    ("owner", N_("owner")),
    ("expected_close", N_("expected close")),
    ("notes", N_("notes")),
)


def what_changed(seen: DealView, fresh: DealView) -> str:
    """Who changed what between the deal the user saw and the deal as it is now."""
    before, after = seen.summary, fresh.summary
    changes: list[str] = []
    for key, label in _EDITABLE:
        old, new = getattr(before, key), getattr(after, key)
        if old != new:
            if key == "value_minor":
                old, new = amount_text(old, after.currency), amount_text(new, after.currency)
            elif key == "notes":
                changes.append(_(label))
                continue
            changes.append(_changed(_(label), old or "—", new or "—"))
    if before.stage != after.stage:
        changes.append(_changed(_("stage"), before.stage.label, after.stage.label))
    if before.jobs_done != after.jobs_done:
        changes.append(_("the checklist"))
    what = ", ".join(changes) or _("the deal")
    return _(
        "{who} changed {what} at {time} UTC while you were editing. Your changes are "
        "still here: save again to put them on top."
    ).format(who=after.updated_by, what=what, time=f"{after.updated_at:%H:%M}")


def _changed(field: str, old: object, new: object) -> str:
    """One field's change in a conflict note: ``title (Old → New)``."""
    return _("{field} ({old} → {new})").format(field=field, old=old, new=new)


def exempt_from_gc() -> None:
    """Collect start-up's garbage once, then keep what is left out of later collections.

    What start-up builds (modules, widgets, the deal index) lives as long as the board.
    Left in the collector's oldest generation, it was scanned again by every full
    collection, a pause of about 90 ms every few key presses that grew with the number
    of deals. Frozen objects are still freed by reference counting when dropped (an old
    index after a reload has no cycles). Runs once the first frame is out
    (``BoardScreen.after_frame``), and only if the start turned collection off to
    speed itself up (``salesboard.cli.main``), which it turns back on: a program that
    embeds the board (the tests) keeps its own collector as it is.
    """
    if gc.isenabled():
        return
    gc.collect()
    gc.freeze()
    gc.enable()


class BoardScreen(Screen[None]):
    """The pipeline board a salesperson lives in."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.LEFT, keymap.RIGHT, keymap.OPEN, keymap.ADVANCE, keymap.BACK, keymap.FINISH,
        keymap.NEW, keymap.EDIT, keymap.LOST, keymap.UNDO, keymap.ENDED, keymap.HISTORY,
        keymap.FILTER, keymap.AGENDA, keymap.REPORTS, keymap.WEIGHTED,
        keymap.MINE, keymap.OWNER, keymap.SORT,
        keymap.HELP, keymap.QUIT, keymap.CLEAR,
    )  # fmt: skip

    focused = quiet_focus()

    def __init__(self, context: BoardContext, *, live: bool = True) -> None:
        super().__init__()
        self.live_updates = live
        self.ctx = context
        self.board_filter = BoardFilter()
        self._finishable = False  # the lit card is a complete Closed deal (the Finish hint)
        self.totals: dict[Stage, ColumnTotals] = {}
        self._pane_open = False
        self.read_only = context.pipeline.db.read_only
        self.index = OpenDealIndex(context.pipeline.db)
        self.model = BoardModel()
        self.changes = ChangeRunner(self)
        self.live = LiveUpdates(self)
        self.colleagues: list[Colleague] = []
        self._damaged_reported: list[tuple[int, str]] = []
        self._pane_to_dialog = False
        self._styled_by: tuple[object, str] | None = None
        """The stylesheet and theme the board's widgets were last styled with."""
        self.covering = False
        """True while a screen is being pushed over the board (see ``refresh``)."""
        self._dialog: DealScreen | None = None
        """The checklist dialog of narrow terminals, composed once and shown again."""
        self._settings_problem_said = False
        self.weighted = False
        """Whether the column headers show weighted values (``v``)."""
        self._after_frame: list[Callable[[], object]] = []
        """Work that must not delay the next frame: run once it has been written."""

    # ---------------------------------------------------------------- layout

    @functools.cached_property
    def part_editor(self) -> PartEditor:
        """Forms and changes of a deal's parts, loaded the first time they are needed.

        Loading its forms at start-up cost the board a noticeable part of its start.
        """
        from salesboard.ui.part_actions import PartEditor

        return PartEditor(self)

    @functools.cached_property
    def notes_editor(self) -> NotesEditor:
        """The deal notes' editor, loaded the first time it is needed (as ``part_editor``)."""
        from salesboard.ui.notes_editor import NotesEditor

        return NotesEditor(self)

    def compose(self) -> ComposeResult:
        """Status line, six columns and the pane, the filter box, the footer.

        The filter box and the empty board's hint lie over the board (layer ``overlay``)
        and come first: Textual orders the widgets it places from the last one, so a
        widget shown or hidden after the board would renumber, and so repaint, all of it.
        """
        yield Static(id="empty-hint")
        yield FilterBox(
            self._filter_typed, placeholder=_("Filter by title, company or owner"), id="filter"
        )
        yield StatusLine(id="status")
        yield Static(
            _("READ-ONLY: you may look but not change anything (no write permission)."),
            id="readonly-banner",
        )
        with Horizontal(id="board"):
            with BoardGrid(self.model, id="columns"):
                for stage in Stage:
                    with StageBox(classes="stage"):
                        yield ColumnHeader(stage, id=f"header-{stage.name.lower()}")
                        yield StageColumn(
                            stage,
                            self.ctx.queries.cards,
                            self.ctx.clock,
                            state=self.model.columns[stage],
                            id=f"column-{stage.name.lower()}",
                        )
            yield DealPane(self.ctx.clock, recent=self.recent_changes, id="pane")
        yield KeyHints()

    def on_mount(self) -> None:
        """Load the board, focus the first card, and go live once it is on screen.

        Polling and the presence heartbeat (a write, in a thread) start after the first
        frame, so they do not compete with drawing it; the change baseline is taken
        before the load, so nothing committed meanwhile is missed.
        """
        self._styled_by = (self.app.stylesheet, self.app.theme)  # each widget, as mounted
        self.query_one("#readonly-banner").display = self.read_only
        self._recall_settings()
        self.reload()
        self.focus_column(self.column(Stage.PROSPECT))
        if self.live_updates:
            self.call_after_refresh(self.live.start)

    def on_resize(self, event: events.Resize) -> None:
        """Below the side pane's width, an open side pane becomes the checklist dialog.

        Squeezing the columns to make room for it would leave them unreadable.
        """
        if not self._pane_open or event.size.width >= WIDE_PANE or self.pane.deal is None:
            return
        if self.app.screen is not self:  # a dialog is open over the board: when it closes
            self._pane_to_dialog = True
            return
        self._turn_pane_into_dialog()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Come (back) on top, styling the board's widgets again only if styles changed.

        Textual works out the style of every widget on the screen each time it comes on
        top: at start, just after styling each as it was mounted (~15 ms of the start),
        and after every dialog closes. They only change when the stylesheet or the theme
        does (a theme change makes a new stylesheet); a widget whose classes or focus
        change is styled again by Textual then.
        """
        styled_by = (self.app.stylesheet, self.app.theme)
        if self._styled_by == styled_by:
            event.refresh_styles = False  # Textual's handler (called next) reads this
        self._styled_by = styled_by
        # Back on top after a dialog: finish turning a squeezed side pane into a dialog.
        if self._pane_to_dialog:
            self._pane_to_dialog = False
            if self._pane_open and self.size.width < WIDE_PANE:
                self._turn_pane_into_dialog()

    def _turn_pane_into_dialog(self) -> None:
        if self.pane.deal is None:
            return
        deal, job = self.pane.deal, self.pane.highlighted_job
        pane_had_keys = self.focused is not self.grid
        self._pane_open = False
        self.pane.display = False
        column = self.column(deal.stage)
        column.select_id(deal.id)
        self.focus_column(column)
        if pane_had_keys:
            self.call_after_refresh(self.open_pane, deal.id, focus_job=job)

    def on_unmount(self) -> None:
        """Stop polling, leave the presence list, and let the collector see everything again.

        Unfreezing matters when the board is not the whole process (the tests run many
        boards in one): what this board froze can be collected once it is gone.
        """
        self.live.stop()
        gc.unfreeze()

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Repaint as Textual does, except the whole board where nothing needs it.

        Pushing a screen repaints the one beneath in full. Under a dialog the board is
        drawn (dimmed) by the dialog's own first frame already, so that repaint only made
        the dialog's whole screen go out a second time (``SalesboardApp.push_screen``).
        A layout of the whole screen (once its widgets have mounted, at the start)
        repainted it all too, although the layout repaints whatever it moves.
        """
        if self.covering and not (regions or layout or recompose):
            return self
        if layout and not regions:  # what the layout moves repaints itself
            repaint = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _compositor_refresh(self) -> None:
        """Under a dialog, have the dialog repaint what changed on the board, and no more.

        Textual (8.2) hands a covered screen's changes to the screen on top and then marks
        the covered screen as needing a repaint of its own, which at its next update
        hands the same regions up again (and, the first time, a stale whole-screen
        region from the start): a tick in the checklist dialog, which changes one card
        beneath it, sent the dialog's whole screen again.
        """
        app = self.app
        changed = self._compositor._dirty_regions
        if self is not app.screen and self in app._background_screens:
            if changed:
                regions = list(changed)
                changed.clear()
                self._dirty_widgets.clear()
                app.screen.refresh(*regions)
            self._schedule_after_frame()
            return
        super()._compositor_refresh()
        self._schedule_after_frame()

    def _schedule_after_frame(self) -> None:
        # The frame is queued for the driver's writer thread: give it time to write
        # before work that holds the interpreter (a collection) starts.
        if self._after_frame:
            waiting, self._after_frame = self._after_frame, []
            self.set_timer(AFTER_FRAME_SECONDS, lambda: [work() for work in waiting])

    # ------------------------------------------------------------ data down

    def column(self, stage: Stage) -> StageColumn:
        """The widget of one stage."""
        return self.query_one(f"#column-{stage.name.lower()}", StageColumn)

    def header(self, stage: Stage) -> ColumnHeader:
        """The header of one stage."""
        return self.query_one(f"#header-{stage.name.lower()}", ColumnHeader)

    @property
    def grid(self) -> BoardGrid:
        """The columns' keyboard target, which knows the active column."""
        return self.query_one(BoardGrid)

    def focus_column(self, column: StageColumn) -> None:
        """Give the keyboard to the board with ``column`` active."""
        self.grid.activate(column)

    @property
    def columns(self) -> list[StageColumn]:
        """All six columns, left to right."""
        return [self.column(stage) for stage in Stage]

    @property
    def pane(self) -> DealPane:
        """The checklist pane beside the board."""
        return self.query_one("#pane", DealPane)

    def reload(self) -> None:
        """Read the open deals again and redraw the whole board (start, flood of changes)."""
        self.index.rates = self.ctx.rates.current()
        self.live.mark_shown(self.index.rates.version)
        for column in self.columns:
            column.base_currency = self.index.rates.base
        self.index.load()
        self._report_damaged()
        for column in self.columns:
            column.forget_cards()  # details may be stale too
        self.refilter()
        # One query for the cards every column shows first, instead of one per column.
        rows = self.app.size.height // CARD_HEIGHT + 1
        shown = self.ctx.queries.cards(i for c in self.columns for i in c.first_ids(rows))
        for column in self.columns:
            column.preload(shown)
        self.after_frame(exempt_from_gc)
        self.after_frame(self._warm_up)

    def after_frame(self, work: Callable[[], object]) -> None:
        """Run ``work`` once the next frame of this screen has gone to the terminal.

        ``call_after_refresh`` runs before Textual writes the frame: the start-up
        collection there (50-80 ms at 10,000 deals) held the board's first frame back.
        """
        self._after_frame.append(work)

    def _warm_up(self) -> None:
        """Load the currency data in the background once the board is drawn.

        The first money written with its decimals (the checklist's value) would otherwise
        pay for importing it, on a key press.
        """
        from salesboard.money import decimals

        self.run_worker(lambda: decimals("EUR"), thread=True, group="warm-up")

    def _report_damaged(self) -> None:
        """Say once which open deals cannot be shown because their rows are damaged."""
        damaged = self.index.damaged
        if not damaged or damaged == self._damaged_reported:
            return
        self._damaged_reported = list(damaged)
        first_id, why = damaged[0]
        count = len(damaged)
        told = ngettext(
            "{count} damaged deal is not on the board: deal {deal} ({why}). "
            "Run 'salesboard doctor' to see every problem.",
            "{count} damaged deals are not on the board: deal {deal} ({why}) and {more} more. "
            "Run 'salesboard doctor' to see every problem.",
            count,
        )
        self.say(
            told.format(count=count, deal=first_id, why=why, more=count - 1),
            title=_("Damaged data"),
            severity="warning",
            timeout=12,
        )

    def refilter(self) -> None:
        """Redraw every column for the current filter from the in-memory index (no query).

        Each column keeps its lit card lit (the view scrolls to it if it moved).
        """
        view = self.index.view(self.board_filter)
        ids = view.columns
        self.totals = view.totals
        hint = _("no match") if self.board_filter.text else _("no deals")
        for stage in Stage:
            column = self.column(stage)
            column.empty_hint = hint
            column.set_ids(ids[stage], keep=column.current_id, keys=view.keys[stage])
            self.header(stage).show(self.totals[stage])
        self._show_status()
        self._show_empty_hint()

    def _show_status(self) -> None:
        self.query_one(StatusLine).show(
            database=self.ctx.database_name,
            user=self.ctx.user,
            filter_text=self.board_filter.text,
            owner=self.board_filter.owner,
            order="" if self.index.order is CardOrder.BOARD else _(_ORDER_SHORT[self.index.order]),
            online=[c.login for c in self.colleagues],
            read_only=self.read_only,
            weighted=self.weighted,
        )

    def _show_empty_hint(self) -> None:
        hint = self.query_one("#empty-hint", Static)
        empty = all(t.count == 0 for t in self.totals.values())
        filtered = bool(self.board_filter.text) or self.board_filter.owner is not None
        if empty and not filtered:
            hint.update(
                _(
                    "The board is empty.\n\nPress n to add a deal.\n"
                    "To try the board on made-up deals first, run\n"
                    "`salesboard --demo` (a separate demo board)."
                )
            )
        elif empty:
            ways = []
            if self.board_filter.text:
                ways.append(_("Press Esc to clear the filter."))
            if self.board_filter.owner is not None:
                ways.append(_("Press m to show everyone's deals."))
            hint.update(_("No open deal matches.") + "\n\n" + "\n".join(ways))
        hint.display = empty

    def recount(self) -> None:
        """Headers from the index, the one source of totals (after any change of a deal)."""
        self.totals = self.index.totals(self.board_filter)
        for stage in Stage:
            self.header(stage).show(self.totals[stage])

    def rates_changed(self) -> None:
        """The team set a rate or its base currency: convert and redraw the totals."""
        self.index.rebase(self.ctx.rates.current())
        for column in self.columns:
            column.base_currency = self.index.rates.base
            column.refresh()
        if self.index.order is CardOrder.VALUE:  # values compare anew: place every card again
            self.refilter()
        else:
            self.recount()

    def pipeline_changed(self, version: int) -> None:
        """Someone imported a pipeline: redraw with its stage names and checklists."""
        self._show_anew()
        self.say(
            _(
                "The team's pipeline changed (version {version}): stage names and "
                "checklists are shown as it now has them"
            ).format(version=version),
            title=_("Pipeline"),
        )

    def _show_anew(self) -> None:
        """Read the pipeline in force and every open deal again; redraw the open pane."""
        self.ctx.definitions.current()  # puts its names in force
        self.reload()
        for stage in Stage:  # a renamed stage leaves its figures alone: repaint its name
            self.header(stage).refresh()
        for pane in (self.pane, self._modal_pane()):
            if pane is not None and pane.deal is not None:
                with contextlib.suppress(DealNotFound):
                    pane.show(self.ctx.pipeline.get_deal(pane.deal.id))

    def database_replaced(self) -> None:
        """Another file took the database's path (a backup restored): show it whole.

        Its pipeline, rates and deals may all differ from what the board showed; a change
        made from the old view was refused (``FileReplaced``), never written to the old
        file.
        """
        self._show_anew()
        self.say(
            _(
                "Another file took the database's place (a backup restored?): the board "
                "now shows that file"
            ),
            title=_("Database replaced"),
            severity="warning",
            timeout=10,
        )

    # ------------------------------------------------------------- helpers

    def say(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        """Notify with text shown literally: deal titles may contain ``[markup]``."""
        self.notify(
            display_safe(message, multiline=True),
            title=title,
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def confirm(self, message: str) -> None:
        """Confirm a routine action in the status line (literal text, a few seconds)."""
        self.query_one(StatusLine).tell(message)

    @property
    def focused_column(self) -> StageColumn | None:
        """The active column while the board has the keys, else the pane's card's column."""
        if self.focused is self.grid:
            return self.grid.active
        if self.pane.deal is not None and self._pane_open:
            return self.column(self.pane.deal.stage)
        return None

    def _stage_showing(self, deal_id: int) -> Stage | None:
        """The column a deal's card is in now, if it is on the board."""
        return next((c.stage for c in self.columns if c.contains(deal_id)), None)

    def current_deal_id(self) -> int | None:
        """The deal the user is acting on: the pane's deal, or the card under the cursor."""
        if self._pane_open and self.pane.deal is not None and self.focused is not self.grid:
            return self.pane.deal.id
        column = self.focused_column
        return column.current_id if column else None

    def _version_of(self, deal_id: int) -> int | None:
        """The version of a deal as drawn now (modal or side pane, or card), if drawn."""
        for pane in (self._modal_pane(), self.pane):
            if pane is not None and pane.deal is not None and pane.deal.id == deal_id:
                return pane.deal.version
        for column in self.columns:
            card = column.cached_card(deal_id)
            if card is not None:
                return card.version
        return None

    def submit(
        self,
        deal_id: int,
        what: str,
        change: Change,
        done: Done,
        *,
        version: int | _Seen | None = SEEN,
        refused: Refused | None = None,
    ) -> None:
        """Make a change with the version the user saw (``ChangeRunner``: never freezes)."""
        seen = self._version_of(deal_id) if isinstance(version, _Seen) else version
        self.changes.submit(deal_id, what, change, done, version=seen, refused=refused)

    def show_pending(self, pending: dict[int | str, str]) -> None:
        """Say in the status line which changes are waiting for the database."""
        self.query_one(StatusLine).pending(list(pending.values()))

    def report_refusal(self, key: int | str, refusal: Exception, *, later: bool) -> None:
        """Explain a refused change; a gate refusal opens the checklist (unless it came late)."""
        if isinstance(refusal, GateRefusal) and isinstance(key, int):
            jobs = "\n".join(f"• {job.text}" for job in refusal.missing)
            self.say(
                _("Cannot leave {stage} yet. Unfinished:\n{jobs}").format(
                    stage=refusal.stage.label, jobs=jobs
                ),
                title=_("Move refused"),
                severity="warning",
                timeout=8,
            )
            if not later:
                first = refusal.missing[0].n if refusal.missing else None
                self.open_pane(key, focus_job=first)
        elif isinstance(refusal, Conflict) and isinstance(key, int):
            fresh = self.refresh_deal(key)
            who = refusal.changed_by or fresh.summary.updated_by
            self.say(
                _(
                    "{title} was changed by {who} at {time} UTC after you opened it. Nothing "
                    "was saved; you now see the latest version, so you can try again."
                ).format(
                    title=fresh.summary.title, who=who, time=f"{fresh.summary.updated_at:%H:%M}"
                ),
                title=_("Changed by someone else"),
                severity="error",
                timeout=10,
            )
        else:
            self.say(str(refusal), title=_("Not done"), severity="warning")
            self.sync_read_only()

    def sync_read_only(self) -> None:
        """Show the read-only banner if a refused write just revealed the database is."""
        if self.ctx.pipeline.db.read_only and not self.read_only:
            self.read_only = True
            self.query_one("#readonly-banner").display = True
            self._show_status()

    def refresh_deal(self, deal_id: int) -> DealView:
        """Reload one deal from the database and show it everywhere it appears."""
        fresh = self.ctx.pipeline.get_deal(deal_id)
        self.show_change(fresh)
        return fresh

    def show_change(
        self,
        deal: DealView,
        *,
        previous_stage: Stage | None = None,
        remote: bool = False,
    ) -> None:
        """Push one changed deal down: its column(s), headers and the pane.

        A ``remote`` change (someone else's) never moves the user's cursor. The headers'
        figures change by what this deal changed (the index works the difference out), so
        a move costs the same at any number of deals.
        """
        before, after = self.index.put(deal.summary)
        if self.totals:
            changed = self.index.adjust(self.totals, before, after, self.board_filter)
            for stage in Stage:
                if changed[stage] != self.totals[stage]:
                    self.header(stage).show(changed[stage])
            self.totals = changed
        summary = deal.summary
        located = previous_stage
        if located is None:
            located = self._stage_showing(deal.id)
        keeps = summary.status is Status.OPEN and self._matches(deal)
        if located is not None and (located != summary.stage or not keeps):
            self.column(located).remove_deal(deal.id)
            located = None
        if keeps:
            target = self.column(summary.stage)
            key = self.index.sort_key(deal.id)
            if located is None or target.key_of(deal.id) != key:  # arrived, or re-sorted
                target.insert(summary, select=not remote, key=key)
            else:
                target.put_card(summary)
        if self.pane.deal is not None and self.pane.deal.id == deal.id:
            self.pane.show(deal)
        modal = self._modal_pane()
        if modal is not None and modal.deal is not None and modal.deal.id == deal.id:
            modal.show(deal)
        self._show_empty_hint()

    def _modal_pane(self) -> DealPane | None:
        from salesboard.ui.deal_screen import DealScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, DealScreen):
                panes = screen.query(DealPane)  # empty until the modal has composed
                return panes.first() if panes else None
        return None

    # ------------------------------------------------------ other sessions

    def apply_remote_changes(self, changed: ChangedDeals) -> None:
        """Redraw the deals other sessions changed; reload only after a flood of changes."""
        if changed.too_many:
            self.reload()
            return
        applied = False
        for deal_id in sorted(changed.deal_ids):
            try:
                fresh = self.ctx.pipeline.get_deal(deal_id)
            except DealNotFound:
                continue
            belongs = fresh.summary.status is Status.OPEN and self._matches(fresh)
            where = fresh.stage if belongs else None
            drawn = self._version_of(deal_id) == fresh.version
            if drawn and self._stage_showing(deal_id) == where:
                continue  # our own change, already drawn
            self.show_change(fresh, remote=True)
            applied = True
        if applied:
            self._show_empty_hint()

    def show_presence(self, colleagues: list[Colleague]) -> None:
        """Show how many people are on the board and who has the open deal in front of them."""
        self.colleagues = colleagues
        self._show_status()
        for pane in (self.pane, self._modal_pane()):
            if pane is not None and pane.deal is not None:
                pane.show_viewers(self.live.viewers_of(pane.deal.id))

    def open_deal_id(self) -> int | None:
        """The deal whose checklist this user has open, for presence."""
        modal = self._modal_pane()
        if modal is not None and modal.deal is not None:
            return modal.deal.id
        if self._pane_open and self.pane.deal is not None:
            return self.pane.deal.id
        return None

    def _matches(self, deal: DealView) -> bool:
        s = deal.summary
        return self.board_filter.keeps(s.owner, search_key(s.title, s.company, s.owner))

    # ---------------------------------------------------------------- pane

    def open_pane(self, deal_id: int, *, focus_job: int | None = None) -> None:
        """Show a deal's checklist beside the board, or as a modal when narrow."""
        deal = self.ctx.pipeline.get_deal(deal_id)
        if self.size.width >= WIDE_PANE:
            self._pane_open = True
            self.pane.display = True
            self.pane.show(deal, focus_job=focus_job)
            self.pane.show_viewers(self.live.viewers_of(deal_id))
            self.pane.focus_jobs()
        else:
            from salesboard.ui.deal_screen import DealScreen

            top = self.app.screen
            if isinstance(top, DealScreen) and top.pane.deal and top.pane.deal.id == deal_id:
                # Already open (e.g. a refused advance from the modal): no second modal.
                top.pane.show(deal, focus_job=focus_job)
                top.pane.focus_jobs()
                return
            viewers = self.live.viewers_of(deal_id)
            dialog = self._dialog
            if dialog is None or dialog in self.app.screen_stack:
                dialog = DealScreen(
                    deal,
                    self.ctx.clock,
                    focus_job=focus_job,
                    viewers=viewers,
                    recent=self.recent_changes,
                )
                if self._dialog is None:  # kept (installed), so a close does not unmount it
                    self._dialog = dialog
                    self.app.install_screen(dialog, f"deal-dialog-{id(self)}")
            else:
                dialog.present(deal, focus_job=focus_job, viewers=viewers)
            self.app.push_screen(dialog, self.dialog_closed)
        self.live.follow_open_deal(deal_id)

    def dialog_closed(self, deal_id: int | None) -> None:
        """The checklist dialog closed: the cursor goes to its deal's card."""
        self.live.follow_open_deal(None)
        stage = self._stage_showing(deal_id) if deal_id is not None else None
        if deal_id is not None and stage is not None:
            column = self.column(stage)
            column.select_id(deal_id)
            self.focus_column(column)

    def close_pane(self) -> None:
        """Hide the pane and return focus to the card it showed."""
        deal = self.pane.deal
        self._pane_open = False
        self.pane.display = False
        self.live.follow_open_deal(None)
        if deal is not None:
            column = self.column(deal.stage)
            if column.select_id(deal.id) or not column.contains(deal.id):
                self.focus_column(column)
                return
        self.focus_column(self.column(Stage.PROSPECT))

    @on(DealPane.Closed)
    def _pane_closed(self) -> None:
        self.close_pane()

    @on(DealPane.ToggleJob)
    @keeps_running
    def _pane_toggle(self, message: DealPane.ToggleJob) -> None:
        message.stop()  # the side pane's own: not also the app's (the dialog's path)
        self.toggle_job(message.deal, message.n)

    def toggle_job(self, deal: DealView, n: int) -> None:
        """Flip job ``n`` of the deal the user sees; saves at once.

        Unticking a job a colleague ticked erases their name and date from the checklist,
        so it asks first, naming who and when.
        """
        from salesboard.ui.confirm import ConfirmUntick

        jobs = deal.jobs()
        if not 1 <= n <= len(jobs) or self._refuse_read_only():
            return
        job = jobs[n - 1]
        wanted = not job.done

        def retry(fresh: DealView) -> None:
            """Tick again once the missing evidence is added (offered once, not twice)."""
            if fresh.stage is deal.stage and not fresh.jobs()[n - 1].done:
                self.submit(
                    fresh.id,
                    _("the tick of job {job} of deal {deal}").format(job=n, deal=fresh.id),
                    lambda pipeline, v: pipeline.set_job(
                        fresh.id, n, True, expected_version=v, stage=fresh.stage
                    ),
                    lambda result, later: self.show_change(result, remote=later),
                    refused=lambda error, later: self.part_editor.offer_evidence(
                        fresh, error, later
                    ),
                )

        def save(confirmed: bool | None = True) -> None:
            if not confirmed:
                return
            what = (
                _("the tick of job {job} of deal {deal}")
                if wanted
                else _("the untick of job {job} of deal {deal}")
            )
            self.submit(
                deal.id,
                what.format(job=n, deal=deal.id),
                lambda pipeline, v: pipeline.set_job(
                    deal.id, n, wanted, expected_version=v, stage=deal.stage
                ),
                lambda result, later: self.show_change(result, remote=later),
                refused=lambda error, later: self.part_editor.offer_evidence(
                    deal, error, later, retry=retry
                ),
            )

        if job.done and job.done_by is not None and job.done_by != self.ctx.user:
            self.app.push_screen(ConfirmUntick(job), save)
        else:
            save()

    @on(DealPane.PartAsked)
    def _pane_part(self, message: DealPane.PartAsked) -> None:
        message.stop()  # the side pane's own: not also the app's (the dialog's path)
        self.part_asked(message)

    @keeps_running
    def part_asked(self, message: DealPane.PartAsked) -> None:
        """Add, edit, mark done or remove an activity, stakeholder or problem (``PartEditor``)."""
        self.part_editor.asked(message)

    @on(DealPane.NotesAsked)
    def _pane_notes(self, message: DealPane.NotesAsked) -> None:
        message.stop()  # the side pane's own: not also the app's (the dialog's path)
        self.notes_asked(message)

    @keeps_running
    def notes_asked(self, message: DealPane.NotesAsked) -> None:
        """Open the editor of a deal's notes (``NotesEditor``), unless the board is read-only."""
        if not self._refuse_read_only():
            self.notes_editor.open_form(message.deal)

    @on(StageColumn.Dropped)
    @keeps_running
    def _card_dropped(self, message: StageColumn.Dropped) -> None:
        """A card dragged onto a neighbouring column moves as > and < do, through the gate."""
        step = int(message.target) - int(message.source)
        if step in (1, -1):
            self.move(message.deal_id, forward=step == 1)
        else:
            self.say(
                _(
                    "A card moves one stage at a time: drop it on the next column, or the one "
                    "before."
                ),
                title=_("Not moved"),
                severity="warning",
            )

    @on(StageColumn.Highlighted)
    @keeps_running
    def _card_highlighted(self, message: StageColumn.Highlighted) -> None:
        if message.column.stage is self.model.active:
            self._note_finishable(message.column, message.deal_id)
        if not (self._pane_open and message.deal_id is not None and message.column.lit):
            return
        if self.pane.deal is None or self.pane.deal.id != message.deal_id:
            self.pane.show(self.ctx.pipeline.get_deal(message.deal_id))
            self.pane.show_viewers(self.live.viewers_of(message.deal_id))

    # -------------------------------------------------------------- actions

    def action_column(self, delta: int) -> None:
        """Move focus to the neighbouring column, at about the same height."""
        current = self.focused_column or self.column(Stage.PROSPECT)
        index = list(Stage).index(current.stage) + delta
        if not 0 <= index < len(Stage):
            return
        target = self.column(list(Stage)[index])
        row = current.cursor - current.top + target.top  # the same height on screen
        target.select_index(row)
        self.focus_column(target)

    @keeps_running
    def action_open_pane(self) -> None:
        """Open the highlighted deal's checklist."""
        deal_id = self.current_deal_id()
        if deal_id is not None:
            self.open_pane(deal_id)

    def move(self, deal_id: int, forward: bool) -> None:
        """Advance (gated) or move back one stage; focus follows the card.

        Saved only after a wait for the database, the card moves where the user is not
        looking: the cursor stays where the user has put it since.
        """
        source = self._stage_showing(deal_id)

        def change(pipeline: Pipeline, version: int | None) -> DealView:
            call = pipeline.advance if forward else pipeline.move_back
            return call(deal_id, expected_version=version)

        def done(moved: DealView, later: bool) -> None:
            pane_had_focus = self._pane_open and self.focused is not self.grid
            self.show_change(moved, previous_stage=source, remote=later)
            if not later:
                column = self.column(moved.stage)
                column.select_id(deal_id)
                # The card stays the active one; the keys stay where they were.
                self.grid.activate(column, focus=not pane_had_focus)
            moved_to = _("Advanced to {stage}") if forward else _("Moved back to {stage}")
            self.confirm(moved_to.format(stage=moved.stage.label))

        what = _("the advance of deal {deal}") if forward else _("the move back of deal {deal}")
        self.submit(deal_id, what.format(deal=deal_id), change, done)

    @keeps_running
    def action_advance(self) -> None:
        """Move the deal one stage right, if its checklist is complete."""
        deal_id = self.current_deal_id()
        if deal_id is not None:
            self.move(deal_id, forward=True)

    @keeps_running
    def action_back(self) -> None:
        """Move the deal one stage left."""
        deal_id = self.current_deal_id()
        if deal_id is not None:
            self.move(deal_id, forward=False)

    @keeps_running
    def action_new_deal(self) -> None:
        """Open the form for a new deal."""
        from salesboard.ui.forms import DealForm

        if self._refuse_read_only():
            return

        def created(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def done(deal: DealView, later: bool) -> None:
                self.show_change(deal, remote=later)
                if not later:
                    self.column(deal.stage).select_id(deal.id)
                    self.focus_column(self.column(deal.stage))
                self.confirm(_("Created {title}").format(title=deal.summary.title))

            self.changes.submit(
                "new",
                _("a new deal"),
                lambda pipeline, _v: pipeline.create_deal(**values),
                done,
            )

        self.app.push_screen(DealForm(None, default_owner=self.ctx.user), created)

    @keeps_running
    def action_edit_deal(self) -> None:
        """Open the form on the highlighted deal."""
        deal_id = self.current_deal_id()
        if deal_id is None or self._refuse_read_only():
            return
        self.edit(self.ctx.pipeline.get_deal(deal_id))

    def edit(self, deal: DealView, typed: dict[str, str] | None = None, note: str = "") -> None:
        """Open the edit form on ``deal``; a save refused by a conflict opens it again.

        The second form shows the deal as it is now, with what the user typed kept over
        it and a note naming who changed what meanwhile, so nothing typed is lost and
        nothing of theirs is overwritten unseen.
        """
        from salesboard.ui.forms import DealForm

        def edited(values: dict[str, str] | None) -> None:
            if not values:  # cancelled, or saved without changing anything
                return

            def conflict(refusal: Exception, _later: bool) -> bool:
                if not isinstance(refusal, Conflict):
                    return False
                fresh = self.refresh_deal(deal.id)
                self.edit(fresh, values, what_changed(deal, fresh))
                return True

            self.submit(
                deal.id,
                _("the edit of deal {deal}").format(deal=deal.id),
                lambda pipeline, v: pipeline.edit_deal(deal.id, expected_version=v, **values),
                lambda result, later: self.show_change(result, remote=later),
                version=deal.version,
                refused=conflict,
            )

        form = DealForm(deal, default_owner=self.ctx.user, typed=typed, note=note)
        self.app.push_screen(form, edited)

    @keeps_running
    def action_lost(self) -> None:
        """Ask for a reason, then mark the highlighted deal lost."""
        deal_id = self.current_deal_id()
        if deal_id is None or self._refuse_read_only():
            return
        self.ask_lost(self.ctx.pipeline.get_deal(deal_id))

    def ask_lost(self, deal: DealView, typed: str = "", note: str = "") -> None:
        """Ask why ``deal`` was lost, then mark it; a conflict asks again, keeping the reason.

        As with the edit form, the second question names who changed what meanwhile, so
        the user decides again on the deal as it is now and retypes nothing.
        """
        from salesboard.ui.forms import LostForm

        def lost(reason: str | None) -> None:
            if reason is None:
                return

            def conflict(refusal: Exception, _later: bool) -> bool:
                if not isinstance(refusal, Conflict):
                    return False
                fresh = self.refresh_deal(deal.id)
                if fresh.summary.status is not Status.OPEN:
                    return False  # lost or won meanwhile: the usual notice says so
                self.ask_lost(fresh, reason, what_changed(deal, fresh))
                return True

            self.submit(
                deal.id,
                _("marking deal {deal} lost").format(deal=deal.id),
                lambda pipeline, v: pipeline.mark_lost(deal.id, reason, expected_version=v),
                self._left_board(
                    deal.id, _("Marked lost: {title}").format(title=deal.summary.title)
                ),
                version=deal.version,
                refused=conflict,
            )

        self.app.push_screen(LostForm(deal.summary.title, typed=typed, note=note), lost)

    @keeps_running
    def action_finish(self) -> None:
        """Finish the lit deal: refused, naming why, unless it is a complete Closed deal."""
        from salesboard.ui.finish_form import FinishAnswer, FinishForm

        deal_id = self.current_deal_id()
        if deal_id is None or self._refuse_read_only():
            return
        deal = self.ctx.pipeline.get_deal(deal_id)
        if deal.stage is not LAST_STAGE:
            self.say(
                _("Only a deal in {last} can be finished; {title} is in {stage}.").format(
                    last=LAST_STAGE.label, title=deal.summary.title, stage=deal.stage.label
                ),
                title=_("Finish refused"),
                severity="warning",
            )
            return
        missing = [job for job in deal.checklist if job.stage is deal.stage and not job.done]
        if missing:
            jobs = "\n".join(f"• {job.text}" for job in missing)
            self.say(
                _("Cannot finish yet. Unfinished:\n{jobs}").format(jobs=jobs),
                title=_("Finish refused"),
                severity="warning",
                timeout=8,
            )
            self.open_pane(deal_id, focus_job=missing[0].n)
            return

        def finish(answer: FinishAnswer | None) -> None:
            if answer is None:
                return
            finished = (
                _("Finished (success): {title}")
                if answer.outcome is Outcome.SUCCESS
                else _("Finished (failure): {title}")
            )
            done = self._left_board(deal_id, finished.format(title=deal.summary.title))
            self.submit(
                deal_id,
                _("finishing deal {deal}").format(deal=deal_id),
                lambda pipeline, v: pipeline.finish(
                    deal_id,
                    answer.outcome,
                    answer.satisfaction,
                    comment=answer.comment,
                    expected_version=v,
                ),
                done,
                version=deal.version,
            )

        self.app.push_screen(FinishForm(deal.summary.title), finish)

    def recent_changes(self, deal_id: int) -> list[EventView]:
        """A deal's three newest changes, for the pane's "Latest changes"."""
        return self.ctx.pipeline.history(deal_id, limit=3)

    @keeps_running
    def action_undo(self) -> None:
        """Take back my own last change (any deal), as ``salesboard undo`` does."""
        from salesboard.service.undo import UndoRefused, undo_last

        if self._refuse_read_only():
            return
        mine = self.ctx.pipeline.last_change()
        if mine is None:
            self.say(
                _("You have made no change to undo."),
                title=_("Nothing to undo"),
                severity="warning",
            )
            return
        deal_id = mine.deal_id
        what: list[str] = []

        def change(pipeline: Pipeline, _version: int | None) -> DealView:
            undone = undo_last(pipeline, deal_id)
            what.append(undone.what)
            return undone.deal

        def done(result: DealView, later: bool) -> None:
            self.show_change(result, remote=later)
            if result.status is Status.OPEN and not later:
                self.jump_to(deal_id)
            undone = what[0] if what else _("the change")
            self.confirm(
                _("Undid {what} ({title})").format(what=undone, title=result.summary.title)
            )

        def refused(error: Exception, _later: bool) -> bool:
            if not isinstance(error, UndoRefused):
                return False
            self.say(
                _("Cannot undo: {error}").format(error=error),
                title=_("Not undone"),
                severity="warning",
                timeout=8,
            )
            return True

        self.submit(deal_id, _("the undo on deal {deal}").format(deal=deal_id), change, done,
                    version=None, refused=refused)  # fmt: skip

    @keeps_running
    def action_agenda(self) -> None:
        """My open activities by due time; the one chosen takes the board to its deal."""
        from salesboard.ui.agenda_screen import AgendaScreen

        def chosen(deal_id: int | None) -> None:
            if deal_id is not None:
                self.show_deal(deal_id)

        self.app.push_screen(AgendaScreen(self.ctx), chosen)

    @keeps_running
    def action_reports(self) -> None:
        """The reports screen: forecast, funnel, days in stage, stuck deals and outcomes."""
        from salesboard.ui.reports_screen import ReportsScreen

        self.app.push_screen(ReportsScreen(self.ctx, owner=self.board_filter.owner))

    def action_weighted(self) -> None:
        """Switch the column totals between value and weighted value (no query); remember it."""
        self._weigh(not self.weighted)
        self._show_status()
        self._remember_settings()

    def _weigh(self, weighted: bool) -> None:
        """Show the column totals weighted (or not)."""
        self.weighted = weighted
        for stage in Stage:
            self.header(stage).weighted = weighted

    @keeps_running
    def show_deal(self, deal_id: int) -> None:
        """Go to a deal wherever it is: its card, or won and lost if it has left the board."""
        deal = self.ctx.pipeline.get_deal(deal_id)  # gone: the guard says so
        if deal.status is Status.OPEN:
            self.jump_to(deal_id)
        else:
            self.action_ended(deal_id)

    @keeps_running
    def action_ended(self, select: int | None = None) -> None:
        """The won and lost deals, to find, open and reopen."""
        from salesboard.ui.ended_screen import EndedScreen

        ended = EndedScreen(self.ctx, reopen=self.reopen, recent=self.recent_changes, select=select)
        self.app.push_screen(ended)

    def reopen(self, deal_id: int, version: int, after: Callable[[DealView], None]) -> None:
        """Bring a finished or lost deal back at the stage it left, then tell ``after``."""
        if self._refuse_read_only():
            return

        def done(result: DealView, later: bool) -> None:
            self.show_change(result, remote=later)
            self.confirm(
                _("Reopened in {stage}: {title}").format(
                    stage=result.stage.label, title=result.summary.title
                )
            )
            after(result)

        self.submit(
            deal_id,
            _("reopening deal {deal}").format(deal=deal_id),
            lambda pipeline, v: pipeline.reopen(deal_id, expected_version=v),
            done,
            version=version,
        )

    def hint_applies(self, action: str) -> bool:
        """Whether the key hints offer ``action`` now: Finish only on a complete Closed deal.

        There it takes the place of "w Ended" (still in the help and the palette), so the
        hints keep fitting 80 columns, "q Quit" included.
        """
        if action == "finish":
            return self._finishable
        if action == "ended":
            return not self._finishable
        return True

    def _note_finishable(self, column: StageColumn, deal_id: int | None) -> None:
        """Keep the Finish hint true to the lit card (bindings refresh only on a change)."""
        card = column.cached_card(deal_id) if deal_id is not None else None
        finishable = (
            card is not None
            and card.damage is None
            and card.stage is LAST_STAGE
            and card.jobs_total > 0
            and card.jobs_done == card.jobs_total
        )
        if finishable != self._finishable:
            self._finishable = finishable
            self.refresh_bindings()

    def _left_board(self, deal_id: int, message: str) -> Done:
        """What to do once a deal is lost or finished: it leaves the board (and the pane)."""

        def done(result: DealView, later: bool) -> None:
            self.show_change(result, remote=later)
            if self._pane_open and self.pane.deal and self.pane.deal.id == deal_id:
                self.close_pane()
            self.confirm(message)

        return done

    def _refuse_read_only(self) -> bool:
        """Say so before a form is filled in vain; True when the database is read-only."""
        if self.read_only:
            self.say(
                _("This database is read-only for you; nothing can be changed."),
                title=_("Read-only"),
                severity="warning",
            )
        return self.read_only

    @keeps_running
    def action_history(self) -> None:
        """Show every change of the open or highlighted deal, newest first."""
        deal_id = self.current_deal_id()
        if deal_id is not None:
            self.show_history(deal_id)

    @keeps_running
    def show_history(self, deal_id: int) -> None:
        """Open the history view of one deal (from the board or the modal pane)."""
        from salesboard.ui.history_screen import HistoryScreen

        deal = self.ctx.pipeline.get_deal(deal_id)
        self.app.push_screen(HistoryScreen(deal.summary.title, self.ctx.pipeline.history(deal_id)))

    def action_filter(self) -> None:
        """Show the filter box."""
        box = self.query_one("#filter", Input)
        self._show_filter_box(True)
        box.focus()

    def _show_filter_box(self, shown: bool) -> None:
        """Show or hide the filter box over the board's last rows (``FilterBox``)."""
        self.query_one("#filter", Input).display = shown
        for column in self.columns:
            column.covered = FilterBox.ROWS if shown else 0

    @keeps_running
    def _filter_typed(self, text: str) -> None:
        """Narrow the board as the filter text changes (typed, pasted or cleared)."""
        if text != self.board_filter.text:
            self.board_filter = replace(self.board_filter, text=text)
            self.refilter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self._leave_filter(clear=False)

    def _leave_filter(self, *, clear: bool) -> None:
        box = self.query_one("#filter", Input)
        if clear:
            box.value = ""  # the box tells the board, which shows every deal again
        self._show_filter_box(bool(box.value))
        target = next((c for c in self.columns if not c.is_empty), self.column(Stage.PROSPECT))
        self.focus_column(target)

    def action_escape(self) -> None:
        """Close the pane, or clear the filter."""
        box = self.query_one("#filter", Input)
        if self._pane_open:
            self.close_pane()
        elif box.has_focus or self.board_filter.text:
            self._leave_filter(clear=True)

    @keeps_running
    def action_mine(self) -> None:
        """Show only my deals, or everyone's again (also after one colleague's deals)."""
        self.show_owner(None if self.board_filter.owner is not None else self.ctx.user)

    def show_owner(self, owner: str | None) -> None:
        """Show only ``owner``'s deals (None: everyone's), and remember it."""
        self.board_filter = replace(self.board_filter, owner=owner)
        self.refilter()  # the status line says whose deals for as long as it holds
        self._remember_settings()

    def action_owner(self) -> None:
        """Pick whose deals the board shows: everyone's, mine, or any colleague's."""
        counts = dict(self.index.owners())
        total = sum(counts.values())
        # English has said "deals" for any number; another language may need two forms.
        everyone = ngettext("Everyone ({count} open deals)", "Everyone ({count} open deals)", total)
        owners, choices = owner_choices(self.ctx.user, counts, everyone.format(count=total))
        current = self.board_filter.owner
        selected = owners.index(current) + 1 if current in owners else 0

        def chosen(index: int | None) -> None:
            if index is not None:
                self.show_owner(None if index == 0 else owners[index - 1])

        self.app.push_screen(ChoiceScreen(_("Show the deals of"), choices, selected), chosen)

    def action_sort(self) -> None:
        """Pick how every column orders its cards."""
        orders = list(CardOrder)
        choices = [Text(order.label) for order in orders]

        def chosen(index: int | None) -> None:
            if index is not None:
                self.sort_by(orders[index])

        current = orders.index(self.index.order)
        self.app.push_screen(ChoiceScreen(_("Sort every column by"), choices, current), chosen)

    @keeps_running
    def sort_by(self, order: CardOrder) -> None:
        """Order every column's cards by ``order``, the lit card still lit; remember it."""
        self.index.order = order
        self.refilter()
        self.focus_column(self.column(self.model.active))
        self.query_one(StatusLine).tell(_("Cards sorted by {order}").format(order=order.label))
        self._remember_settings()

    def _recall_settings(self) -> None:
        """Start with the order, owner and totals this user last chose on this database."""
        saved, problem = self.ctx.settings.load(board_key(self.ctx.pipeline.db.url))
        self.index.order = saved.order
        self.board_filter = replace(self.board_filter, owner=saved.owner)
        self._weigh(saved.weighted)
        if problem is not None:  # said once: a file that cannot be read is not saved either
            self._settings_problem_said = True
            self.call_after_refresh(self.say, problem, title=_("Settings"), severity="warning")

    def _remember_settings(self) -> None:
        """Keep the order, owner and totals for the next start; a problem is said once."""
        chosen = BoardSettings(self.index.order, self.board_filter.owner, self.weighted)
        problem = self.ctx.settings.save(board_key(self.ctx.pipeline.db.url), chosen)
        if problem is not None and not self._settings_problem_said:
            self._settings_problem_said = True
            self.say(problem, title=_("Settings"), severity="warning")

    @keeps_running
    def jump_to(self, deal_id: int) -> None:
        """Focus a deal's card wherever it is, clearing filters that hide it."""
        deal = self.ctx.pipeline.get_deal(deal_id)
        if not self._matches(deal):
            owner_shown = self.board_filter.owner
            self.board_filter = BoardFilter()
            self.query_one("#filter", Input).value = ""
            self._show_filter_box(False)
            self.refilter()
            if owner_shown is not None:
                self._remember_settings()
            self.query_one(StatusLine).tell(
                _("Showing every deal, to show {title}").format(title=deal.summary.title)
            )
        column = self.column(deal.stage)
        if column.select_id(deal_id):
            self.focus_column(column)
