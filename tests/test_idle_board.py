"""An idle board in a real pseudo-terminal sleeps: fifty of them on one server cost little.

Textual's own input thread woke ten times a second to look for the app's end; the board's
driver (``ui/driver.py``) sleeps until there is input instead. These tests run the real
``salesboard`` in a pty and read the kernel's count of its threads' voluntary context
switches (each wake-up from a wait is one), so they do not depend on how busy the machine
is; and they check that what the waiting has to time out, a lone Escape, still works.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesboard.cli import cli


def _drain(fd: int, seconds: float, wanted: bytes = b"\0") -> bytes:
    """Read the terminal for ``seconds`` (or until ``wanted``), as a terminal would."""
    seen = b""
    end = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def _wakeups(pid: int) -> int:
    """Voluntary context switches of every thread of ``pid`` so far."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            status = Path(f"/proc/{pid}/task/{task}/status").read_text()
        except OSError:  # a thread that just ended
            continue
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                total += int(line.split()[1])
    return total


@pytest.fixture
def board(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """The real board on a new database, in a 100×30 pty, its first frame drawn."""
    path = str(tmp_path / "board.db")
    assert CliRunner().invoke(cli, ["--db", path, "init"]).exit_code == 0
    main, sub = os.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("TEXTUAL_DRIVER", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "salesboard", "--db", path],
        stdin=sub, stdout=sub, stderr=sub, env=env, close_fds=True,
    )  # fmt: skip
    os.close(sub)
    try:
        assert b"Quit" in _drain(main, 60, b"Quit")
        yield process, main
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)


def test_an_idle_board_hardly_wakes(board: tuple[subprocess.Popen[bytes], int]) -> None:
    process, terminal = board
    _drain(terminal, 3)  # the start's follow-up work (first presence beat, settling)
    before = _wakeups(process.pid)
    drawn = _drain(terminal, 4)
    woke = _wakeups(process.pid) - before
    # Stock Textual: its input thread alone wakes 10 times a second (40 here). What is
    # left is the board's own once-a-second look at the files and its tick (~2 a second).
    assert woke < 24, f"{woke} wake-ups in 4 s"
    assert drawn == b""  # and an idle board sends nothing to the terminal


def test_a_lone_escape_still_arrives_without_more_input(
    board: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, terminal = board
    os.write(terminal, b"/")  # open the filter
    _drain(terminal, 0.5)
    os.write(terminal, b"\x1b")  # a bare ESC (xterm, tmux): only a timeout ends it
    _drain(terminal, 0.6)
    os.write(terminal, b"q")  # quits only if the Escape closed the filter on its own
    end = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < end:
        _drain(terminal, 0.2)
    assert process.poll() == 0


def test_a_board_whose_terminal_is_gone_ends_instead_of_spinning(
    board: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, terminal = board
    # Close the terminal's other side with no SIGHUP to the board (it is not the board's
    # controlling terminal): what a lost connection or a killed emulator can leave. The
    # fd number is kept (on /dev/null) for the fixture to close.
    placeholder = os.open(os.devnull, os.O_RDONLY)
    os.dup2(placeholder, terminal)
    os.close(placeholder)
    try:
        # Stock Textual read the end of input ten times a second forever, at 40 % of a
        # core; the board must end on its own.
        assert process.wait(timeout=20) is not None
    except subprocess.TimeoutExpired:
        pytest.fail("the board kept running after its terminal was gone")
