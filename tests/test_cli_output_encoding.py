"""Output in an encoding that is not UTF-8 never stops a command.

``PYTHONIOENCODING=ascii`` or an ASCII locale used to end ``list`` and ``show`` with an
internal error at the first dash or "ø". What the encoding cannot hold is written as a
JSON-style escape, so ``--json`` still reads back to the stored text exactly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TITLE = "Bjørn — fjord 😀"


def salesboard(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """The real entry point in a new process, with ``env`` added to the environment."""
    merged = {**os.environ, "COLUMNS": "200", **env}
    merged.pop("SALESBOARD_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "salesboard", *args], capture_output=True, env=merged, timeout=60
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "enc.db")
    assert salesboard("--db", path, "init").returncode == 0
    added = salesboard("--db", path, "add", TITLE, "--company", "Nordø AS", PYTHONUTF8="1")
    assert added.returncode == 0, added.stderr
    return path


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"PYTHONIOENCODING": "latin-1"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii:strict"},
    ],
)
def test_list_and_show_print_in_an_encoding_that_is_not_utf8(db: str, env: dict[str, str]) -> None:
    for args in (["list"], ["show", "1"], ["agenda"]):
        done = salesboard("--db", db, *args, **env)
        assert done.returncode == 0, done.stderr
        assert done.stderr == b""
        if args != ["agenda"]:
            assert b"Bj" in done.stdout and b"fjord" in done.stdout
        done.stdout.decode(env["PYTHONIOENCODING"].split(":")[0])  # all in that encoding
    if env["PYTHONIOENCODING"].startswith("ascii"):
        assert (
            b"Bj\\u00f8rn \\u2014 fjord \\ud83d\\ude00"
            in salesboard("--db", db, "list", **env).stdout
        )


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_json_reads_back_exactly(db: str, encoding: str) -> None:
    done = salesboard("--db", db, "list", "--json", PYTHONIOENCODING=encoding)
    assert done.returncode == 0, done.stderr
    # Click writes UTF-8 where the encoding is ASCII (which it takes for a mistake).
    (deal,) = json.loads(done.stdout.decode("utf-8" if encoding == "ascii" else encoding))
    assert deal["title"] == TITLE and deal["company"] == "Nordø AS"


def test_a_message_on_stderr_in_ascii_is_one_line(db: str) -> None:
    done = salesboard("--lang", "nb", "--db", db, "show", "99", PYTHONIOENCODING="latin-1")
    assert done.returncode == 2
    assert done.stderr.startswith(b"salesboard: ") and done.stderr.count(b"\n") == 1
    assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr


def test_utf8_output_is_left_as_it_was(db: str) -> None:
    done = salesboard("--db", db, "list", PYTHONIOENCODING="utf-8")
    assert done.returncode == 0 and TITLE.encode() in done.stdout
