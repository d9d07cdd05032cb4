"""Everything read from the database is untrusted: hostile text and malformed rows.

Any member of the group can write the database with ``sqlite3``, bypassing every check of
the program. These tests do exactly that and then run every command that shows data:

- hostile strings in every text column (markup, OSC and CSI escapes, C1 controls,
  direction overrides, NUL) are printed literally and harmlessly, and come back exactly
  from ``--json``;
- malformed rows (a stage of 9, an unknown status, a time that is not a time, text in
  a number column, an event whose ``before`` is not an object or not JSON) are shown as
  damaged, named, and the rest of the output carries on; a change built on one is refused
  in one line.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from salesboard.cli import cli
from salesboard.folding import search_text
from salesboard.service import Pipeline
from salesboard.service.doctor import examine
from salesboard.store import Database
from salesboard.store.chain import GENESIS, content, event_hash
from tests.conftest import FROZEN_START, FrozenClock, loaded_index
from tests.evidence import give_evidence

HOSTILE = "[@click=app.quit]Q[/] [red]R[/] \x1b]0;pwned\x07 \x1b[2J \x9b31m \u202eevil\x00!"
HOSTILE_KEY = "[@click=app.quit]k\x1b]0;x\x07"
SHOWN = "[@click=app.quit]Q[/] [red]R[/]    evil!"
"""What a terminal may get of ``HOSTILE``: the same characters, without controls."""

Run = Callable[..., Result]


def terminal_safe(output: str) -> None:
    """Nothing in ``output`` can drive a terminal or reorder what is shown."""
    bad = [c for c in output if (ord(c) < 32 and c not in "\n") or 0x7F <= ord(c) <= 0x9F]
    bad += [c for c in output if 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069]
    assert bad == [], output


def reseal(path: Path) -> None:
    """Recompute the hash chain, as a careful attacker would after rewriting events."""
    with closing(sqlite3.connect(path)) as raw, raw:
        found = raw.execute(
            "SELECT id, deal_id, at, actor, kind, before, after FROM event ORDER BY id"
        ).fetchall()
        previous = GENESIS
        for event_id, deal_id, at, actor, kind, before, after in found:
            parsed = [json.loads(v) if v is not None else None for v in (before, after)]
            sealed = event_hash(previous, content(deal_id, at, actor, kind, *parsed))
            raw.execute(
                "UPDATE event SET prev_hash = ?, chain_hash = ? WHERE id = ?",
                (previous, sealed, event_id),
            )
            previous = sealed


def make_hostile(path: Path) -> None:
    """Three deals (open, lost, ticked), then hostile text in every text column."""
    db = Database.open(str(path), create=True)
    pipeline = Pipeline(db, actor="alice", clock=FrozenClock())
    pipeline.create_deal("Open", company="C", value="10", notes="n")
    pipeline.set_job(1, 1, True)
    pipeline.edit_deal(1, value="20")
    pipeline.create_deal("Lost", company="C")
    pipeline.mark_lost(2, "reason")
    db.close()
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute(
            "UPDATE deal SET title = ?, company = ?, owner = ?, notes = ?, "
            "updated_by = ?, lost_reason = CASE WHEN status = 'lost' THEN ? END, "
            "search_text = ?",
            (*(HOSTILE,) * 6, search_text(HOSTILE, HOSTILE, HOSTILE)),
        )
        # A currency is what amounts are grouped by: a hostile one makes the deal damaged.
        raw.execute("INSERT INTO deal SELECT 3, title, company, value_minor, ?, owner, "
                    "expected_close, notes, stage, status, outcome, satisfaction, lost_reason, "
                    "version, created_at, updated_at, updated_by, stage_entered_at, "
                    "search_text FROM deal WHERE id = 1", (HOSTILE,))  # fmt: skip
        raw.execute("UPDATE checklist_item SET done_by = CASE WHEN done THEN ? END", (HOSTILE,))
        # Job wording lives in the pipeline definition: a hostile one, written by hand.
        (stored,) = raw.execute("SELECT definition FROM pipeline_version").fetchone()
        pipeline_json = json.loads(stored)
        for stage in pipeline_json["stages"]:
            for job in stage["jobs"]:
                job["text"] = {"en": HOSTILE}
        raw.execute("UPDATE pipeline_version SET definition = ?", (json.dumps(pipeline_json),))
        raw.execute("UPDATE event SET actor = ?", (HOSTILE,))
        edited = json.dumps({HOSTILE_KEY: HOSTILE, "value_minor": 1000})
        raw.execute("UPDATE event SET before = ?, after = ? WHERE kind = 'edited'",
                    (edited, edited))  # fmt: skip
        raw.execute("UPDATE event SET kind = ? WHERE id = 2", (HOSTILE,))
        raw.execute(
            "INSERT INTO presence VALUES ('s1', ?, 1, ?, ?)",
            (HOSTILE, str(FROZEN_START), str(FROZEN_START + timedelta(seconds=1))),
        )
    reseal(path)


@pytest.fixture
def hostile_db(tmp_path: Path) -> Iterator[tuple[Path, Run]]:
    path = tmp_path / "board.db"
    make_hostile(path)
    runner = CliRunner(env={"COLUMNS": "250"})

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["--db", str(path), *args])

    yield path, run


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--status", "all"),
        ("show", "1"),
        ("show", "2"),
        ("history", "1"),
        ("history", "2"),
    ],
    ids=" ".join,
)
def test_hostile_text_is_printed_literally_by_every_command(
    hostile_db: tuple[Path, Run], args: tuple[str, ...]
) -> None:
    _path, run = hostile_db
    done = run(*args)
    assert done.exit_code == 0, (done.output, done.exception)
    terminal_safe(done.stdout + done.stderr)
    shown = "[@click=app.qui" if args[0] == "history" else "[@click=app.quit]Q[/]"
    assert shown in done.stdout  # markup shown as typed (an actor is cut short)
    if args[0] == "show":
        assert SHOWN in done.stdout
    if args == ("history", "1"):
        assert "[@click=app.quit]k:" in done.stdout  # a hostile key, made safe
        assert "⚠ damaged" in done.stdout  # the kind no salesboard writes


@pytest.mark.parametrize(
    "args",
    [("list", "--json", "--status", "all"), ("show", "1", "--json"), ("history", "1", "--json")],
    ids=" ".join,
)
def test_json_escapes_controls_and_gives_the_stored_text_back_exactly(
    hostile_db: tuple[Path, Run], args: tuple[str, ...]
) -> None:
    _path, run = hostile_db
    done = run(*args)
    assert done.exit_code == 0, done.output
    terminal_safe(done.stdout.replace("\n", ""))
    data = json.loads(done.stdout)
    text = json.dumps(data, ensure_ascii=False)
    assert HOSTILE in {s for s in _strings(data)}, text


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_a_hostile_currency_makes_its_deal_damaged_and_is_shown_safely(
    hostile_db: tuple[Path, Run],
) -> None:
    _path, run = hostile_db
    listed = run("list")
    terminal_safe(listed.stdout + listed.stderr)
    assert "⚠ deal 3 is damaged: currency is '[@click=app.quit]Q[/]" in listed.stdout
    assert "salesboard: warning: 1 damaged deal (3) could not be read" in listed.stderr
    shown = run("show", "3")
    assert shown.exit_code == 1 and "deal 3 is damaged in the database (currency is" in shown.stderr
    terminal_safe(shown.stderr)


def test_doctor_reports_hostile_rows_safely(hostile_db: tuple[Path, Run]) -> None:
    path, run = hostile_db
    done = run("doctor")
    assert done.exit_code == 1
    terminal_safe(done.stdout)
    assert "event 2 (deal 1): kind '[@click=app.quit]Q[/]" in done.stdout
    assert "deal 3 is damaged: currency is '[@click=app.quit]Q[/]" in done.stdout
    assert examine(Database.open(str(path))).problem_count > 0


# ------------------------------------------------------------------- malformed rows

MALFORMED: dict[str, tuple[str, str]] = {
    # name: (SQL run on a fresh database of six deals, what the damage message says)
    "stage 9": ("UPDATE deal SET stage = 9 WHERE id = 1", "stage is 9, not 1 to 6"),
    "status": ("UPDATE deal SET status = 'maybe' WHERE id = 2", "status is 'maybe'"),
    "time": (
        "UPDATE deal SET updated_at = 'soon' WHERE id = 3",
        "updated_at is 'soon', not a time",
    ),
    "value": (
        "UPDATE deal SET value_minor = 'lots' WHERE id = 4",
        "value is 'lots', not an amount",
    ),
    "date": ("UPDATE deal SET expected_close = '31/12' WHERE id = 5", "expected close is '31/12'"),
}
EVENTS: dict[str, str] = {
    "before is a list": "UPDATE event SET before = '[1, 2]' WHERE id = 7",
    "after is not JSON": "UPDATE event SET after = '{not json' WHERE id = 8",
    "time is not a time": "UPDATE event SET at = 'yesterday' WHERE id = 9",
}


@pytest.fixture
def malformed_db(tmp_path: Path) -> Iterator[tuple[Path, Run]]:
    path = tmp_path / "board.db"
    db = Database.open(str(path), create=True)
    pipeline = Pipeline(db, actor="alice", clock=FrozenClock())
    for n in range(1, 7):
        pipeline.create_deal(f"Deal {n}", company="C", value="100")
    give_evidence(db, 6)
    for n in (1, 2, 3):
        pipeline.set_job(6, n, True)  # events 7, 8, 9 belong to deal 6
    db.close()
    with closing(sqlite3.connect(path)) as raw, raw:
        for statement, _ in MALFORMED.values():
            raw.execute(statement)
        for statement in EVENTS.values():
            raw.execute(statement)
    runner = CliRunner(env={"COLUMNS": "250"})

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["--db", str(path), *args])

    yield path, run


def test_list_shows_damaged_deals_by_name_and_goes_on(malformed_db: tuple[Path, Run]) -> None:
    _path, run = malformed_db
    done = run("list", "--status", "all")
    assert done.exit_code == 0, (done.output, done.exception)
    out = done.stdout
    for _statement, message in MALFORMED.values():
        assert message in out, out
    assert "Deal 6" in out
    assert done.stderr == (
        "salesboard: warning: 5 damaged deals (2, 3, 4, 5, 1) could not be read; run "
        "'salesboard doctor' to see every problem\n"
    )
    data = json.loads(run("list", "--json", "--status", "all").stdout)
    damaged = {entry["id"]: entry["damaged"] for entry in data if "damaged" in entry}
    assert sorted(damaged) == [1, 2, 3, 4, 5]
    assert [entry["title"] for entry in data if "damaged" not in entry] == ["Deal 6"]


@pytest.mark.parametrize("stored", ["'OPEN'", "X'6f70656e'", "7", "'zzz'"])
def test_a_deal_whose_status_cannot_be_read_is_named_not_lost(tmp_path: Path, stored: str) -> None:
    """Seen by a tester: a deal whose status was 'OPEN' or the bytes of "open" vanished
    from the board and from ``list`` without a word (both ask for status = 'open')."""
    path = tmp_path / "board.db"
    db = Database.open(str(path), create=True)
    pipeline = Pipeline(db, actor="alice", clock=FrozenClock())
    for n in range(1, 4):
        pipeline.create_deal(f"Deal {n}", company="C", value="100")
    db.close()
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute(f"UPDATE deal SET status = {stored} WHERE id = 2")
    done = CliRunner(env={"COLUMNS": "250"}).invoke(cli, ["--db", str(path), "list"])
    assert done.exit_code == 0, (done.output, done.exception)
    assert "Deal 1" in done.stdout and "Deal 3" in done.stdout
    assert "deal 2 is damaged: status is" in done.stdout, done.stdout
    assert "1 damaged deal (2) could not be read" in done.stderr
    index = loaded_index(path)
    assert len(index) == 2
    assert [deal_id for deal_id, _why in index.damaged] == [2]
    assert index.damaged[0][1].startswith("status is ")


def test_history_marks_damaged_events_and_shows_the_rest(malformed_db: tuple[Path, Run]) -> None:
    _path, run = malformed_db
    done = run("history", "6")
    assert done.exit_code == 0, (done.output, done.exception)
    out = done.stdout
    assert out.count("⚠ damaged") == 3
    assert "before is [1, 2], not an object" in out
    assert "after is not JSON: '{not json'" in out
    assert "its time is 'yesterday', not a time" in out
    assert "created in Prospect: Deal 6" in out  # the sound entry is shown as usual
    data = json.loads(run("history", "6", "--json").stdout)
    assert [("damaged" in event) for event in data] == [True, True, True, False]


@pytest.mark.parametrize(
    "args",
    [("show", "1"), ("move", "1", "next"), ("check", "3", "1"), ("edit", "4", "--title", "x")],
    ids=" ".join,
)
def test_a_damaged_deal_is_one_line_not_a_crash(
    malformed_db: tuple[Path, Run], args: tuple[str, ...]
) -> None:
    path, run = malformed_db
    before = snapshot(path)
    done = run(*args)
    assert done.exit_code == 1, (done.output, done.exception)
    assert done.stderr.startswith(f"salesboard: deal {args[1]} is damaged in the database (")
    assert done.stderr.count("\n") == 1 and "internal error" not in done.stderr
    assert snapshot(path) == before  # nothing was changed


def snapshot(path: Path) -> list[Any]:
    with closing(sqlite3.connect(path)) as raw:
        return [
            raw.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("deal", "checklist_item", "event")
        ]


def test_doctor_names_every_malformed_row(malformed_db: tuple[Path, Run]) -> None:
    _path, run = malformed_db
    done = run("doctor")
    assert done.exit_code == 1
    for _statement, message in MALFORMED.values():
        assert message in done.stdout
    assert done.stdout.count("event ") >= 3


# ------------------------------------------------- rows found in a security review


def fresh_db(tmp_path: Path) -> tuple[Path, Pipeline]:
    path = tmp_path / "board.db"
    db = Database.open(str(path), create=True)
    pipeline = Pipeline(db, actor="alice", clock=FrozenClock())
    for n in (1, 2, 3):
        pipeline.create_deal(f"Deal {n}", company="C")
    pipeline.set_job(1, 1, True)
    return path, pipeline


def write(path: Path, statement: str, *params: Any) -> None:
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute(statement, params)


@pytest.mark.parametrize(
    ("statement", "what"),
    [
        ("UPDATE deal SET updated_at = '0001-01-01T00:00:00+05:00' WHERE id = 2", "updated_at"),
        ("UPDATE deal SET stage_entered_at = '9999-12-31T23:59:59-05:00' WHERE id = 2",
         "stage_entered_at"),
        ("UPDATE deal SET created_at = '0001-01-01 00:00:00' WHERE id = 2", None),
        ("UPDATE deal SET updated_at = '0001-01-01 00:00:00' WHERE id = 2", "updated_at"),
    ],
    ids=["before-the-calendar", "after-the-calendar", "unused-column", "the-placeholder"],
)  # fmt: skip
def test_times_beyond_the_calendar_are_damage_not_a_crash(
    tmp_path: Path, statement: str, what: str | None
) -> None:
    path, pipeline = fresh_db(tmp_path)
    write(path, statement)
    listed = {deal.id: deal for deal in pipeline.list_deals()}
    assert listed[1].damage is None and listed[3].damage is None
    if what is not None:
        assert listed[2].damage is not None and listed[2].damage.startswith(what)
    assert examine(pipeline.db).checks  # doctor runs to the end


def test_an_event_that_is_no_event_is_marked_not_fatal(tmp_path: Path) -> None:
    path, pipeline = fresh_db(tmp_path)
    write(path, "UPDATE event SET actor = X'41' WHERE id = 4")  # bytes, not text
    write(path, "UPDATE event SET after = ? WHERE id = 1", "[" * 100_000)  # nested past reason
    write(path, "UPDATE event SET at = '0001-01-01T00:00:00+05:00' WHERE id = 2")
    write(path, "UPDATE event SET chain_hash = ? WHERE id = 3", "\x1b]0;PWNED\x07\x1b[2J")
    damaged = {e.id: e.damage for e in pipeline.history(1) if e.damage}
    assert set(damaged) == {1, 4}
    assert "not of the kind salesboard writes" in str(damaged[4])
    assert "not JSON" in str(damaged[1])
    assert any(e.damage for e in pipeline.history(2))
    assert "not a SHA-256 hash" in str([e.damage for e in pipeline.history(3)])
    done = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["--db", str(path), "doctor"])
    assert done.exit_code == 1 and "internal error" not in done.output
    terminal_safe(done.stdout)


def test_a_fractional_stage_does_not_empty_the_palette(tmp_path: Path) -> None:
    path, pipeline = fresh_db(tmp_path)
    write(path, "UPDATE deal SET stage = 1.5 WHERE id = 2")
    from salesboard.service.board import BoardQueries

    assert [hit[0] for hit in BoardQueries(pipeline.db).find("deal")] == [1, 3]


def test_a_rebuilt_event_table_with_odd_ids_does_not_stop_the_board(tmp_path: Path) -> None:
    path, pipeline = fresh_db(tmp_path)
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("ALTER TABLE event RENAME TO event_old")
        raw.execute("CREATE TABLE event AS SELECT * FROM event_old WHERE 0")  # no INTEGER key
        raw.execute("INSERT INTO event SELECT * FROM event_old")
        raw.execute("INSERT INTO event (id, deal_id, at, actor, kind) VALUES "
                    "('zzz', 'x', '2026-01-01', 'm', 'edited')")  # fmt: skip
    from salesboard.service.board import BoardQueries

    queries = BoardQueries(pipeline.db)
    assert queries.last_event_id() == 0  # the newest id is no number: "anything may be new"
    assert queries.changed_since(0).deal_ids == {1, 2, 3}


def test_a_tampered_presence_row_does_not_stop_anyones_heartbeat(tmp_path: Path) -> None:
    from salesboard.service.presence import PresenceBook

    _path, pipeline = fresh_db(tmp_path)
    book = PresenceBook(pipeline.db, "alice", clock=FrozenClock(), session_id="mine")
    book.beat(None)
    write(_path, "UPDATE presence SET started_at = 'garbage', login = X'00ff'")
    book.beat(2)  # no ValueError from loading the row: the beat goes through
    [me] = PresenceBook(pipeline.db, "bob", clock=FrozenClock()).others()
    assert (me.session_id, me.deal_id) == ("mine", 2)


@pytest.mark.postgres
def test_postgresql_infinity_and_deep_json_are_damage_not_a_failed_query(
    pg_url: str,
) -> None:
    db = Database.open(pg_url, create=True)
    pipeline = Pipeline(db, actor="alice", clock=FrozenClock())
    for n in (1, 2):
        pipeline.create_deal(f"Deal {n}", company="C", expected_close="2027-01-01")
    from sqlalchemy import text

    with db.engine.begin() as connection:
        connection.execute(text("UPDATE deal SET updated_at = 'infinity' WHERE id = 1"))
        connection.execute(text("UPDATE deal SET expected_close = '-infinity' WHERE id = 2"))
        connection.execute(
            text("UPDATE event SET after = CAST(:deep AS json) WHERE id = 2"),
            {"deep": "[" * 3000 + "]" * 3000},
        )
        connection.execute(text("UPDATE event SET at = 'infinity' WHERE id = 1"))
    listed = {deal.id: deal for deal in pipeline.list_deals()}
    assert str(listed[1].damage).startswith("updated_at is None, not a time")
    assert listed[2].damage is None and listed[2].expected_close is None  # read as no date
    assert [bool(e.damage) for e in pipeline.history(1)] == [True]
    assert [bool(e.damage) for e in pipeline.history(2)] == [True]
    found = [p for check in examine(db).checks for p in check.problems]
    assert "deal row 2: expected_close is -infinity" in found
    assert "event row 1: at is infinity" in found
    db.close()
