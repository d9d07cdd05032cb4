"""Type-ahead: keys that arrive faster than the board reacts wait their turn.

A paste or an SSH link can deliver ``/al`` or ``n`` plus a title in one read. Textual
hands each key to whatever has focus *when the key is read*, but what a key does (open the
filter box, push a form) happens later, when the key has travelled to the widget and
bubbled back up to the bindings. Without a queue the letters after ``/`` reached the
board, not the box: ``l`` moved the cursor instead of being typed, and the rest were lost.

``TypeAhead`` gives the app one key at a time. The next key goes out only once the one
before has been handled all the way: a marker follows the key up the path it bubbles
along (focused widget, its parents, the screen, the app), one more turn of the app's
queue lets any focus change the key asked for take effect, and a screen the key opened
must be mounted with its focus in place. A single key on a settled board goes out at
once, so a lone key costs what it did.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen

STUCK_AFTER_S = 0.5
"""A key whose handling cannot be followed (its widget closed on the way) frees the
queue after this long, so a lost marker never stalls the keyboard."""

POLL_S = 0.004
"""How often a key waits for a screen it opened to be mounted and focused."""


def screen_ready(screen: Screen[Any]) -> bool:
    """Whether a screen can take keys: composed, mounted, and its focus in place."""
    if not screen.is_mounted:
        return False
    return screen.focused is not None or not screen.focus_chain


class TypeAhead:
    """The app's keys from the terminal, handed on one at a time, in order."""

    def __init__(self, app: App[Any], dispatch: Callable[[events.Key], Awaitable[None]]) -> None:
        self._app = app
        self._dispatch = dispatch
        self._waiting: deque[events.Key] = deque()
        self._busy = False
        self._turn = 0  # the key in hand; markers of an earlier turn are ignored
        self._watchdog: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> int:
        """Keys read but not yet handed on (for tests and the benchmark)."""
        return len(self._waiting)

    async def take(self, key: events.Key) -> None:
        """Queue a key read from the terminal; hand it on now if nothing is in hand."""
        self._waiting.append(key)
        if not self._busy:
            await self._next()

    async def _next(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if not self._waiting:
            self._busy = False
            return
        key = self._waiting.popleft()
        self._busy = True
        self._turn += 1
        turn = self._turn
        target: MessagePump = self._app.focused or self._app.screen
        self._watchdog = asyncio.get_running_loop().call_later(
            STUCK_AFTER_S, self._post, self._give_up, turn
        )
        await self._dispatch(key)
        if not target.call_later(self._passed, target, turn):
            self._passed(self._app, turn)

    def _passed(self, node: MessagePump, turn: int) -> None:
        """Runs in ``node``'s own queue, so the key has been handled there (and bubbled on)."""
        if turn != self._turn:
            return
        if node is self._app:
            # One more turn of the app's queue: focus changes the key's action asked for
            # (``Widget.focus`` defers them there) come before it.
            self._app.call_later(self._settle, turn)
            return
        parent = node._parent if isinstance(node._parent, MessagePump) else self._app
        if not parent.call_later(self._passed, parent, turn):
            self._passed(self._app, turn)

    def _settle(self, turn: int) -> None:
        """Hand on the next key once the screen the last one left is ready for it."""
        if turn != self._turn:
            return
        if not screen_ready(self._app.screen):
            asyncio.get_running_loop().call_later(POLL_S, self._post, self._settle, turn)
            return
        self._app.call_later(self._next)

    def _give_up(self, turn: int) -> None:
        if turn == self._turn and self._busy:
            self._turn += 1  # forget the marker still on its way
            self._app.call_later(self._next)

    def _post(self, callback: Callable[[int], None], turn: int) -> None:
        """From an asyncio timer into the app's queue (where Textual work belongs)."""
        self._app.call_later(callback, turn)
