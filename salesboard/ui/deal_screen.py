"""The checklist pane as a modal, for terminals too narrow to show it beside the board."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Self

from rich.console import RenderableType
from textual import _time, events, messages, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.geometry import Region
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget

from salesboard.service import DealView
from salesboard.ui import keymap
from salesboard.ui.dimmed import dimmed
from salesboard.ui.footer import KeyHints
from salesboard.ui.keymap import bindings
from salesboard.ui.pane import DealPane, RecentChanges


class DealScreen(ModalScreen[int | None]):
    """One deal's checklist over the board.

    It knows nothing of the board: what the user asks for goes up as messages (the
    pane's ``ToggleJob``, and ``Move`` and ``History`` from here), which the app hands to
    the board; the board pushes the changed deal back down into this pane. Closing returns
    the deal's id, so the board can put its cursor on that card.
    """

    # A modal screen hides the app's bindings: q is bound here again.
    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.ADVANCE, keymap.BACK, keymap.DIALOG_HISTORY, keymap.UNDO, keymap.CLOSE, keymap.QUIT
    )

    class Move(Message):
        """Advance (``forward``) or move back the deal shown."""

        def __init__(self, deal_id: int, forward: bool) -> None:
            self.deal_id = deal_id
            self.forward = forward
            super().__init__()

    class Undo(Message):
        """Take back my own last change, as ``u`` does on the board (at every width)."""

    class History(Message):
        """Show the history of the deal shown."""

        def __init__(self, deal_id: int) -> None:
            self.deal_id = deal_id
            super().__init__()

    def __init__(
        self,
        deal: DealView,
        clock: Callable[[], datetime],
        *,
        focus_job: int | None,
        viewers: list[str] | None = None,
        recent: RecentChanges | None = None,
    ) -> None:
        super().__init__()
        self.recent = recent
        self.deal = deal
        self.clock = clock
        self.focus_job = focus_job
        self.viewers = viewers or []
        self._whole = False
        """A repaint of the whole screen is due (``refresh``, ``_on_timer_update``)."""
        self._shown = False
        """The first deal is shown and laid out: until then nothing is drawn."""
        self._first_due = False
        """The first frame is to be drawn at the next update (``_on_timer_update``)."""
        self._whole_drawn_at = 0.0
        """When the dialog was last drawn whole (``_forget_repaints_drawn``)."""
        self._styled_by: tuple[object, str] | None = None
        """The stylesheet and theme the dialog's widgets were last styled with."""

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Lay out again without repainting the whole screen (what moved repaints itself).

        Textual lays the dialog out again once its widgets have mounted, repainting the
        whole screen, the dimmed board included, a second time in the first opening's
        frames. Becoming the top screen still repaints it whole, once.
        """
        if layout and not regions:
            repaint = False
        elif repaint and not regions and not recompose:
            self._whole = True  # see ``_on_timer_update``
        if regions and self.is_mounted:
            regions = tuple(self._across_the_dialog(region) for region in regions)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _across_the_dialog(self, region: Region) -> Region:
        """``region`` widened to each of the dialog's boxes it reaches into, row for row.

        The board beneath repaints what changed in it (a colleague's change to a card
        half under the dialog) as regions of this screen. Cut at the card's edge, a line
        of the dialog with a wide character (漢) across that edge was drawn with a space
        for the half character, and a terminal erases the whole character for it: a
        two-cell hole in the dialog that stayed.
        """
        for child in self.children:
            box = child.region
            if region.overlaps(box):
                region = region.union(Region(box.x, region.y, box.width, region.height))
        return region

    def _on_timer_update(self) -> None:
        """Lay out and repaint in one frame when both are due (Textual 8.2 draws two).

        Shown again for another deal, the dialog both lays out (its sections changed
        height) and repaints whole (it became the top screen): Textual rendered the
        layout's changes, then the whole screen over them, in the same tick.
        """
        whole, self._whole = self._whole, False
        if self._first_due and self.is_current and not self.app._batch_count:
            self._first_due = False
            super()._on_timer_update()  # laid out for the deal, drawn below, whole, once
            self._shown = True
            self._compositor._dirty_regions.add(self.size.region)
            self._compositor_refresh()
            self._forget_repaints_drawn()
            return
        if whole and self._layout_required and self._repaint_required and self.is_current:
            self._repaint_required = False
            self._dirty_widgets.clear()
            self._exchange_repaint_regions()  # painted now: not again with a later change
            self._compositor._dirty_regions.add(self.size.region)  # the layout's frame: whole
            super()._on_timer_update()
            self._forget_repaints_drawn()
            return
        super()._on_timer_update()

    def _forget_repaints_drawn(self) -> None:
        """The whole dialog was just drawn: drop the repaints asked for before it.

        Laying the dialog out for another deal resizes its scroll bars, and each asks to
        be repainted; those requests reached the screen after the frame that had drawn
        them already, and went to the terminal again ~30 ms later (a second update of
        every checklist opened). A widget asking to be repainted marks what it shows as
        stale at once, so the whole frame drew it fresh; only the request is dropped.
        Requests made after the frame still repaint.
        """
        self._whole_drawn_at = _time.get_time()
        for widget in self.walk_children(Widget, with_self=False):
            widget._repaint_required = False
            for bar in (widget._vertical_scrollbar, widget._horizontal_scrollbar):
                if bar is not None:
                    bar._repaint_required = False

    async def _on_update(self, message: messages.Update) -> None:
        # A repaint posted before the whole dialog was drawn is drawn already (above).
        if message.time <= self._whole_drawn_at:
            message.stop()
            message.prevent_default()

    def _compositor_refresh(self) -> None:
        """Draw nothing until the first deal is shown, then the whole screen once.

        A new dialog is laid out as it is pushed, again as its widgets mount and again
        once they show the deal: Textual drew the whole screen three times the first
        time a session opened a checklist (107 KB over SSH).
        """
        if self._shown:
            super()._compositor_refresh()

    def _first_frame(self) -> None:
        self._first_due = True
        self.refresh()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Become the top screen, styling the dialog's widgets again only if styles changed.

        Textual works out the style of every widget in the dialog each time it is shown
        (about 15 ms of opening the checklist); they only change when the stylesheet or
        the theme does (a theme change makes a new stylesheet).
        """
        styled_by = (self.app.stylesheet, self.app.theme)
        if self._styled_by == styled_by:
            event.refresh_styles = False  # Textual's handler (called next) reads this
        self._styled_by = styled_by

    def render(self) -> RenderableType:
        """The board beneath, dimmed with each style's tint worked out once (``dimmed``)."""
        return dimmed(super().render())

    def compose(self) -> ComposeResult:
        """The same pane widget the wide layout uses."""
        yield DealPane(self.clock, recent=self.recent, id="modal-pane")
        yield KeyHints()

    @property
    def pane(self) -> DealPane:
        """The pane in this modal."""
        return self.query_one(DealPane)

    def on_mount(self) -> None:
        """Show the deal and focus its jobs, then draw the dialog (``_compositor_refresh``)."""
        self._show()
        self.call_after_refresh(self._first_frame)

    def present(
        self, deal: DealView, *, focus_job: int | None, viewers: list[str] | None = None
    ) -> None:
        """Show another deal, as a new dialog would: this one is kept and pushed again.

        Composing the dialog's widgets anew on every Enter cost most of opening it, and
        removing them on every close repainted the whole board twice more.
        """
        self.deal = deal
        self.focus_job = focus_job
        self.viewers = viewers or []
        if self.is_mounted:
            self.pane.deal = None  # a new dialog: the first job lit, not the last one's
            self.pane.all_stages = False
            self._show()

    def _show(self) -> None:
        self.pane.show(self.deal, focus_job=self.focus_job)
        self.pane.show_viewers(self.viewers)
        self.pane.focus_jobs()
        if self.focus_job is None:  # the deal's title first; a job asked for stays in view
            self.pane.call_after_refresh(self.pane.scroll_home, animate=False)

    @on(DealPane.Closed)
    def action_close(self) -> None:
        """Back to the board, with the cursor on this deal's card."""
        deal = self.pane.deal
        self.dismiss(deal.id if deal is not None else None)

    def action_advance(self) -> None:
        """Advance from the pane, as on the board."""
        if self.pane.deal is not None:
            self.post_message(self.Move(self.pane.deal.id, True))

    def action_back(self) -> None:
        """Move back from the pane, as on the board."""
        if self.pane.deal is not None:
            self.post_message(self.Move(self.pane.deal.id, False))

    def action_undo(self) -> None:
        """Undo my own last change, as on the board; the board pushes the result down."""
        self.post_message(self.Undo())

    def action_history(self) -> None:
        """Every change of this deal, newest first."""
        if self.pane.deal is not None:
            self.post_message(self.History(self.pane.deal.id))
