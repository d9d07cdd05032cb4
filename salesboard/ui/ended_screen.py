"""Won and lost: every finished and lost deal, to find, open and reopen (issue 12, point 2).

Finished and lost deals leave the board; this view is where they are found again. It
lists them newest first, narrows as the board's filter does (title, company or owner,
the same folded search), opens a deal in the same checklist dialog (its jobs cannot be
changed while it is not open: the service refuses, naming why) and reopens one after
asking: it returns to the stage it left, exactly as ``salesboard reopen``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from salesboard.money import money_text
from salesboard.service import DealSummary, DealView, EventView, Pipeline
from salesboard.service.filters import needle_of, search_key
from salesboard.ui import keymap
from salesboard.ui.context import BoardContext
from salesboard.ui.footer import KeyHints
from salesboard.ui.keymap import bindings
from salesboard.ui.literal import literal
from salesboard.workflow import Status

Reopen = Callable[[int, int, Callable[[DealView], None]], None]
"""Reopen deal ``id`` seen at ``version``, then call back with the deal as it is now."""

COLUMNS: tuple[tuple[str, int], ...] = (
    ("Title", 20),
    ("Outcome or reason", 16),
    ("Value", 14),
    ("Sat.", 4),
    ("When", 10),
    ("Company", 22),
    ("Owner", 10),
)
"""Heading and width of each column: what tells deals apart first, so that 80 columns
show title, how it ended, value, satisfaction and date (the rest scrolls into view)."""


def ended_deals(pipeline: Pipeline) -> list[DealSummary]:
    """Every finished and lost deal that can be read, the most recently changed first."""
    found = [
        deal
        for status in (Status.FINISHED, Status.LOST)
        for deal in pipeline.list_deals(status=status)
        if deal.damage is None
    ]
    return sorted(found, key=lambda deal: (deal.updated_at, deal.id), reverse=True)


def how_it_ended(deal: DealSummary) -> Text:
    """How a deal ended (✓ success, ✗ failure, or lost and why), drawn literally."""
    if deal.status is Status.LOST:
        return literal(f"lost: {deal.lost_reason or ''}", "yellow")
    if deal.outcome is not None and deal.outcome.value == "success":
        return Text("✓ success", style="green")
    return Text("✗ failure", style="red")


class EndedScreen(ModalScreen[None]):
    """The finished and lost deals, with their outcome or reason, satisfaction and date."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.ENDED_OPEN,
        keymap.REOPEN,
        keymap.ENDED_FILTER,
        keymap.ENDED_CLOSE,
        keymap.QUIT,
        keymap.ENDED_UP,
        keymap.ENDED_DOWN,
    )

    def __init__(
        self,
        context: BoardContext,
        *,
        reopen: Reopen,
        recent: Callable[[int], list[EventView]],
        select: int | None = None,
    ) -> None:
        super().__init__()
        self.ctx = context
        self.pipeline = context.pipeline
        self._reopen = reopen
        """The board's reopen (the rules, the busy database, the notice): handed down."""
        self._recent = recent
        """A deal's latest changes, for the checklist dialog (as on the board)."""
        self.select = select
        self.deals: list[DealSummary] = []
        self.shown: list[DealSummary] = []

    def compose(self) -> ComposeResult:
        """A heading, the filter box, the table, the key hints."""
        yield Static(Text("Won and lost deals", style="bold"), id="ended-title")
        yield Input(placeholder="Filter by title, company or owner", id="ended-filter")
        yield DataTable(id="ended", cursor_type="row", zebra_stripes=True)
        yield KeyHints()

    def on_mount(self) -> None:
        """Load the deals and put the cursor on the one asked for (or the newest)."""
        table = self.query_one(DataTable)
        for heading, width in COLUMNS:
            table.add_column(heading, width=width)
        self.deals = ended_deals(self.pipeline)
        self._fill("")
        if self.select is not None:
            for row, deal in enumerate(self.shown):
                if deal.id == self.select:
                    table.move_cursor(row=row)
        self.set_focus(table)

    def _fill(self, text: str) -> None:
        needle = needle_of(text)
        self.shown = [
            deal
            for deal in self.deals
            if not needle or needle in search_key(deal.title, deal.company, deal.owner)
        ]
        table = self.query_one(DataTable)
        table.clear()
        for deal in self.shown:
            satisfaction = "—" if deal.satisfaction is None else f"{deal.satisfaction}/5"
            table.add_row(
                literal(deal.title),
                how_it_ended(deal),
                literal(money_text(deal.value_minor, deal.currency)),
                Text(satisfaction),
                Text(f"{deal.updated_at:%Y-%m-%d}"),
                literal(deal.company or "—"),
                literal(deal.owner),
                key=str(deal.id),
            )
        count = len(self.shown)
        heading = f"Won and lost deals: {count} of {len(self.deals)}" if needle else None
        self.query_one("#ended-title", Static).update(
            Text(heading or f"Won and lost deals: {count}", style="bold")
        )

    @on(Input.Changed, "#ended-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#ended-filter")
    def _filter_done(self) -> None:
        self.set_focus(self.query_one(DataTable))

    def action_filter(self) -> None:
        """Type to narrow the list."""
        self.set_focus(self.query_one("#ended-filter", Input))

    def action_cursor(self, delta: int) -> None:
        """Move the cursor with j and k, as on the board (the arrows work too)."""
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + delta))

    def current(self) -> DealSummary | None:
        """The deal under the cursor, if the list is not empty."""
        row = self.query_one(DataTable).cursor_row
        return self.shown[row] if 0 <= row < len(self.shown) else None

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        """The deal in the checklist dialog: every job, who ticked it, and its history (H)."""
        from salesboard.ui.deal_screen import DealScreen

        deal = self.current()
        if deal is not None:
            view = self.pipeline.get_deal(deal.id)
            dialog = DealScreen(view, self.ctx.clock, focus_job=None, recent=self._recent)
            self.app.push_screen(dialog)

    def action_reopen(self) -> None:
        """Ask, then bring the deal back onto the board at the stage it left."""
        from salesboard.ui.confirm import Confirm

        deal = self.current()
        if deal is None:
            return
        question = (
            f"Reopen {deal.title}?\n\nIt goes back onto the board in {deal.stage.label}, "
            "as an open deal; its history keeps how it ended."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._reopen(deal.id, deal.version, self._reopened)

        self.app.push_screen(Confirm(question, yes="Reopen", no="Keep it"), answered)

    def _reopened(self, deal: DealView) -> None:
        """The deal is open again: it leaves this list."""
        self.deals = [d for d in self.deals if d.id != deal.id]
        self._fill(self.query_one("#ended-filter", Input).value)

    def action_close(self) -> None:
        """Clear the filter, or back to the board."""
        box = self.query_one("#ended-filter", Input)
        if box.value:
            box.value = ""
            self.set_focus(self.query_one(DataTable))
            return
        self.dismiss(None)
