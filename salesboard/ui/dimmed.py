"""The board, dimmed beneath a dialog, tinted once per style instead of once per cell.

A translucent modal screen (Textual's ``ModalScreen``) draws the screen beneath it
through a tint, and Textual works the tint out afresh for every segment of the whole
board each time the dialog draws anything: about 15 ms of every opening of the
checklist, and of every tick (the card beneath changes, and the dialog draws its whole
background again). The board has a few dozen styles; each is tinted once here.
"""

from __future__ import annotations

from functools import lru_cache

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen


@lru_cache(maxsize=2048)
def tinted(style: Style | None, color: Color) -> Style | None:
    """``style`` as Textual's tint draws it under ``color`` (worked out by Textual)."""
    [segment] = BackgroundScreen.process_segments([Segment(" ", style)], color)
    return segment.style


class DimmedBeneath:
    """What a translucent dialog shows beneath it: Textual's own tint, style by style."""

    def __init__(self, beneath: BackgroundScreen) -> None:
        self.screen = beneath.screen
        self.color = beneath.color

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The screen beneath, every segment in its tinted style (controls as they are)."""
        color = self.color
        for text, style, control in console.render(self.screen._compositor, options):
            if control:
                yield Segment(text, style, control)
            else:
                yield Segment(text, tinted(style, color))


def dimmed(rendered: RenderableType) -> RenderableType:
    """A modal screen's ``render()``, with the screen beneath tinted from a cache."""
    if isinstance(rendered, BackgroundScreen):
        return DimmedBeneath(rendered)
    return rendered
