"""``salesboard migrate --to URL``: a team's SQLite database moved into PostgreSQL.

The copy must hold every row of every table but ``presence`` with its id and version,
keep the history's hash chain verifiable, leave the SQLite file as it was, refuse a target
that holds anything, prove itself by counts and checksums (and roll back if they differ),
and leave a target that works: new ids follow the copied ones.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from salesboard.cli import cli
from salesboard.errors import DatabaseUnavailable
from salesboard.service import Pipeline
from salesboard.service.definitions import PipelineDefinitions
from salesboard.service.doctor import examine
from salesboard.service.presence import PresenceBook
from salesboard.service.rates import RateBook
from salesboard.service.substance import Substance
from salesboard.service.transfer import migrate
from salesboard.store import Database, sharing
from salesboard.store import transfer as store_transfer
from salesboard.store.chain import GENESIS, content, verify
from salesboard.store.checksum import Kind, TableSum
from salesboard.store.models import metadata
from salesboard.store.schema import HEAD_REVISION, _config
from tests.conftest import FrozenClock

TABLES = sorted(set(metadata.tables) - {"presence"} | {"alembic_version"})


@pytest.fixture
def runner() -> CliRunner:
    """A runner with a wide, colourless terminal."""
    return CliRunner(env={"COLUMNS": "200", "FORCE_COLOR": None, "NO_COLOR": "1"})


def _team_history(path: Path) -> None:
    """A small database using every table: deals in every state, parts, rates, pipeline."""
    db = Database.open(str(path), create=True)
    clock = FrozenClock()
    pipeline = Pipeline(db, actor="alice", clock=clock)
    work = Substance(pipeline)
    won = pipeline.create_deal("Nordic — ærlig «quote» [red]x[/]", company="Fjord AS", value="1200")
    met = work.add_activity(won.id, kind="meeting", title="Kick-off", due="2026-11-01 10:00")
    work.set_activity_done(met.part_id)
    first = pipeline.get_deal(won.id)
    for job in first.jobs():
        pipeline.set_job(won.id, job.n, True)
    clock.advance(hours=2)
    pipeline.advance(won.id)
    pipeline.edit_deal(won.id, notes="line one\nline two", expected_close="2027-01-31")
    other = pipeline.create_deal("Other", value="99.50", currency="USD")
    work.add_stakeholder(other.id, "Kari Nordmann", stance="ally", email="kari@example.com")
    work.add_problem(other.id, "Slow invoicing", priority="high", price="100")
    gone = work.add_activity(other.id, kind="call", title="Dropped", due="2026-11-21 09:00")
    work.remove_activity(gone.part_id)  # AUTOINCREMENT remembers its id
    lost = pipeline.create_deal("Lost")
    pipeline.set_job(lost.id, 1, True)
    pipeline.set_job(lost.id, 1, False)
    pipeline.mark_lost(lost.id, "no budget")
    rates = RateBook(db, actor="bob", clock=clock)
    rates.set_rate("USD", "0.92")
    definitions = PipelineDefinitions(db, actor="alice", clock=clock)
    exported = definitions.export_toml()
    definitions.apply(definitions.plan_import(exported.replace("Agenda written", "Agenda sent")))
    PresenceBook(db, "carol", clock=clock).beat(won.id)  # someone has a board open
    db.close()


@pytest.fixture
def team_db(tmp_path: Path) -> Path:
    """A closed SQLite file holding ``_team_history``."""
    path = tmp_path / "team.db"
    _team_history(path)
    return path


def _rows(url: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table`` read through SQLAlchemy's typed tables, in a common form."""
    engine = create_engine(url if "://" in url else f"sqlite:///{url}")
    model = metadata.tables.get(table)
    try:
        with engine.connect() as connection:
            if model is None:
                found = connection.execute(text(f"SELECT * FROM {table}")).all()
            else:
                key = list(model.primary_key.columns)
                found = connection.execute(model.select().order_by(*key)).all()
    finally:
        engine.dispose()
    return [tuple(_common(value) for value in row) for row in found]


def _common(value: Any) -> Any:
    if isinstance(value, datetime):  # SQLite gives naive UTC, PostgreSQL aware
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _file_state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def _invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args))


def test_migrate_copies_every_table_row_for_row_and_the_chain_verifies(
    runner: CliRunner, team_db: Path, pg_url: str
) -> None:
    before = _file_state(team_db)
    done = _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url)
    assert done.exit_code == 0, done.output
    assert "every count and checksum matches" in done.stdout
    assert not re.search("DIFFERS", done.stdout)
    for table in TABLES:  # each table has its line in the printed proof
        assert re.search(rf"^{table}\s+\d+\s+\d+\s+[0-9a-f]{{16}}\s+ok\s*$", done.stdout, re.M)

    assert _file_state(team_db) == before  # not a byte or a time changed
    for table in TABLES:  # an independent comparison, through the typed tables
        assert _rows(pg_url, table) == _rows(str(team_db), table), table
    assert _rows(pg_url, "deal")  # not vacuously equal
    assert _rows(pg_url, "presence") == [] and _rows(str(team_db), "presence")

    target = Database.open(pg_url)
    source = Database.open(str(team_db))
    try:
        checked = examine(target)
        assert checked.ok, [c.problems for c in checked.checks if not c.ok]
        assert (checked.head_event, checked.head_hash) == (
            examine(source).head_event,
            examine(source).head_hash,
        )
        assert [d.version for d in Pipeline(target).list_deals(status=None)] == [
            d.version for d in Pipeline(source).list_deals(status=None)
        ]
    finally:
        target.close()
        source.close()


def test_the_target_works_afterwards_with_fresh_ids(
    runner: CliRunner, team_db: Path, pg_url: str
) -> None:
    assert _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url).exit_code == 0
    listed = _invoke(runner, "--db", pg_url, "list", "--status", "all")
    assert listed.exit_code == 0 and "Fjord AS" in listed.stdout

    db = Database.open(pg_url)
    try:
        pipeline = Pipeline(db, actor="dave")
        highest_event = max(row[0] for row in _rows(pg_url, "event"))
        new = pipeline.create_deal("After the move")
        assert new.id == 4  # three deals came along
        pipeline.set_job(new.id, 1, True)  # a tick: a checklist row and events
        assert pipeline.get_deal(new.id).checklist[0].done
        assert min(e.id for e in pipeline.history(new.id)) > highest_event
        work = Substance(pipeline)
        # The removed activity's id (2) is not handed out again, as SQLite would not.
        assert work.add_activity(new.id, kind="task", title="t", due="2027-01-01").part_id == 3
        assert work.add_stakeholder(new.id, "Ola", stance="neutral").part_id == 2
        assert work.add_problem(new.id, "p").part_id == 2
        RateBook(db).set_rate("SEK", "0.087")
        assert [row[0] for row in _rows(pg_url, "exchange_rate")] == [1, 2]
    finally:
        db.close()
    assert _invoke(runner, "--db", pg_url, "doctor").exit_code == 0


def test_a_target_with_data_is_refused_and_left_as_it_was(
    runner: CliRunner, team_db: Path, pg_url: str
) -> None:
    assert _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url).exit_code == 0
    deals = _rows(pg_url, "deal")
    again = _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url)
    assert again.exit_code == 1
    assert again.stderr.count("\n") == 1 and "Traceback" not in again.output
    assert re.search(r"is not empty \(deal: 3 rows; event: 17 rows; activity: 1 row;", again.stderr)
    assert "nothing was changed" in again.stderr
    assert _rows(pg_url, "deal") == deals


def test_a_target_with_another_programs_tables_is_refused(
    runner: CliRunner, team_db: Path, pg_url: str
) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id int)"))
    refused = _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url)
    with engine.connect() as connection:
        names = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).all()
    engine.dispose()
    assert refused.exit_code == 1
    assert "table invoices (not salesboard's)" in refused.stderr
    assert names == [("invoices",)]  # no schema was made beside it


def test_a_target_made_by_init_counts_as_empty(
    runner: CliRunner, team_db: Path, pg_url: str
) -> None:
    assert _invoke(runner, "--db", pg_url, "init").exit_code == 0
    done = _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url)
    assert done.exit_code == 0, done.output
    # The source's two pipeline versions replaced the one the schema's creation wrote.
    assert _rows(pg_url, "pipeline_version") == _rows(str(team_db), "pipeline_version")


def test_a_target_whose_pipeline_was_changed_is_not_empty(
    runner: CliRunner, team_db: Path, pg_url: str
) -> None:
    db = Database.open(pg_url, create=True)
    definitions = PipelineDefinitions(db, actor="erin")
    definitions.apply(definitions.plan_import(definitions.export_toml().replace("Agenda", "A")))
    db.close()
    refused = _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url)
    assert refused.exit_code == 1 and "(pipeline_version: 1 row)" in refused.stderr


@pytest.mark.parametrize(
    ("source", "target", "said"),
    [
        ("{team}", "{tmp}/other.db", "--to must be a PostgreSQL database URL"),
        ("{team}", "sqlite:///{tmp}/other.db", "--to must be a PostgreSQL database URL"),
        ("{team}", "mysql://u@h/db", "--to must be a PostgreSQL database URL"),
        ("{team}", "postgresql+psycopg://u@h:notaport/db", "--to must be a PostgreSQL"),
        ("{pg}", "{pg}", "the source postgresql+psycopg://postgres@"),
    ],
)
def test_the_source_must_be_sqlite_and_the_target_postgresql(
    runner: CliRunner, team_db: Path, pg_url: str, tmp_path: Path, source: str, target: str,
    said: str,
) -> None:  # fmt: skip
    values = {"team": str(team_db), "tmp": str(tmp_path), "pg": pg_url}
    refused = _invoke(
        runner, "--db", source.format(**values), "migrate", "--to", target.format(**values)
    )
    assert refused.exit_code == 2, refused.output
    assert said in refused.stderr and refused.stderr.count("\n") == 1
    assert not (tmp_path / "other.db").exists()


def test_an_unreachable_target_is_one_line(runner: CliRunner, team_db: Path) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2"
    refused = _invoke(runner, "--db", str(team_db), "migrate", "--to", url)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("salesboard: postgresql+psycopg://postgres@127.0.0.1:1/")
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.output


def test_an_older_source_is_refused_untouched(
    runner: CliRunner, tmp_path: Path, pg_url: str
) -> None:
    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as connection:
        from alembic import command

        command.upgrade(_config(connection), "0007")
    engine.dispose()
    before = _file_state(old)
    refused = _invoke(runner, "--db", str(old), "migrate", "--to", pg_url)
    assert refused.exit_code == 1
    assert f"its schema is 0007, this salesboard migrates {HEAD_REVISION}" in refused.stderr
    assert "'salesboard init --db" in refused.stderr
    assert _file_state(old) == before
    assert _rows(pg_url, "deal") == [] if _has_tables(pg_url) else True


def _has_tables(url: str) -> bool:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
        ).scalar_one()
    engine.dispose()
    return bool(found)


def test_a_missing_source_is_refused(runner: CliRunner, tmp_path: Path, pg_url: str) -> None:
    refused = _invoke(runner, "--db", str(tmp_path / "typo.db"), "migrate", "--to", pg_url)
    assert refused.exit_code == 1 and "no database at" in refused.stderr
    assert not (tmp_path / "typo.db").exists() and not _has_tables(pg_url)


def test_a_value_postgresql_refuses_is_one_line_and_nothing_is_kept(
    runner: CliRunner, team_db: Path, pg_url: str
) -> None:
    with sqlite3.connect(team_db) as connection:  # another tool wrote a NUL into a title
        connection.execute("UPDATE deal SET title = 'a' || char(0) || 'b' WHERE id = 2")
    connection.close()
    refused = _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url)
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.startswith("salesboard: postgresql+psycopg://postgres@")
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.output
    assert _rows(pg_url, "deal") == []


def test_a_copy_that_reads_back_differently_is_rolled_back(
    runner: CliRunner, team_db: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_copy = store_transfer._copy_table

    def lossy(connection: Any, source: Any, spec: Any, progress: Any) -> Any:
        summed = real_copy(connection, source, spec, progress)
        if spec.name == "event":  # as a faulty copy would: one event's text changed
            connection.execute(text("UPDATE event SET actor = 'mallory' WHERE id = 2"))
        return summed

    monkeypatch.setattr(store_transfer, "_copy_table", lossy)
    failed = _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url)
    assert failed.exit_code == 1
    assert "differs from" in failed.stderr and "in event; it was rolled back" in failed.stderr
    assert re.search(
        r"^event\s+(\d+)\s+\1\s+[0-9a-f]{16} ≠ [0-9a-f]{16}\s+DIFFERS", failed.stdout, re.M
    )
    assert re.search(r"^deal\s+3\s+3\s+[0-9a-f]{16}\s+ok", failed.stdout, re.M)
    assert _rows(pg_url, "deal") == [] and _rows(pg_url, "event") == []
    monkeypatch.undo()  # the target is still empty: a second try goes through
    assert _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url).exit_code == 0


def test_changes_made_during_the_copy_are_not_half_copied(team_db: Path, pg_url: str) -> None:
    """The copy is the database as it stood when it began: one read transaction."""
    db = Database.open(str(team_db))
    writer = Pipeline(db, actor="frank")
    told: list[tuple[str, int, int]] = []

    def write_meanwhile(table: str, done: int, total: int) -> None:
        if not told:  # after the first table: a new deal, its jobs and events
            deal = writer.create_deal("Written during the copy")
            writer.set_job(deal.id, 1, True)
        told.append((table, done, total))

    result = migrate(str(team_db), pg_url, progress=write_meanwhile)
    db.close()
    assert len(told) == len(TABLES)  # every table reported once, when done
    counts = {t.name: (t.source_count, t.target_count) for t in result.tables}
    assert counts["deal"] == (3, 3)
    assert len(_rows(str(team_db), "deal")) == 4  # the change itself went through
    target = Database.open(pg_url)
    assert examine(target).ok
    target.close()


def test_a_reader_who_may_not_write_copies_without_a_trace_unless_the_file_changes(
    team_db: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without side files and write access the file is read ``immutable``, with no lock.

    Nothing may be created beside it then, and a change of the file during the copy (a
    colleague's board checkpointing) must make the copy fail instead of mixing two states.
    """
    for side in sharing.side_files(team_db):
        side.unlink(missing_ok=True)
    monkeypatch.setattr(sharing, "write_blocker", lambda path: path)  # as for a colleague

    def checkpoint_meanwhile(table: str, done: int, total: int) -> None:
        os.utime(team_db, ns=(time.time_ns(), time.time_ns() + 10**9))

    with pytest.raises(DatabaseUnavailable, match="changed while it was being copied"):
        migrate(str(team_db), pg_url, progress=checkpoint_meanwhile)
    assert _rows(pg_url, "deal") == []
    before = _file_state(team_db)
    assert migrate(str(team_db), pg_url).tables
    assert _file_state(team_db) == before
    assert not any(side.exists() for side in sharing.side_files(team_db))


def test_json_output_gives_each_tables_full_checksums(
    runner: CliRunner, team_db: Path, pg_url: str
) -> None:
    done = _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url, "--json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["revision"] == HEAD_REVISION
    assert sorted(t["table"] for t in data["tables"]) == TABLES
    for table in data["tables"]:
        assert table["ok"] and table["source_sha256"] == table["target_sha256"]
        assert len(table["source_sha256"]) == 64
    assert data["rows"] == sum(t["target_rows"] for t in data["tables"])


def test_the_checksum_reads_the_same_from_either_drivers_shapes() -> None:
    """SQLite's text times and 0/1 and PostgreSQL's datetimes and bools sum alike."""
    kinds = (Kind.INT, Kind.TIME, Kind.DATE, Kind.BOOL, Kind.JSON, Kind.TEXT, Kind.TIME)
    sqlite_row = (7, "2026-11-02 09:00:00.000000", "2027-01-31", 1, '{"a": 1}', "x", None)
    at = datetime(2026, 11, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    pg_row = (7, at, date(2027, 1, 31), True, '{"a": 1}', "x", None)
    one, other = TableSum(kinds), TableSum(kinds)
    one.add(sqlite_row)
    other.add(pg_row)
    assert (one.count, one.digest) == (other.count, other.digest)
    for changed in (
        (8, *pg_row[1:]),
        (*pg_row[:3], False, *pg_row[4:]),
        (*pg_row[:4], '{"a":1}', *pg_row[5:]),
    ):
        differs = TableSum(kinds)
        differs.add(changed)
        assert differs.digest != one.digest, changed


# --------------------------------------------------------------------- 10,000 deals


@pytest.fixture(scope="session")
def demo_10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed SQLite file with 10,000 demo deals and their events, made once."""
    from salesboard.service.demo import seed_demo

    path = tmp_path_factory.mktemp("demo-10k") / "10k.db"
    db = Database.open(str(path), create=True)
    try:
        seed_demo(db, deals=10_000)
    finally:
        db.close()
    return path


def _chain_breaks(url: str) -> Iterator[int]:
    """The ids of events whose hash or link does not verify (what doctor's check does)."""
    engine = create_engine(url)
    previous = GENESIS
    with engine.connect() as connection:
        found = connection.execution_options(yield_per=5_000).execute(
            text(
                "SELECT id, deal_id, at, actor, kind, before, after, prev_hash, chain_hash "
                "FROM event ORDER BY id"
            )
        )
        for row in found:
            body = content(row.deal_id, row.at, row.actor, row.kind, row.before, row.after)
            if row.prev_hash != previous or not verify(row.prev_hash, row.chain_hash, body):
                yield row.id
            previous = row.chain_hash
    engine.dispose()


@pytest.mark.slow
def test_migrating_a_demo_of_ten_thousand_deals(
    runner: CliRunner, demo_10k: Path, pg_url: str
) -> None:
    before = os.stat(demo_10k).st_mtime_ns, demo_10k.stat().st_size
    with sqlite3.connect(f"file:{demo_10k}?mode=ro", uri=True) as source:
        counts = {
            table: source.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES
        }
        head = source.execute("SELECT id, chain_hash FROM event ORDER BY id DESC").fetchone()
    assert counts["deal"] == 10_000 and counts["event"] > 100_000

    done = _invoke(runner, "--db", str(demo_10k), "migrate", "--to", pg_url, "--json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert {t["table"]: t["target_rows"] for t in data["tables"]} == counts
    assert all(t["ok"] for t in data["tables"])
    assert (os.stat(demo_10k).st_mtime_ns, demo_10k.stat().st_size) == before

    assert list(_chain_breaks(pg_url)) == []
    engine = create_engine(pg_url)
    with engine.connect() as connection:
        assert connection.execute(
            text("SELECT id, chain_hash FROM event ORDER BY id DESC LIMIT 1")
        ).one() == tuple(head)
    engine.dispose()
    db = Database.open(pg_url)
    try:
        new = Pipeline(db, actor="gina").create_deal("Deal 10,001")
        assert new.id == 10_001
    finally:
        db.close()


def _reltuples(url: str, table: str) -> float:
    """The planner's row estimate for ``table`` (-1: never analysed)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}
            ).scalar_one()
    finally:
        engine.dispose()
    return float(found)


def test_the_copy_leaves_the_planner_statistics_of_every_table(
    runner: CliRunner, team_db: Path, pg_url: str
) -> None:
    assert _invoke(runner, "--db", str(team_db), "migrate", "--to", pg_url).exit_code == 0
    # Without them a server whose autovacuum has not come round plans for empty tables.
    assert _reltuples(pg_url, "deal") == 3
    assert _reltuples(pg_url, "event") == len(_rows(pg_url, "event"))
