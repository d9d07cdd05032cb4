"""A SQLite file replaced under open sessions (a backup restored) loses no change.

Seen: a board kept writing into the file it had opened after an operator moved a backup
over its path; the tick was acknowledged on screen and is nowhere in the file now at that
path. Connections follow the inode, not the path: the database must notice the swap.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from salesboard.errors import DatabaseUnavailable
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.store.database import FileReplaced
from salesboard.ui.launch import make_app
from salesboard.workflow import Stage
from tests.ui.helpers import WIDE, column, notifications, screen_text


def _restore(backup: Path, path: Path) -> None:
    """What an operator does: put the backup in place and drop the old side files."""
    os.replace(backup, path)
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)


@pytest.fixture
def restored(tmp_path: Path) -> tuple[Path, Path]:
    """A database with one deal, and a backup of it taken then (with another deal)."""
    path, backup = tmp_path / "team.db", tmp_path / "backup.db"
    db = Database.open(str(path), create=True)
    Pipeline(db, actor="alice").create_deal("Alpha", owner="alice")
    db.close()
    shutil.copy(path, backup)
    db = Database.open(str(backup))
    Pipeline(db, actor="alice").create_deal("Only in the backup", owner="alice")
    db.close()
    return path, backup


def test_a_write_after_the_file_was_replaced_is_refused_then_goes_to_the_new_file(
    restored: tuple[Path, Path],
) -> None:
    path, backup = restored
    db = Database.open(str(path))
    pipeline = Pipeline(db, actor="alice")
    deal = pipeline.list_deals()[0]
    _restore(backup, path)
    with pytest.raises(FileReplaced) as refused:
        pipeline.set_job(deal.id, 1, True)
    assert "replaced" in str(refused.value) and "nothing was changed" in str(refused.value)
    assert refused.value.exit_code != 0
    # The next write goes to the file now at the path, and so does every read.
    pipeline.set_job(deal.id, 1, True)
    assert "Only in the backup" in [d.title for d in pipeline.list_deals()]
    db.close()
    fresh = Database.open(str(path))
    assert Pipeline(fresh, actor="bob").get_deal(deal.id).jobs()[0].done
    fresh.close()


def test_a_file_gone_from_under_an_open_database_is_said_not_created_anew(
    restored: tuple[Path, Path],
) -> None:
    path, _backup = restored
    db = Database.open(str(path))
    pipeline = Pipeline(db, actor="alice")
    deal = pipeline.list_deals()[0]
    path.rename(path.with_name("moved.db"))
    with pytest.raises(DatabaseUnavailable, match="gone"):
        pipeline.set_job(deal.id, 1, True)
    with pytest.raises(DatabaseUnavailable, match="gone"):
        pipeline.list_deals()
    assert not path.exists()  # not silently made again, empty
    db.close()


async def _wait(pilot: Pilot[None], condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 10
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)
    return condition()


async def test_a_running_board_shows_the_restored_file_and_says_so(
    restored: tuple[Path, Path],
) -> None:
    path, backup = restored
    db = Database.open(str(path))
    app = make_app(db, actor="alice", live=True)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        assert "Alpha" in screen_text(app)
        _restore(backup, path)
        assert await _wait(pilot, lambda: "Only in the backup" in screen_text(app))
        titles = [title for _severity, title, _message in notifications(app)]
        assert "Database replaced" in titles
        assert len(column(app, Stage.PROSPECT).state.ids) == 2
    db.close()
