"""The checklist pane as a modal, for terminals too narrow to show it beside the board."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

from salesboard.service import DealView
from salesboard.ui.footer import KeyHints
from salesboard.ui.pane import DealPane

if TYPE_CHECKING:
    from salesboard.ui.board_screen import BoardScreen


class DealScreen(ModalScreen[None]):
    """One deal's checklist over the board; actions go through the board screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("greater_than_sign,shift+right", "advance", "Advance"),
        Binding("less_than_sign,shift+left", "back", "Back"),
        Binding("H", "history", "History"),
        Binding("escape", "close", "Close"),
        Binding("q", "app.quit_board", "Quit"),  # a modal screen hides the app's bindings
    ]

    def __init__(
        self,
        board: BoardScreen,
        deal: DealView,
        *,
        focus_job: int | None,
        viewers: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.board = board
        self.deal = deal
        self.focus_job = focus_job
        self.viewers = viewers or []

    def compose(self) -> ComposeResult:
        """The same pane widget the wide layout uses."""
        yield DealPane(self.board.ctx.clock, id="modal-pane")
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

    @on(DealPane.ToggleJob)
    def _toggle(self, message: DealPane.ToggleJob) -> None:
        message.stop()
        self.board.toggle_job(message.deal, message.n)  # the board redraws this pane too

    @on(DealPane.Closed)
    def action_close(self) -> None:
        """Back to the board, focus on the card."""
        self.dismiss(None)
        deal = self.pane.deal
        if deal is not None:
            column = self.board.column(deal.stage)
            column.select_id(deal.id)
            self.board.focus_column(column)

    def _move(self, forward: bool) -> None:
        deal = self.pane.deal
        if deal is None:
            return
        self.board.move(deal.id, forward=forward)  # the board redraws this pane too

    def action_advance(self) -> None:
        """Advance from the pane, as on the board."""
        self._move(True)

    def action_back(self) -> None:
        """Move back from the pane, as on the board."""
        self._move(False)

    def action_history(self) -> None:
        """Every change of this deal, newest first."""
        if self.pane.deal is not None:
            self.board.show_history(self.pane.deal.id)
