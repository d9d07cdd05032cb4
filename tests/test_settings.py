"""The remembered board settings: per user (platformdirs), per database, private, whole."""

from __future__ import annotations

import os
import stat
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
    assert [p.name for p in settings.path.parent.iterdir()] == ["settings.json"]  # no leftovers


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
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]  # the half-write went


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
