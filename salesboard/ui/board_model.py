"""Where the cursor is: one model of every column's cards, cursor and first card shown.

The columns draw from this model and every key acts through it, so the card that is lit
is, by construction, the card a key acts on. Positions are whole cards, never screen rows:
a column cannot start in the middle of a card, and after any insert, removal, move,
reload, filter or resize the model settles to a state where

- the cursor is on a card of the column (when it has any),
- the cursor's card is on screen (``top <= cursor < top + per_page``),
- the view is as full as the cards allow (no blank rows under the last card while cards
  above are out of sight),
- exactly one column, the active one, has the keys.

Pure Python, no Textual: a property test drives it through random operations.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from salesboard.service.sorting import SortKey
from salesboard.workflow import FIRST_STAGE, Stage


@dataclass
class ColumnCursor:
    """One column: its deals in order, the highlighted card and the first card shown.

    The order is given by sort keys (``salesboard.service.sorting``): tuples that end with
    the deal's id, so they are unique. ``ids`` and ``keys`` run in step, ascending by key,
    and each deal's key is remembered so that it can be found by bisection even after its
    fields (and so its key in the index) have changed. Without keys, a column is in id
    order (the board order).
    """

    ids: list[int] = field(default_factory=list)
    cursor: int = 0
    top: int = 0
    per_page: int = 1
    keys: list[SortKey] = field(default_factory=list)
    _placed: dict[int, SortKey] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.ids and not self.keys:
            self.keys = [(i,) for i in self.ids]
        self._placed = dict(zip(self.ids, self.keys, strict=True))

    @property
    def current_id(self) -> int | None:
        """The highlighted deal, if the column has any."""
        return self.ids[self.cursor] if self.ids else None

    def key_of(self, deal_id: int) -> SortKey | None:
        """The sort key the column placed ``deal_id`` with, if it is here."""
        return self._placed.get(deal_id)

    def position(self, deal_id: int) -> int | None:
        """Where ``deal_id`` is, found by bisection on its key (the keys are in order)."""
        key = self._placed.get(deal_id)
        if key is None:
            return None
        index = bisect_left(self.keys, key)
        return index if index < len(self.ids) and self.ids[index] == deal_id else None

    def set_ids(
        self, ids: list[int], keep: int | None = None, keys: list[SortKey] | None = None
    ) -> None:
        """New contents (a filter, a reload, a new order): the cursor stays on ``keep``.

        ``keys`` are the ids' sort keys, in the same (ascending) order; without them the
        ids are taken to be in id order.
        """
        self.ids = ids
        self.keys = keys if keys is not None else [(i,) for i in ids]
        self._placed = dict(zip(ids, self.keys, strict=True))
        found = self.position(keep) if keep is not None else None
        self.cursor = found if found is not None else 0
        self.settle()

    def insert(self, deal_id: int, *, select: bool, key: SortKey | None = None) -> bool:
        """Put a deal in its place; whether it was new. Unselected, the lit card stays lit.

        A deal already here under another key (its value or dates changed) moves to its
        new place, and the cursor stays on the card it was on.
        """
        wanted = key if key is not None else (deal_id,)
        placed = self._placed.get(deal_id)
        if placed is not None:
            if placed == wanted:
                where = self.position(deal_id)
                if select and where is not None:
                    self.move_to(where)
                return False
            lit = self.current_id == deal_id
            self.remove(deal_id)
            self.insert(deal_id, select=select or lit, key=wanted)
            return False
        index = bisect_left(self.keys, wanted)
        had_cards = bool(self.ids)
        self.ids.insert(index, deal_id)
        self.keys.insert(index, wanted)
        self._placed[deal_id] = wanted
        if select:
            self.cursor = index
        elif had_cards:
            if index <= self.cursor:
                self.cursor += 1  # the highlighted card stays highlighted
            if index < self.top:
                self.top += 1  # a card arrived above the view: the same cards stay in sight
        self.settle()
        return True

    def remove(self, deal_id: int) -> bool:
        """Take a deal out (moved, lost, filtered away); the cursor stays near."""
        index = self.position(deal_id)
        if index is None:
            return False
        self.ids.pop(index)
        self.keys.pop(index)
        del self._placed[deal_id]
        if index < self.cursor or self.cursor >= len(self.ids):
            self.cursor = max(0, self.cursor - 1)
        if index < self.top:
            self.top -= 1  # the same cards stay in sight
        self.settle()
        return True

    def move_to(self, index: int) -> bool:
        """Put the cursor on card ``index`` (clamped); whether the view scrolled.

        A cursor that leaves the view turns the page: the view jumps so that the card
        it left stays in sight as the one card of context (top or bottom) and the rest
        are new. Scrolling a card at a time redrew the whole column at every key once
        the cursor had reached the edge (6 KB a key over SSH); a page turn redraws it
        once a page, as a mail reader's index does.
        """
        before = self.top
        self.cursor = max(0, min(index, len(self.ids) - 1))
        context = 1 if self.per_page >= 3 else 0
        if self.cursor >= self.top + self.per_page:  # below the view
            self.top = self.cursor - context
        elif self.cursor < self.top:  # above the view
            self.top = self.cursor + context - self.per_page + 1
        self.settle()
        return self.top != before

    def resize(self, per_page: int) -> None:
        """The column now shows ``per_page`` whole cards."""
        self.per_page = max(1, per_page)
        self.settle()

    def scroll(self, cards: int) -> None:
        """Scroll the view (the mouse wheel); the cursor follows so that it stays in sight."""
        self.top += cards
        last = max(0, len(self.ids) - self.per_page)
        self.top = max(0, min(self.top, last))
        self.cursor = max(self.top, min(self.cursor, self.top + self.per_page - 1))
        self.settle()

    def settle(self) -> None:
        """Restore every rule of the model's docstring after a change."""
        count = len(self.ids)
        self.cursor = max(0, min(self.cursor, count - 1)) if count else 0
        last = max(0, count - self.per_page)
        top = min(self.top, last)  # as full as the cards allow
        top = min(top, self.cursor)  # the cursor not above the view...
        top = max(top, self.cursor - self.per_page + 1)  # ...nor below it
        self.top = max(0, top)


class BoardModel:
    """Every column's cursor, and which column has the keys."""

    def __init__(self) -> None:
        self.columns: dict[Stage, ColumnCursor] = {stage: ColumnCursor() for stage in Stage}
        self.active: Stage = FIRST_STAGE

    def current_id(self) -> int | None:
        """The deal the keys act on: the active column's highlighted card."""
        return self.columns[self.active].current_id

    def stage_of(self, deal_id: int) -> Stage | None:
        """The column a deal's card is in, if it is on the board."""
        found = (
            stage for stage, cards in self.columns.items() if cards.position(deal_id) is not None
        )
        return next(found, None)
