"""One service client for ``test_stress.py``: a separate process doing mixed, logged writes.

Run as a script (``python tests/stress_worker.py CONFIG_JSON``). The worker opens its own
``Database`` on the shared file (or PostgreSQL schema) and acts as its own user through
``Pipeline``, doing random ticks, unticks, advances, moves back and edits on the shared
deals, some blind (no
``expected_version``), some guarded by a version it has just read, some guarded by a
version it remembered from earlier (often stale on purpose, as a board left open would be).

Every outcome is appended to the worker's log as one JSON line, written only *after* the
service call returned: an ``ack`` (the change, or no-op, the service reported), a
``conflict`` (a stale version refused), a ``refused`` (a rule said no) or an ``error``
(anything else, which the test treats as a failure). In SIGKILL mode each line is also
fsynced before the next operation starts, and the worker keeps its current phase (calling
the service, inside the write transaction, committing, returned, logged) in a small
memory-mapped file, so after a kill the test knows exactly where the process died.
"""

from __future__ import annotations

import json
import mmap
import os
import random
import struct
import sys
import time
import traceback
from collections import Counter
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import event

from salesboard.errors import Conflict, DealNotFound, InvalidInput
from salesboard.service import DealView, Pipeline
from salesboard.store import Database
from salesboard.store.engine import BEGIN_MODE
from salesboard.workflow import GateRefusal, WorkflowRefusal

OPS = ("tick", "untick", "advance", "back", "increment", "notes")
WEIGHTS = (5, 2, 4, 2, 3, 1)
KIND_OF_OP = {
    "tick": "job_ticked",
    "untick": "job_unticked",
    "advance": "advanced",
    "back": "moved_back",
    "increment": "edited",
    "notes": "edited",
}
# How an operation is guarded: blind, with a version read just before, or with the version
# of the last view this worker saw of the deal (stale whenever someone wrote since).
MODES = ("none", "fresh", "cached")
# The fewest jobs any stage has: a job number up to this is valid in every stage.
MIN_JOBS = 3
BARRIER_TIMEOUT_S = 60.0
MAX_ERRORS = 20

PHASE_FORMAT = "<iiii"  # phase, operation sequence number, operation index in OPS, deal id
PHASE_SIZE = struct.calcsize(PHASE_FORMAT)


class Phase(IntEnum):
    """Where the worker is, kept in its phase file so that it survives a SIGKILL."""

    STARTING = 0
    READING = 1  # inside a read transaction (the version check's read, or a reload)
    CALLING = 2  # a write use case was called; its transaction has not begun yet
    IN_WRITE = 3  # BEGIN IMMEDIATE done: holding the write lock, nothing committed
    COMMITTING = 4  # COMMIT of the write transaction was issued
    ROLLING_BACK = 5  # the write transaction is being rolled back (a refusal)
    RETURNED = 6  # the use case returned (committed); the log line is not yet durable
    LOGGED = 7  # the outcome is in the log (and fsynced in SIGKILL mode)


MID_TRANSACTION = frozenset({Phase.IN_WRITE, Phase.COMMITTING, Phase.ROLLING_BACK})


def read_phase(path: Path) -> tuple[Phase, int, str, int]:
    """Phase, sequence number, operation and deal recorded in a worker's phase file."""
    phase, seq, op, deal = struct.unpack(PHASE_FORMAT, path.read_bytes()[:PHASE_SIZE])
    return Phase(phase), seq, OPS[op], deal


class PhaseFile:
    """A memory-mapped record of the current phase: the page outlives the process."""

    def __init__(self, path: Path | None) -> None:
        self.mm: mmap.mmap | None = None
        self.seq = self.op = self.deal = 0
        self.in_write = False
        self.begun = True  # the server has seen the current write transaction (PostgreSQL)
        if path is not None:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            os.ftruncate(fd, PHASE_SIZE)
            self.mm = mmap.mmap(fd, PHASE_SIZE)
            os.close(fd)

    def set(self, phase: Phase) -> None:
        if self.mm is not None:
            self.mm[:PHASE_SIZE] = struct.pack(PHASE_FORMAT, phase, self.seq, self.op, self.deal)

    def watch(self, db: Database) -> None:
        """Follow the write transaction through the engine's own events.

        On SQLite the write transaction holds the lock from ``BEGIN IMMEDIATE``, run in
        salesboard's own "begin" hook. On PostgreSQL nothing reaches the server at
        ``begin``: the transaction exists there once its first statement has run, so the
        phase turns to ``IN_WRITE`` only then.
        """
        sqlite = db.is_sqlite

        def on_begin(conn: Any) -> None:
            self.in_write = conn.get_execution_options().get(BEGIN_MODE) == "IMMEDIATE"
            if self.in_write and not sqlite:
                self.begun = False
                return  # still CALLING: the server has not seen this transaction yet
            self.set(Phase.IN_WRITE if self.in_write else Phase.READING)

        def after_execute(conn: Any, *_args: Any) -> None:
            if self.in_write and not self.begun:
                self.begun = True
                self.set(Phase.IN_WRITE)

        def on_commit(conn: Any) -> None:
            if self.in_write:
                self.set(Phase.COMMITTING)

        def on_rollback(conn: Any) -> None:
            if self.in_write:
                self.set(Phase.ROLLING_BACK)

        # Registered after salesboard's own "begin" hook, so BEGIN IMMEDIATE has run.
        event.listen(db.engine, "begin", on_begin)
        if not sqlite:
            event.listen(db.engine, "after_cursor_execute", after_execute)
        event.listen(db.engine, "commit", on_commit)
        event.listen(db.engine, "rollback", on_rollback)


class StepClock:
    """Strictly increasing times in a range of its own, so a worker knows its own stamps."""

    def __init__(self, index: int) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(days=index)

    def __call__(self) -> datetime:
        self.now += timedelta(microseconds=1000)
        return self.now


class Log:
    """The acknowledgement log: one JSON line per finished operation, durable if asked."""

    def __init__(self, path: Path, fsync: bool) -> None:
        self.file: TextIO = path.open("a", encoding="utf-8")
        self.fsync = fsync

    def write(self, record: dict[str, Any]) -> None:
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()
        if self.fsync:
            os.fsync(self.file.fileno())


def _barrier(workdir: Path, name: str) -> None:
    """Say "ready", then wait until the test says "go", so that all workers start together."""
    (workdir / f"ready-{name}").touch()
    deadline = time.monotonic() + BARRIER_TIMEOUT_S
    while not (workdir / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{name}: barrier timed out")
        time.sleep(0.001)


def run(config: dict[str, Any]) -> dict[str, Any]:
    """Do ``config["ops"]`` operations (or until the stop file appears) and report."""
    name: str = config["name"]
    workdir = Path(config["workdir"])
    deal_ids: list[int] = config["deals"]
    rng = random.Random(config["seed"])
    clock = StepClock(config["index"])
    phase = PhaseFile(workdir / f"phase-{name}" if config["kill_mode"] else None)
    log = Log(workdir / f"log-{name}.jsonl", fsync=config["kill_mode"])
    stop = workdir / f"stop-{name}"
    deadline = time.monotonic() + config["max_seconds"]

    db = Database.open(config["db"], create=True)
    phase.watch(db)
    pipeline = Pipeline(db, actor=name, clock=clock)
    _barrier(workdir, name)

    seen: dict[int, DealView] = {}  # the last view of each deal this worker was given
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    attempted = 0
    while attempted < config["ops"] and len(errors) < MAX_ERRORS:
        if stop.exists() or time.monotonic() > deadline:
            break
        seq = attempted
        attempted += 1
        deal_id = rng.choice(deal_ids)
        op = rng.choices(OPS, weights=WEIGHTS)[0]
        # An increment is a read-modify-write: it is always guarded by the version read.
        mode = rng.choice(MODES[1:] if op == "increment" else MODES)
        phase.seq, phase.op, phase.deal = seq, OPS.index(op), deal_id
        record: dict[str, Any] = {"seq": seq, "op": op, "deal": deal_id, "actor": name}
        record["mode"] = mode
        try:
            if mode == "fresh" or (mode == "cached" and deal_id not in seen):
                phase.set(Phase.READING)
                seen[deal_id] = pipeline.get_deal(deal_id)
            view = seen.get(deal_id)
            expected = view.version if view is not None and mode != "none" else None
            record["expected"] = expected
            record["seen_stage"] = view.stage.key if view is not None else None
            jobs = len(view.jobs()) if view is not None else MIN_JOBS
            n = rng.randint(1, jobs) if op in ("tick", "untick") else None
            record["n"] = n
            started = clock.now
            phase.set(Phase.CALLING)
            if op in ("tick", "untick"):
                assert n is not None
                result = pipeline.set_job(deal_id, n, op == "tick", expected_version=expected)
            elif op == "advance":
                result = pipeline.advance(deal_id, expected_version=expected)
            elif op == "back":
                result = pipeline.move_back(deal_id, expected_version=expected)
            elif op == "increment":
                assert view is not None
                record["from_value"] = view.summary.value_minor
                result = pipeline.edit_deal(
                    deal_id, value=view.summary.value_minor // 100 + 1, expected_version=expected
                )
            else:
                record["notes"] = f"{name} note {seq}"
                result = pipeline.edit_deal(
                    deal_id, notes=record["notes"], expected_version=expected
                )
            phase.set(Phase.RETURNED)
        except Conflict as refusal:
            record.update(
                type="conflict",
                actual=refusal.actual,
                changed_by=refusal.changed_by,
                reported_expected=refusal.expected,
            )
            seen.pop(deal_id, None)  # a real board reloads the deal after a conflict
        except WorkflowRefusal as refusal:
            gate = isinstance(refusal, GateRefusal)
            record.update(type="refused", reason="gate" if gate else "rule")
            if isinstance(refusal, GateRefusal):
                record["missing"] = [job.n for job in refusal.missing]
                record["stage"] = refusal.stage.key
        except InvalidInput as refusal:
            # A job number valid in the stage this worker last saw, but not in the stage the
            # deal is in now: refused by validation, which is right, and nothing is written.
            expected_refusal = (
                not isinstance(refusal, DealNotFound)
                and record.get("n") is not None
                and record["n"] > MIN_JOBS
                and "there is no job" in str(refusal)
            )
            record.update(type="refused" if expected_refusal else "error", reason="no_such_job")
            if not expected_refusal:
                errors.append(f"{op} {deal_id}: {type(refusal).__name__}: {refusal}")
        except Exception as error:
            record.update(type="error", error=f"{type(error).__name__}: {error}")
            errors.append(f"{op} of deal {deal_id}: {traceback.format_exc(limit=8)}")
        else:
            changed = result.summary.updated_by == name and result.summary.updated_at > started
            record.update(
                type="ack",
                version=result.version,
                changed=changed,
                at=result.summary.updated_at.isoformat(),
                stage=result.stage.key,
                value_minor=result.summary.value_minor,
            )
            if op in ("advance", "back", "increment", "notes") and not changed:
                record["type"] = "error"
                errors.append(f"{op} of deal {deal_id} returned without recording a change")
            seen[deal_id] = result
        outcomes[record["type"]] += 1
        log.write(record)
        phase.set(Phase.LOGGED)
    db.close()
    return {"name": name, "attempted": attempted, "outcomes": dict(outcomes), "errors": errors}


def main(argv: list[str]) -> int:
    """Run one worker from its JSON configuration and print its report as JSON."""
    config = json.loads(argv[0])
    started = time.perf_counter()
    report = run(config)
    report["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
