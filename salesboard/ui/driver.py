"""A terminal driver whose input thread sleeps until there is input.

Textual's ``LinuxDriver`` reads the terminal on a thread that wakes every 100 ms
(``select(0.1)``) only to notice that the app is stopping and to time out a lone Escape.
An idle board does nothing else, so those ten wake-ups a second were most of what fifty
idle boards cost a shared server (``benchmarks/server.py``). This driver waits without a
timeout unless the parser holds a partial escape sequence (then exactly until its
deadline), and is woken through a pipe when the app stops reading input. At the end of
input (the terminal is gone) it ends the board instead of reading the end again and
again. Textual is pinned to 8.2.x; the loop is that version's ``run_input_thread`` with
only the waiting and the end changed, and it decodes leniently (``terminal_input``).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import threading
from typing import Any

from textual._loop import loop_last
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

from salesboard.ui.terminal_input import lenient_decoder


class _WakingEvent(threading.Event):
    """The driver's ``exit_event``, which also wakes the input thread's ``select``."""

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self._wake_fd = wake_fd

    def set(self) -> None:
        """Set the event and wake the waiting input thread."""
        super().set()
        with contextlib.suppress(OSError):  # a full pipe has woken it already
            os.write(self._wake_fd, b"x")


class QuietLinuxDriver(LinuxDriver):
    """``LinuxDriver`` without the idle wake-ups of its input thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(wake_write, False)
        self.exit_event = _WakingEvent(wake_write)
        self.input_wakeups = 0
        """How many times the input thread woke (for the test that it sleeps when idle)."""

    def run_input_thread(self) -> None:
        """Wait for input (or a parser deadline, or the stop) and dispatch the events."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        feed = parser.feed
        tick = parser.tick
        decode = lenient_decoder("utf-8")().decode

        def terminal_gone() -> None:
            # End of input: the terminal is gone (its window closed, the connection lost
            # without a SIGHUP reaching us). Stock Textual read the end again ten times a
            # second forever, a board left spinning at 40 % of a core; end the board.
            if fileno in selector.get_map():
                selector.unregister(fileno)
                self._loop.call_soon_threadsafe(self._app.exit)

        def timeout() -> float | None:
            deadline = parser._timeout_time  # set while a partial sequence waits
            return None if deadline is None else max(0.0, deadline - get_time())

        def process(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            self.input_wakeups += 1
            for last, (key, mask) in loop_last(events):
                if key.fd == self._wake_read:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wake_read, 64)
                    continue
                if mask & selectors.EVENT_READ:
                    try:
                        raw = os.read(fileno, 1024 * 4)
                    except OSError:  # EIO: the terminal's other side is closed
                        raw = b""
                    if not raw:
                        terminal_gone()
                        break
                    data = decode(raw, final=final and last)
                    for event in feed(data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process(selector.select(timeout()))
            if fileno in selector.get_map():
                selector.unregister(fileno)
            process(selector.select(0.1), final=True)
        finally:
            selector.close()
            with contextlib.suppress(EOFError, ParseError):
                for _event in feed(""):
                    pass
