"""PostgreSQL: first use by several processes at once, and ids beyond its integers.

Every process must succeed when a team's boards and scripts start together on a new (or
older) database: schema creation and upgrades take an advisory lock and look again. These
run real processes, several rounds each, on fresh schemas of the test server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from salesboard.errors import DatabaseMissing, DealNotFound
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.store.schema import HEAD_REVISION
from tests.conftest import PG_URL, pg_problem

PROCESSES = 4
ROUNDS = 4

# Imports everything first, then waits for the starting gun, so the processes really
# reach the database at the same moment.
STARTER = (
    "import os, sys, time\n"
    "from salesboard.cli import main\n"
    "import salesboard.store.schema, alembic.command\n"
    "go = sys.argv.pop(1)\n"
    "while not os.path.exists(go):\n"
    "    time.sleep(0.001)\n"
    "main(sys.argv[1:])\n"
)


@pytest.fixture
def fresh_schema() -> Iterator[Callable[[], str]]:
    """Makes URLs of empty schemas of their own, dropped afterwards."""
    problem = pg_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    admin = create_engine(PG_URL)
    names: list[str] = []

    def make() -> str:
        name = f"sb_{uuid.uuid4().hex[:12]}"
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {name}"))
        names.append(name)
        sep = "&" if "?" in PG_URL else "?"
        return f"{PG_URL}{sep}options=-csearch_path%3D{name}"

    yield make
    with admin.begin() as conn:
        for name in names:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
    admin.dispose()


def race(url: str, go: Path, *args: str) -> list[subprocess.CompletedProcess[str]]:
    """Start ``PROCESSES`` salesboard commands, release them at once, collect them."""
    go.unlink(missing_ok=True)
    env = {**os.environ, "COLUMNS": "200"}
    running = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, str(go), "--db", url, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(PROCESSES)
    ]
    time.sleep(1.5)  # every process has imported and is waiting
    go.touch()
    done = []
    for process in running:
        out, err = process.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def revision(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    engine.dispose()
    return found


@pytest.mark.slow
@pytest.mark.postgres
def test_several_first_runs_at_once_all_succeed(
    fresh_schema: Callable[[], str], tmp_path: Path
) -> None:
    for round_ in range(ROUNDS):
        url = fresh_schema()
        done = race(url, tmp_path / "go", "init")
        assert [(d.returncode, d.stderr) for d in done] == [(0, "")] * PROCESSES, round_
        assert revision(url) == HEAD_REVISION


@pytest.mark.slow
@pytest.mark.postgres
def test_several_upgrades_at_once_all_succeed(
    fresh_schema: Callable[[], str], tmp_path: Path
) -> None:
    for round_ in range(ROUNDS):
        url = fresh_schema()
        db = Database.open(url, create=True)
        Pipeline(db, actor="alice").create_deal("Kept", company="N")
        with db.engine.begin() as conn:  # as a database of the version before the chain
            conn.execute(text("ALTER TABLE event DROP COLUMN prev_hash, DROP COLUMN chain_hash"))
            conn.execute(text("ALTER TABLE deal DROP COLUMN search_text"))
            conn.execute(text("DROP TABLE exchange_rate, setting, pipeline_version"))
            conn.execute(text("DROP TABLE activity, stakeholder, problem"))
            conn.execute(text("DROP INDEX ix_event_kind"))
            conn.execute(
                text(
                    "ALTER TABLE checklist_item DROP CONSTRAINT uq_item_job, DROP COLUMN job_key, "
                    "ADD COLUMN text varchar NOT NULL DEFAULT '', "
                    "ADD CONSTRAINT uq_item_place UNIQUE (deal_id, stage, position)"
                )
            )
            conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
        db.close()
        done = race(url, tmp_path / "go", "list")
        assert [d.returncode for d in done] == [0] * PROCESSES, [d.stderr for d in done]
        assert all("Kept" in d.stdout for d in done), round_
        assert revision(url) == HEAD_REVISION


@pytest.mark.postgres
def test_a_new_schema_is_only_made_by_init(fresh_schema: Callable[[], str]) -> None:
    url = fresh_schema()
    with pytest.raises(DatabaseMissing, match="has no salesboard tables yet; create them with"):
        Database.open(url)
    Database.open(url, create=True).close()
    Database.open(url).close()


def test_ids_beyond_the_database_integers_are_no_such_deal(pipeline: Pipeline) -> None:
    # Runs on SQLite and PostgreSQL (whose integer ends at 2**31 - 1).
    for deal_id in (2**31, 3_000_000_000, 2**63 - 1):
        for call in (pipeline.get_deal, pipeline.history, pipeline.advance):
            with pytest.raises(DealNotFound, match=f"no deal with id {deal_id}"):
                call(deal_id)
