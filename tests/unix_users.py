"""Real other Unix users for the permission and attack tests, and their processes.

Root ignores file modes, so the sharing and hardening tests run salesboard as real other
users: when the suite runs as root it creates ``sbtest1`` and ``sbtest2`` (members of group
``sbteam``) and ``sbtest3`` (not a member) if they are missing, and runs each user's
commands in a process with exactly that user's ids and groups. Without root (or
``useradd``) the tests skip and say why, except under ``CI=true``, where they fail: CI
runs as root, so a skip there would hide that the attacks were never tried.

Registered as a plugin in ``tests/conftest.py``, so its fixtures (``team``, ``place``,
``workers``) are available to every test module.
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
from typing import Any, NoReturn

import pytest

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


def _cannot_run(why: str) -> NoReturn:
    """Skip, except under CI (which runs as root), where not running these is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"the multi-user tests cannot run under CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def team() -> Team:
    """``sbtest1``/``sbtest2`` in group ``sbteam`` and ``sbtest3`` outside it, or skip."""
    problem = _ensure_users()
    if problem:
        _cannot_run(f"no second Unix user for permission tests: {problem}")
    one = User.named(MEMBERS[0], member=True)
    python = _python_for(one)
    if isinstance(python, str):
        _cannot_run(python)
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
        db = Database.open(args[0], create=True)
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
