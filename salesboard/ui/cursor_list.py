"""A scrolling list of rows drawn line by line, with a cursor the keys move.

The won-and-lost list and the agenda are both this: rows of data, a header line, and a
cursor that the arrows, the page keys and Home/End move while the view follows only when
it must. What a row looks like is each list's own (``render_line``).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.scroll_view import ScrollView

Row = TypeVar("Row")


class CursorList(ScrollView, Generic[Row], can_focus=True, inherit_bindings=False):
    """Rows under a one-line header, and the index of the row under the cursor."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.cursor = 0

    @property
    def current(self) -> Row | None:
        """The row under the cursor, if there are rows."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def move(self, delta: int) -> None:
        """Move the cursor ``delta`` rows (clamped)."""
        self.move_to(self.cursor + delta)

    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped) and keep it in view."""
        if not self.rows:
            return
        self.cursor = max(0, min(index, len(self.rows) - 1))
        self._keep_cursor_in_view()
        self.refresh()

    def _keep_cursor_in_view(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)  # rows under the header
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def action_move(self, delta: int) -> None:
        """The arrows move the cursor; the view follows only when it must."""
        self.move(delta)

    def action_page(self, direction: int) -> None:
        """A screenful up or down."""
        self.move(direction * max(1, self.scrollable_content_region.height - 2))

    def action_jump(self, where: str) -> None:
        """The first or the last row."""
        self.move_to(0 if where == "first" else len(self.rows) - 1)
