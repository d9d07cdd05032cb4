"""One database, several Unix users: ``init --shared``, read-only mode, no lock-outs.

The users and their processes come from ``tests/unix_users.py`` (real accounts, created
when the suite runs as root). Databases live in a fresh directory under /tmp that every
user may enter. Read-only mode on a read-only file system needs no second user and runs
wherever a tmpfs can be mounted.
"""

from __future__ import annotations

import grp
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from salesboard.cli import cli
from salesboard.errors import DatabaseUnavailable, ReadOnlyDatabase
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.store.sharing import read_only_uri, side_files
from tests.conftest import mounted_tmpfs
from tests.unix_users import (
    GROUP,
    MEMBERS,
    OUTSIDER,
    Team,
    User,
    Workers,
    deal_titles,
    mode_and_group,
    one_line,
    salesboard,
)

# ------------------------------------------------------------------------ init --shared


def test_init_shared_sets_group_and_modes_and_keeps_data(team: Team, place: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})
    path = place / "sales" / "board.db"
    done = runner.invoke(cli, ["init", "--shared", GROUP, "--db", str(path)])
    assert done.exit_code == 0, done.output
    assert mode_and_group(path.parent) == ("2770", GROUP)
    assert mode_and_group(path) == ("0660", GROUP)
    assert f"shared {path} with group {GROUP}:" in done.stdout
    assert f"drwxrws--- 2770 {GROUP} {path.parent} (created)" in done.stdout
    assert f"-rw-rw---- 0660 {GROUP} {path} (created)" in done.stdout
    assert f"usermod -aG {GROUP} LOGIN" in done.stdout
    # Again, after someone loosened the modes and added a deal: modes fixed, data kept.
    assert runner.invoke(cli, ["--db", str(path), "add", "Kept", "--company", "N"]).exit_code == 0
    path.chmod(0o644)
    again = runner.invoke(cli, ["--db", str(path), "init", "--shared", GROUP])
    assert again.exit_code == 0, again.output
    assert f"{path.parent} (unchanged)" in again.stdout and f"{path} (changed)" in again.stdout
    assert mode_and_group(path) == ("0660", GROUP)
    assert deal_titles(path) == ["Kept"]


def test_init_shared_refusals_are_one_line(team: Team, place: Path, workers: Workers) -> None:
    one = workers[MEMBERS[0]]
    path = place / "sales" / "board.db"
    err = one_line(salesboard(team, team.outsider, "init", "--shared", GROUP, "--db", str(path)))
    assert f"you ({OUTSIDER}) are not a member of group {GROUP}" in err
    refused = one.cli("init", "--shared", "no-such-group", "--db", str(path))
    assert refused["code"] == 2 and "no group 'no-such-group'" in refused["err"]
    refused = one.cli("init", "--shared", GROUP, "--db", str(place))
    assert refused["code"] == 1 and "it is a directory" in refused["err"]
    (place / "notes.txt").write_text("private")
    refused = one.cli("init", "--shared", GROUP, "--db", str(place / "b.db"))
    assert refused["code"] == 1
    assert "also holds notes.txt; a shared database needs a directory of its own" in refused["err"]
    assert not path.parent.exists() and mode_and_group(place)[0] == "0755"  # nothing changed


# -------------------------------------------------------- (a) members share, both ways


@pytest.mark.slow
def test_members_write_in_turn_and_side_files_lock_nobody_out(
    team: Team, place: Path, workers: Workers
) -> None:
    one, two = workers["sbtest1"], workers["sbtest2"]
    os.chown(place, team.one.uid, team.one.gid)  # a member sets it up, without root
    path = place / "sales" / "board.db"
    db = str(path)
    assert "every member of sbteam can now read and write it" in one.ok(
        "init", "--shared", GROUP, "--db", db
    )
    assert one.ok("--db", db, "add", "From one", "--company", "A") == "1\n"
    assert two.ok("--db", db, "add", "From two", "--company", "B") == "2\n"
    # One keeps the database open (its -wal and -shm stay) while the other writes...
    assert one.ask("hold", db) == {
        "read_only": False, "titles": ["From one", "From two"], "wrote": True
    }  # fmt: skip
    wal, shm = side_files(path)
    assert wal.exists() and shm.exists()
    assert mode_and_group(wal) == ("0660", GROUP) and mode_and_group(shm) == ("0660", GROUP)
    assert two.ok("--db", db, "check", "1", "1").startswith("deal 1: Prospect job 1 ticked")
    # ...and the other way round.
    one.ask("release")
    assert two.ask("hold", db)["wrote"] is True
    assert one.ok("--db", db, "add", "One again", "--company", "A") == "5\n"
    # A crash leaves the side files behind, owned by the crashed user: still no lock-out.
    two.kill()
    assert wal.exists() and shm.exists()
    assert shm.stat().st_uid == team.two.uid
    assert one.ok("--db", db, "add", "After the crash", "--company", "A") == "6\n"
    assert deal_titles(path) == [
        "From one", "From two", "from the holder", "from the holder", "One again",
        "After the crash",
    ]  # fmt: skip
    with closing(sqlite3.connect(path)) as raw, raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# ------------------------------------------------ (b) not in the group: read-only at most


def test_an_outsider_cannot_read_a_group_only_database(team: Team, place: Path) -> None:
    path = place / "sales" / "board.db"
    CliRunner().invoke(cli, ["init", "--shared", GROUP, "--db", str(path)])
    for args in (("list",), ("add", "X", "--company", "Y")):
        err = one_line(salesboard(team, team.outsider, "--db", str(path), *args))
        assert err == (
            f"salesboard: cannot read {path}: permission denied — "
            f"ask the owner to add you to group {GROUP}\n"
        )
    # Added to the group, but this login session does not have it yet.
    stale = User(team.two.login, team.two.uid, team.two.gid, groups=())
    err = one_line(salesboard(team, stale, "--db", str(path), "list"))
    assert err.endswith(f"you were added to group {GROUP}: log out and in again to use it\n")


@pytest.mark.slow
def test_an_outsider_reads_a_group_writable_database_read_only(
    team: Team, place: Path, workers: Workers
) -> None:
    member, outsider = workers["sbtest1"], workers[OUTSIDER]
    path = place / "sales" / "board.db"
    db = str(path)
    CliRunner().invoke(cli, ["init", "--shared", GROUP, "--db", db])
    path.parent.chmod(0o2775)  # everyone may look, only the group may change
    path.chmod(0o664)
    assert member.ok("--db", db, "add", "Visible", "--company", "A") == "1\n"
    before = deal_titles(path)
    # No side files: read with ``immutable``, which creates none.
    listed = salesboard(team, team.outsider, "--db", db, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [deal["title"] for deal in json.loads(listed.stdout)] == ["Visible"]
    refused = one_line(salesboard(team, team.outsider, "--db", db, "add", "X", "--company", "Y"))
    assert refused == (
        f"salesboard: {path}: read-only for you ({OUTSIDER}); nothing was changed — "
        f"ask the owner to add you to group {GROUP}\n"
    )
    assert sorted(os.listdir(path.parent)) == ["board.db"]
    # A member holds it open, with a commit still only in the -wal: the outsider sees it.
    assert member.ask("hold", db)["wrote"] is True
    held = outsider.ask("hold", db)
    assert held["read_only"] is True
    assert held["titles"] == ["Visible", "from the holder"]
    assert held["refused"].startswith(f"{path}: read-only for you ({OUTSIDER})")
    assert outsider.cli("--db", db, "lost", "1", "--reason", "no")["code"] == 1
    assert {p.stat().st_uid for p in path.parent.iterdir()} == {0, team.one.uid}
    outsider.ask("release")
    member.ask("release")
    assert member.ok("--db", db, "add", "Still writable", "--company", "A") == "3\n"
    assert deal_titles(path) == [*before, "from the holder", "Still writable"]


# --------------------------------------------------- (c) a plain file, not set up for a team


@pytest.mark.slow
@pytest.mark.parametrize("directory_mode", [0o755, 0o1777], ids=["private-dir", "sticky-dir"])
def test_a_plain_file_of_another_user_is_read_only_and_locks_nobody_out(
    team: Team, place: Path, workers: Workers, directory_mode: int
) -> None:
    owner, other = workers["sbtest1"], workers["sbtest2"]
    home = place / "home"
    home.mkdir()
    os.chown(home, team.one.uid, team.one.gid)
    home.chmod(directory_mode)
    db = str(home / "board.db")
    assert owner.ok("--db", db, "init") == f"database ready: {db}\n"
    assert owner.ok("--db", db, "add", "Mine", "--company", "A") == "1\n"
    assert mode_and_group(home / "board.db") == ("0644", grp.getgrgid(team.one.gid).gr_name)
    listed = salesboard(team, team.two, "--db", db, "list")
    assert listed.returncode == 0 and "Mine" in listed.stdout, listed.stderr
    err = one_line(salesboard(team, team.two, "--db", db, "add", "Theirs", "--company", "B"))
    assert err == (
        f"salesboard: {db}: read-only for you ({MEMBERS[1]}); nothing was changed — "
        f"{db} belongs to {MEMBERS[0]} and is not shared; ask them to run "
        f"'salesboard init --shared GROUP --db {db}'\n"
    )
    # Whether or not the owner has it open, the reader creates no file of its own...
    assert other.ask("hold", db)["read_only"] is True
    assert owner.ask("hold", db)["wrote"] is True
    assert other.cli("--db", db, "list")["code"] == 0
    other.ask("release")
    owner.ask("release")
    assert {p.stat().st_uid for p in home.iterdir()} == {team.one.uid}
    # ...so the owner can always write.
    assert owner.ok("--db", db, "add", "Mine too", "--company", "A") == "3\n"
    assert deal_titles(home / "board.db") == ["Mine", "from the holder", "Mine too"]


# ------------------------------------------------------- read-only without a second user


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs that the test can remount read-only (root only; else skipped)."""
    with mounted_tmpfs(tmp_path / "ro", "size=4m") as mount:
        yield mount


def remount_read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def test_a_read_only_file_system_opens_read_only(read_only_mount: Path) -> None:
    path = read_only_mount / "board.db"
    db = Database.open(str(path), create=True)
    Pipeline(db, actor="alice").create_deal("Archived", company="N")
    db.close()
    remount_read_only(read_only_mount)
    db = Database.open(str(path), create=True)
    assert db.read_only is True
    pipeline = Pipeline(db, actor="root")
    assert [deal.title for deal in pipeline.list_deals()] == ["Archived"]
    with pytest.raises(ReadOnlyDatabase) as refused:
        pipeline.create_deal("New", company="N")
    assert str(refused.value) == (
        f"{path}: read-only for you (root); nothing was changed — "
        "its file system is mounted read-only"
    )
    db.close()
    result = CliRunner().invoke(cli, ["--db", str(path), "edit", "1", "--title", "X"])
    assert result.exit_code == 1 and result.stderr.startswith(f"salesboard: {path}: read-only")
    assert sorted(os.listdir(read_only_mount)) == ["board.db"]


def test_read_only_and_behind_head_asks_for_an_upgrade(read_only_mount: Path) -> None:
    path = read_only_mount / "board.db"
    Database.open(str(path), create=True).close()
    with closing(sqlite3.connect(path)) as raw, raw:  # as a database of salesboard before presence
        raw.execute("DROP TABLE presence")
        raw.execute("UPDATE alembic_version SET version_num = '0001'")
    (read_only_mount / "empty.db").touch()
    remount_read_only(read_only_mount)
    with pytest.raises(DatabaseUnavailable, match=r"needs an upgrade of its schema \(0001 to "):
        Database.open(str(path), create=True)
    with pytest.raises(DatabaseUnavailable, match="not set up yet, and read-only for you"):
        Database.open(str(read_only_mount / "empty.db"), create=True)


def test_a_write_refused_as_read_only_later_gives_the_same_message(sqlite_url: str) -> None:
    db = Database.open(sqlite_url, create=True)
    assert db.read_only is False
    # The file's permissions change under a running board: SQLite refuses the write.
    event.listen(db.engine, "connect", lambda conn, _r: conn.execute("PRAGMA query_only = ON"))
    db.engine.dispose()
    with pytest.raises(ReadOnlyDatabase, match=r"read-only for you \(.*\); nothing was changed"):
        Pipeline(db, actor="alice").create_deal("Refused", company="N")
    assert db.read_only is True  # the board can show its banner from now on
    db.close()


def test_a_log_without_its_index_is_refused_rather_than_half_read(tmp_path: Path) -> None:
    path = tmp_path / "board.db"
    Database.open(str(path), create=True).close()
    wal, _shm = side_files(path)
    wal.write_bytes(b"\0" * 64)
    with pytest.raises(DatabaseUnavailable, match="cannot be read safely by you now"):
        read_only_uri(path)
    wal.write_bytes(b"")
    assert read_only_uri(path).endswith("?mode=ro&immutable=1")
