"""The remembered board settings: per user (platformdirs), per database, private, whole."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from salesboard.service.sorting import CardOrder
from salesboard.settings import MAX_BOARDS, BoardSettings, SettingsFile, board_key


def test_each_database_remembers_its_own_order_and_owner(private_config: Path) -> None:
    settings = SettingsFile()
    assert settings.path == private_config / "salesboard" / "settings.json"
    assert settings.load("/srv/team.db") == (BoardSettings(), None)  # nothing saved yet
    assert settings.save("/srv/team.db", BoardSettings(CardOrder.CLOSE, "bob")) is None
    assert settings.save("/home/me/demo.db", BoardSettings(CardOrder.VALUE)) is None
    again = SettingsFile()
    assert again.load("/srv/team.db") == (BoardSettings(CardOrder.CLOSE, "bob"), None)
    assert again.load("/home/me/demo.db") == (BoardSettings(CardOrder.VALUE, None), None)
    mode = stat.S_IMODE(settings.path.stat().st_mode)
    assert mode == 0o600, oct(mode)  # private to the user
    left = sorted(p.name for p in settings.path.parent.iterdir())
    assert left == [".settings.lock", "settings.json"]  # no half-written file left


def test_only_the_most_recent_boards_are_kept(tmp_path: Path) -> None:
    settings = SettingsFile(tmp_path / "settings.json")
    for n in range(MAX_BOARDS + 5):
        settings.save(f"db{n}", BoardSettings(CardOrder.DAYS))
    settings.save("db0", BoardSettings(CardOrder.VALUE))  # used again: kept, now newest
    assert settings.load("db0") == (BoardSettings(CardOrder.VALUE), None)
    assert settings.load("db1") == (BoardSettings(), None)  # the oldest went
    assert settings.load(f"db{MAX_BOARDS + 4}") == (BoardSettings(CardOrder.DAYS), None)
    assert settings.path.read_text().count('"order"') == MAX_BOARDS


def test_a_write_that_fails_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = SettingsFile(tmp_path / "settings.json")
    settings.save("db", BoardSettings(CardOrder.CHANGED, "alice"))
    before = settings.path.read_bytes()

    def disk_full(_source: object, _target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("salesboard.settings.os.replace", disk_full)
    problem = settings.save("db", BoardSettings(CardOrder.VALUE))
    assert problem == (
        f"Could not remember the board's order and owner in {settings.path}: "
        "No space left on device."
    )
    assert settings.path.read_bytes() == before
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".settings.lock", "settings.json"]  # the half-write went


def test_a_database_is_known_by_its_full_path_and_never_by_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert board_key("sqlite:///demo.db") == str(tmp_path / "demo.db")
    assert board_key(f"sqlite:///{tmp_path}/demo.db") == str(tmp_path / "demo.db")
    key = board_key("postgresql+psycopg://sales:s3cret@db.example:5432/pipeline")
    assert "s3cret" not in key and key.endswith("@db.example:5432/pipeline")


def test_a_fifo_or_a_directory_where_the_file_belongs_never_hangs_the_start(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    settings, problem = SettingsFile(fifo).load("db")  # would block forever if opened plainly
    assert settings == BoardSettings() and problem is not None
    assert problem.startswith(f"{fifo} is not a file.")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    _, problem = SettingsFile(folder).load("db")
    assert problem is not None and str(folder) in problem


def test_text_that_is_not_utf8_is_remembered(tmp_path: Path) -> None:
    """A database path that is not UTF-8 (surrogate-escaped by Python) can be a key."""
    settings = SettingsFile(tmp_path / "settings.json")
    odd = "/srv/caf\udce9.db"
    assert settings.save(odd, BoardSettings(CardOrder.VALUE, "b\ud800b")) is None
    assert settings.load(odd) == (BoardSettings(CardOrder.VALUE, "b\ud800b"), None)
    assert settings.save("/srv/other.db", BoardSettings()) is None  # later saves work too


def test_a_file_nested_past_reason_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(b'{"boards":{"/x":' + b"[" * 50_000 + b"]" * 50_000 + b"}}")
    settings = SettingsFile(path)
    assert settings.load("/x") == (
        BoardSettings(),
        f"{path} is not a salesboard settings file. The board starts in board order, all deals.",
    )
    before = path.read_bytes()
    problem = settings.save("/x", BoardSettings(CardOrder.VALUE))
    assert (
        problem
        == f"Not remembered: {path} is not a salesboard settings file. It was left as it is."
    )
    assert path.read_bytes() == before  # another version's or the user's file: untouched


def _save_many(path: str, board: str, times: int) -> None:
    settings = SettingsFile(Path(path))
    for n in range(times):
        order = CardOrder.VALUE if n == times - 1 else CardOrder.DAYS
        assert settings.save(board, BoardSettings(order)) is None


def test_two_boards_saving_at_once_never_undo_each_other(tmp_path: Path) -> None:
    """Real processes on one file: each board's last choice is what is remembered."""
    path = str(tmp_path / "settings.json")
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_save_many, args=(path, board, 150)) for board in ("/a", "/b")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    settings = SettingsFile(Path(path))
    assert settings.load("/a") == (BoardSettings(CardOrder.VALUE), None)
    assert settings.load("/b") == (BoardSettings(CardOrder.VALUE), None)


def test_a_half_written_file_of_a_killed_board_is_cleared_away(tmp_path: Path) -> None:
    settings = SettingsFile(tmp_path / "settings.json")
    stale = tmp_path / ".settings-abc123"
    stale.write_text("{half")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    fresh = tmp_path / ".settings-def456"  # perhaps another board's, being written now
    fresh.write_text("{")
    assert settings.save("/db", BoardSettings()) is None
    assert not stale.exists() and fresh.exists()


def test_a_save_waits_its_turn_while_another_board_holds_the_file(tmp_path: Path) -> None:
    """Deterministic: while the lock is held, a save does not write; once freed, it does."""
    settings = SettingsFile(tmp_path / "settings.json")
    settings.save("/db", BoardSettings())
    holder = os.open(tmp_path / ".settings.lock", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    saver = threading.Thread(target=settings.save, args=("/db", BoardSettings(CardOrder.CLOSE)))
    saver.start()
    saver.join(0.5)
    assert saver.is_alive()  # waiting for its turn...
    assert settings.path.read_text().count('"board"') == 1  # ...and wrote nothing yet
    os.close(holder)
    saver.join(10)
    assert not saver.is_alive()
    assert settings.load("/db") == (BoardSettings(CardOrder.CLOSE), None)


def test_weighted_totals_are_remembered_and_anything_odd_means_plain(tmp_path: Path) -> None:
    settings = SettingsFile(tmp_path / "settings.json")
    assert settings.save("team", BoardSettings(CardOrder.VALUE, None, weighted=True)) is None
    assert settings.load("team") == (BoardSettings(CardOrder.VALUE, None, True), None)
    stored = json.loads(settings.path.read_text())
    for odd in ("yes", 1, None, [True]):
        stored["boards"]["team"]["weighted"] = odd
        settings.path.write_text(json.dumps(stored))
        assert settings.load("team") == (BoardSettings(CardOrder.VALUE, None, False), None)
