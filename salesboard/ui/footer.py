"""The footer: the keys that work now, drawn as one line of text."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from salesboard.i18n import _


class KeyHints(Static):
    """The shown bindings of the focused widget and its screen, one entry per action.

    Binding descriptions are catalogue msgids, translated here where they are drawn.

    Textual's ``Footer`` builds a widget per key and rebuilds them whenever the bindings
    may have changed: at start that is a second layout and a second full frame before
    the board is complete. Here the keys are one line of text, redrawn in place only
    when what it shows changed. Like ``Footer``, it follows
    ``Screen.bindings_updated_signal``; a key shows dimmed when its action is disabled.

    When the entries are wider than the line (longer words in another language, a narrow
    terminal), those just before the last one give way, so the last (Quit, Close) is
    never cut off.
    """

    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    KeyHints > .key-hints--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyHints > .key-hints--description {
        color: $footer-description-foreground;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-hints--key", "key-hints--description"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[tuple[str, str, bool], ...] | None = None
        self._fitted = 0  # how many of the entries the line shows

    def on_mount(self) -> None:
        """Follow the screen's bindings, and show them now (no second frame at start)."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        """Stop following the screen's bindings."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    @property
    def keys(self) -> tuple[tuple[str, str, bool], ...]:
        """(key as displayed, description, enabled) of each entry shown now."""
        return self._shown or ()

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if screen is not self.screen:
            return
        shown: dict[str, tuple[str, str, bool]] = {}
        applies = getattr(screen, "hint_applies", None)  # a screen may offer a key only now
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if applies is not None and not applies(binding.action):
                continue
            if binding.show and binding.action not in shown:
                key = self.app.get_key_display(binding)
                description = _(binding.description) if binding.description else ""
                shown[binding.action] = (key, description, enabled)
        entries = tuple(shown.values())
        if entries != self._shown:
            self._shown = entries
            self.update(self._text(entries), layout=False)

    def on_resize(self) -> None:
        """Fit the entries to the new width (only when how many fit changed)."""
        if self._shown and self._fits(self._shown) != self._fitted:
            self.update(self._text(self._shown), layout=False)

    def _fits(self, entries: tuple[tuple[str, str, bool], ...]) -> int:
        """How many entries the line can show: all, or fewer, the last always kept."""
        width = self.size.width or self.app.size.width
        cells = [cell_len(f"{key} {description} ") for key, description, _enabled in entries]
        total = sum(cells) - 1  # the last entry's space is not drawn
        count = len(entries)
        while count > 1 and total > width:
            count -= 1
            total -= cells[count - 1]  # the entry just before the last gives way
        return count

    def _text(self, entries: tuple[tuple[str, str, bool], ...]) -> Text:
        key_style = self.get_component_rich_style("key-hints--key", partial=True)
        description_style = self.get_component_rich_style("key-hints--description", partial=True)
        text = Text(no_wrap=True, end="")
        self._fitted = self._fits(entries)
        shown = entries[: self._fitted - 1] + entries[-1:] if entries else entries
        for key, description, enabled in shown:
            entry = Text.assemble((key, key_style), (f" {description} ", description_style))
            if not enabled:
                entry.stylize("dim")
            text.append_text(entry)
        text.rstrip()  # the last entry's space would cost the 80th column
        return text
