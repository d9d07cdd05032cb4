"""Repaint only what changed: every repaint is bytes sent to the user's terminal.

Over SSH on a slow link a key costs what it makes the terminal redraw, so a widget
given the content it already shows must not repaint, and focus moving must not repaint
the whole screen.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Self

from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.scrollbar import ScrollBar
from textual.widget import Widget
from textual.widgets import OptionList, Static


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


class SteadyOptionList(OptionList):
    """An option list that shows or hides its scroll bar once it knows its new height.

    Given another number of options (the checklist of a deal with one job more or
    fewer), Textual's ``OptionList`` decided on its scroll bar against its *old* height
    (a bar for five jobs in four rows), narrowed and re-wrapped its lines for it, was
    laid out at the new height, hid the bar again and, on the resize that followed,
    threw away what it had drawn: the list and its scroll bar went to the terminal a
    second time, ~30 ms after the frame. Here the lines are counted at once (at the
    width they have now), the scroll bar is decided by the layout that is due, and a
    resize that keeps the width keeps the lines.
    """

    _counted_width: int | None = None
    _scroll_due = False

    def _update_lines(self) -> None:
        self._counted_width = self.scrollable_content_region.width
        super()._update_lines()

    def _scroll_update(self, virtual_size: Size) -> None:
        if self._layout_required:  # the layout to come gives the height to decide by
            self._scroll_due = True
            return
        self._scroll_due = False
        bar = self._vertical_scrollbar
        due, before = bar is not None and bar._repaint_required, _bar_state(bar)
        super()._scroll_update(virtual_size)
        if bar is not None and not due and _bar_state(bar) == before:
            # Unchanged, yet Textual repaints it at every layout of the dialog, and one
            # layout asks for another (sizes settle): the bar went out again after the frame.
            bar._repaint_required = False

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        if self._scroll_due:  # laid out at an unchanged size: decide the bar now
            self._scroll_update(self.virtual_size)
        if self._counted_width not in (None, self.scrollable_content_region.width):
            self._clear_caches()  # a scroll bar came or went: wrap the lines anew, now
        return resized

    def on_resize(self, event: events.Resize) -> None:
        """Keep the lines when the width is the one they were counted at.

        They and their drawings depend on the width alone; Textual's handler (skipped
        then) threw them away on any resize and drew the list again after the frame.
        """
        if self.scrollable_content_region.width == self._counted_width:
            event.prevent_default()


def _bar_state(bar: ScrollBar | None) -> tuple[object, ...]:
    """What a scroll bar draws, to tell whether it changed."""
    if bar is None:
        return ()
    return (bar.window_virtual_size, bar.window_size, bar.position, bar.display)
