"""Failure modes of the database: each one clear line, a non-zero exit, and nothing lost.

Covered here: a damaged file (``PRAGMA quick_check`` finds it), a newer schema, a lock held
longer than the busy timeout, and a full disk (SQLite's ``max_page_count`` and, as root, a
real full tmpfs). Missing directories, directories and files that are not databases are in
``test_schema.py`` and ``test_cli.py``; permissions and read-only mode in
``test_sharing.py``.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, event

from salesboard.cli import cli
from salesboard.errors import DatabaseUnavailable, InvalidInput
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.store import database as database_module
from salesboard.store.engine import BUSY_TIMEOUT_ENV
from tests.conftest import mounted_tmpfs

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _default_timeouts(isolated_user_dirs: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Away from the real data directory and $SALESBOARD_DB, with the default timeouts."""
    monkeypatch.delenv(BUSY_TIMEOUT_ENV, raising=False)


@pytest.fixture
def run(sqlite_url: str) -> Run:
    """Run ``salesboard --db <test file> ARGS...`` in-process, as the CLI would."""
    runner = CliRunner(env={"COLUMNS": "200"})

    def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
        return runner.invoke(cli, ["--db", sqlite_url, *args], env=env)

    return invoke


def one_line_error(result: Result, code: int = 1) -> str:
    """The single ``salesboard: …`` line of a run that failed with ``code``."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)  # handled, not crashed
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith("salesboard: ") and result.stderr.count("\n") == 1
    return result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def titles(path: str) -> list[str]:
    """Deal titles read straight from the file, independent of salesboard."""
    with closing(sqlite3.connect(path)) as raw, raw:
        return [row[0] for row in raw.execute("SELECT title FROM deal ORDER BY id")]


def make_board(path: str, *names: str) -> None:
    db = Database.open(path, create=True)
    pipeline = Pipeline(db, actor="alice")
    for name in names:
        pipeline.create_deal(name, company="Northwind")
    db.close()


# ------------------------------------------------------------------------ damaged file


def damage_table(path: str, table: str) -> None:
    """Overwrite the root page of ``table`` with junk, as a failing disk might."""
    with closing(sqlite3.connect(path)) as raw, raw:
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        root = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        page = root.fetchone()[0]
    with open(path, "r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(b"\xa5" * page_size)


def test_a_damaged_file_is_refused_mid_read_and_mid_write(sqlite_url: str) -> None:
    make_board(sqlite_url, "Alpha", "Beta")
    damage_table(sqlite_url, "deal")
    before = digest(Path(sqlite_url))
    db = Database.open(sqlite_url, create=True)  # the damage is not on the pages opening reads
    pipeline = Pipeline(db, actor="alice")
    with pytest.raises(DatabaseUnavailable, match=r"damaged \(quick_check: Page \d+"):
        pipeline.list_deals()
    with pytest.raises(DatabaseUnavailable, match=r"damaged.*nothing was changed"):
        pipeline.create_deal("Gamma", company="Northwind")
    db.close()
    assert digest(Path(sqlite_url)) == before


def test_a_damaged_file_is_one_line_from_every_command(run: Run, sqlite_url: str) -> None:
    make_board(sqlite_url, "Alpha")
    damage_table(sqlite_url, "deal")
    before = digest(Path(sqlite_url))
    for args in (("list",), ("show", "1"), ("add", "Beta", "--company", "N"), ("init",)):
        err = one_line_error(run(*args))
        assert "damaged" in err and "quick_check: Page" in err, (args, err)
    assert digest(Path(sqlite_url)) == before


def test_init_checks_an_existing_file_before_sharing_it(run: Run, sqlite_url: str) -> None:
    make_board(sqlite_url, "Alpha")
    damage_table(sqlite_url, "event")  # not read by opening or by `list`
    before = digest(Path(sqlite_url))
    assert run("list").exit_code == 0
    err = one_line_error(run("init", "--shared", "root"))
    assert "damaged or not a salesboard database (quick_check:" in err
    assert digest(Path(sqlite_url)) == before


def test_quick_check_is_not_part_of_a_normal_start(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It reads the whole file (0.2 s at 10,000 deals): only an error may trigger it."""
    make_board(sqlite_url, "Alpha")

    def forbidden(path: Path) -> str | None:
        raise AssertionError("quick_check ran on a healthy start")

    monkeypatch.setattr(database_module, "quick_check", forbidden)
    db = Database.open(sqlite_url, create=True)
    assert [deal.title for deal in Pipeline(db).list_deals()] == ["Alpha"]
    db.close()


# ------------------------------------------------------------------------ newer schema


def test_a_newer_schema_is_exit_1_and_untouched(run: Run, sqlite_url: str) -> None:
    make_board(sqlite_url, "Alpha")
    with closing(sqlite3.connect(sqlite_url)) as raw, raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = digest(Path(sqlite_url))
    for args in (("list",), ("add", "Beta", "--company", "N"), ("init",)):
        err = one_line_error(run(*args))
        assert "its schema (9999_future) is newer than this salesboard understands" in err
    assert digest(Path(sqlite_url)) == before


# --------------------------------------------------------------------- locked too long

HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
connection.execute("ROLLBACK")
"""


@pytest.fixture
def lock_holder(sqlite_url: str) -> Iterator[Callable[[], None]]:
    """Another process holding the write lock (``BEGIN IMMEDIATE``) until released."""
    Database.open(sqlite_url, create=True).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, sqlite_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "held\n"

    def release() -> None:
        if holder.poll() is None:
            assert holder.stdin is not None
            holder.stdin.close()
            holder.wait(timeout=10)

    yield release
    release()


def test_a_write_locked_longer_than_the_busy_timeout_is_refused(
    run: Run, sqlite_url: str, lock_holder: Callable[[], None]
) -> None:
    started = time.perf_counter()
    result = run("add", "Blocked", "--company", "N", env={BUSY_TIMEOUT_ENV: "300"})
    waited = time.perf_counter() - started
    err = one_line_error(result)
    assert "locked by another session for longer than the busy timeout (0.3 s)" in err
    assert "nothing was changed" in err
    assert waited >= 0.25  # it did wait for the lock first
    # Readers are not blocked meanwhile, and nothing was written.
    assert run("list", "--json", env={BUSY_TIMEOUT_ENV: "300"}).stdout.strip() == "[]"
    lock_holder()
    assert titles(sqlite_url) == []
    assert run("add", "Now", "--company", "N").exit_code == 0
    assert titles(sqlite_url) == ["Now"]


def test_the_service_gets_the_same_refusal(
    sqlite_url: str, lock_holder: Callable[[], None]
) -> None:
    db = Database.open(sqlite_url, busy_timeout_ms=200, create=True)
    with pytest.raises(DatabaseUnavailable, match=r"locked .*\(0.2 s\); nothing was changed"):
        Pipeline(db, actor="alice").create_deal("Blocked", company="N")
    db.close()
    lock_holder()
    assert titles(sqlite_url) == []


def busy_timeout_of(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one())


def test_busy_timeout_comes_from_the_argument_then_the_environment(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database.open(sqlite_url, create=True)
    assert busy_timeout_of(db) == 30_000  # the default, for people at a terminal
    db.close()
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "1500")
    db = Database.open(sqlite_url, create=True)
    assert busy_timeout_of(db) == 1500
    db.close()
    db = Database.open(sqlite_url, busy_timeout_ms=250, create=True)  # the argument wins
    assert busy_timeout_of(db) == 250
    db.close()


@pytest.mark.parametrize("bad", ["soon", "-5", "1.5"])
def test_a_bad_busy_timeout_setting_is_bad_input(
    run: Run, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, bad)
    with pytest.raises(InvalidInput, match=BUSY_TIMEOUT_ENV):
        Database.open(sqlite_url, create=True)
    err = one_line_error(run("list"), 2)
    assert f"{BUSY_TIMEOUT_ENV} must be a whole number of milliseconds" in err


# ---------------------------------------------------------------------------- disk full


@contextmanager
def tiny_disk() -> Iterator[None]:
    """Every new SQLite connection may not grow its file beyond its current size."""

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA max_page_count = 1")  # clamps to the current size

    event.listen(Engine, "connect", cap)
    yield
    event.remove(Engine, "connect", cap)


def test_a_full_database_refuses_the_change_and_keeps_the_data(sqlite_url: str) -> None:
    make_board(sqlite_url, "Alpha")
    cap = "PRAGMA max_page_count = 1"
    db = Database.open(sqlite_url, create=True)
    event.listen(db.engine, "connect", lambda conn, _record: conn.execute(cap))
    db.engine.dispose()  # connections made from now on carry the cap
    pipeline = Pipeline(db, actor="alice")
    with pytest.raises(DatabaseUnavailable, match="disk is full; nothing was changed"):
        for n in range(50):  # fill the free pages inside the file, then it is full
            pipeline.create_deal(f"Deal {n}", company="Northwind", notes="x" * 2000)
    kept = titles(sqlite_url)
    assert kept[0] == "Alpha"
    assert len(kept) == len(pipeline.list_deals())  # no half-written deal
    db.close()
    with closing(sqlite3.connect(sqlite_url)) as raw, raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_full_disk_is_one_line_from_the_cli(run: Run, sqlite_url: str) -> None:
    make_board(sqlite_url, "Alpha")
    notes = "x" * 4000
    with tiny_disk():
        for _ in range(50):
            result = run("add", "More", "--company", "N", "--notes", notes)
            if result.exit_code != 0:
                break
    err = one_line_error(result)
    assert err.endswith("the disk is full; nothing was changed — free some space and try again\n")
    assert titles(sqlite_url)[0] == "Alpha"


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB file system (root only; skipped where mounting is not allowed)."""
    with mounted_tmpfs(tmp_path / "small", "size=1m,mode=0755") as mount:
        yield mount


def fill(directory: Path) -> Path:
    """Take every free byte of the file system; the file to delete to free them again."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == 28  # ENOSPC
    return filler


def test_a_really_full_disk_is_one_line_and_loses_nothing(small_tmpfs: Path) -> None:
    path = str(small_tmpfs / "board.db")
    runner = CliRunner(env={"COLUMNS": "200"})
    make_board(path, "Alpha")
    filler = fill(small_tmpfs)
    # Opening needs room for the -shm file, so both reads and writes are refused.
    for args in (("add", "Beta", "--company", "N"), ("list",)):
        err = one_line_error(runner.invoke(cli, ["--db", path, *args]))
        assert "the disk is full" in err
    # With a connection already open (side files in place) only the write is refused.
    filler.unlink()
    db = Database.open(path, create=True)
    pipeline = Pipeline(db, actor="alice")
    pipeline.list_deals()
    filler = fill(small_tmpfs)
    with pytest.raises(DatabaseUnavailable, match="disk is full; nothing was changed"):
        for n in range(100):
            pipeline.create_deal(f"Deal {n}", company="Northwind", notes="x" * 4000)
    assert pipeline.list_deals()[0].title == "Alpha"
    db.close()
    filler.unlink()
    assert runner.invoke(cli, ["--db", path, "add", "Beta", "--company", "N"]).exit_code == 0
    assert titles(path)[0] == "Alpha" and titles(path)[-1] == "Beta"
    with closing(sqlite3.connect(path)) as raw, raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
