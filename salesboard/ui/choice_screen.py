"""A short list to pick one from: how to order the cards, whose deals to show.

Typed: the screen answers the index of the chosen line, or ``None`` when Escape keeps
things as they are. Labels may carry user text (owners' logins), so they are Rich
``Text`` built by the caller, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from salesboard.i18n import _
from salesboard.ui import keymap
from salesboard.ui.keymap import bindings
from salesboard.ui.literal import literal


class ChoiceScreen(ModalScreen[int | None]):
    """Pick one line with ↑ ↓ (or j k) and Enter; the current choice starts highlighted."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.CHOICE_UP, keymap.CHOICE_DOWN, keymap.CHOICE_CLOSE
    )

    def __init__(self, title: str, choices: list[Text], current: int) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        """The question and the choices."""
        with Vertical(id="choice", classes="modal"):
            yield Static(self.title_text, classes="form-title", markup=False)
            yield OptionList(
                *(Option(label, id=str(n)) for n, label in enumerate(self.choices)),
                id="choices",
            )
            yield Static(_("Enter chooses · Esc keeps it as it is"), classes="form-help")

    def on_mount(self) -> None:
        """Start on the current choice, so Enter alone changes nothing."""
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = self.current
        choices.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cursor(self, delta: int) -> None:
        """Move the highlight with j and k, as with the arrows."""
        choices = self.query_one("#choices", OptionList)
        if delta > 0:
            choices.action_cursor_down()
        else:
            choices.action_cursor_up()

    def action_close(self) -> None:
        """Keep things as they are."""
        self.dismiss(None)


OWNER_SHOWN = 40
"""How many cells of a login a picker line shows (one line each, however long)."""


def owner_text(owner: str) -> Text:
    """A login shown literally, bold, cut to a line."""
    shown = literal(owner, "bold")
    shown.truncate(OWNER_SHOWN, overflow="ellipsis")
    return shown


def owner_choices(
    me: str, counts: Mapping[str, int], everyone: str
) -> tuple[list[str], list[Text]]:
    """Whose deals to pick from, and each one's line: everyone, then me, then by name.

    ``counts`` says how many deals each owner has; ``everyone`` is the first line's words.
    The board's owner view and the reports' owner pick from the same list.
    """
    owners = [me, *sorted(name for name in counts if name != me)]
    choices = [Text(everyone)]
    for name in owners:
        label = owner_text(name)
        label.append(f" ({counts.get(name, 0)})")
        if name == me:
            label.append(" · " + _("you"))
        choices.append(label)
    return owners, choices
