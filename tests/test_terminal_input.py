"""The board in a real pseudo-terminal survives bytes that are not UTF-8.

Found in review: ``tmux send-keys -H f8`` (``ø`` from a Latin-1 terminal) ended the board
with a traceback from Textual's input thread, and with exit status 0.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from salesboard.cli import cli
from salesboard.ui.terminal_input import lenient_decoder


def test_the_lenient_decoder_replaces_what_is_not_utf8() -> None:
    decode = lenient_decoder("utf-8")().decode
    assert decode(b"a\xf8b\xc3", final=False) == "a\ufffdb"  # \xc3 may start a character
    assert decode(b"\xb8", final=True) == "\u00f8"  # ...and here it does: ø


def _read_until(fd: int, wanted: bytes, timeout: float) -> bytes:
    seen = b""
    end = time.monotonic() + timeout
    while wanted not in seen and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_a_latin1_byte_typed_into_the_board_does_not_end_it(tmp_path: Path) -> None:
    path = str(tmp_path / "board.db")
    assert CliRunner().invoke(cli, ["--db", path, "init"]).exit_code == 0
    main, sub = os.openpty()
    os.set_blocking(main, True)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    board = subprocess.Popen(
        [sys.executable, "-m", "salesboard", "--db", path],
        stdin=sub, stdout=sub, stderr=sub, env=env, close_fds=True,
    )  # fmt: skip
    os.close(sub)
    try:
        assert b"Quit" in _read_until(main, b"Quit", 30)
        os.write(main, b"/\xf8\xff")  # open the filter, then two bytes that are no UTF-8
        after = _read_until(main, b"Traceback", 2)
        assert board.poll() is None and b"Traceback" not in after
        os.write(main, b"\x1b")  # leave the filter
        _read_until(main, b"\0", 0.5)  # (keep reading: a full terminal would block the app)
        os.write(main, b"q")
        end = time.monotonic() + 20
        while board.poll() is None and time.monotonic() < end:
            _read_until(main, b"\0", 0.2)
        assert board.poll() == 0
    finally:
        if board.poll() is None:
            board.kill()
        os.close(main)
