"""The startup floor: an empty Textual app that imports what any Textual + SQLModel
program must import, and draws one line holding the words the benchmark waits for.

The benchmark starts it exactly like the board (same interpreter, same pseudo-terminal),
so ``board start / floor start`` is the board's own cost: its extra imports, opening the
database, building and drawing the board. Nothing here opens a database; there is no
Footer either, since Textual's Footer composes twice at start and that cost is the
app's choice, not the floor.
"""

from __future__ import annotations

from typing import ClassVar

import click  # noqa: F401  (imported for its cost: the board's CLI needs it)
import platformdirs  # noqa: F401
import rich  # noqa: F401
import sqlalchemy  # noqa: F401
import sqlmodel  # noqa: F401
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

WORDS = "Prospect  Qualified  Discovery  Developed  Proposed  Closed  q Quit"


class FloorApp(App[None]):
    """One line of text: the least a board could draw."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        """The six stage names and the quit key, nothing else."""
        yield Static(WORDS)


if __name__ == "__main__":
    FloorApp().run()
