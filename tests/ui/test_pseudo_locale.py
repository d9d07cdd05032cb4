"""No English bypasses the catalogue on the board: a pseudo-locale run of every screen.

The board runs in a fresh process, its modules imported in English and then switched to
the pseudo-locale (``tests/pseudo.py``): every
catalogue message comes out accented, and the deals' own text is accented too, so any
plain English word left on a screen, in a form, a dialog or a notice is a string that did
not go through ``_()``. The test names the screen and the words.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.pseudo import english_words

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, importlib, json, pkgutil, sys
import salesboard
# Every module is imported in English first: a text translated at import (not where it is
# shown) would stay English under the pseudo-locale installed after, and be caught.
for module in pkgutil.walk_packages(salesboard.__path__, "salesboard."):
    if ".migrations." not in module.name:
        importlib.import_module(module.name)
from tests.pseudo import install_pseudo, pseudo
install_pseudo()
from salesboard import definition_toml
from salesboard.definition import in_force
from salesboard.service import Pipeline
from salesboard.service.definitions import PipelineDefinitions
from salesboard.store import Database
from salesboard.ui.launch import make_app
from tests.ui.helpers import screen_text

db = Database.open(sys.argv[1], create=True)
books = PipelineDefinitions(db, actor="alice")
books.apply(books.plan_import(definition_toml.dumps(in_force(), books.version())))
work = Pipeline(db, actor="alice")
first = work.create_deal(pseudo("Fleet rollout"), company=pseudo("Nordic"), value="1283750",
                         currency="NOK", expected_close="2020-01-30", notes=pseudo("Call back"))
work.set_job(first.id, 1, True)
second = work.create_deal(pseudo("Pilot"), company=pseudo("Bolt"), value="2500", owner="bob")
work.mark_lost(second.id, pseudo("Went elsewhere"))
app = make_app(db, actor="alice", live=False)
seen = {}

STEPS = [
    ("board", []),
    ("pane", ["enter"]),
    ("pane, ticked", ["space"]),
    ("pane, all stages", ["a"]),
    ("board after pane", ["escape"]),
    ("refused advance", ["greater_than_sign"]),
    ("refused back", ["less_than_sign"]),
    ("refused finish", ["f"]),
    ("help", ["question_mark"]),
    ("board after help", ["escape"]),
    ("new deal form", ["n"]),
    ("new deal refused", ["enter"]),
    ("board after form", ["escape"]),
    ("edit form", ["e"]),
    ("board after edit", ["escape"]),
    ("lost form", ["x"]),
    ("lost refused", ["enter"]),
    ("board after lost", ["escape"]),
    ("history", ["H"]),
    ("board after history", ["escape"]),
    ("ended", ["w"]),
    ("ended deal", ["enter"]),
    ("board after ended", ["escape", "escape"]),
    ("sort", ["s"]),
    ("board after sort", ["escape"]),
    ("owner", ["o"]),
    ("board after owner", ["escape"]),
    ("mine", ["m"]),
    ("all again", ["m"]),
    ("filter", ["slash", "ž", "ž"]),
    ("filter cleared", ["escape"]),
    ("undo", ["u"]),
    ("palette", ["ctrl+p"]),
    ("palette typed", ["a"]),
    ("palette, no match", ["ž", "ž", "ž"]),
]


async def main():
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for name, keys in STEPS:
            app._notifications.clear()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            await pilot.pause(0.8 if name.startswith("palette") else 0.05)  # "no matches"
            notices = " | ".join(f"{n.title} {n.message}" for n in app._notifications)
            seen[name] = screen_text(app) + "\\n" + notices

asyncio.run(main())
print(json.dumps(seen))
"""

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ALLOWED = frozenset({"alice", "bob", "salesboard", "utc", *MONTHS})
"""Login names, the program's name, UTC and English month abbreviations (dates follow
the language's Babel locale, not the catalogue); currency codes are allowed too."""


def test_every_screen_speaks_only_catalogue_text(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "pseudo.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, str] = json.loads(done.stdout.splitlines()[-1])
    assert len(seen) > 30
    assert "Ṗŕőśṗėċť" in seen["board"]  # the stage names, from the pseudo pipeline
    untranslated = {
        screen: words for screen, text in seen.items() if (words := english_words(text, ALLOWED))
    }
    report = "\n".join(f"{screen}: {words}" for screen, words in untranslated.items())
    assert not untranslated, "untranslated words:\n" + report
