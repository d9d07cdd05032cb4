"""Repaint only what changed: every repaint is bytes sent to the user's terminal.

Over SSH on a slow link a key costs what it makes the terminal redraw, so a widget
given the content it already shows must not repaint, and focus moving must not repaint
the whole screen.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Self

from rich.text import Text
from textual.geometry import Region
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Static


def quiet_focus() -> Reactive[Widget | None]:
    """The ``focused`` reactive of a screen, without the repaint of the whole screen.

    Textual's ``Screen.focused`` repaints the whole screen whenever focus moves: every
    key that moves focus (into the filter box, out of it, into the checklist) sent the
    full screen again, on top of what the move really changed. The widgets whose look
    depends on focus repaint themselves already (their ``:focus`` styles change, or they
    draw a cursor). Declared on a screen class (``focused = quiet_focus()``) it replaces
    Textual's; its watcher (which refreshes the key hints) still runs.
    """
    return Reactive(None, repaint=False)


def repaints(regions: tuple[object, ...], repaint: bool, layout: bool) -> bool:
    """Whether a ``refresh`` repaints the widget whole (not for a bare layout refresh).

    Textual lays a widget out again when its size changes (its ``virtual_size`` is a
    layout reactive) and repaints it whole as well, after the layout has already
    painted it at its new size: the board's columns went to the terminal twice when
    the side pane opened or closed. What a layout moves or resizes is repainted by the
    layout itself.
    """
    return repaint and not (layout and not regions)


class LaysOutQuietly(Widget):
    """A widget that lays out without a second repaint of itself (``repaints``).

    Put first among the bases (``class StageBox(LaysOutQuietly, Vertical)``).
    """

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Lay out without a second repaint of the whole widget (``repaints``)."""
        repaint = repaints(regions, repaint, layout)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


def text_key(content: object) -> Hashable:
    """What makes two contents look the same when drawn.

    Rich's ``Text`` equality ignores the text's own style (``Text("x", "dim")`` equals
    ``Text("x")``), so a dimmed line would count as unchanged.
    """
    if isinstance(content, Text):
        return (
            "text",
            content.plain,
            tuple(content.spans),
            str(content.style),
            content.justify,
            content.overflow,
            content.no_wrap,
            content.end,
        )
    return ("other", repr(content))


def update_static(widget: Static, content: Text | str) -> bool:
    """Show ``content`` in ``widget`` unless it shows that already; whether it changed.

    ``Static.update`` repaints (and lays out) the widget even when nothing changed: a
    tick redrew every line of the checklist pane.
    """
    if text_key(widget.content) == text_key(content):
        return False
    widget.update(content)
    return True
