"""One database, several Unix users: ``init --shared``, read-only mode, no lock-outs.

Root ignores file modes, so these tests run salesboard as real other users: when the
suite runs as root it creates ``sbtest1`` and ``sbtest2`` (members of group ``sbteam``)
and ``sbtest3`` (not a member) if they are missing, and runs each user's commands in a
process with exactly that user's ids and groups. Without root (or ``useradd``) they skip
and say why. Databases live in a fresh directory under /tmp that every user may enter.

Read-only mode on a read-only file system needs no second user and runs wherever a tmpfs
can be mounted.
"""

from __future__ import annotations

import fcntl
import grp
import json
import os
import pwd
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from salesboard.cli import cli
from salesboard.errors import DatabaseUnavailable, ReadOnlyDatabase
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.store.sharing import read_only_uri, side_files
from tests.conftest import mounted_tmpfs

GROUP = "sbteam"
MEMBERS = ("sbtest1", "sbtest2")
OUTSIDER = "sbtest3"
LOCK = Path(tempfile.gettempdir()) / "salesboard-test-users.lock"
SITE = sysconfig.get_path("purelib")

# --------------------------------------------------------------------- the Unix users


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _ensure_users() -> str | None:
    """Create the test users and group if missing; None when ready, else why not.

    Safe to run again and from parallel workers: one lock file serialises the changes.
    """
    if os.geteuid() != 0:
        return "needs root to create and act as other Unix users"
    if not (shutil.which("useradd") and shutil.which("groupadd") and shutil.which("gpasswd")):
        return "useradd, groupadd or gpasswd is not available"
    with open(LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            grp.getgrnam(GROUP)
        except KeyError:
            made = _run("groupadd", GROUP)
            if made.returncode not in (0, 9):  # 9: it exists
                return f"groupadd {GROUP} failed: {made.stderr.strip()}"
        for login in (*MEMBERS, OUTSIDER):
            try:
                pwd.getpwnam(login)
            except KeyError:
                made = _run("useradd", "-M", "-U", "-s", "/usr/sbin/nologin", login)
                if made.returncode not in (0, 9):
                    return f"useradd {login} failed: {made.stderr.strip()}"
        for login in MEMBERS:
            if login not in grp.getgrnam(GROUP).gr_mem:
                _run("gpasswd", "-a", login, GROUP)
    return None


@dataclass(frozen=True)
class User:
    """A Unix account and the exact groups its processes get."""

    login: str
    uid: int
    gid: int
    groups: tuple[int, ...]

    @classmethod
    def named(cls, login: str, member: bool) -> User:
        entry = pwd.getpwnam(login)
        groups = (grp.getgrnam(GROUP).gr_gid,) if member else ()
        return cls(login, entry.pw_uid, entry.pw_gid, groups)

    def _as_me(self) -> dict[str, Any]:
        """Process options that run a command as this user, with only these groups."""
        return {
            "user": self.uid,
            "group": self.gid,
            "extra_groups": list(self.groups),
            "env": self.env(),
            "umask": 0o022,
            "text": True,
        }

    def popen(self, command: list[str], **options: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(command, **self._as_me(), **options)

    def run(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, **self._as_me(), capture_output=True, timeout=120)

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": "/nonexistent",
            "XDG_DATA_HOME": "/nonexistent",
            "COLUMNS": "200",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
        }


def _python_for(user: User) -> list[str] | str:
    """An interpreter this user may run that imports salesboard; or why there is none.

    The venv's own interpreter may live where other users cannot go (e.g. under /root);
    the same Python version elsewhere can load the venv's packages as a site directory.
    """
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    tried: list[str] = []
    for candidate in (sys.executable, f"/usr/bin/{version}", f"/usr/local/bin/{version}"):
        if not os.path.exists(candidate):
            continue
        try:
            probe = user.run([candidate, "-c", BOOT + "import salesboard.cli", SITE])
        except OSError as error:
            tried.append(f"{candidate}: {error.strerror}")
            continue
        if probe.returncode == 0:
            return [candidate, "-c"]
        tried.append(f"{candidate}: {(probe.stderr.strip().splitlines() or ['?'])[-1]}")
    return "no interpreter user {} can run imports salesboard ({})".format(
        user.login, "; ".join(tried) or "none found"
    )


BOOT = "import site, sys; site.addsitedir(sys.argv.pop(1)); "
CLI = BOOT + "from salesboard.cli import main; main(sys.argv[1:])"


@dataclass(frozen=True)
class Team:
    """The users of these tests and the interpreter they run salesboard with."""

    one: User
    two: User
    outsider: User
    python: list[str]


@pytest.fixture(scope="session")
def team() -> Team:
    """``sbtest1``/``sbtest2`` in group ``sbteam`` and ``sbtest3`` outside it, or skip."""
    problem = _ensure_users()
    if problem:
        pytest.skip(f"no second Unix user for permission tests: {problem}")
    one = User.named(MEMBERS[0], member=True)
    python = _python_for(one)
    if isinstance(python, str):
        pytest.skip(python)
    return Team(
        one, User.named(MEMBERS[1], member=True), User.named(OUTSIDER, member=False), python
    )


@pytest.fixture
def place() -> Iterator[Path]:
    """A fresh directory under /tmp that every user may enter (pytest's own may not be)."""
    root = Path(tempfile.mkdtemp(prefix="salesboard-share-", dir="/tmp"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def salesboard(team: Team, user: User, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``salesboard`` command line, run as ``user``."""
    return user.run([*team.python, CLI, SITE, *args])


def one_line(done: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The single ``salesboard: …`` line of a run that failed with ``code``."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("salesboard: ") and done.stderr.count("\n") == 1
    return done.stderr


# A long-lived salesboard process of one user: runs CLI commands (Click's CliRunner, the
# same code path as the real command) and can keep a database open, so that its -wal and
# -shm files stay, until told otherwise. One JSON request per line, one JSON answer each.
WORKER = (
    BOOT
    + """
import json
from click.testing import CliRunner
from salesboard.cli import cli
from salesboard.errors import ReadOnlyDatabase
from salesboard.service import Pipeline
from salesboard.store import Database

runner = CliRunner(env={"COLUMNS": "200"})
held = []
for line in sys.stdin:
    verb, *args = json.loads(line)
    if verb == "cli":
        result = runner.invoke(cli, args)
        crashed = not isinstance(result.exception, (SystemExit, type(None)))
        answer = {"code": result.exit_code, "out": result.stdout, "err": result.stderr,
                  "crashed": repr(result.exception) if crashed else None}
    elif verb == "hold":
        db = Database.open(args[0])
        pipeline = Pipeline(db)
        answer = {"read_only": db.read_only, "titles": [d.title for d in pipeline.list_deals()]}
        try:
            pipeline.create_deal("from the holder", company="Hold")
            answer["wrote"] = True
        except ReadOnlyDatabase as error:
            answer["refused"] = str(error)
        held.append(db)
    elif verb == "release":
        for db in held:
            db.close()
        held.clear()
        answer = {}
    print(json.dumps(answer), flush=True)
"""
)


class Worker:
    """One user's long-lived salesboard process (see ``WORKER``)."""

    def __init__(self, team: Team, user: User) -> None:
        self.user = user
        self.process = user.popen(
            [*team.python, WORKER, SITE], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def ask(self, *request: str) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the worker of {self.user.login} died"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def cli(self, *args: str) -> dict[str, Any]:
        answer = self.ask("cli", *args)
        assert answer["crashed"] is None, answer
        return answer

    def ok(self, *args: str) -> str:
        answer = self.cli(*args)
        assert answer["code"] == 0, (self.user.login, args, answer)
        return str(answer["out"])

    def kill(self) -> None:
        """SIGKILL: the process leaves its -wal and -shm files behind, as a crash does."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)


class Workers(dict[str, Worker]):
    """The workers of one test, by login; each started on first use."""

    def __init__(self, team: Team) -> None:
        super().__init__()
        self.users = {user.login: user for user in (team.one, team.two, team.outsider)}
        self.team = team

    def __missing__(self, login: str) -> Worker:
        worker = self[login] = Worker(self.team, self.users[login])
        return worker


@pytest.fixture
def workers(team: Team) -> Iterator[Workers]:
    """Long-lived salesboard processes of the test users, killed after the test."""
    started = Workers(team)
    yield started
    for worker in started.values():
        if worker.process.poll() is None:
            worker.kill()


def mode_and_group(path: Path) -> tuple[str, str]:
    info = path.stat()
    return f"{stat.S_IMODE(info.st_mode):04o}", grp.getgrgid(info.st_gid).gr_name


def deal_titles(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as raw, raw:  # as root: reads whatever the modes
        return [row[0] for row in raw.execute("SELECT title FROM deal ORDER BY id")]


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
    db = Database.open(str(path))
    Pipeline(db, actor="alice").create_deal("Archived", company="N")
    db.close()
    remount_read_only(read_only_mount)
    db = Database.open(str(path))
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
    Database.open(str(path)).close()
    with closing(sqlite3.connect(path)) as raw, raw:  # as a database of salesboard before presence
        raw.execute("DROP TABLE presence")
        raw.execute("UPDATE alembic_version SET version_num = '0001'")
    (read_only_mount / "empty.db").touch()
    remount_read_only(read_only_mount)
    with pytest.raises(DatabaseUnavailable, match=r"needs an upgrade of its schema \(0001 to "):
        Database.open(str(path))
    with pytest.raises(DatabaseUnavailable, match="not set up yet, and read-only for you"):
        Database.open(str(read_only_mount / "empty.db"))


def test_a_write_refused_as_read_only_later_gives_the_same_message(sqlite_url: str) -> None:
    db = Database.open(sqlite_url)
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
    Database.open(str(path)).close()
    wal, _shm = side_files(path)
    wal.write_bytes(b"\0" * 64)
    with pytest.raises(DatabaseUnavailable, match="cannot be read safely by you now"):
        read_only_uri(path)
    wal.write_bytes(b"")
    assert read_only_uri(path).endswith("?mode=ro&immutable=1")
