"""PostgreSQL: first use by several processes at once, ``init``, and ids beyond its integers.

Every process must succeed when a team's boards and scripts start together on a new (or
older) database: schema creation and upgrades take an advisory lock and look again. These
run real processes, several rounds each, on fresh schemas of the test server.

``salesboard init`` sets up an empty database and upgrades one a first release left (built
with the real first migration, holding a deal, its checklist and its history), and refuses
one from a newer salesboard, in one line each, as it does for a SQLite file.
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
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from salesboard.cli import cli
from salesboard.errors import DatabaseMissing, DealNotFound
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.store.models import metadata
from salesboard.store.schema import HEAD_REVISION, _config
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
        old_database(url, "0002")  # the version before the history's chain
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


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in this process, its outcome as a finished process would give it."""
    done = CliRunner(env={"COLUMNS": "200"}).invoke(cli, list(args))
    return subprocess.CompletedProcess(args, done.exit_code, done.stdout, done.stderr)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = set(inspect(conn).get_table_names())
    engine.dispose()
    return found


@pytest.mark.postgres
def test_init_sets_up_an_empty_database_and_is_safe_to_run_again(
    fresh_schema: Callable[[], str],
) -> None:
    url = fresh_schema()
    assert _tables(url) == set()
    first = _run("--db", url, "init")
    assert (first.returncode, first.stderr) == (0, ""), first.stderr
    assert first.stdout.startswith("database ready: postgresql+psycopg://")
    assert revision(url) == HEAD_REVISION
    assert _tables(url) == set(metadata.tables) | {"alembic_version"}
    assert _run("--db", url, "add", "First", "--company", "N").returncode == 0
    again = _run("--db", url, "init")
    assert (again.returncode, again.stderr) == (0, "")
    listed = _run("--db", url, "list")
    assert listed.returncode == 0 and "First" in listed.stdout


FIRST_RELEASE_ROWS = (
    "INSERT INTO deal (id, title, company, value_minor, currency, owner, notes, stage, status, "
    "version, created_at, updated_at, updated_by, stage_entered_at) VALUES (1, 'Kept', 'N', "
    "150000, 'NOK', 'alice', 'from the first release', 1, 'open', 2, :at, :at, 'alice', :at)",
    "INSERT INTO checklist_item (deal_id, stage, position, text, done, done_by, done_at) "
    "VALUES (1, 1, 1, 'prospect found', true, 'alice', :at), "
    "(1, 1, 2, 'meeting scheduled', false, NULL, NULL), "
    "(1, 1, 3, 'met the people', false, NULL, NULL)",
    "INSERT INTO event (deal_id, at, actor, kind, before, after) VALUES "
    "(1, :at, 'alice', 'created', NULL, CAST(:created AS json)), "
    "(1, :at, 'alice', 'job_ticked', CAST(:before AS json), CAST(:after AS json))",
    "SELECT setval(pg_get_serial_sequence('deal', 'id'), 1)",
)


def old_database(url: str, revision: str) -> None:
    """The schema as the real migrations up to ``revision`` made it, with a deal of then.

    Built forwards, never by taking a new schema apart, so that it stays true whatever
    later migrations add (a taken-apart schema keeps what they made, and they fail).
    """
    from alembic import command

    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)
    with engine.begin() as conn:
        values = {
            "at": "2026-11-02T09:00:00+00:00",
            "created": (
                '{"title": "Kept", "company": "N", "value_minor": 150000, "currency": "NOK", '
                '"owner": "alice", "expected_close": null, "notes": "from the first release", '
                '"stage": "Prospect"}'
            ),
            "before": '{"stage": "Prospect", "n": 1, "text": "prospect found", "done": false}',
            "after": '{"stage": "Prospect", "n": 1, "text": "prospect found", "done": true}',
        }
        for statement in FIRST_RELEASE_ROWS:
            conn.execute(text(statement), values)
    engine.dispose()


@pytest.mark.postgres
def test_init_upgrades_a_database_of_the_first_release(fresh_schema: Callable[[], str]) -> None:
    url = fresh_schema()
    old_database(url, "0001")
    assert revision(url) == "0001"

    done = _run("--db", url, "init")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert revision(url) == HEAD_REVISION
    assert _tables(url) == set(metadata.tables) | {"alembic_version"}
    db = Database.open(url)
    pipeline = Pipeline(db, actor="bob")
    deal = pipeline.get_deal(1)
    assert (deal.summary.title, deal.version, deal.summary.notes) == (
        "Kept",
        2,
        "from the first release",
    )
    assert [job.done for job in deal.jobs()] == [True, False, False]
    assert [e.kind for e in pipeline.history(1)] == ["job_ticked", "created"]
    # The upgraded database works: a new deal gets a fresh id, and the history verifies.
    assert pipeline.create_deal("After the upgrade", company="N").id == 2
    assert pipeline.set_job(1, 1, False).version == 3
    db.close()
    doctor = _run("--db", url, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr


@pytest.mark.postgres
def test_init_refuses_a_database_of_a_newer_salesboard(fresh_schema: Callable[[], str]) -> None:
    url = fresh_schema()
    assert _run("--db", url, "init").returncode == 0
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    done = _run("--db", url, "init")
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "its schema (9999) is newer than this salesboard understands" in done.stderr
    assert revision(url) == "9999"  # nothing was touched
