"""Several processes changing one deal's parts at once: no update is ever lost.

Each worker is a separate Python process with its own ``Database``. They line up at a file
barrier, then each adds stakeholders and problems to the same deal by read-modify-write
with the deal's version, retrying after a conflict, as two people at two boards would.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from salesboard.service import Pipeline
from salesboard.store import Database

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
WORKERS = 4
CHANGES = 8

WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from salesboard.errors import Conflict
    from salesboard.service import Pipeline
    from salesboard.service.substance import Substance
    from salesboard.store import Database

    url, deal_id, name, workdir, changes = sys.argv[1:6]
    db = Database.open(url)
    pipeline = Pipeline(db, actor=name)
    work = Substance(pipeline)
    Path(workdir, "ready-" + name).touch()
    while not Path(workdir, "go").exists():
        time.sleep(0.001)
    conflicts = 0
    for n in range(int(changes)):
        while True:
            seen = pipeline.get_deal(int(deal_id)).version
            try:
                if n % 2:
                    work.add_problem(int(deal_id), f"{name} problem {n}", expected_version=seen)
                else:
                    work.add_stakeholder(
                        int(deal_id), f"{name} person {n}", stance="ally", expected_version=seen
                    )
                break
            except Conflict:
                conflicts += 1
    print(conflicts)
    """
)


def test_concurrent_part_changes_lose_nothing(db_url: str, tmp_path: Path) -> None:
    db = Database.open(db_url, create=True)
    deal = Pipeline(db, actor="setup").create_deal("Contended", company="N")
    names = [f"w{i}" for i in range(WORKERS)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db_url, str(deal.id), name, str(tmp_path), str(CHANGES)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{name}").exists() for name in names):
        assert time.monotonic() < deadline, "workers never got ready"
        time.sleep(0.01)
    (tmp_path / "go").touch()
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    after = Pipeline(db, actor="check").get_deal(deal.id)
    wanted_people = {f"{n} person {i}" for n in names for i in range(0, CHANGES, 2)}
    wanted_problems = {f"{n} problem {i}" for n in names for i in range(1, CHANGES, 2)}
    assert {s.name for s in after.parts.stakeholders} == wanted_people
    assert {p.description for p in after.parts.problems} == wanted_problems
    total = WORKERS * CHANGES
    assert after.version == 1 + total  # one version per acknowledged change, none lost
    kinds = [e.kind for e in Pipeline(db, actor="check").history(deal.id)]
    assert sorted(kinds) == sorted(
        ["created"] + ["stakeholder_added", "problem_added"] * (total // 2)
    )
    db.close()
