"""The checklist pane as a modal, for terminals too narrow to show it beside the board."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.screen import ModalScreen

from salesboard.service import DealView
from salesboard.ui import keymap
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

    def compose(self) -> ComposeResult:
        """The same pane widget the wide layout uses."""
        yield DealPane(self.clock, recent=self.recent, id="modal-pane")
        yield KeyHints()

    @property
    def pane(self) -> DealPane:
        """The pane in this modal."""
        return self.query_one(DealPane)

    def on_mount(self) -> None:
        """Show the deal and focus its jobs."""
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
