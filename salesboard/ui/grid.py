"""The six stage columns as one keyboard target with one active column.

Keyboard focus stays on the grid while the user moves between columns. Moving Textual
focus from one widget to another restyles and repaints the whole screen; switching the
active column here repaints two cards (the old and the new cursor), which is what keeps a
column change as cheap as a cursor move at any number of deals.
"""

from __future__ import annotations

from typing import ClassVar, Self

from textual import events
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Region

from salesboard.ui import keymap
from salesboard.ui.board_model import BoardModel
from salesboard.ui.column import StageColumn
from salesboard.ui.keymap import bindings
from salesboard.ui.quiet import LaysOutQuietly, repaints
from salesboard.workflow import Stage


class StageBox(LaysOutQuietly, Vertical):
    """One stage's header above its column (a plain ``Vertical`` that lays out quietly)."""


class BoardGrid(Horizontal, can_focus=True):
    """Holds the columns, takes the cursor keys, and lights the active column's cursor."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.UP, keymap.DOWN, keymap.FIRST, keymap.LAST, keymap.PAGE_UP, keymap.PAGE_DOWN
    )

    def __init__(self, model: BoardModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self._columns: dict[Stage, StageColumn] = {}

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Pass on every refresh but a repaint of the whole grid, which is never needed.

        Textual repaints a widget whole when it gains or loses focus (and when ``focus``
        is called on it). The grid draws nothing of its own: its columns cover it and
        repaint what focus changes (``StageColumn.lit``). Each such repaint sent every
        column to the terminal again, as the filter box or the pane took the keys.
        """
        if regions or layout or recompose:
            repaint = repaints(regions, repaint, layout)
            return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        return self

    def watch_has_focus(self, _has_focus: bool) -> None:
        """Restyle the grid alone when it gains or loses the keys, not every column.

        Textual restyles a widget and all its descendants on a focus change: here six
        columns, their headers and each column's thirteen card styles, a good part of
        the cost of every key that moves the keys into or out of the board (the filter,
        the pane). No style of theirs depends on the grid's focus.
        """
        self.app.stylesheet.update_nodes([self], animate=True)

    def _column(self, stage: Stage) -> StageColumn:
        if not self._columns:  # found once: a query per key would cost a DOM walk
            self._columns = {column.stage: column for column in self.query(StageColumn)}
        return self._columns[stage]

    @property
    def active(self) -> StageColumn:
        """The column the cursor keys act on: the model's active one."""
        return self._column(self.model.active)

    def activate(self, column: StageColumn, *, focus: bool = True) -> None:
        """Make ``column`` the active one; with ``focus``, take the keyboard too.

        The column then tells the screen which deal is current, as a cursor move does.
        Every other column is dimmed: only one card is ever lit.
        """
        self.model.active = column.stage
        for stage in Stage:
            other = self._column(stage)
            if other is not column:
                other.lit = False
        column.lit = focus or self.has_focus or self._keys_beside()
        if focus and not self.has_focus:
            # Textual's ``focus`` repaints the whole widget (here: every column), even
            # when it has the keys already; the lit cursors above are all that changed.
            self.focus()
        column.announce()

    def on_focus(self, _event: events.Focus) -> None:
        """Draw the active cursor bright and say which deal is current."""
        self.active.lit = True
        self.active.announce()

    def on_blur(self, _event: events.Blur) -> None:
        """Dim the cursor when the keys go elsewhere (the filter box, a form).

        The side pane is the exception: it shows the lit card's checklist and its keys
        (Space, ``>``, ``<``) act on that deal, so the card stays lit beside it.
        """
        self.active.lit = self._keys_beside()

    def _keys_beside(self) -> bool:
        """Whether the keys are in the side pane, which acts on the active card."""
        from salesboard.ui.pane import DealPane

        focused = self.screen.focused
        return focused is not None and any(
            isinstance(node, DealPane) for node in focused.ancestors_with_self
        )

    def on_click(self, event: events.Click) -> None:
        """A click on a card makes its column active (the column moved its cursor)."""
        if isinstance(event.widget, StageColumn):
            self.activate(event.widget)

    def action_cursor(self, delta: int) -> None:
        """Move the active column's cursor one card up or down."""
        self.active.move_cursor(delta)

    def action_jump(self, where: str) -> None:
        """Jump to the first or last card of the active column."""
        self.active.jump(where)

    def action_page(self, direction: int) -> None:
        """Move the active column's cursor by one screenful of cards."""
        self.active.page(direction)
