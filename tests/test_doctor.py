"""``salesboard doctor`` and the hash chain: tampering with the file directly is found.

A member of the group can open the database with ``sqlite3`` and change anything. The
board and the CLI cannot stop that, but ``doctor`` must find it: a rewritten actor, a deal
placed past an unfinished stage, an event removed, a history rewritten with fresh hashes
(caught with the head recorded earlier), and the history view marks a rewritten entry.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from salesboard.cli import cli
from salesboard.service import Pipeline
from salesboard.service.doctor import Checkup, examine
from salesboard.store import Database
from salesboard.store.chain import GENESIS, content, event_hash
from salesboard.store.schema import HEAD_REVISION
from tests.conftest import FrozenClock
from tests.evidence import give_evidence


def busy_history(pipeline: Pipeline, clock: FrozenClock) -> int:
    """A deal taken through every kind of change, as the CLI and board make them."""
    deal = pipeline.create_deal("Fleet", company="Northwind", value="12 500.50", notes="n")
    other = pipeline.create_deal("Other", company="Contoso")
    give_evidence(pipeline.db, deal.id)
    for n in (1, 2, 3):
        clock.advance(minutes=1)
        pipeline.set_job(deal.id, n, True)
    pipeline.set_job(deal.id, 3, False)
    pipeline.set_job(deal.id, 3, True)
    pipeline.advance(deal.id)
    pipeline.move_back(deal.id)
    pipeline.advance(deal.id)
    pipeline.edit_deal(deal.id, title="Fleet 2", expected_close="2027-01-31", value="99")
    pipeline.mark_lost(other.id, "budget")
    pipeline.reopen(other.id)
    pipeline.mark_lost(deal.id, "went quiet")
    pipeline.reopen(deal.id)
    return deal.id


def examined(db: Database, **kwargs: Any) -> Checkup:
    """``examine`` without its parts check (as ``tests.evidence.examined_but_parts``): these
    tests are about deals and their history, and their deals' evidence is arranged as plain
    rows, which the parts check rightly names as written by no history."""
    checkup = examine(db, **kwargs)
    checkup.checks = [check for check in checkup.checks if check.name != "parts"]
    return checkup


def problems(db: Database, **kwargs: Any) -> list[str]:
    return [p for check in examined(db, **kwargs).checks for p in check.problems]


def test_a_sound_database_has_no_problems(pipeline: Pipeline, clock: FrozenClock) -> None:
    busy_history(pipeline, clock)
    assert [c.name for c in examine(pipeline.db).checks] == [
        "file",
        "pipeline",
        "rows",
        "rules",
        "parts",
        "rates",
        "history",
    ]
    checkup = examined(pipeline.db)
    assert checkup.ok, problems(pipeline.db)
    assert checkup.head_event == 15 and len(checkup.head_hash) == 64


def test_a_finished_deal_is_sound(pipeline: Pipeline) -> None:
    deal = pipeline.create_deal("All the way", company="N")
    give_evidence(pipeline.db, deal.id)
    for stage_jobs in (3, 4, 5, 5, 4):
        for n in range(1, stage_jobs + 1):
            pipeline.set_job(deal.id, n, True)
        pipeline.advance(deal.id)
    for n in range(1, 6):
        pipeline.set_job(deal.id, n, True)
    pipeline.finish(deal.id, "success", 4)
    assert examined(pipeline.db).ok, problems(pipeline.db)


def execute(db: Database, statement: str, **params: Any) -> None:
    """Change the file behind the program's back, as a member with sqlite3 (or psql) could."""
    with db.engine.begin() as connection:
        connection.execute(text(statement), params)


def test_a_rewritten_actor_is_found_and_marked_in_the_history(
    pipeline: Pipeline, clock: FrozenClock
) -> None:
    deal_id = busy_history(pipeline, clock)
    execute(pipeline.db, "UPDATE event SET actor = 'mallory' WHERE id = 3")
    found = problems(pipeline.db)
    assert found == [
        "event 3 (deal 1): it was changed after it was written: its hash does not match its content"
    ]
    marked = [e for e in pipeline.history(deal_id) if e.damage]
    assert [(e.id, e.actor) for e in marked] == [(3, "mallory")]


def test_a_deal_put_past_an_unfinished_stage_is_found(pipeline: Pipeline) -> None:
    deal = pipeline.create_deal("Skipper", company="N")
    execute(pipeline.db, "UPDATE deal SET stage = 6 WHERE id = :id", id=deal.id)
    found = problems(pipeline.db)
    assert "deal 1 is open in Closed, but Prospect has unfinished jobs 1, 2, 3" in found
    assert "deal 1 is open in Closed, but Proposed has unfinished jobs 1, 2, 3, 4" in found
    assert "deal 1: its row says stage 'Closed', its history says 'Prospect'" in found


def test_ticks_written_behind_the_programs_back_are_found(pipeline: Pipeline) -> None:
    deal = pipeline.create_deal("Quiet", company="N")
    execute(pipeline.db, "UPDATE checklist_item SET done = true, done_by = 'x' WHERE deal_id = 1")
    execute(pipeline.db, "UPDATE deal SET stage = 2, version = 1 WHERE id = :id", id=deal.id)
    found = problems(pipeline.db)
    assert any(
        p.startswith("deal 1: Prospect job 1 is ticked (by 'x'), but its history") for p in found
    )
    assert not examined(pipeline.db).ok


def test_a_removed_event_breaks_the_chain(pipeline: Pipeline, clock: FrozenClock) -> None:
    busy_history(pipeline, clock)
    execute(pipeline.db, "DELETE FROM event WHERE id = 5")
    found = problems(pipeline.db)
    assert (
        "event 6 (deal 1) does not follow the event before it: an event was removed, "
        "inserted or reordered there"
    ) in found
    assert "deal 1 is at version 12 but has 11 events in its history" in found


def reseal(db: Database) -> None:
    """What a careful attacker does after a rewrite: recompute every hash in order."""
    with db.engine.begin() as connection:
        found = connection.execute(
            text("SELECT id, deal_id, at, actor, kind, before, after FROM event ORDER BY id")
        ).all()
        previous = GENESIS
        for event_id, deal_id, at, actor, kind, before, after in found:
            before = json.loads(before) if isinstance(before, str) else before
            after = json.loads(after) if isinstance(after, str) else after
            sealed = event_hash(previous, content(deal_id, at, actor, kind, before, after))
            connection.execute(
                text("UPDATE event SET prev_hash = :p, chain_hash = :h WHERE id = :i"),
                {"p": previous, "h": sealed, "i": event_id},
            )
            previous = sealed


def test_a_rewrite_with_fresh_hashes_is_caught_by_the_recorded_head(
    pipeline: Pipeline, clock: FrozenClock
) -> None:
    busy_history(pipeline, clock)
    recorded = examined(pipeline.db)
    head = (recorded.head_event, recorded.head_hash)
    assert head[0] is not None
    execute(pipeline.db, "UPDATE event SET actor = 'mallory' WHERE id = 3")
    execute(pipeline.db, "UPDATE checklist_item SET done_by = 'mallory' WHERE id = 1")
    reseal(pipeline.db)
    assert problems(pipeline.db) == []  # the chain alone cannot tell
    found = problems(pipeline.db, expect_head=head)
    assert found == [
        f"event 15 now has hash {examine(pipeline.db).head_hash[:12]}…, but "
        f"{head[1][:12]}… was recorded for it: the history up to it was rewritten"
    ]
    [history] = [c for c in examine(pipeline.db, expect_head=head).checks if c.name == "history"]
    assert history.summary == (
        "15 events, hash chain unbroken; the recorded head (event 15) does NOT match"
    )


# --------------------------------------------------------------------- the command


@pytest.fixture
def cli_db(tmp_path: Path) -> Iterator[tuple[str, Callable[..., Result]]]:
    path = str(tmp_path / "board.db")
    runner = CliRunner(env={"COLUMNS": "200"})

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["--db", path, *args])

    assert run("init").exit_code == 0
    assert run("add", "Kept", "--company", "N").exit_code == 0
    assert run("check", "1", "1").exit_code == 0
    yield path, run


def test_doctor_prints_the_checks_and_the_head(cli_db: tuple[str, Callable[..., Result]]) -> None:
    path, run = cli_db
    done = run("doctor")
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == f"salesboard doctor: {path} (schema {HEAD_REVISION})"
    assert lines[1:8] == [
        "ok    file: integrity_check and foreign_key_check found no damage",
        "ok    pipeline: 1 version read",
        "ok    rows: 1 deals, 26 jobs and 2 events read",
        "ok    rules: 1 deals checked against the rules and their history",
        "ok    parts: 0 activities, stakeholders and problems read and compared with their history",
        "ok    rates: 0 settings and 0 exchange rates read",
        "ok    history: 2 events, hash chain unbroken",
    ]
    assert lines[8].startswith("history head: 2:") and len(lines[8]) == len("history head: 2:") + 64
    assert lines[9] == "no problems found"
    head = lines[8].removeprefix("history head: ")
    assert run("doctor", "--expect-head", head).exit_code == 0
    data = json.loads(run("doctor", "--json").stdout)
    assert data["ok"] is True and data["head"] == head


def test_doctor_exits_1_and_names_every_problem(cli_db: tuple[str, Callable[..., Result]]) -> None:
    path, run = cli_db
    head = run("doctor").stdout.splitlines()[8].removeprefix("history head: ")
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("UPDATE event SET actor = 'mallory' WHERE id = 2")
        raw.execute("UPDATE deal SET stage = 9 WHERE id = 1")
    done = run("doctor", "--expect-head", head)
    assert done.exit_code == 1 and "Traceback" not in done.output
    out = done.stdout
    assert "FAIL  rows:" in out and "deal 1 is damaged: stage is 9, not 1 to 6" in out
    assert (
        "FAIL  history:" in out and "event 2 (deal 1): it was changed after it was written" in out
    )
    assert "2 problems found" in out  # the damaged row and the altered event


def test_doctor_refuses_a_head_it_cannot_read(cli_db: tuple[str, Callable[..., Result]]) -> None:
    _path, run = cli_db
    for bad in ("2", "x:abc", "2:" + "g" * 64):
        done = run("doctor", "--expect-head", bad)
        assert done.exit_code == 2, done.output
        assert "EVENT:HASH" in done.stderr or "hexadecimal" in done.stderr


def test_a_title_changed_behind_the_programs_back_is_found(pipeline: Pipeline) -> None:
    pipeline.create_deal("Honest", company="N")
    execute(pipeline.db, "UPDATE deal SET title = 'Forged' WHERE id = 1")
    found = problems(pipeline.db)
    assert (
        "deal 1: its search text does not match its title, company and owner (changed by "
        "another tool), so searches may miss it"
    ) in found
    assert "deal 1: its row says title 'Forged', its history says 'Honest'" in found


def test_doctor_changes_nothing_not_even_an_old_schema(
    cli_db: tuple[str, Callable[..., Result]],
) -> None:
    path, run = cli_db
    with closing(sqlite3.connect(path)) as raw, raw:  # as a database before the chain
        raw.execute("ALTER TABLE event DROP COLUMN prev_hash")
        raw.execute("ALTER TABLE event DROP COLUMN chain_hash")
        raw.execute("ALTER TABLE deal DROP COLUMN search_text")
        raw.execute("DROP TABLE exchange_rate")
        raw.execute("DROP TABLE setting")
        raw.execute("UPDATE alembic_version SET version_num = '0002'")
    before = Path(path).read_bytes()
    done = run("doctor")
    assert done.exit_code == 1
    assert done.stderr == (
        f"salesboard: {path}: its schema is 0002, this salesboard checks {HEAD_REVISION}; "
        "doctor changes nothing — upgrade it with 'salesboard init' (or use the salesboard "
        "that wrote it), then run doctor again\n"
    )
    assert Path(path).read_bytes() == before


def test_an_event_dated_before_the_one_written_ahead_of_it_is_found(
    pipeline: Pipeline, clock: FrozenClock
) -> None:
    busy_history(pipeline, clock)
    execute(pipeline.db, "UPDATE event SET at = '2020-01-01 00:00:00.000000' WHERE id = 9")
    reseal(pipeline.db)  # even with every hash recomputed
    found = problems(pipeline.db)
    assert any(
        p.startswith("event 9 (deal 1) is dated 2020-01-01 00:00, before event 8") for p in found
    ), found


# ---------------------------------------------------------------- found in review


def test_an_unsealed_event_does_not_hide_the_head_or_break_the_next(
    cli_db: tuple[str, Callable[..., Result]],
) -> None:
    """An event appended with sqlite3 and no hash made the head line 'none' and the next
    real event chain from the start."""
    path, run = cli_db
    head = run("doctor").stdout.splitlines()[8]
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute(
            "INSERT INTO event (deal_id, at, actor, kind, before, after) "
            "VALUES (1, '2026-11-30 16:00:00', 'ghost', 'edited', '{}', '{}')"
        )
    out = run("doctor").stdout
    assert head in out.splitlines()  # the head is the newest sealed event, as before
    assert "event 3 (deal 1): its hash is None" in out
    assert run("edit", "1", "--notes", "after the ghost").exit_code == 0
    out = run("doctor").stdout
    assert "history head: 4:" in out
    assert out.count("does not follow") == 0  # event 4 links to event 2, the chain as it stood


def test_rows_written_out_of_range_are_named(cli_db: tuple[str, Callable[..., Result]]) -> None:
    path, run = cli_db
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("UPDATE checklist_item SET done = 7 WHERE deal_id = 1 AND position = 1")
        raw.execute("UPDATE deal SET created_at = 'notatime'")
        raw.execute("INSERT INTO checklist_item (deal_id, stage, position, job_key, done) "
                    "VALUES (99, 1, 1, 'orphan', 0)")  # fmt: skip
        raw.execute("UPDATE checklist_item SET job_key = 'no-such-job' "
                    "WHERE deal_id = 1 AND position = 2 AND stage = 1")  # fmt: skip
    out = run("doctor").stdout
    assert "deal 1: job 1 of stage 1: done is 7, not true or false" in out
    assert "deal 1 is damaged: created_at is 'notatime', not a time" in out
    assert "deal 1: job 2 of stage 1: its key 'no-such-job' is no job of this stage" in out
    assert "FAIL  file: integrity_check and foreign_key_check found damage" in out
