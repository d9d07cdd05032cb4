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

from tests.pseudo import english_words, pseudo

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
from salesboard.service.substance import Substance
Substance(work).add_activity(first.id, kind="meeting", title=pseudo("Kick-off"),
                             due="2020-01-20 10:00", agenda=pseudo("Scope"))
work.set_job(first.id, 1, True)  # backed by the meeting
from salesboard.service.substance import Substance
parts = Substance(work)
parts.add_activity(first.id, kind="meeting", title=pseudo("Kickoff"), due="2020-01-10 10:00",
                   agenda=pseudo("Goals"), owner="bob")
parts.add_activity(first.id, kind="call", title=pseudo("Budget"), due="2031-01-10 10:00")
parts.add_stakeholder(first.id, pseudo("Nina"), stance="ally", organisation=pseudo("Acme"),
                      role=pseudo("Buyer"), influence="high", phone="+47 22 33 44 55")
parts.add_stakeholder(first.id, pseudo("Eve"), stance="enemy")
parts.add_problem(first.id, pseudo("Late invoices"), priority="high", price="12500")
parts.add_problem(first.id, pseudo("Slow network"))
second = work.create_deal(pseudo("Pilot"), company=pseudo("Bolt"), value="2500", owner="bob")
work.mark_lost(second.id, pseudo("Went elsewhere"))
app = make_app(db, actor="alice", live=False)
seen = {}

STEPS = [
    ("board", []),
    ("pane", ["enter"]),
    ("pane, ticked", ["space"]),
    ("pane, all stages", ["a"]),
    ("pane, activities", ["tab"]),
    ("new activity form", ["n"]),
    ("new activity refused", ["ctrl+s"]),
    ("pane after new activity", ["escape"]),
    ("edit activity form", ["e"]),
    ("pane after edit activity", ["escape"]),
    ("activity done", ["down", "down", "space"]),  # the call: no meeting is held yet
    ("pane, stakeholders", ["tab"]),
    ("new stakeholder form", ["n"]),
    ("new stakeholder refused", ["ctrl+s"]),
    ("pane after new stakeholder", ["escape"]),
    ("edit stakeholder form", ["e"]),
    ("pane after edit stakeholder", ["escape"]),
    ("pane, problems", ["tab"]),
    ("new problem form", ["n"]),
    ("new problem refused", ["ctrl+s"]),
    ("pane after new problem", ["escape"]),
    ("edit problem form", ["e"]),
    ("pane after edit problem", ["escape"]),
    ("problem solved", ["space"]),
    ("remove problem", ["d"]),
    ("pane after remove", ["n"]),
    ("pane, notes", ["tab"]),
    ("notes editor", ["e"]),
    ("notes editor, discard?", ["x", "escape"]),
    ("notes editor, kept", ["n"]),
    ("notes saved", ["ctrl+s"]),
    ("notes emptied", ["e", "ctrl+u", "ctrl+s"]),
    ("refused tick offers evidence", ["tab", "down", "down", "space"]),
    ("evidence form", ["y"]),
    ("pane after evidence", ["escape"]),
    ("board after pane", ["escape"]),
    ("refused advance", ["greater_than_sign"]),
    ("refused back", ["less_than_sign"]),
    ("refused finish", ["f"]),
    ("board after refusals", ["escape"]),
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
    ("agenda", ["A"]),
    ("agenda, everyone's", ["m"]),
    ("board after agenda", ["escape"]),
    ("agenda, went to the deal", ["A", "enter"]),
    ("weighted", ["v"]),
    ("reports", ["R"]),
    ("reports, funnel", ["2"]),
    ("reports, days in stage", ["3"]),
    ("reports, stuck", ["4"]),
    ("reports, outcomes", ["5"]),
    ("reports, next quarter", ["1", "right_square_bracket"]),
    ("reports, owner", ["o"]),
    ("reports, bob's", ["down", "down", "enter"]),
    ("board after reports", ["escape", "v"]),
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
            # The palette's "no matches" comes after a while; the agenda is read in a worker.
            await pilot.pause(0.8 if name.startswith("palette") else 0.05)
            if name.startswith(("agenda", "reports")):
                for _ in range(3):  # the reports: the facts, then the report from them
                    await app.workers.wait_for_complete()
                    await pilot.pause()
            notices = " | ".join(f"{n.title} {n.message}" for n in app._notifications)
            seen[name] = screen_text(app) + "\\n" + notices

asyncio.run(main())
print(json.dumps(seen))
"""

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ALLOWED = frozenset({"alice", "bob", "salesboard", "utc", "pseudo", "seudo", *MONTHS})
"""Login names, the program's name, UTC, the database's file name (``…pseudo.db`` when a
long message shortens its path, ``…seudo.db`` when the modes leave less room, as the
weighted totals do) and English month abbreviations (dates follow the
language's Babel locale, not the catalogue); currency codes are allowed too."""


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
    # The walk stays on course: the screens named are the ones on screen.
    assert (
        pseudo("Plan a visit now?") in seen["refused tick offers evidence"]
        or pseudo("Plan a meeting now?") in seen["refused tick offers evidence"]
    )
    assert pseudo("move between columns and cards") in seen["help"]
    assert pseudo("Forecast") in seen["reports"] and pseudo("Funnel") in seen["reports, funnel"]
    assert pseudo("Agenda") in seen["agenda"] or pseudo("agenda") in seen["agenda"]
    untranslated = {
        screen: words for screen, text in seen.items() if (words := english_words(text, ALLOWED))
    }
    report = "\n".join(f"{screen}: {words}" for screen, words in untranslated.items())
    assert not untranslated, "untranslated words:\n" + report
