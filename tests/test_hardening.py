"""Attacks on a shared server: planted links, foreign directories, member-owned files.

Each test plays a real attack with real Unix users (``tests/unix_users.py``): a member of
the sales group prepares something in the shared directory, then root (this process, as
an administrator would) or a colleague runs salesboard. Nothing outside the database's
own files may be created, read, handed to the group or given a new mode, and every
refusal is one line that names what is wrong.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from salesboard.cli import cli
from salesboard.errors import DatabaseUnavailable
from salesboard.service import Pipeline
from salesboard.store import Database, engine
from salesboard.store.shared_setup import prepare_shared
from tests.unix_users import GROUP, Team, deal_titles, mode_and_group, one_line, salesboard


def as_root(*args: str) -> Result:
    """salesboard run by root (this process), as an administrator would."""
    return CliRunner(env={"COLUMNS": "300"}).invoke(cli, list(args))


def refused(result: Result) -> str:
    """The one-line refusal (exit 1) of a root run; no traceback, nothing on stdout."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("salesboard: ")
    return result.stderr


def mode_owner(path: Path) -> tuple[str, int, int]:
    info = os.lstat(path)
    return f"{stat.S_IMODE(info.st_mode):04o}", info.st_uid, info.st_gid


def member_shell(team: Team, script: str, cwd: Path) -> None:
    """A member runs ``script`` in the shared directory (their attack); it must work."""
    done = team.one.run(["sh", "-c", f"cd '{cwd}' && {script}"])
    assert done.returncode == 0, done.stderr


@pytest.fixture
def shared(team: Team, place: Path) -> Path:
    """A team database set up by root as the README says, with one deal in it."""
    path = place / "sales" / "board.db"
    assert as_root("init", "--shared", GROUP, "--db", str(path)).exit_code == 0
    assert as_root("--db", str(path), "add", "Real deal", "--company", "N").exit_code == 0
    return path


@pytest.fixture
def root_only(place: Path) -> Path:
    """A directory only root may write, standing in for /etc/profile.d."""
    directory = place / "etc"
    directory.mkdir(mode=0o755)
    return directory


# ------------------------------------------------------------------- planted links


def test_init_shared_refuses_a_link_planted_in_place_of_the_database(
    team: Team, shared: Path, root_only: Path
) -> None:
    target = root_only / "zz.sh"
    stash = shared.parent.parent / "stash"  # the member's own place (their home, say)
    stash.mkdir()
    os.chown(stash, team.one.uid, team.one.gid)
    member_shell(team, f"mv board.db {stash}/ && ln -s {target} board.db", shared.parent)
    err = refused(as_root("init", "--shared", GROUP, "--db", str(shared)))
    assert f"{shared} is a symbolic link to {target}; salesboard never follows a link" in err
    assert not target.exists()  # root created nothing through the link
    assert mode_and_group(shared.parent) == ("2770", GROUP)  # unlocked again, unchanged
    # Every other command refuses the link too, and reads never create its target.
    for args in (("list",), ("add", "X", "--company", "Y"), ("init",), ("history", "1")):
        assert f"is a symbolic link to {target}" in refused(as_root("--db", str(shared), *args))
    assert not target.exists()


def test_init_shared_refuses_a_link_to_another_teams_database(
    team: Team, shared: Path, place: Path
) -> None:
    other = place / "finance" / "board.db"
    other.parent.mkdir(mode=0o700)
    Database.open(str(other), create=True).close()
    os.chmod(other, 0o600)
    before = mode_owner(other)
    member_shell(team, f"rm board.db && ln -s {other} board.db", shared.parent)
    err = refused(as_root("init", "--shared", GROUP, "--db", str(shared)))
    assert f"is a symbolic link to {other}" in err
    assert mode_owner(other) == before  # not handed to the sales group


def test_a_dangling_link_is_never_created_through(
    team: Team, shared: Path, root_only: Path
) -> None:
    nologin = root_only / "nologin"
    member_shell(team, f"rm board.db && ln -s {nologin} board.db", shared.parent)
    for args in (("list",), ("show", "1"), ("add", "X", "--company", "Y"), ("init",)):
        err = refused(as_root("--db", str(shared), *args))
        assert f"{shared} is a symbolic link to {nologin}" in err
    assert not nologin.exists()
    # A colleague's board refuses it the same way.
    err = one_line(salesboard(team, team.two, "--db", str(shared), "list"))
    assert f"is a symbolic link to {nologin}" in err
    assert not nologin.exists()


def test_a_symlinked_side_file_is_refused_and_never_written(
    team: Team, shared: Path, root_only: Path
) -> None:
    target = root_only / "wal-target"
    member_shell(team, f"ln -s {target} board.db-wal", shared.parent)
    err = refused(as_root("init", "--shared", GROUP, "--db", str(shared)))
    assert f"{shared}-wal is a symbolic link to {target}" in err
    assert "Real deal" not in refused(as_root("--db", str(shared), "list"))
    err = one_line(salesboard(team, team.two, "--db", str(shared), "add", "X", "--company", "Y"))
    assert f"-wal is a symbolic link to {target}" in err
    assert not target.exists()
    os.unlink(f"{shared}-wal")  # the link removed, the team carries on
    assert deal_titles(shared) == ["Real deal"]


def test_a_hard_link_where_a_database_file_belongs_is_refused(
    team: Team, shared: Path, place: Path
) -> None:
    secret = place / "secret"
    secret.write_text("root's own file")
    secret.chmod(0o600)
    # (With protected_hardlinks a member may only link files they own; root plays it.)
    os.link(secret, f"{shared}-shm")
    err = refused(as_root("init", "--shared", GROUP, "--db", str(shared)))
    assert f"{shared}-shm has 2 hard links, so it may be some other file" in err
    assert mode_owner(secret) == ("0600", 0, 0)


def test_sqlite_itself_never_follows_a_linked_side_file(tmp_path: Path) -> None:
    # salesboard relies on this behind its own checks (fileguard's docstring).
    path = tmp_path / "board.db"
    Database.open(str(path), create=True).close()
    target = tmp_path / "elsewhere"
    os.symlink(target, f"{path}-wal")
    with closing(sqlite3.connect(path)) as raw, pytest.raises(sqlite3.OperationalError):
        raw.execute("INSERT INTO presence VALUES ('s', 'x', NULL, '2026-01-01', '2026-01-01')")
    assert not target.exists()


def test_a_link_swapped_in_after_the_checks_is_caught_before_any_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The race, played deterministically: the checks pass, then the link appears.
    path = tmp_path / "board.db"
    Database.open(str(path), create=True).close()
    other = tmp_path / "other.db"
    Database.open(str(other), create=True).close()
    db = Database.open(str(path))
    db.engine.dispose()
    path.rename(tmp_path / "moved.db")
    os.symlink(other, path)
    monkeypatch.setattr(engine, "check_database_file", lambda _path: True)
    with pytest.raises(DatabaseUnavailable, match=f"is a symbolic link to {other}"):
        Pipeline(db, actor="root").list_deals()
    db.close()


# ------------------------------------------------------------ whose directory


def test_init_shared_refuses_a_directory_someone_else_owns(team: Team, place: Path) -> None:
    public = place / "public"
    public.mkdir()
    public.chmod(0o1777)  # like /tmp: anyone may make a directory here
    sales = public / "sales"
    assert team.outsider.run(["mkdir", "-m", "0755", str(sales)]).returncode == 0
    before = mode_owner(sales)
    err = refused(as_root("init", "--shared", GROUP, "--db", str(sales / "board.db")))
    assert f"{sales} belongs to sbtest3, who could change its modes and swap the database" in err
    assert mode_owner(sales) == before and os.listdir(sales) == []


@pytest.mark.parametrize("mode", [0o755, 0o775], ids=["member-owned", "group-writable"])
def test_init_shared_refuses_a_parent_others_could_change(
    team: Team, place: Path, mode: int
) -> None:
    parent = place / "team"
    parent.mkdir()
    if mode == 0o755:
        os.chown(parent, team.one.uid, team.one.gid)
        why = f"{parent} belongs to sbtest1, who could replace"
    else:
        os.chown(parent, 0, team.one.groups[0])
        why = f"{parent} is writable by group {GROUP} (mode 0775)"
    parent.chmod(mode)
    err = refused(as_root("init", "--shared", GROUP, "--db", str(parent / "sales" / "b.db")))
    assert why in err
    assert os.listdir(parent) == []


def test_a_sticky_world_writable_parent_is_allowed(team: Team, place: Path) -> None:
    public = place / "public"
    public.mkdir()
    public.chmod(0o1777)
    path = public / "sales" / "board.db"
    assert as_root("init", "--shared", GROUP, "--db", str(path)).exit_code == 0
    assert mode_owner(path.parent) == ("2770", 0, team.one.groups[0])


def test_a_member_owned_database_needs_take_over(team: Team, shared: Path) -> None:
    # A member replaces the team's file with one of their own (the directory allows it).
    member_shell(team, "rm board.db", shared.parent)
    assert salesboard(team, team.one, "--db", str(shared), "init").returncode == 0
    assert os.lstat(shared).st_uid == team.one.uid
    err = refused(as_root("init", "--shared", GROUP, "--db", str(shared)))
    assert f"{shared} belongs to sbtest1, not to you (root)" in err and "--take-over" in err
    assert os.lstat(shared).st_uid == team.one.uid
    # Only root can take a file over.
    args = ("init", "--shared", GROUP, "--take-over", "--db", str(shared))
    err = one_line(salesboard(team, team.two, *args))
    assert f"{shared} belongs to sbtest1; only root can take it over" in err
    done = as_root(*args)
    assert done.exit_code == 0, done.output
    assert mode_owner(shared) == ("0660", 0, team.one.groups[0])


# -------------------------------------------------------- nobody acts meanwhile


def test_nobody_can_add_a_file_while_init_works(team: Team, shared: Path) -> None:
    seen: list[tuple[str, int]] = []

    def create(database: Path) -> None:
        planted = team.one.run(["ln", "-s", "/etc/passwd", f"{database}-journal"])
        seen.append((f"{stat.S_IMODE(os.lstat(database.parent).st_mode):04o}",
                     planted.returncode))  # fmt: skip

    prepare_shared(shared, GROUP, create)
    assert seen == [("0700", 1)]  # locked: the member's link was refused
    assert not os.path.lexists(f"{shared}-journal")
    assert mode_and_group(shared.parent) == ("2770", GROUP)


def test_a_refusal_gives_the_directory_its_mode_back(team: Team, shared: Path) -> None:
    def fails(_database: Path) -> None:
        raise DatabaseUnavailable("something went wrong")

    with pytest.raises(DatabaseUnavailable):
        prepare_shared(shared, GROUP, fails)
    assert mode_and_group(shared.parent) == ("2770", GROUP)


# ----------------------------------------------------------------- the hint


def test_read_only_hint_on_ones_own_file_says_how_to_fix_it(team: Team, place: Path) -> None:
    home = place / "home"
    home.mkdir()
    os.chown(home, team.one.uid, team.one.gid)
    db = str(home / "board.db")
    assert salesboard(team, team.one, "--db", db, "init").returncode == 0
    os.chmod(db, 0o444)
    err = one_line(salesboard(team, team.one, "--db", db, "add", "X", "--company", "Y"))
    assert err == (
        f"salesboard: {db}: read-only for you (sbtest1); nothing was changed — {db} is yours "
        f"but its mode (0444) does not let you write it; 'chmod u+w {db}' makes it writable\n"
    )


# --------------------------------------------------------- found in a security review


STOPPER = """
import os, signal, sys
from pathlib import Path
from salesboard.store.shared_setup import Stopped, prepare_shared
def create(_database):
    os.kill(os.getpid(), signal.SIGTERM)  # as a closed SSH session or a kill would
try:
    prepare_shared(Path(sys.argv[1]), sys.argv[2], create)
except Stopped as stopped:
    print(stopped)
    sys.exit(1)
"""


def test_a_stopped_init_gives_the_directory_its_mode_back(team: Team, shared: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", STOPPER, str(shared), GROUP], capture_output=True, text=True
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("stopped by SIGTERM; the directory has its old mode back")
    assert mode_and_group(shared.parent) == ("2770", GROUP)


def test_root_does_not_open_a_database_whose_side_files_a_member_holds(
    team: Team, shared: Path
) -> None:
    from tests.unix_users import Worker

    member = Worker(team, team.one)
    try:
        assert member.ask("hold", str(shared))["wrote"] is True  # -wal and -shm are theirs
        err = refused(as_root("init", "--shared", GROUP, "--db", str(shared)))
        assert f"{shared}-wal belongs to sbtest1: a board of theirs has the database open" in err
        assert mode_and_group(shared.parent) == ("2770", GROUP)
        member.ask("release")
    finally:
        member.close()
    assert as_root("init", "--shared", GROUP, "--db", str(shared)).exit_code == 0


def test_reading_another_programs_database_leaves_it_as_it_was(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as raw, raw:
        raw.execute("CREATE TABLE notes (text TEXT)")
        raw.execute("INSERT INTO notes VALUES ('mine')")
    empty = tmp_path / "empty.db"
    empty.touch()
    for path, why in ((other, "is not a salesboard database"), (empty, "is not set up")):
        before = path.read_bytes()
        for args in (("list",), ("show", "1"), ("doctor",)):
            assert why in refused(as_root("--db", str(path), *args))
        assert path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db", "other.sqlite"]
    with closing(sqlite3.connect(other)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)
