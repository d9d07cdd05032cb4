"""The won and lost deals as a table that draws only the rows on screen.

A ``DataTable`` builds a row object for every deal it holds: with two thousand ended deals
a filter keystroke spent most of a second refilling it. Here the rows are a plain list of
summaries and each screen row is drawn from it when shown (the Line API), so a keystroke
costs one pass over the list to narrow it and the drawing of one screenful.
"""

from __future__ import annotations

import functools
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from salesboard.calendar_text import day_text, day_width
from salesboard.i18n import N_, _
from salesboard.language import language
from salesboard.money import money_text
from salesboard.service import DealSummary
from salesboard.ui import keymap
from salesboard.ui.cursor_list import CursorList
from salesboard.ui.keymap import bindings
from salesboard.ui.literal import literal
from salesboard.workflow import Status

COLUMNS: tuple[tuple[str, int], ...] = (
    (N_("Title"), 20),
    (N_("How it ended"), 16),
    (N_("Value"), 14),
    # TRANSLATORS: short for "customer satisfaction", the heading of a narrow column
    (N_("Sat."), 4),
    (N_("When"), 10),
    (N_("Company"), 22),
    (N_("Owner"), 10),
)
"""Heading (a catalogue text) and width of each column: what tells deals apart first, so
that 80 columns show title, how it ended, value, satisfaction and date (the rest scrolls
into view). A heading wider than its column in the language in force widens it."""

RIGHT_ALIGNED = frozenset({"Value", "Sat."})
"""Columns of figures, lined up on their last digit (by their headings as defined)."""

GAP = 1
"""Cells between two columns."""


def column_widths() -> tuple[int, ...]:
    """Each column's width: as defined, or its heading's in the language in force if wider."""
    return _column_widths(language())


@functools.cache
def _column_widths(_language: str) -> tuple[int, ...]:
    """``column_widths`` worked out once per language (every row's drawing asks for it)."""
    widths = [max(width, cell_len(_(heading))) for heading, width in COLUMNS]
    when = [heading for heading, _width in COLUMNS].index("When")
    widths[when] = max(widths[when], day_width())  # "30. nov. 2026" in Norwegian
    return tuple(widths)


def how_it_ended(deal: DealSummary) -> Text:
    """How a deal ended (✓ success, ✗ failure, or lost and why), drawn literally."""
    if deal.status is Status.LOST:
        return literal(_("lost: {reason}").format(reason=deal.lost_reason or ""), "yellow")
    if deal.outcome is not None and deal.outcome.value == "success":
        return Text(_("✓ success"), style="green")
    return Text(_("✗ failure"), style="red")


def row_cells(deal: DealSummary) -> list[Text]:
    """The cells of one deal's row, user text drawn literally."""
    satisfaction = "—" if deal.satisfaction is None else f"{deal.satisfaction}/5"
    return [
        literal(deal.title),
        how_it_ended(deal),
        literal(money_text(deal.value_minor, deal.currency)),
        Text(satisfaction),
        Text(day_text(deal.updated_at.date())),
        literal(deal.company or "—"),
        literal(deal.owner),
    ]


def _line(cells: list[Text], style: Style, console: Console) -> list[Segment]:
    """Cells cut or padded to their column widths, on ``style``.

    Each cell is its own run of segments, so that a cell always starts at its column
    even where a font draws a character narrower than its cell (a money amount's thin
    space in a screenshot).
    """
    segments: list[Segment] = []
    widths = column_widths()
    for (heading, _width), width, cell in zip(COLUMNS, widths, cells, strict=True):
        piece = cell.copy()
        if heading in RIGHT_ALIGNED and piece.cell_len <= width:
            piece.align("right", width)
        else:
            piece.truncate(width, overflow="ellipsis", pad=True)
        # The row's style under the cell's own colour (✓ green), which ``Text.render``
        # leaves out unless it is a span.
        piece.stylize_before(piece.style)
        segments.extend(Segment.apply_style(piece.render(console, end=""), style))
        segments.append(Segment(" " * GAP, style))
    return segments


class EndedList(CursorList[DealSummary]):
    """Rows of ended deals with a cursor; Enter (or a click on the lit row) chooses one.

    The scroll view's own keys are left out: here the keys move the cursor, and the view
    scrolls only to keep it in sight.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.LIST_UP, keymap.LIST_DOWN, keymap.LIST_PAGE_UP, keymap.LIST_PAGE_DOWN,
        keymap.LIST_FIRST, keymap.LIST_LAST, keymap.LIST_CHOOSE,
    )  # fmt: skip

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ended-list--header",
        "ended-list--cursor",
        "ended-list--even",
    }

    DEFAULT_CSS = """
    EndedList > .ended-list--header { text-style: bold; }
    EndedList > .ended-list--cursor { background: $accent 40%; }
    EndedList > .ended-list--even { background: $boost; }
    """

    class Chosen(Message):
        """The user chose the deal under the cursor (Enter or a click on it)."""

        def __init__(self, deal: DealSummary) -> None:
            self.deal = deal
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)

    @property
    def width_needed(self) -> int:
        """Every column side by side: wider than the screen scrolls sideways."""
        return sum(width + GAP for width in column_widths())

    def show(self, rows: list[DealSummary], *, keep: int | None = None) -> None:
        """New rows (a filter, a reopen): the cursor stays on deal ``keep`` if it is there."""
        self.rows = rows
        found = next((n for n, deal in enumerate(rows) if deal.id == keep), None)
        self.cursor = found if found is not None else 0
        self.virtual_size = Size(self.width_needed, len(rows) + 1)  # the header is row 0
        self.scroll_to(y=0, animate=False)
        self._keep_cursor_in_view()
        self.refresh()

    def action_choose(self) -> None:
        """Choose the deal under the cursor."""
        if self.current is not None:
            self.post_message(self.Chosen(self.current))

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on a row; a click on the lit row chooses it."""
        if event.y == 0:
            return
        index = round(self.scroll_y) + event.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor:
                self.action_choose()
            else:
                self.move_to(index)

    def on_resize(self) -> None:
        """The cursor stays in view when the screen changes size."""
        self._keep_cursor_in_view()

    def render_line(self, y: int) -> Strip:
        """One screen row: the header, or the deal at that row (only these are drawn)."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("ended-list--header")
            cells = [Text(_(heading)) for heading, _width in COLUMNS]
            segments = _line(cells, base + header, self.app.console)
        else:
            index = scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, base)
            style = base
            if index == self.cursor:
                style = base + self.get_component_rich_style("ended-list--cursor")
            elif index % 2:
                style = base + self.get_component_rich_style("ended-list--even")
            segments = _line(row_cells(self.rows[index]), style, self.app.console)
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, base)
