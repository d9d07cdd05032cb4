"""One stage column: a virtualised list of deal cards drawn with the Line API.

A column holds only the ordered ids of its deals. Card details are asked for (through a
function the screen hands down) for the few cards on screen and cached, so scrolling,
moving the cursor and redrawing cost the same at 50 or 50,000 deals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.errors import NoWidget
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from salesboard.calendar_text import close_month_text
from salesboard.definition import in_force
from salesboard.errors import DatabaseUnavailable
from salesboard.i18n import _
from salesboard.money import short_amount
from salesboard.reports.stuck import stuck_reasons
from salesboard.service import DealSummary
from salesboard.service.sorting import SortKey
from salesboard.substance import kind_word
from salesboard.ui.board_model import ColumnCursor
from salesboard.ui.literal import close_date_text, days_since
from salesboard.ui.quiet import LaysOutQuietly
from salesboard.ui.step_text import NEXT_MARK, step_forms
from salesboard.validation import display_safe
from salesboard.workflow import Stage

CARD_HEIGHT = 7  # six lines of card and one blank line between cards
CACHE_LIMIT = 4_000
PREFETCH = 40
RETRY_FIRST_S = 2.0
"""Cards that could not be read are read again after this long, then twice as long..."""
RETRY_LAST_S = 60.0
"""...up to this long: a damaged file is not read again and again on every frame."""

CardSource = Callable[[Iterable[int]], dict[int, DealSummary]]


def cards_in_view(height: int) -> int:
    """How many whole cards ``height`` rows show: the last card needs no blank line under it.

    With six lines a card, 80x24 and 160x45 still show three and six whole cards.
    """
    return max(1, (height + 1) // CARD_HEIGHT)


def progress_bar(done: int, total: int, width: int) -> str:
    """A small bar such as ``███░░``: the current stage's checklist at a glance."""
    if total <= 0 or width <= 0:
        return ""
    filled = round(width * done / total)
    return "█" * filled + "░" * (width - filled)


class StageColumn(LaysOutQuietly, can_focus=False):
    """The cards of one stage, drawn from its ``ColumnCursor``; only visible rows are drawn.

    Columns never take keyboard focus: the ``BoardGrid`` around them does, and tells the
    active column to move its cursor and to draw it bright (``lit``). The view scrolls by
    whole cards (the model's ``top``), so a column never starts in the middle of a card.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card--title",
        "card--detail",
        "card--cursor",
        "card--cursor-blurred",
        "card--bar-done",
        "card--bar-todo",
        "card--complete",
        "card--overdue",
        "card--no-step",
        "card--stuck",
        "column--empty",
        "column--scroll-thumb",
        "column--scroll-track",
    }

    class Highlighted(Message):
        """The deal under this column's cursor changed (or the column became active)."""

        def __init__(self, column: StageColumn, deal_id: int | None) -> None:
            self.column = column
            self.deal_id = deal_id
            super().__init__()

    class CardsUnreadable(Message):
        """Cards in view could not be read: tell the user once, from outside drawing.

        ``first`` is True when the column could read its cards until now (a new failure,
        not one more failed try).
        """

        def __init__(self, reason: str, *, first: bool) -> None:
            self.reason = reason
            self.first = first
            super().__init__()

    class Dropped(Message):
        """A card was dragged from this column and let go over ``target`` (another one)."""

        def __init__(self, deal_id: int, source: Stage, target: Stage) -> None:
            self.deal_id = deal_id
            self.source = source
            self.target = target
            super().__init__()

    def __init__(
        self,
        stage: Stage,
        card_source: CardSource,
        clock: Callable[[], datetime],
        *,
        state: ColumnCursor | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.stage = stage
        self.state = state if state is not None else ColumnCursor()
        self._card_source = card_source
        self._clock = clock
        self._cards: dict[int, DealSummary] = {}
        self._lit = False
        self._dragged: int | None = None  # the card held down by the mouse, if any
        self._palette: CardPalette | None = None
        self._mixed: dict[tuple[Style, Style], Style] = {}
        """A row's style with a piece's on top (``_strip``), worked out once."""
        self._covered = 0
        self._unreadable: set[int] = set()
        """Deals whose details could not be read: drawn as a placeholder until retried."""
        self._in_trouble = False  # a read failed and none has succeeded since
        self._told = False  # the user was told of this column's failure
        self._asked = False  # a ``CardsUnreadable`` is on its way (one per failed try)
        self._retry_s = RETRY_FIRST_S
        self.empty_hint = ""
        self.base_currency = ""
        """The team's base currency: a narrow card leaves only it out of an amount."""

    # ------------------------------------------------------------ data down

    @property
    def ids(self) -> list[int]:
        """The deals in this column, in order (a copy)."""
        return list(self.state.ids)

    def position(self, deal_id: int) -> int | None:
        """Where ``deal_id`` is in this column, found by bisection (on its sort key)."""
        return self.state.position(deal_id)

    def key_of(self, deal_id: int) -> SortKey | None:
        """The sort key this column placed the deal with, if it is here."""
        return self.state.key_of(deal_id)

    def contains(self, deal_id: int) -> bool:
        """Whether the deal is in this column, without scanning it."""
        return self.state.position(deal_id) is not None

    @property
    def is_empty(self) -> bool:
        """Whether the column has no deals (after filtering)."""
        return not self.state.ids

    @property
    def cursor(self) -> int:
        """Index of the highlighted card."""
        return self.state.cursor

    @property
    def top(self) -> int:
        """Index of the first card shown (the view scrolls by whole cards)."""
        return self.state.top

    @property
    def lit(self) -> bool:
        """Whether the cursor is drawn bright: this column is active and has the keys."""
        return self._lit

    @lit.setter
    def lit(self, lit: bool) -> None:
        if lit != self._lit:
            self._lit = lit
            if self.state.ids:
                self._refresh_card(self.state.cursor)

    @property
    def current_id(self) -> int | None:
        """The highlighted deal, if the column has any."""
        return self.state.current_id

    def set_ids(
        self, ids: list[int], *, keep: int | None = None, keys: list[SortKey] | None = None
    ) -> None:
        """Replace the column's deals (in the order of ``keys``), the cursor on ``keep``."""
        self.state.set_ids(ids, keep, keys)
        self.refresh()

    def cached_card(self, deal_id: int) -> DealSummary | None:
        """The details last drawn for a deal (with the version the user saw), if any."""
        return self._cards.get(deal_id)

    def first_ids(self, count: int) -> list[int]:
        """The first ``count`` deals the view shows (those a fresh view needs)."""
        return self.state.ids[self.state.top : self.state.top + count]

    def preload(self, cards: dict[int, DealSummary]) -> None:
        """Keep the details of those of ``cards`` in this column, so drawing needs no query."""
        self._cards.update((i, card) for i, card in cards.items() if self.contains(i))

    def put_card(self, card: DealSummary) -> None:
        """Show fresh details of one deal without refetching anything else."""
        self._cards[card.id] = card
        position = self.position(card.id)
        if position is not None:
            self._refresh_card(position)

    def forget_cards(self) -> None:
        """Drop cached details so the next draw fetches them again (after a reload)."""
        self._cards.clear()
        self._unreadable.clear()
        self.refresh()

    def insert(self, card: DealSummary, *, select: bool = True, key: SortKey | None = None) -> None:
        """Put one deal in its place (``key``: a card moved here or its order changed).

        ``select`` puts the cursor on it; otherwise the lit card stays lit.
        """
        self._cards[card.id] = card
        self.state.insert(card.id, select=select, key=key)
        self.refresh()
        if select:
            self.announce()

    def remove_deal(self, deal_id: int) -> None:
        """Take one deal out (moved away, lost or filtered), keeping the cursor near."""
        if self.state.remove(deal_id):
            self._cards.pop(deal_id, None)  # a stale copy would carry an old version
            self.refresh()
            self.announce()

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

    # -------------------------------------------------------- cursor moves

    def move_cursor(self, delta: int) -> None:
        """Move the cursor ``delta`` cards up or down."""
        self._move_cursor_to(self.state.cursor + delta)

    def jump(self, where: str) -> None:
        """Jump to the ``"first"`` or ``"last"`` card."""
        self._move_cursor_to(0 if where == "first" else len(self.state.ids) - 1)

    def page(self, direction: int) -> None:
        """Move the cursor by one screenful of cards."""
        self._move_cursor_to(self.state.cursor + direction * self.state.per_page)

    def _move_cursor_to(self, index: int) -> None:
        previous = self.state.cursor
        scrolled = self.state.move_to(index)
        if self.state.cursor == previous and not scrolled:
            return
        if scrolled:
            self.refresh()
        else:  # a cursor move touches two cards, not the column
            self._refresh_card(previous)
            self._refresh_card(self.state.cursor)
        self.announce()

    def _refresh_card(self, index: int) -> None:
        """Repaint one card's rows only, if it is in view."""
        row = (index - self.state.top) * CARD_HEIGHT
        if 0 <= row < self.size.height:
            self.refresh(Region(0, row, self.size.width, CARD_HEIGHT))

    def announce(self) -> None:
        """Tell the screen which deal is under the cursor now."""
        self.post_message(self.Highlighted(self, self.current_id))

    # ---------------------------------------------------------------- events

    def _overflows(self, height: int) -> bool:
        """Whether the cards (without the last card's blank line) are taller than the view."""
        return len(self.state.ids) * CARD_HEIGHT - 1 > height

    @property
    def covered(self) -> int:
        """Rows at the bottom of the column hidden under the filter box."""
        return self._covered

    @covered.setter
    def covered(self, rows: int) -> None:
        if rows == self._covered:
            return
        self._covered = rows
        # Repainted only if other cards come into view. The scroll mark keeps spanning
        # the whole column: moving it would repaint every row of every column (Textual
        # sends a changed cell's whole line), for a mark the box hides three rows of.
        self._fit(self.size.height)

    def _fit(self, height: int) -> bool:
        """Fit the model to a column of ``height`` rows; whether the cards in view changed."""
        top, per_page = self.state.top, self.state.per_page
        self.state.resize(cards_in_view(max(0, height - self._covered)))
        # The scroll mark depends on the cards per page only once the view has scrolled.
        changed = self.state.top != top or (self.state.per_page != per_page and top > 0)
        if changed:
            self.refresh()
        return changed

    def on_resize(self, event: events.Resize) -> None:
        """Show as many whole cards as fit, the cursor's card still in view.

        The layout that resized the column has drawn it at its new size already; it is
        drawn again only if that changed which cards are in view (or the scroll mark).
        Repainting it regardless sent every column twice on a change of layout.
        """
        self._fit(event.size.height)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """The wheel scrolls a card at a time (the cursor follows to stay in sight)."""
        self._wheel(1, event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """The wheel scrolls a card at a time (the cursor follows to stay in sight)."""
        self._wheel(-1, event)

    def _wheel(self, cards: int, event: events.MouseEvent) -> None:
        event.stop()
        before = (self.state.top, self.state.cursor)
        self.state.scroll(cards)
        if (self.state.top, self.state.cursor) != before:
            self.refresh()
            self.announce()

    def on_click(self, event: events.Click) -> None:
        """Put the cursor on the clicked card (the mouse works, but is never needed).

        The click goes on to the grid, which makes this column the active one.
        """
        index = event.y // CARD_HEIGHT + self.state.top
        if 0 <= index < len(self.state.ids):
            self._move_cursor_to(index)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Hold a card: let go over the next column to advance it, the one before to go back."""
        index = event.y // CARD_HEIGHT + self.state.top
        if event.button == 1 and 0 <= index < len(self.state.ids):
            self._dragged = self.state.ids[index]
            self.capture_mouse()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        """Let a held card go: over another column, ask the board to move it there."""
        deal_id, self._dragged = self._dragged, None
        if deal_id is None:
            return
        self.release_mouse()
        try:
            widget, _region = self.app.get_widget_at(*event.screen_offset)
        except NoWidget:  # let go outside every widget: nothing to drop on
            return
        target = next(
            (node for node in widget.ancestors_with_self if isinstance(node, StageColumn)), None
        )
        if target is not None and target is not self:
            self.post_message(self.Dropped(deal_id, self.stage, target.stage))

    # -------------------------------------------------------------- drawing

    def _card(self, index: int) -> DealSummary | None:
        deal_id = self.state.ids[index]
        card = self._cards.get(deal_id)
        if card is None:
            if len(self._cards) > CACHE_LIMIT:
                self._cards.clear()
            if deal_id in self._unreadable:
                return None
            window = self.state.ids[max(0, index - PREFETCH // 4) : index + PREFETCH]
            wanted = [i for i in window if i not in self._cards and i not in self._unreadable]
            try:
                found = self._card_source(wanted)
            except DatabaseUnavailable as error:
                self._cannot_read(wanted, error)
                return None
            self._cards.update(found)
            if self._in_trouble:  # reads work again
                self._in_trouble = self._told = False
                self._retry_s = RETRY_FIRST_S
            card = self._cards.get(deal_id)
        return card

    def _cannot_read(self, ids: list[int], error: DatabaseUnavailable) -> None:
        """Draw ``ids`` as unreadable for now; a message tells the user outside drawing.

        Called while drawing a row, which must neither fail (Textual would end the app)
        nor open a dialog, nor try the failing read again for every row of every card.
        """
        self._unreadable.update(ids)
        first = not self._in_trouble
        self._in_trouble = True
        if not self._asked:
            self._asked = True
            self.post_message(self.CardsUnreadable(str(error), first=first))

    def on_stage_column_cards_unreadable(self, message: StageColumn.CardsUnreadable) -> None:
        """Say once that cards cannot be read (not once per column), and try again later."""
        message.stop()
        columns = list(self.screen.query(StageColumn)) if self.is_attached else [self]
        if message.first and not any(c._told for c in columns if c._in_trouble):
            self._told = True
            self.notify(
                display_safe(
                    _(
                        "{reason}\nCards that cannot be read show as {placeholder}; "
                        "the board tries again in a few seconds."
                    ).format(reason=message.reason, placeholder=unreadable_text()),
                    multiline=True,
                ),
                title=_("Cannot read the database"),
                severity="error",
                timeout=10,
                markup=False,
            )
        self.set_timer(self._retry_s, self._read_again)
        self._retry_s = min(RETRY_LAST_S, self._retry_s * 2)

    def _read_again(self) -> None:
        """Forget which cards could not be read, so the next draw reads them again."""
        self._asked = False
        if self._unreadable:
            self._unreadable.clear()
            self.refresh()

    def notify_style_update(self) -> None:
        """Forget the styles worked out for drawing: the CSS or the theme changed."""
        super().notify_style_update()
        self._palette = None
        self._mixed.clear()

    def _styles(self) -> CardPalette:
        """The column's styles, worked out once per style change instead of per row.

        ``rich_style`` walks every ancestor each time it is read, which was a fifth of
        the cost of drawing a column.
        """
        if self._palette is None:
            self._palette = CardPalette.of(self)
        return self._palette

    def render_line(self, y: int) -> Strip:
        """Draw one screen row: a line of some card (or blank), and the scroll mark."""
        palette = self._styles()
        # A column has no border, padding or scrollbar widget, so its size is its view
        # (``scrollable_content_region`` would look the widget up on the screen per row).
        view = self.size
        inner = max(0, view.width - 1)  # the last cell shows where the view is
        row = y + self.state.top * CARD_HEIGHT
        index, line = divmod(row, CARD_HEIGHT)
        mark = self._scroll_mark(y, view.height, palette)
        ids = self.state.ids
        if not ids:
            if y == 1 and self.empty_hint:
                pieces = [(" " + self.empty_hint, palette.empty)]
                return self._strip(pieces, inner, palette.base, mark)
            return self._strip([], inner, palette.base, mark)
        if index >= len(ids) or line == CARD_HEIGHT - 1:
            return self._strip([], inner, palette.base, mark)
        card = self._card(index)
        if card is None:
            if line == 0 and ids[index] in self._unreadable:
                unread = [(" " + unreadable_text(), palette.detail)]
                return self._strip(unread, inner, palette.base, mark)
            return self._strip([], inner, palette.base, mark)
        style = palette.base
        if index == self.state.cursor:
            style = palette.cursor if self._lit else palette.cursor_dim
        return self._strip(self._card_line(card, line, inner - 2, palette), inner, style, mark)

    def _scroll_mark(self, y: int, height: int, palette: CardPalette) -> Segment:
        """One cell of the column's own scroll bar: thumb where the view is, else track.

        Drawn with the rows instead of by a Textual scrollbar widget, whose repaint cost
        as much as a column's cards and whose appearing or disappearing relaid out the
        whole screen.
        """
        if height <= 0 or not self._overflows(height):
            return Segment(" ", palette.base)
        count = len(self.state.ids)
        thumb = max(1, height * height // (count * CARD_HEIGHT))
        # The view scrolls by whole cards: its last position shows the last page of cards.
        last = max(1, count - self.state.per_page)
        top = (height - thumb) * min(self.state.top, last) // last
        on_thumb = top <= y < top + thumb
        return Segment("▐", palette.thumb) if on_thumb else Segment(" ", palette.track)

    def _strip(
        self, pieces: list[tuple[str, Style]], width: int, style: Style, mark: Segment
    ) -> Strip:
        """A row of ``pieces`` on ``style``, cut with an ellipsis or padded to ``width``.

        Component styles carry the widget's own background; the row's (cursor) wins.
        """
        if width <= 0:
            return Strip([mark], 1)
        lengths = [cell_len(text) for text, _piece in pieces]
        room = width if sum(lengths) <= width else width - 1  # keep a cell for "…"
        segments: list[Segment] = []
        mixed = self._mixed
        for (text, piece), cells in zip(pieces, lengths, strict=True):
            row_style = mixed.get((style, piece)) if piece else style
            if row_style is None:  # adding styles is dear; a column uses a dozen mixes
                row_style = style + piece + Style(bgcolor=style.bgcolor)
                mixed[(style, piece)] = row_style
            if cells > room:  # too long: cut here and end with an ellipsis
                segments.append(Segment(set_cell_size(text, max(0, room)) + "…", row_style))
                room = 0
                break
            segments.append(Segment(text, row_style))
            room -= cells
        if room > 0:
            segments.append(Segment(" " * room, style))
        segments.append(mark)
        # One Strip per row: building, joining and cropping strips costs more than the
        # segments themselves (each Strip sets up several caches).
        return Strip(segments, width + 1)

    def _card_line(
        self, card: DealSummary, line: int, width: int, palette: CardPalette
    ) -> list[tuple[str, Style]]:
        """The styled pieces of one line of a card; user text is made safe to draw."""
        if card.damage is not None:
            return self._damaged_line(card, line, palette)
        if line == 0:
            return [(" ", NO_STYLE), (display_safe(card.title), palette.title)]
        if line == 1:
            return [(" ", NO_STYLE), (display_safe(card.company) or "—", palette.detail)]
        if line == 2:
            money = short_amount(card.value_minor)
            if width >= 18 or card.currency != self.base_currency:  # ¥1.0M is not €1.0M
                money = f"{money} {display_safe(card.currency)}"
            return [
                (f" {money}", NO_STYLE),
                (" · ", palette.detail),
                (display_safe(card.owner), palette.detail),
            ]
        if line == 4:
            return self._close_line(card, width, palette)
        if line == 5:
            return self._step_line(card, width, palette)
        days = days_since(card.stage_entered_at, self._clock())
        counts = f" {card.jobs_done}/{card.jobs_total}"
        age = " " + _("{days}d").format(days=days)
        stuck = self._stuck_mark(card, width + 1 - cell_len(counts) - cell_len(age))
        room = width - cell_len(counts) - cell_len(age) - cell_len(stuck) - 1
        bar_width = max(0, min(8, room))
        bar = progress_bar(card.jobs_done, card.jobs_total, bar_width)
        filled = bar.count("█")
        complete = card.jobs_total > 0 and card.jobs_done == card.jobs_total
        done_style = palette.complete if complete else palette.bar_done
        return [
            (" ", NO_STYLE),
            (bar[:filled], done_style),
            (bar[filled:], palette.bar_todo),
            (counts, done_style if complete else NO_STYLE),
            (age, palette.detail),
            (stuck, palette.stuck),
        ]

    def _stuck_mark(self, card: DealSummary, room: int) -> str:
        """`` ⚠ stuck`` (`` ⚠`` where narrow) on a stuck deal's days line, else nothing.

        The stuck report's own rule (``reports.stuck``) with the stage's limit from the
        pipeline in force and the next step that came with the card: no query, and only
        for the cards drawn, so the cost does not grow with the number of deals. The mark
        is a word as well as a colour, so it reads in monochrome.
        """
        limit = in_force().of(card.stage).stuck_after_days
        due = card.next_step.due_at if card.next_step is not None else None
        if not stuck_reasons(card.stage_entered_at, due, limit, self._clock()):
            return ""
        word = " " + STUCK_MARK + _("stuck")
        return word if cell_len(word) <= room else " " + STUCK_MARK.strip()

    def _close_line(
        self, card: DealSummary, width: int, palette: CardPalette
    ) -> list[tuple[str, Style]]:
        """When the deal is expected to close; a date already passed is marked ⚠.

        A narrow card drops the word "close" before it cuts the date. The pieces may
        take two cells more than ``width`` (the card's margin).
        """
        close = card.expected_close
        if close is None:
            none = " " + _("no close date")
            if cell_len(none) > width + 2:
                none = " " + _("no date")
            return [(none, palette.detail)]
        today = self._clock().astimezone().date()  # the user's calendar day
        overdue = close < today
        room = width - 2 if overdue else width  # the ⚠ and its space take two cells
        shown = close_date_text(close, today)
        if cell_len(shown) > room:
            shown = close_date_text(close, today, short=True)  # one form, shorter
        most = width - 1 if overdue else width + 1  # what the margin leaves for the date
        if cell_len(shown) > most and close.year != today.year:
            shown = close_month_text(close)  # the year matters more than the day
        word = " " + _("close") + " "
        if cell_len(shown) + cell_len(word) - 1 > room:
            word = " "
        if overdue:
            return [(f" ⚠{word}{shown}", palette.overdue)]
        return [(word, palette.detail), (shown, NO_STYLE)]

    def _step_line(
        self, card: DealSummary, width: int, palette: CardPalette
    ) -> list[tuple[str, Style]]:
        """The deal's next step: its kind and when, in the user's zone; overdue marked ⚠.

        Drawn from the step that came with the card's details (no query). The longest
        form that fits is shown (see ``step_text``); an open deal with nothing planned
        says so. The pieces may take two cells more than ``width``, as the close line.
        """
        room = width + 1  # the margin's two cells, less the leading space
        step = card.next_step
        if step is None:
            none = _("no next step")
            if cell_len(none) > room:
                none = _("no step")
            return [(" " + none, palette.no_step)]
        now = self._clock()
        forms = step_forms(step, now)
        shown = next((form for form in forms if cell_len(form) <= room), forms[-1])
        if step.overdue(now):
            return [(" " + shown, palette.overdue)]
        # The arrow and the kind muted, the day and time as plain as the close date.
        lead = NEXT_MARK + kind_word(step.kind) + " "
        if not shown.startswith(lead):
            lead = NEXT_MARK if shown.startswith(NEXT_MARK) else ""
        return [(" " + lead, palette.detail), (shown[len(lead) :], NO_STYLE)]

    @staticmethod
    def _damaged_line(
        card: DealSummary, line: int, palette: CardPalette
    ) -> list[tuple[str, Style]]:
        """A deal whose row cannot be read: its title, what is wrong, and what to do."""
        if line == 0:
            return [(" ⚠ ", palette.title), (display_safe(card.title), palette.title)]
        if line == 1:
            damage = _("damaged: {damage}").format(damage=display_safe(card.damage))
            return [(" ", NO_STYLE), (damage, palette.detail)]
        if line == 2:
            return [(" " + _("run salesboard doctor"), palette.detail)]
        return []


NO_STYLE = Style()


def unreadable_text() -> str:
    """What a card that cannot be read now shows in place of its title."""
    return _("(cannot read)")


STUCK_MARK = "⚠ "
"""Starts a stuck deal's mark on its card (``⚠ stuck``; ``⚠`` alone where narrow)."""


@dataclass(frozen=True)
class CardPalette:
    """Every style a column draws with, read from the stylesheet in one go."""

    base: Style
    title: Style
    detail: Style
    cursor: Style
    cursor_dim: Style
    bar_done: Style
    bar_todo: Style
    complete: Style
    overdue: Style
    no_step: Style
    stuck: Style
    empty: Style
    thumb: Style
    track: Style

    @classmethod
    def of(cls, column: StageColumn) -> CardPalette:
        """The styles of ``column`` as its CSS and theme say now."""
        base = column.rich_style
        part = column.get_component_rich_style
        return cls(
            base=base,
            title=part("card--title"),
            detail=part("card--detail"),
            cursor=base + part("card--cursor"),
            cursor_dim=base + part("card--cursor-blurred"),
            bar_done=part("card--bar-done"),
            bar_todo=part("card--bar-todo"),
            complete=part("card--complete"),
            overdue=part("card--overdue"),
            no_step=part("card--no-step"),
            stuck=part("card--stuck"),
            empty=part("column--empty"),
            thumb=base + part("column--scroll-thumb"),
            track=base + part("column--scroll-track"),
        )
