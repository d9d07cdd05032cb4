"""The board's filter box: a text input whose typing never lays out the screen again."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FilterBox(Input):
    """Textual's ``Input`` with a virtual size that does not trigger layout.

    ``Input`` records the width of its text as its virtual size on every change, and
    ``virtual_size`` is a layout reactive: each filter keystroke laid out the whole
    screen, and the board's new columns were drawn one frame later. The box's outer
    size never depends on its text, so its own scroll range is all that has to follow.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
