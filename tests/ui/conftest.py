"""Fixtures of the UI tests: the demo pipeline and a small hand-made one, on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from salesboard.store import Database
from tests.conftest import FrozenClock
from tests.ui.helpers import NOW, Board, copy_db, in_zone, seed_demo_file
from tests.ui.scenario import build_scenario


@pytest.fixture(autouse=True)
def utc_zone() -> Iterator[None]:
    """The user's zone is UTC unless a test sets another (``in_zone``).

    Cards and the agenda show times in the user's zone: without this, what the screens
    and snapshots show would depend on the zone of the machine running the tests.
    """
    with in_zone("UTC"):
        yield


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo pipeline (120 deals, seed 7, fixed now, me=alice), seeded once per run."""
    return seed_demo_file(tmp_path_factory.mktemp("demo-template"))


@pytest.fixture
def demo_board(tmp_path: Path, demo_template: Path) -> Iterator[Board]:
    """A private copy of the demo pipeline with a frozen clock at the demo's 'now'."""
    db = Database.open(str(copy_db(demo_template, tmp_path)), create=True)
    board = Board(db, FrozenClock(NOW))
    assert sum(t.count for t in board.queries.totals().values()) > 50, "the copy lost data"
    yield board
    db.close()


@pytest.fixture
def empty_board(tmp_path: Path) -> Iterator[Board]:
    """A new, empty database."""
    db = Database.open(str(tmp_path / "empty.db"), create=True)
    yield Board(db, FrozenClock(NOW))
    db.close()


@pytest.fixture
def small_board(empty_board: Board) -> Board:
    """Three hand-made deals whose checklists are known exactly (see ``scenario.py``)."""
    build_scenario(empty_board.pipeline)
    return empty_board
