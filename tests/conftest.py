"""Shared fixtures: a fresh database per test on SQLite and, where set up, PostgreSQL.

PostgreSQL tests use the server named by ``SALESBOARD_TEST_PG`` (default: the local one at
127.0.0.1:5432, user postgres). Each test gets its own schema, dropped afterwards. When
``CI`` is set the server must be reachable: a missing server fails instead of skipping.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import pytest

from salesboard.service import Pipeline
from salesboard.service.board import OpenDealIndex
from salesboard.store import Database

pytest_plugins = ("tests.unix_users",)

PG_URL = os.environ.get("SALESBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FROZEN_START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def private_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test remembers board settings in its own config directory, never the user's."""
    where = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(where))
    return where


@pytest.fixture
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a CLI test away from the real user data directory and $SALESBOARD_DB.

    Used by the CLI test modules (``pytestmark = pytest.mark.usefixtures(...)``): the
    default database and the demo file live in the user data directory.
    """
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SALESBOARD_DB", raising=False)


@pytest.fixture(autouse=True)
def default_pipeline_in_force() -> Iterator[None]:
    """Each test starts in English with the default pipeline's names, as a new process does."""
    from salesboard import definition
    from salesboard.i18n import install

    install("en")
    definition.use(definition.DEFAULT)
    yield
    install("en")
    definition.use(definition.DEFAULT)


def _pg_available() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any driver or network failure means "not here"
        return f"PostgreSQL not reachable at {PG_URL}: {type(error).__name__}"


_PG_PROBLEM: str | bool | None = False


def pg_problem() -> str | None:
    """Probe PostgreSQL once per test run."""
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_available()
    return _PG_PROBLEM  # type: ignore[return-value]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A path to a new SQLite file in the test's own directory."""
    return str(tmp_path / "board.db")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL to a fresh PostgreSQL schema, dropped after the test."""
    problem = pg_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    from sqlalchemy import create_engine, text

    schema = f"sb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on both supported backends."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An opened, migrated database on each backend."""
    database = Database.open(db_url, create=True)
    yield database
    database.close()


class FrozenClock:
    """A clock that only moves when a test says so, for deterministic times."""

    def __init__(self, start: datetime = FROZEN_START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    """A frozen clock starting at ``FROZEN_START``."""
    return FrozenClock()


@pytest.fixture
def pipeline(db: Database, clock: FrozenClock) -> Pipeline:
    """The service acting as user ``alice`` with a frozen clock."""
    return Pipeline(db, actor="alice", clock=clock)


@pytest.fixture
def make_pipeline(db: Database, clock: FrozenClock) -> Callable[[str], Pipeline]:
    """The service acting as any named user on the same database."""
    return lambda actor: Pipeline(db, actor=actor, clock=clock)


def _cannot_run(why: str) -> NoReturn:
    """Skip a test that needs root or a tmpfs, except under CI (root), where it fails."""
    if os.environ.get("CI"):
        pytest.fail(f"cannot run under CI: {why}")
    pytest.skip(why)


@contextmanager
def mounted_tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A real tmpfs at ``where`` (root only; the test is skipped where mounting fails).

    For what only a real file system shows: a full disk, a read-only remount.
    """
    if os.geteuid() != 0:
        _cannot_run("mounting a tmpfs needs root")
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        _cannot_run(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def loaded_index(path: Path) -> OpenDealIndex:
    """The board's open-deal index of the SQLite file at ``path``, loaded as a board does."""
    db = Database.open(str(path))
    try:
        index = OpenDealIndex(db)
        index.load()
    finally:
        db.close()
    return index
