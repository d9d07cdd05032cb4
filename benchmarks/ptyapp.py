"""Drive a terminal program in a pseudo-terminal and time its output, with the stdlib only.

A frame is "done" when the program's output goes quiet: no byte for ``quiet`` seconds.
Every figure is taken at the *last byte before the quiet window*, so the window itself
is never counted; it only has to be longer than any gap inside one screen update
(Textual paces frames at 60 fps, so updates that belong together are ~17 ms apart).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# CSI, OSC/DCS/APC strings and two-byte escapes: what to drop to see the text drawn.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]P_^].*?(?:\x07|\x1b\\)"
    r"|\x1b[@-Z\\-_]"
    r"|[\x00-\x08\x0b-\x1f\x7f]",
    re.DOTALL,
)


# A cursor move to row;column: Textual starts every line it redraws with one.
_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def full_screens(data: bytes, rows: int, columns: int) -> list[int]:
    """Where each whole-screen repaint in ``data`` ends (offsets), for a screen of that size.

    A row is redrawn whole when a cursor move to its first column is followed by at least
    ``columns`` visible characters before the next move (Textual starts every line it
    draws with a move); a repaint is whole once every row has been, since the last whole
    one. It ends where the line of its last row ends. One offset: the update drew the
    screen once; two: twice. The first offset is the size of one full repaint.
    """
    ends: list[int] = []
    seen: set[int] = set()
    moves = list(_MOVE.finditer(data))
    for move, following in zip(moves, [*moves[1:], None], strict=True):
        end = following.start() if following else len(data)
        if move.group(2) != b"1" or len(visible_text(data[move.end() : end])) < columns:
            continue
        seen.add(int(move.group(1)))
        if len(seen) >= rows:
            ends.append(end)
            seen = set()
    return ends


def visible_text(data: bytes) -> str:
    """The characters a terminal would draw from ``data``, escape sequences removed.

    Cursor moves are dropped too, so text drawn at separate places runs together; that is
    enough to check that a word (a header, a notification) was drawn.
    """
    return _ESCAPES.sub("", data.decode("utf-8", errors="replace"))


Check = Callable[[str], bool]
"""Says, from the text drawn so far, whether the expected update has been drawn."""


def drew_text(text: str) -> bool:
    """Some text was drawn, not only escape sequences (such as a pointer-shape change)."""
    return bool(text.strip())


@dataclass(frozen=True)
class Response:
    """What one key press (or the start) produced: when output began and ended."""

    sent: float
    first: float | None
    last: float | None
    settled: float | None
    cpu_ms: float | None  # CPU time the program used from the key to the end of the update
    nbytes: int  # bytes received from the key to ``settled`` (follow-up frames included)
    text: str
    chunks: tuple[tuple[float, int], ...] = ()
    """(time, size) of every chunk from the key to the end of the update (``last``)."""
    screens: int = 0
    """How many times the update redrew every row of the screen (``full_screens``)."""

    @property
    def frame_bytes(self) -> int:
        """Bytes the terminal received from the key to the last byte of the update."""
        return sum(size for _, size in self.chunks)

    def link_ms(self, bits_per_second: float = 1e6, one_way: float = 0.05) -> float | None:
        """Key to the update's last byte as a user behind a slow link would see it.

        See ``over_link``: the chunks as recorded, replayed over a link of that rate and
        one-way delay.
        """
        if self.last is None:
            return None
        return over_link(self.sent, self.chunks, bits_per_second, one_way) * 1000

    @property
    def latency_ms(self) -> float | None:
        """Key written to last byte of the resulting update, in milliseconds."""
        return None if self.last is None else (self.last - self.sent) * 1000

    @property
    def settled_ms(self) -> float | None:
        """Key written to the last byte before a longer pause (follow-up frames included)."""
        return None if self.settled is None else (self.settled - self.sent) * 1000

    @property
    def first_byte_ms(self) -> float | None:
        """Key written to the first byte of the update (how soon anything moved)."""
        return None if self.first is None else (self.first - self.sent) * 1000


def over_link(
    sent: float, chunks: Sequence[tuple[float, int]], bits_per_second: float, one_way: float
) -> float:
    """Seconds from typing a key to its update's last byte arriving, over a slow link.

    A simulation from what was recorded locally, so that the figure does not depend on a
    throttled relay or the machine's load: the key reaches the program ``one_way`` later,
    so each chunk is written ``one_way`` later than recorded; the link sends one chunk at
    a time at ``bits_per_second`` (a chunk leaves when it is written or when the chunk
    before it has left, whichever is later); the last byte arrives ``one_way`` after it
    left. Protocol overhead (TCP/IP, SSH framing) and slow start are not counted.
    """
    free = sent
    for written, size in chunks:
        leaves = max(written + one_way, free)
        free = leaves + size * 8 / bits_per_second
    return free + one_way - sent if chunks else 2 * one_way


class Timeout(RuntimeError):
    """The program did not draw what was expected in time."""


class PtyApp:
    """A program running in its own pseudo-terminal, with every output chunk time-stamped.

    A reader thread drains the terminal as fast as a real terminal emulator would, so the
    program is never slowed by a full pty buffer, and records ``(time, bytes)`` pairs.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        columns: int = 120,
        rows: int = 36,
        env: dict[str, str] | None = None,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._master = master
        self.columns = columns
        self.rows = rows
        self._chunks: list[tuple[float, bytes]] = []
        self._changed = threading.Condition()
        self._closed = False
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ output

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 1 << 16)
            except OSError:  # EIO: the program closed the terminal
                data = b""
            now = time.perf_counter()
            with self._changed:
                if data:
                    self._chunks.append((now, data))
                else:
                    self._closed = True
                self._changed.notify_all()
            if not data:
                return

    @property
    def mark(self) -> int:
        """A position in the output; ``since(mark)`` returns what came after it."""
        with self._changed:
            return len(self._chunks)

    def since(self, mark: int) -> list[tuple[float, bytes]]:
        """Output chunks received after ``mark``."""
        with self._changed:
            return self._chunks[mark:]

    def text_since(self, mark: int) -> str:
        """The visible text drawn after ``mark``."""
        return visible_text(b"".join(data for _, data in self.since(mark)))

    def _last_output(self) -> float:
        return self._chunks[-1][0] if self._chunks else self.started

    def wait_quiet(self, quiet: float, timeout: float) -> float:
        """Wait until no output came for ``quiet`` seconds; return when the last byte came."""
        deadline = time.perf_counter() + timeout
        with self._changed:
            while True:
                now = time.perf_counter()
                idle_until = self._last_output() + quiet
                if now >= idle_until or self._closed:
                    return self._last_output()
                if now >= deadline:
                    raise Timeout(f"output did not go quiet for {quiet * 1000:.0f} ms")
                self._changed.wait(min(idle_until, deadline) - now)

    def until(self, mark: int, done: Check | None, quiet: float, timeout: float) -> float:
        """Time of the last byte of the first quiet-ended update after ``mark`` where
        ``done(text drawn since mark)`` holds (any output at all when ``done`` is None).

        The text is only looked at when output pauses, so checking costs the program
        nothing while it draws.
        """
        deadline = time.perf_counter() + timeout
        seen = mark
        while True:
            with self._changed:
                while len(self._chunks) <= seen and not self._closed:
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        raise Timeout(f"nothing more drawn; last text: {self._tail(mark)!r}")
                    self._changed.wait(left)
                if self._closed and len(self._chunks) <= seen:
                    raise Timeout(f"the program exited; last text: {self._tail(mark)!r}")
            last = self.wait_quiet(quiet, max(0.0, deadline - time.perf_counter()) + quiet)
            seen = self.mark
            if done is None or done(self.text_since(mark)):
                return last

    def _tail(self, mark: int) -> str:
        return visible_text(b"".join(d for _, d in self._chunks[mark:]))[-300:]

    def first_frame(self, done: Check, quiet: float, timeout: float) -> float:
        """Seconds from start to the last byte of the first update for which ``done`` holds."""
        return self.until(0, done, quiet, timeout) - self.started

    # ------------------------------------------------------------------- input

    def send(self, keys: bytes) -> float:
        """Type ``keys``; return the time they were typed.

        The time is taken before the write: taken after it, a busy machine that pauses
        this thread between the two can let the program answer (and the reader thread
        time-stamp the answer) first, which gave latencies of 0 or less.
        """
        typed = time.perf_counter()
        os.write(self._master, keys)
        return typed

    def press(
        self,
        keys: bytes,
        done: Check | None = None,
        *,
        quiet: float,
        settle: float,
        settled_quiet: float = 0.15,
        timeout: float = 10.0,
        expect_output: float = 1.0,
    ) -> Response:
        """Wait for ``settle`` s of silence, type ``keys``, time the update they cause.

        The settle wait keeps unrelated output (a notification expiring, a live poll) out
        of the measurement. The update ends at the first ``quiet`` pause after ``done``
        holds (default: after some text was drawn, not just an escape sequence);
        ``settled`` at the first longer pause. A key given no ``done`` that draws nothing
        within ``expect_output`` seconds gives a response without times (a no-op).
        """
        self.wait_quiet(settle, timeout)
        mark = self.mark
        cpu_before = self.cpu_ms()
        sent = self.send(keys)
        if done is None:
            with self._changed:
                self._changed.wait_for(
                    lambda: len(self._chunks) > mark or self._closed, expect_output
                )
                if len(self._chunks) == mark:
                    return Response(sent, None, None, None, None, 0, "")
            done = drew_text
        last = self.until(mark, done, quiet, timeout)
        cpu_after = self.cpu_ms()
        settled = self.wait_quiet(settled_quiet, timeout)
        chunks = self.since(mark)
        cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        frame = b"".join(d for at, d in chunks if at <= last)
        return Response(
            sent,
            chunks[0][0],
            last,
            settled,
            cpu,
            sum(len(d) for _, d in chunks),
            visible_text(b"".join(d for _, d in chunks)),
            tuple((at, len(d)) for at, d in chunks if at <= last),
            len(full_screens(frame, self.rows, self.columns)),
        )

    def resize(self, columns: int, rows: int, timeout: float = 10.0, quiet: float = 0.05) -> bytes:
        """Give the terminal a new size and return the output of the update it causes.

        The program gets SIGWINCH from us (the terminal is not its controlling terminal,
        so the kernel does not send it). Waits for ``quiet`` silence first and after.
        """
        self.wait_quiet(quiet * 2, timeout)
        mark = self.mark
        fcntl.ioctl(self._master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.columns, self.rows = columns, rows
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGWINCH)
        last = self.until(mark, None, quiet, timeout)
        return b"".join(d for at, d in self.since(mark) if at <= last)

    # --------------------------------------------------------------- process

    def cpu_ms(self) -> float | None:
        """CPU time the program's live threads have used so far, in ms (ns-precise).

        Unlike wall time this hardly changes when other processes compete for the CPU,
        so it is the repeatable figure on a busy machine. Read from the scheduler's
        ``se.sum_exec_runtime`` of every thread; None where /proc does not give it.
        """
        total = 0.0
        try:
            for task in os.listdir(f"/proc/{self.process.pid}/task"):
                with open(f"/proc/{self.process.pid}/task/{task}/sched") as sched:
                    for line in sched:
                        if line.startswith("se.sum_exec_runtime"):
                            total += float(line.split(":")[1])
                            break
        except (OSError, ValueError):
            return None
        return total

    def peak_rss_kib(self) -> int | None:
        """The process's peak resident set so far (VmHWM), in KiB."""
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def close(self, quit_keys: bytes = b"q", timeout: float = 10.0) -> int | None:
        """Ask the program to quit (kill it if it will not), release the terminal.

        Returns the exit status, or None if the program had to be killed.
        """
        killed = False
        if self.process.poll() is None:
            try:
                self.send(quit_keys)
                self.process.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                killed = True
        self.kill()  # also ends anything the program left behind in its process group
        return None if killed else self.process.returncode

    def kill(self) -> None:
        """Stop the program and anything it started (it leads its own process group), at
        once: after an error nothing may be left running to skew the next measurement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._release()

    def _release(self) -> None:
        if self._master >= 0:
            self._reader.join(5)
            os.close(self._master)
            self._master = -1

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.kill()
