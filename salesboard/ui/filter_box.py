"""The board's filter box: a text input that narrows the board in the keystroke's frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FilterBox(Input):
    """Textual's ``Input``, tuned so that typing a filter costs one frame, not three.

    - ``Input`` records the width of its text as its virtual size on every change, and
      ``virtual_size`` is a layout reactive, so each keystroke laid out the whole screen.
      The box's outer size never depends on its text; only its scroll range follows it.
    - The board hears of each change through ``follow``, called in the keystroke's own
      turn. ``Input.Changed`` (still posted) reaches the screen only after the box has
      repainted on its own, so the narrowed columns came one or two frames (17–50 ms)
      after the typed letter. ``follow`` is handed down by the screen that owns the box.
    - The box lies over the bottom of the board (a layer of its own, ``salesboard.tcss``)
      instead of taking rows from it: shrinking the board relaid out and repainted every
      column twice when the box opened and twice more when it closed. The columns keep
      their cursor clear of the rows it covers (``StageColumn.covered``).
    """

    ROWS = 3
    """The rows of the board the box covers: its line and its border above and below."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, follow: Callable[[str], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._follow = follow

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        self._follow(value)
