"""The agenda's rows: open activities by due time, drawn only as far as the screen shows.

Everyone's agenda on a large team holds tens of thousands of activities; like the won and
lost list, the rows are a plain list and each screen row is drawn from it when shown (the
Line API), so moving the cursor costs the drawing of a screenful, not a rebuild.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
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

from salesboard.calendar_text import close_date_text
from salesboard.i18n import N_, _
from salesboard.language import language
from salesboard.service.part_rows import AgendaEntry
from salesboard.substance import ActivityKind, kind_word
from salesboard.ui import keymap
from salesboard.ui.cursor_list import CursorList
from salesboard.ui.keymap import bindings
from salesboard.ui.literal import literal
from salesboard.ui.step_text import OVERDUE_MARK, clock_text, due_day_text

DUE, KIND, TITLE, DEAL, OWNER = (
    N_("Due"),
    N_("Kind"),
    N_("Activity"),
    N_("Deal"),
    N_("Owner"),
)
"""The column headings (catalogue texts)."""

GAP = 1
"""Cells between two columns."""

OWNER_WIDTH = 12
"""Cells of the owner's login in everyone's agenda (a longer login ends in "…")."""

LEAST = 12
"""The fewest cells the activity's and the deal's columns are given on a narrow screen."""


def agenda_due_text(due_at: datetime, today: date) -> str:
    """When an activity is due, in the user's zone: ``today 10:30``, ``15 Jan 10:30``.

    Another year is written short (``15 Jan '28 10:30``): the column stays narrow.
    """
    return f"{due_day_text(due_at, today, short=True)} {clock_text(due_at)}"


@functools.cache
def _fixed_widths(_language: str) -> tuple[int, int]:
    """The due and kind columns' widths in a language: their widest text or heading."""
    other_year = date(2000, 1, 1)
    days = [date(2026, month, 28) for month in range(1, 13)]
    dates = [close_date_text(day, other_year, short=True) for day in days]
    widest_day = max(cell_len(text) for text in [*dates, _("today")])
    due = max(cell_len(_(DUE)), cell_len(OVERDUE_MARK) + widest_day + len(" 23:59"))
    kind = max(cell_len(_(KIND)), *(cell_len(kind_word(k)) for k in ActivityKind))
    return due, kind


def column_widths(width: int, *, owner: bool) -> tuple[int, ...]:
    """Each column's width on a screen ``width`` cells wide.

    Due and kind take what their texts need; the activity's title and its deal share the
    rest (the deal a little more: it carries the company too).
    """
    due, kind = _fixed_widths(language())
    owner_width = max(OWNER_WIDTH, cell_len(_(OWNER))) if owner else 0
    columns = 5 if owner else 4
    rest = width - due - kind - owner_width - GAP * columns
    title = max(LEAST, rest * 2 // 5)
    deal = max(LEAST, rest - title)
    widths = (due, kind, title, deal)
    return (*widths, owner_width) if owner else widths


def headings(*, owner: bool) -> list[Text]:
    """The header row's cells, in the language in force."""
    cells = [Text(_(DUE)), Text(_(KIND)), Text(_(TITLE)), Text(_(DEAL))]
    return [*cells, Text(_(OWNER))] if owner else cells


def row_cells(entry: AgendaEntry, now: datetime, today: date, *, owner: bool) -> list[Text]:
    """One activity's cells; every stored text drawn literally. Overdue: ``⚠`` first."""
    activity = entry.activity
    due = agenda_due_text(activity.due_at, today)
    if activity.overdue(now):
        due = OVERDUE_MARK + due
    deal = literal(entry.deal_title)
    if entry.company:
        deal.append(" · ")
        deal.append_text(literal(entry.company, "dim"))
    cells = [Text(due), Text(kind_word(activity.kind)), literal(activity.title), deal]
    return [*cells, literal(activity.owner)] if owner else cells


def _line(
    cells: list[Text], widths: tuple[int, ...], styles: list[Style], console: Console
) -> list[Segment]:
    """Cells cut or padded to their widths, each on its style (the row's, or overdue's)."""
    segments: list[Segment] = []
    for cell, width, style in zip(cells, widths, styles, strict=True):
        piece = cell.copy()
        piece.truncate(width, overflow="ellipsis", pad=True)
        piece.stylize_before(piece.style)
        segments.extend(Segment.apply_style(piece.render(console, end=""), style))
        segments.append(Segment(" " * GAP, styles[-1]))
    return segments


class AgendaList(CursorList[AgendaEntry]):
    """Rows of open activities with a cursor; Enter (on the screen) or a click chooses one."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.LIST_UP, keymap.LIST_DOWN, keymap.LIST_PAGE_UP, keymap.LIST_PAGE_DOWN,
        keymap.LIST_FIRST, keymap.LIST_LAST,
    )  # fmt: skip

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "agenda-list--header",
        "agenda-list--cursor",
        "agenda-list--even",
        "agenda-list--overdue",
    }

    class Chosen(Message):
        """The user chose the activity under the cursor (a click on the lit row)."""

        def __init__(self, entry: AgendaEntry) -> None:
            self.entry = entry
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.owner_shown = False
        self.now = datetime.min
        self._today = date.min

    def show(self, rows: list[AgendaEntry], now: datetime, *, owner: bool) -> None:
        """New rows (mine or everyone's), the cursor on the first.

        Overdue as of ``now``; ``owner``: a column says whose each activity is.
        """
        self.rows = rows
        self.now = now
        self._today = now.astimezone().date()
        self.owner_shown = owner
        self.cursor = 0
        self._fit()
        self.scroll_to(y=0, animate=False)
        self.refresh()

    def _fit(self) -> None:
        """As wide as the view (the columns share its width), one row per activity."""
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows) + 1)

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on a row; a click on the lit row chooses it."""
        if event.y == 0:
            return
        index = round(self.scroll_y) + event.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor and self.current is not None:
                self.post_message(self.Chosen(self.current))
            else:
                self.move_to(index)

    def on_resize(self) -> None:
        """The columns fit the new width; the cursor stays in view."""
        self._fit()
        self._keep_cursor_in_view()

    def render_line(self, y: int) -> Strip:
        """One screen row: the header, or the activity at that row (only these are drawn)."""
        scroll_y = self.scroll_offset.y
        width = self.scrollable_content_region.width
        widths = column_widths(width, owner=self.owner_shown)
        base = self.rich_style
        if y == 0:
            header = base + self.get_component_rich_style("agenda-list--header", partial=True)
            cells = headings(owner=self.owner_shown)
            segments = _line(cells, widths, [header] * len(cells), self.app.console)
        else:
            index = scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, base)
            style = base
            if index == self.cursor:
                style = base + self.get_component_rich_style("agenda-list--cursor")
            elif index % 2:
                style = base + self.get_component_rich_style("agenda-list--even")
            entry = self.rows[index]
            cells = row_cells(entry, self.now, self._today, owner=self.owner_shown)
            styles = [style] * len(cells)
            if entry.activity.overdue(self.now):
                overdue = self.get_component_rich_style("agenda-list--overdue", partial=True)
                styles[0] = style + overdue
            segments = _line(cells, widths, styles, self.app.console)
        strip = Strip(segments).crop(0, width)
        return strip.extend_cell_length(width, base)
