"""One stage column: a virtualised list of deal cards drawn with the Line API.

A column holds only the ordered ids of its deals. Card details are asked for (through a
function the screen hands down) for the few cards on screen and cached, so scrolling,
moving the cursor and redrawing cost the same at 50 or 50,000 deals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from salesboard.service import DealSummary
from salesboard.ui.literal import days_since, literal, short_money
from salesboard.workflow import Stage

CARD_HEIGHT = 5  # four lines of card and one blank line between cards
CACHE_LIMIT = 4_000
PREFETCH = 40

CardSource = Callable[[Iterable[int]], dict[int, DealSummary]]


def progress_bar(done: int, total: int, width: int) -> str:
    """A small bar such as ``███░░``: the current stage's checklist at a glance."""
    if total <= 0 or width <= 0:
        return ""
    filled = round(width * done / total)
    return "█" * filled + "░" * (width - filled)


class StageColumn(ScrollView, can_focus=True):
    """The cards of one stage, with a cursor; only visible rows are ever drawn."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("home,g", "jump('first')", "First", show=False),
        Binding("end,G", "jump('last')", "Last", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card--title",
        "card--detail",
        "card--cursor",
        "card--cursor-blurred",
        "card--bar-done",
        "card--bar-todo",
        "card--complete",
        "column--empty",
    }

    class Highlighted(Message):
        """The deal under this column's cursor changed (or the column got focus)."""

        def __init__(self, column: StageColumn, deal_id: int | None) -> None:
            self.column = column
            self.deal_id = deal_id
            super().__init__()

    def __init__(
        self,
        stage: Stage,
        card_source: CardSource,
        clock: Callable[[], datetime],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.stage = stage
        self._card_source = card_source
        self._clock = clock
        self._ids: list[int] = []
        self._cards: dict[int, DealSummary] = {}
        self._cursor = 0
        self.empty_hint = ""

    # ------------------------------------------------------------ data down

    @property
    def ids(self) -> list[int]:
        """The deals in this column, in order (a copy)."""
        return list(self._ids)

    def position(self, deal_id: int) -> int | None:
        """Where ``deal_id`` is in this column, found by bisection (ids are kept sorted)."""
        from bisect import bisect_left

        index = bisect_left(self._ids, deal_id)
        return index if index < len(self._ids) and self._ids[index] == deal_id else None

    def contains(self, deal_id: int) -> bool:
        """Whether the deal is in this column, without scanning it."""
        return self.position(deal_id) is not None

    @property
    def is_empty(self) -> bool:
        """Whether the column has no deals (after filtering)."""
        return not self._ids

    @property
    def cursor(self) -> int:
        """Index of the highlighted card."""
        return self._cursor

    @property
    def current_id(self) -> int | None:
        """The highlighted deal, if the column has any."""
        return self._ids[self._cursor] if self._ids else None

    def set_ids(self, ids: list[int], *, keep: int | None = None) -> None:
        """Replace the column's deals, keeping the cursor on ``keep`` (else the first)."""
        self._ids = ids
        found = self.position(keep) if keep is not None else None
        self._cursor = found if found is not None else 0
        self._resize()
        self.refresh()
        self._scroll_to_cursor()

    def cached_card(self, deal_id: int) -> DealSummary | None:
        """The details last drawn for a deal (with the version the user saw), if any."""
        return self._cards.get(deal_id)

    def put_card(self, card: DealSummary) -> None:
        """Show fresh details of one deal without refetching anything else."""
        self._cards[card.id] = card
        position = self.position(card.id)
        if position is not None:
            self._refresh_card(position)

    def forget_cards(self) -> None:
        """Drop cached details so the next draw fetches them again (after a reload)."""
        self._cards.clear()
        self.refresh()

    def insert(self, card: DealSummary, *, select: bool = True) -> None:
        """Add one deal in id order (a card moved here), optionally putting the cursor on it."""
        from bisect import bisect_left

        position = bisect_left(self._ids, card.id)
        keep_view = False
        if position < len(self._ids) and self._ids[position] == card.id:
            self._cards[card.id] = card
        else:
            was_empty = not self._ids
            self._ids.insert(position, card.id)
            self._cards[card.id] = card
            if not select and not was_empty and position <= self._cursor:
                self._cursor += 1  # the highlighted card stays highlighted
                keep_view = position < self.scroll_offset.y // CARD_HEIGHT
        if select:
            self._cursor = position
        self._resize()
        self.refresh()
        if keep_view:  # a card arrived above the view: keep the same cards in sight
            self.scroll_to(
                y=self.scroll_offset.y + CARD_HEIGHT, animate=False, force=True, immediate=True
            )
        self._scroll_to_cursor()
        if select:
            self._announce()

    def remove_deal(self, deal_id: int) -> None:
        """Take one deal out (moved away, lost or filtered), keeping the cursor near."""
        position = self.position(deal_id)
        if position is None:
            return
        above_view = position < self.scroll_offset.y // CARD_HEIGHT
        self._ids.pop(position)
        self._cards.pop(deal_id, None)  # a stale copy would carry an old version
        if position < self._cursor or self._cursor >= len(self._ids):
            self._cursor = max(0, self._cursor - 1)
        self._resize()
        self.refresh()
        if above_view:  # keep the same cards in sight
            self.scroll_to(
                y=max(0, self.scroll_offset.y - CARD_HEIGHT),
                animate=False,
                force=True,
                immediate=True,
            )
        self._announce()

    def select_id(self, deal_id: int) -> bool:
        """Put the cursor on ``deal_id`` if it is in this column."""
        position = self.position(deal_id)
        if position is None:
            return False
        self._move_cursor_to(position)
        return True

    def select_index(self, index: int) -> None:
        """Put the cursor on the card at ``index`` (clamped), e.g. when entering a column."""
        self._move_cursor_to(index)

    # -------------------------------------------------------------- actions

    def action_cursor(self, delta: int) -> None:
        """Move the cursor one card up or down."""
        self._move_cursor_to(self._cursor + delta)

    def action_jump(self, where: str) -> None:
        """Jump to the first or last card."""
        self._move_cursor_to(0 if where == "first" else len(self._ids) - 1)

    def action_page(self, direction: int) -> None:
        """Move the cursor by one screenful of cards."""
        per_page = max(1, self.scrollable_content_region.height // CARD_HEIGHT)
        self._move_cursor_to(self._cursor + direction * per_page)

    def _move_cursor_to(self, index: int) -> None:
        index = max(0, min(index, len(self._ids) - 1))
        if index == self._cursor:
            return
        previous, self._cursor = self._cursor, index
        if not self._scroll_to_cursor():  # a scroll repaints everything anyway
            self._refresh_card(previous)
            self._refresh_card(index)
        self._announce()

    def _refresh_card(self, index: int) -> None:
        """Repaint one card's rows only (a cursor move touches two cards, not the column)."""
        self.refresh_lines(index * CARD_HEIGHT, CARD_HEIGHT)

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self, self.current_id))

    def _scroll_to_cursor(self) -> bool:
        """Scroll so the cursor's card is in view; whether it had to scroll."""
        if not self._ids:
            return False
        # Scroll by whole cards so that the top card is never cut in half.
        per_page = max(1, self.scrollable_content_region.height // CARD_HEIGHT)
        first = -(-self.scroll_offset.y // CARD_HEIGHT)
        if self._cursor < first:
            first = self._cursor
        elif self._cursor >= first + per_page:
            first = self._cursor - per_page + 1
        if first * CARD_HEIGHT == self.scroll_offset.y:
            return False
        self.scroll_to(y=first * CARD_HEIGHT, animate=False, force=True, immediate=True)
        return True

    def _resize(self) -> None:
        region = self.scrollable_content_region
        # Pad so that the furthest scroll is still a whole number of cards.
        padding = region.height % CARD_HEIGHT if self._ids else 0
        size = Size(region.width, len(self._ids) * CARD_HEIGHT + padding)
        if size != self.virtual_size:  # setting it, even unchanged, costs a layout pass
            self.virtual_size = size

    # ---------------------------------------------------------------- events

    def on_resize(self, _event: events.Resize) -> None:
        """Keep the virtual size and cursor visible when the terminal is resized."""
        self._resize()
        self._scroll_to_cursor()

    def on_focus(self, _event: events.Focus) -> None:
        """Tell the screen which deal is now current, and redraw the cursor bright."""
        if self._ids:
            self._refresh_card(self._cursor)
        self._announce()

    def on_blur(self, _event: events.Blur) -> None:
        """Redraw the cursor dim."""
        if self._ids:
            self._refresh_card(self._cursor)

    def on_click(self, event: events.Click) -> None:
        """Put the cursor on the clicked card (the mouse works, but is never needed)."""
        index = (event.y + self.scroll_offset.y) // CARD_HEIGHT
        if 0 <= index < len(self._ids):
            self.focus()
            self._move_cursor_to(index)

    # -------------------------------------------------------------- drawing

    def _card(self, index: int) -> DealSummary | None:
        deal_id = self._ids[index]
        card = self._cards.get(deal_id)
        if card is None:
            if len(self._cards) > CACHE_LIMIT:
                self._cards.clear()
            window = self._ids[max(0, index - PREFETCH // 4) : index + PREFETCH]
            self._cards.update(self._card_source(i for i in window if i not in self._cards))
            card = self._cards.get(deal_id)
        return card

    def render_line(self, y: int) -> Strip:
        """Draw one screen row: a line of some card, or blank."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = y + self.scroll_offset.y
        index, line = divmod(row, CARD_HEIGHT)
        if not self._ids:
            if y == 1 and self.empty_hint:
                style = self.get_component_rich_style("column--empty")
                return self._strip(Text(" " + self.empty_hint, style=style), width, base)
            return Strip.blank(width, base)
        if index >= len(self._ids) or line == CARD_HEIGHT - 1:
            return Strip.blank(width, base)
        card = self._card(index)
        if card is None:
            return Strip.blank(width, base)
        style = base
        if index == self._cursor:
            name = "card--cursor" if self.has_focus else "card--cursor-blurred"
            style = base + self.get_component_rich_style(name)
        return self._strip(self._card_line(card, line, width - 2), width, style)

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(width, overflow="ellipsis", pad=True)
        # Component styles carry the widget's own background; the row's (cursor) wins.
        background = Style(bgcolor=style.bgcolor)
        segments = [
            Segment(s.text, style + s.style + background if s.style else style)
            for s in text.render(self.app.console)
        ]
        return Strip(segments, width).adjust_cell_length(width, style)

    def _card_line(self, card: DealSummary, line: int, width: int) -> Text:
        detail = self.get_component_rich_style("card--detail")
        text = Text(" ", end="")
        if line == 0:
            text.append_text(literal(card.title, self.get_component_rich_style("card--title")))
        elif line == 1:
            text.append_text(literal(card.company or "—", detail))
        elif line == 2:
            money = short_money(card.value_minor)
            if width >= 18:
                money = f"{money} {card.currency}"
            text.append(money)
            text.append(" · ", detail)
            text.append_text(literal(card.owner, detail))
        else:
            days = days_since(card.stage_entered_at, self._clock())
            counts = f" {card.jobs_done}/{card.jobs_total}"
            age = f" {days}d"
            bar_width = max(0, min(8, width - len(counts) - len(age) - 1))
            bar = progress_bar(card.jobs_done, card.jobs_total, bar_width)
            filled = bar.count("█")
            complete = card.jobs_total > 0 and card.jobs_done == card.jobs_total
            done_style = self.get_component_rich_style(
                "card--complete" if complete else "card--bar-done"
            )
            text.append(bar[:filled], done_style)
            text.append(bar[filled:], self.get_component_rich_style("card--bar-todo"))
            text.append(counts, done_style if complete else Style())
            text.append(age, detail)
        return text
