"""Many processes, one database: the concurrency recipe holds under real contention.

Every worker is a separate Python process (this file run as a script) that opens its own
``Database``; the processes line up at a file barrier so that they really start together.
What is proved:

- read-modify-write through ``expected_version`` never loses an update: a stale write is
  refused with ``Conflict`` and retried, never silently applied;
- a read-check-write inside one use case (tick, untick, advance, back) is atomic: every
  acknowledged change has exactly one event, and the gate held at every moment;
- the PRAGMAs are in effect, the write lock is taken at ``BEGIN`` (so writers queue
  instead of failing), and readers see a stable snapshot while a writer commits (WAL);
- several processes opening one new file at once all succeed and migrate it once.

The lost-update, atomicity and snapshot tests run on SQLite and PostgreSQL alike. The
others are about SQLite's own machinery (deferred transactions, PRAGMAs, the file lock,
WAL); PostgreSQL has counterparts here for what the recipe relies on there: foreign keys
enforced, a write waits for the row it changes (and only as long as asked), other deals
stay writable meanwhile. Simultaneous first use of a PostgreSQL database is in
``test_pg_first_use.py``.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from salesboard import workflow
from salesboard.errors import Busy, Conflict
from salesboard.service import DealView, EventView, Pipeline
from salesboard.store import Database, Event
from salesboard.store.schema import head_revision
from salesboard.workflow import Stage, Status, WorkflowRefusal
from tests.checklists import DEFAULT_CHECKLISTS
from tests.evidence import give_evidence

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
BARRIER_TIMEOUT_S = 60.0
PROCESS_TIMEOUT_S = 300.0  # a guard against a hung worker, not a speed limit
MIXED_KINDS = ("job_ticked", "job_unticked", "advanced", "moved_back")


# ------------------------------------------------------------------------------------------
# The worker side: this file runs as a script in each child process.
# ------------------------------------------------------------------------------------------


def _barrier(workdir: Path, name: str) -> None:
    """Say "ready", then wait until the test says "go" (all workers start together)."""
    (workdir / f"ready-{name}").touch()
    deadline = time.monotonic() + BARRIER_TIMEOUT_S
    go = workdir / "go"
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{name}: barrier timed out")
        time.sleep(0.001)


def _wait_for(path: Path, timeout: float = BARRIER_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {path.name}")
        time.sleep(0.001)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _work_increment(db_path: str, workdir: Path, name: str, args: Sequence[str]) -> dict[str, Any]:
    """Read the deal, then write value+1 guarded by the version read; retry on Conflict."""
    count, deal_id = int(args[0]), int(args[1])
    db = Database.open(db_path, create=True)
    pipeline = Pipeline(db, actor=name)
    _barrier(workdir, name)
    acked = conflicts = 0
    errors: list[str] = []
    while acked < count and len(errors) < 10:
        try:
            seen = pipeline.get_deal(deal_id)  # its own read transaction
            pipeline.edit_deal(
                deal_id,
                value=seen.summary.value_minor // 100 + 1,
                expected_version=seen.version,
            )
        except Conflict:
            conflicts += 1  # a refused stale write: nothing was written, try again
        except Exception as error:
            errors.append(_describe(error))
        else:
            acked += 1
    db.close()
    return {"acked": acked, "conflicts": conflicts, "errors": errors}


class _StepClock:
    """Strictly increasing times, so a view stamped by this process's own op is recognisable."""

    def __init__(self, offset_days: int) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(days=offset_days)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def _work_mixed(db_path: str, workdir: Path, name: str, args: Sequence[str]) -> dict[str, Any]:
    """Random ticks, unticks, advances and moves back on a few shared deals, no versions.

    A change is recognised by its stamp: the returned deal was last updated by this worker
    at a time its clock produced during this very call. A tick of a job already in that
    state is a no-op (no event) and is counted apart.
    """
    count, seed = int(args[0]), int(args[1])
    deal_ids = [int(x) for x in args[2].split(",")]
    db = Database.open(db_path, create=True)
    clock = _StepClock(seed)
    pipeline = Pipeline(db, actor=name, clock=clock)
    rng = random.Random(seed)
    _barrier(workdir, name)
    changed: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    noops = 0
    errors: list[str] = []
    for _ in range(count):
        deal_id = rng.choice(deal_ids)
        kind = rng.choices(MIXED_KINDS, weights=(4, 2, 4, 2))[0]
        started = clock.now
        try:
            if kind == "advanced":
                view = pipeline.advance(deal_id)
            elif kind == "moved_back":
                view = pipeline.move_back(deal_id)
            else:
                # Every stage has at least three jobs, so n is valid whatever the stage.
                view = pipeline.set_job(deal_id, rng.randint(1, 3), kind == "job_ticked")
        except WorkflowRefusal:
            refused[kind] += 1
            continue
        except Exception as error:
            errors.append(_describe(error))
            continue
        if view.summary.updated_by == name and view.summary.updated_at > started:
            changed[kind] += 1
        elif kind in ("advanced", "moved_back"):
            errors.append(f"{kind} of deal {deal_id} returned without recording a change")
        else:
            noops += 1
    db.close()
    return {"changed": changed, "refused": refused, "noops": noops, "errors": errors}


def _work_open(db_path: str, workdir: Path, name: str, args: Sequence[str]) -> dict[str, Any]:
    """Open (and so create and migrate) the database at the same moment as the others."""
    import alembic.command
    import alembic.config

    assert alembic.command and alembic.config  # imported before the barrier, not in the race
    head_revision()
    _barrier(workdir, name)
    Database.open(db_path, create=True).close()
    return {"errors": []}


def _work_hold(db_path: str, workdir: Path, name: str, args: Sequence[str]) -> dict[str, Any]:
    """Open a write transaction, only *read* in it, and keep it open until told to stop."""
    db = Database.open(db_path, create=True)
    with db.write() as session:
        version = session.execute(
            text("SELECT version FROM deal WHERE id = :id"), {"id": int(args[0])}
        ).scalar_one()
        (workdir / "held").touch()
        _wait_for(workdir / "release")
    db.close()
    return {"version_seen": version, "errors": []}


def _work_hold_row(db_path: str, workdir: Path, name: str, args: Sequence[str]) -> dict[str, Any]:
    """PostgreSQL: lock one deal's row as a use case does, and keep it until told to stop."""
    db = Database.open(db_path)
    with db.write() as session:
        version = session.execute(
            text("SELECT version FROM deal WHERE id = :id FOR UPDATE"), {"id": int(args[0])}
        ).scalar_one()
        (workdir / "held").touch()
        _wait_for(workdir / "release")
    db.close()
    return {"version_seen": version, "errors": []}


_WORKERS = {
    "increment": _work_increment,
    "mixed": _work_mixed,
    "open": _work_open,
    "hold": _work_hold,
    "hold_row": _work_hold_row,
}


def _worker_main(argv: Sequence[str]) -> int:
    mode, db_path, workdir, name, *rest = argv
    started = time.perf_counter()
    result = _WORKERS[mode](db_path, Path(workdir), name, rest)
    result["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(result))
    return 0


# ------------------------------------------------------------------------------------------
# The test side.
# ------------------------------------------------------------------------------------------


@dataclass
class Worker:
    """One child process running one of the ``_work_*`` functions above."""

    name: str
    process: subprocess.Popen[str]

    def result(self) -> dict[str, Any]:
        out, err = self.process.communicate(timeout=PROCESS_TIMEOUT_S)
        assert self.process.returncode == 0, f"{self.name} exited {self.process.returncode}:\n{err}"
        return dict(json.loads(out.strip().splitlines()[-1]))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def spawn(mode: str, db_path: str, workdir: Path, name: str, *args: object) -> Worker:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    command = [sys.executable, __file__, mode, db_path, str(workdir), name, *map(str, args)]
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return Worker(name, process)


def wait_until(path: Path, workers: Sequence[Worker]) -> None:
    """Wait for ``path`` to appear, failing early if a worker died on the way."""
    deadline = time.monotonic() + BARRIER_TIMEOUT_S
    while not path.exists():
        for worker in workers:
            if worker.process.poll() is not None:
                _, err = worker.process.communicate()
                pytest.fail(f"{worker.name} exited early ({worker.process.returncode}):\n{err}")
        assert time.monotonic() < deadline, f"timed out waiting for {path.name}"
        time.sleep(0.005)


def run_together(
    mode: str, db_path: str, workdir: Path, jobs: Sequence[Sequence[object]]
) -> list[dict[str, Any]]:
    """Start one worker per ``jobs`` entry, release them at once, return their reports."""
    workdir.mkdir(parents=True, exist_ok=True)
    workers = [spawn(mode, db_path, workdir, f"w{i}", *args) for i, args in enumerate(jobs)]
    try:
        for worker in workers:
            wait_until(workdir / f"ready-{worker.name}", workers)
        (workdir / "go").touch()
        return [worker.result() for worker in workers]
    finally:
        for worker in workers:
            worker.stop()


def walk_all_jobs_done(pipeline: Pipeline, deal: DealView) -> DealView:
    """Tick every job of every stage (walking to Closed), then come back to Prospect.

    The deal is given every kind of evidence first, so any job can be ticked again later."""
    give_evidence(pipeline.db, deal.id)
    for stage in Stage:
        for job in deal.jobs():
            deal = pipeline.set_job(deal.id, job.n, True)
        if stage is not workflow.LAST_STAGE:
            deal = pipeline.advance(deal.id)
    while deal.stage is not workflow.FIRST_STAGE:
        deal = pipeline.move_back(deal.id)
    assert all(job.done for job in deal.checklist)
    return deal


# ---------------------------------------------------------------- a. lost updates


INCREMENT_WORKERS = 6
INCREMENTS_EACH = 150
# PostgreSQL: every write is a few more round trips, and one row takes them all in turn;
# fewer increments keep CI short (and within PROCESS_TIMEOUT_S on a busy machine).
PG_INCREMENTS_EACH = 60


def _on_postgresql(target: str) -> bool:
    return target.startswith("postgresql")


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """What every process opens: one SQLite file, or one PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "board.db")
    return str(request.getfixturevalue("pg_url"))


def test_versioned_read_modify_write_loses_no_update(tmp_path: Path, shared_target: str) -> None:
    db_path = shared_target
    each = PG_INCREMENTS_EACH if _on_postgresql(db_path) else INCREMENTS_EACH
    db = Database.open(db_path, create=True)
    pipeline = Pipeline(db, actor="setup")
    deal = pipeline.create_deal("Counter", value=1000)
    initial = deal.summary.value_minor

    started = time.perf_counter()
    reports = run_together(
        "increment", db_path, tmp_path / "run", [(each, deal.id)] * INCREMENT_WORKERS
    )
    elapsed = time.perf_counter() - started

    assert [r["errors"] for r in reports] == [[]] * INCREMENT_WORKERS
    acked = [r["acked"] for r in reports]
    assert acked == [each] * INCREMENT_WORKERS
    total = sum(acked)
    final = pipeline.get_deal(deal.id)
    assert final.summary.value_minor == initial + 100 * total
    history = list(reversed(pipeline.history(deal.id)))  # oldest first
    assert final.version == len(history) == 1 + total
    edits = [e for e in history if e.kind == "edited"]
    assert len(edits) == total
    assert Counter(e.actor for e in edits) == {f"w{i}": n for i, n in enumerate(acked)}
    # Each increment started from the value the previous one left: no two read the same.
    values = [initial] + [e.after["value_minor"] for e in edits if e.after]
    assert [e.before["value_minor"] for e in edits if e.before] == values[:-1]
    assert values == list(range(initial, initial + 100 * total + 1, 100))
    conflicts = sum(r["conflicts"] for r in reports)
    print(
        f"\n{INCREMENT_WORKERS} processes x {each} increments: {total} acknowledged, "
        f"{conflicts} stale writes refused and retried, {elapsed:.1f}s"
    )
    db.close()


# --------------------------------------------- a. read-check-write inside one use case


MIXED_WORKERS = 6
MIXED_OPS_EACH = 150
PG_MIXED_OPS_EACH = 100
MIXED_DEALS = 3


def replay(events: Sequence[EventView], stage: Stage, done: set[tuple[int, int]]) -> Stage:
    """Re-apply events in order, checking each against the state the previous ones left.

    Fails if any event does not follow from its predecessors (two writers interleaved
    inside one use case) or if an advance ever left a stage with an unfinished job.
    """
    for event in events:
        assert event.before is not None and event.after is not None
        if event.kind in ("job_ticked", "job_unticked"):
            place = (int(Stage.parse(event.before["stage"])), int(event.before["n"]))
            assert place[0] == stage, f"event {event.id} changed a job outside {stage.label}"
            ticked = event.kind == "job_ticked"
            assert event.before["done"] is (not ticked) and event.after["done"] is ticked
            assert (place in done) is (not ticked), f"event {event.id} was not a change"
            (done.add if ticked else done.discard)(place)
        elif event.kind in ("advanced", "moved_back"):
            assert event.before["stage"] == stage.key, f"event {event.id} from wrong stage"
            if event.kind == "advanced":
                count = len(DEFAULT_CHECKLISTS[stage])
                missing = [n for n in range(1, count + 1) if (int(stage), n) not in done]
                assert not missing, f"event {event.id} left {stage.label} with jobs {missing}"
                stage = Stage(stage + 1)
            else:
                stage = Stage(stage - 1)
            assert event.after["stage"] == stage.key
        else:
            pytest.fail(f"unexpected event {event.kind}")
    return stage


def test_concurrent_moves_and_ticks_are_atomic_and_keep_the_gate(
    tmp_path: Path, shared_target: str
) -> None:
    db_path = shared_target
    each = PG_MIXED_OPS_EACH if _on_postgresql(db_path) else MIXED_OPS_EACH
    db = Database.open(db_path, create=True)
    pipeline = Pipeline(db, actor="setup")
    # Every job of every stage done, back in Prospect: workers tick and untick jobs 1-3,
    # so advancing depends on those and a deal can travel the whole board.
    deals = [
        walk_all_jobs_done(pipeline, pipeline.create_deal(f"Deal {i}")) for i in range(MIXED_DEALS)
    ]
    baseline = {d.id: max(e.id for e in pipeline.history(d.id)) for d in deals}
    ids = ",".join(str(d.id) for d in deals)

    started = time.perf_counter()
    reports = run_together(
        "mixed",
        db_path,
        tmp_path / "run",
        [(each, seed, ids) for seed in range(MIXED_WORKERS)],
    )
    elapsed = time.perf_counter() - started

    assert [r["errors"] for r in reports] == [[]] * MIXED_WORKERS
    new_events: list[EventView] = []
    highest_stage = Stage.PROSPECT
    for deal in deals:
        final = pipeline.get_deal(deal.id)
        everything = list(reversed(pipeline.history(deal.id)))
        assert final.version == len(everything)  # one version per event, no gaps
        events = [e for e in everything if e.id > baseline[deal.id]]
        new_events += events
        done = {(int(j.stage), j.n) for j in deal.checklist if j.done}
        stage = replay(events, Stage.PROSPECT, done)
        assert stage == final.stage
        assert done == {(int(j.stage), j.n) for j in final.checklist if j.done}
        assert final.status is Status.OPEN
        assert workflow.gate_violations(final.stage, [j.as_job() for j in final.checklist]) == []
        reached = [Stage.parse(e.after["stage"]) for e in events if e.after and "stage" in e.after]
        highest_stage = max([highest_stage, *reached])

    recorded = Counter((e.actor, e.kind) for e in new_events)
    acknowledged = Counter(
        {(f"w{i}", kind): n for i, r in enumerate(reports) for kind, n in r["changed"].items()}
    )
    assert recorded == acknowledged
    refused = sum(sum(r["refused"].values()) for r in reports)
    noops = sum(r["noops"] for r in reports)
    changes = sum(acknowledged.values())
    assert changes + refused + noops == MIXED_WORKERS * each
    # Not vacuous: the gate was both passed and enforced while others were ticking.
    assert sum(r["changed"].get("advanced", 0) for r in reports) > 0
    assert sum(r["refused"].get("advanced", 0) for r in reports) > 0
    print(
        f"\n{MIXED_WORKERS} processes x {each} ops on {MIXED_DEALS} deals: "
        f"{changes} changes ({dict(Counter(k for _, k in acknowledged.elements()))}), "
        f"{refused} refusals, {noops} no-op ticks, furthest stage {highest_stage.label}, "
        f"{elapsed:.1f}s"
    )
    db.close()


# ------------------------------------------------------------- b. why the recipe matters


def test_control_deferred_read_then_write_fails_at_once_despite_busy_timeout(
    tmp_path: Path,
) -> None:
    """Without ``BEGIN IMMEDIATE`` a read-check-write cannot wait: it fails immediately.

    A deferred transaction that has read an older snapshot cannot upgrade to a writer
    after another connection committed; SQLite answers "database is locked" at once, and
    the busy timeout does not help. This is why ``Database.write`` locks at ``BEGIN``.
    """
    path = str(tmp_path / "raw.db")
    Database.open(path, create=True).close()
    first = sqlite3.connect(path, timeout=30, isolation_level=None)
    second = sqlite3.connect(path, timeout=30, isolation_level=None)
    first.execute("CREATE TABLE counter (n INTEGER)")
    first.execute("INSERT INTO counter VALUES (0)")
    first.execute("BEGIN")  # deferred: what pysqlite would do by default
    assert first.execute("SELECT n FROM counter").fetchone() == (0,)
    second.execute("BEGIN IMMEDIATE")
    second.execute("UPDATE counter SET n = n + 1")
    second.execute("COMMIT")
    started = time.perf_counter()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        first.execute("UPDATE counter SET n = 1")
    assert time.perf_counter() - started < 10  # no waiting: the busy timeout was 30 s
    first.execute("ROLLBACK")
    first.close()
    second.close()


# ------------------------------------------------------- c. PRAGMAs and the write lock


def test_connections_from_open_carry_the_pragmas(tmp_path: Path) -> None:
    db = Database.open(str(tmp_path / "board.db"), create=True)
    pragmas = ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
    with db.engine.connect() as connection:
        raw = {p: connection.exec_driver_sql(f"PRAGMA {p}").scalar() for p in pragmas}
    assert raw == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 30000,
        "synchronous": 1,
    }
    for context in (db.read, db.write):
        with context() as session:
            seen = {p: session.execute(text(f"PRAGMA {p}")).scalar() for p in pragmas}
        assert seen == raw
    # Foreign keys are enforced, not just reported.
    when = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), db.write() as session:
        session.add(Event(deal_id=999, at=when, actor="x", kind="created"))
        session.flush()
    db.close()


def test_write_transaction_locks_at_begin_and_other_writers_wait(tmp_path: Path) -> None:
    db_path = str(tmp_path / "board.db")
    db = Database.open(db_path, create=True)
    pipeline = Pipeline(db, actor="alice")
    deal = pipeline.create_deal("Locked")
    holder = spawn("hold", db_path, tmp_path, "holder", deal.id)
    try:
        wait_until(tmp_path / "held", [holder])
        # The holder has only *read* inside db.write(); the lock is already its.
        raw = sqlite3.connect(db_path, timeout=0.2, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            raw.execute("BEGIN IMMEDIATE")
        raw.close()
        # Readers are not blocked by the writer.
        assert pipeline.get_deal(deal.id).version == 1
        # A writer waits (busy timeout) until the holder commits, then succeeds.
        release = threading.Timer(0.5, (tmp_path / "release").touch)
        release.start()
        started = time.perf_counter()
        edited = pipeline.edit_deal(deal.id, title="After the wait", expected_version=1)
        waited = time.perf_counter() - started
        release.join()
    except BaseException:
        (tmp_path / "release").touch()
        holder.stop()
        raise
    report = holder.result()
    assert report == {"version_seen": 1, "errors": [], "seconds": report["seconds"]}
    assert waited >= 0.4
    assert edited.version == 2 and edited.summary.title == "After the wait"
    db.close()


def test_wal_reader_keeps_its_snapshot_while_a_writer_commits(shared_target: str) -> None:
    # On PostgreSQL a read is REPEATABLE READ: READ COMMITTED would see "After" below.
    db_path = shared_target
    writer_db = Database.open(db_path, create=True)
    reader_db = Database.open(db_path, create=True)  # its own engine, pool and connection
    pipeline = Pipeline(writer_db, actor="alice")
    deal = pipeline.create_deal("Before")
    query = text("SELECT title FROM deal WHERE id = :id")
    with reader_db.read() as session:
        assert session.execute(query, {"id": deal.id}).scalar_one() == "Before"
        # Commits while the read is open: were the reader blocking it (no WAL), this would
        # wait out the busy timeout and raise DatabaseUnavailable.
        pipeline.edit_deal(deal.id, title="After", expected_version=1)
        assert session.execute(query, {"id": deal.id}).scalar_one() == "Before"
    with reader_db.read() as session:
        assert session.execute(query, {"id": deal.id}).scalar_one() == "After"
    reader_db.close()
    writer_db.close()


@pytest.mark.postgres
def test_postgresql_enforces_foreign_keys_and_waits_only_as_asked(pg_url: str) -> None:
    db = Database.open(pg_url, create=True)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError, match="foreign key"), db.write() as session:
        session.add(Event(deal_id=999, at=when, actor="x", kind="created"))
        session.flush()
    with db.write(wait_ms=250) as session:
        assert session.execute(text("SHOW lock_timeout")).scalar() == "250ms"
    with db.write() as session:  # the busy timeout is the engine's, not a leftover
        assert session.execute(text("SHOW lock_timeout")).scalar() == "0"
    with db.read() as session:
        level = session.execute(text("SHOW transaction_isolation")).scalar()
    assert level == "repeatable read"
    with db.write() as session:  # writes lock rows instead: the level comes back after a read
        assert session.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
    db.close()


@pytest.mark.postgres
def test_postgresql_writers_of_one_deal_queue_on_its_row(tmp_path: Path, pg_url: str) -> None:
    db = Database.open(pg_url, create=True)
    pipeline = Pipeline(db, actor="alice")
    deal = pipeline.create_deal("Locked")
    other = pipeline.create_deal("Free")
    holder = spawn("hold_row", pg_url, tmp_path, "holder", deal.id)
    try:
        wait_until(tmp_path / "held", [holder])
        # Readers are not blocked, and another deal takes changes meanwhile.
        assert pipeline.get_deal(deal.id).version == 1
        assert pipeline.edit_deal(other.id, title="Moved on", expected_version=1).version == 2
        # A change that may wait only a moment is refused, in words, and changes nothing.
        with pytest.raises(Busy, match="locked by another session for longer than"):
            pipeline.waiting_at_most(200).edit_deal(deal.id, title="Too soon")
        # A writer waits until the holder commits, then succeeds.
        release = threading.Timer(0.5, (tmp_path / "release").touch)
        release.start()
        started = time.perf_counter()
        edited = pipeline.edit_deal(deal.id, title="After the wait", expected_version=1)
        waited = time.perf_counter() - started
        release.join()
    except BaseException:
        (tmp_path / "release").touch()
        holder.stop()
        raise
    report = holder.result()
    assert report == {"version_seen": 1, "errors": [], "seconds": report["seconds"]}
    assert waited >= 0.4
    assert edited.version == 2 and edited.summary.title == "After the wait"
    assert [e.kind for e in pipeline.history(deal.id)] == ["edited", "created"]
    db.close()


# ------------------------------------------------------------ d. simultaneous first open


OPENERS = 4
OPEN_ROUNDS = 3


@pytest.mark.parametrize("round_", range(OPEN_ROUNDS))
def test_processes_opening_a_new_file_at_once_all_succeed(tmp_path: Path, round_: int) -> None:
    db_path = str(tmp_path / "new.db")
    assert not Path(db_path).exists()
    reports = run_together("open", db_path, tmp_path / "run", [()] * OPENERS)
    assert [r["errors"] for r in reports] == [[]] * OPENERS
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db = Database.open(db_path, create=True)
    assert Pipeline(db, actor="alice").create_deal("Works").version == 1
    db.close()


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))


def test_switching_a_new_file_to_wal_waits_for_other_openers(tmp_path: Path) -> None:
    """SQLite does not call the busy handler for ``journal_mode = WAL``; we wait anyway."""
    path = tmp_path / "new.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE IF NOT EXISTS placeholder (x)")
    other.execute("DROP TABLE placeholder")
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM sqlite_master").fetchone()  # holds a shared lock
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    try:
        db = Database.open(str(path), create=True)
    finally:
        release.join()
        other.close()
    waited = time.monotonic() - started
    assert waited >= 0.25  # it really had to wait for the reader
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert db.is_sqlite
    db.close()
