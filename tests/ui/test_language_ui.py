"""The board in Norwegian: names from the pipeline, keys, help and palette from the catalogue.

Run in a fresh process, as a user's board is: the language is chosen before the board's
modules are loaded (their key bindings are made once, at import).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, json, sys
from salesboard.i18n import install
install(sys.argv[2])
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.ui.launch import make_app
from tests.ui.helpers import screen_text

db = Database.open(sys.argv[1], create=True)
Pipeline(db, actor="alice").create_deal("Alpha", company="Nordic")
app = make_app(db, actor="alice", live=False)
seen = {}

async def main():
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        seen["board"] = screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        seen["pane"] = screen_text(app)
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        seen["help"] = screen_text(app)
        await pilot.press("escape", "less_than_sign")
        await pilot.pause()
        seen["refused"] = [n.message for n in app._notifications]

asyncio.run(main())
print(json.dumps(seen))
"""


def run_board(tmp_path: Path, language: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / f"{language}.db"), language],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_the_board_speaks_norwegian_when_asked(tmp_path: Path) -> None:
    seen = run_board(tmp_path, "nb")
    board, pane, help_text = str(seen["board"]), str(seen["pane"]), str(seen["help"])
    for stage in ("Prospekt", "Kvalifisert", "Oppdagelse", "Utviklet", "Foreslått", "Lukket"):
        assert stage in board
    assert "Fram" in board and "Ny" in board and "Hjelp" in board  # key hints
    assert "Prospekt funnet i målmarkedet" in pane
    assert "Taster" in help_text and "flytt én fase tilbake" in help_text
    assert any("Prospekt er første fase" in str(m) for m in seen["refused"])  # type: ignore[attr-defined]


def test_english_stays_the_default(tmp_path: Path) -> None:
    seen = run_board(tmp_path, "en")
    assert "Prospect" in str(seen["board"]) and "Advance" in str(seen["board"])
    assert "Keys" in str(seen["help"]) and "move back one stage" in str(seen["help"])
