"""A footer that is rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class BoardFooter(Footer):
    """Textual's footer, minus the rebuild on every focus change.

    The stock footer recomposes itself (a few layout passes of the whole screen) whenever
    focus moves, even when the same keys are shown, which made moving between columns
    several times slower than drawing the cards. Here it recomposes only when the shown
    keys, their descriptions or their enabled state really changed.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[tuple[str, str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Recompose only for a different set of keys."""
        shown = tuple(
            (binding.key, binding.action, binding.description, enabled)
            for _node, binding, enabled, _tooltip in screen.active_bindings.values()
            if binding.show
        )
        will_recompose = screen.app.app_focus and self.is_attached and screen is self.screen
        if will_recompose and shown == self._shown:
            return
        if will_recompose:
            self._shown = shown
        super().bindings_changed(screen)
