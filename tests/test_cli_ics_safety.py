"""``salesboard agenda --ics FILE`` in a shared directory: no link is written through.

The export writes a temporary file beside the target and renames it over the target. In a
group-writable team directory another member can plant links under the names such a
temporary file might get; none of them may be followed, and nothing but a regular file
may be replaced (a device, a FIFO, a directory or a link at the target is refused).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from salesboard.cli import cli
from tests.test_cli import ok, one_line_error

Run = Callable[..., Result]


pytestmark = pytest.mark.usefixtures("isolated_user_dirs")


@pytest.fixture
def run(sqlite_url: str) -> Run:
    """``salesboard --db <test file> ARGS...`` in this process, on a database with one activity."""
    runner = CliRunner(env={"COLUMNS": "200"})

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--db", sqlite_url, *args])

    ok(invoke("init"))
    ok(invoke("add", "Fleet rollout", "--company", "Northwind"))
    args = ["activity", "add", "1", "--kind", "call", "--title", "Kick-off"]
    ok(invoke(*args, "--due", "2099-06-01 08:00"))
    return invoke


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A shared directory, and beside it a file no export may touch."""
    folder = tmp_path / "team"
    folder.mkdir()
    (tmp_path / "victim").write_bytes(b"root's secret\n")
    return folder


def plant_links(folder: Path, name: str, victim: Path) -> list[Path]:
    """Links to ``victim`` under every temporary name an export could guess its way to."""
    pids = {os.getpid(), *range(1, 400), *range(os.getpid() - 50, os.getpid() + 50)}
    planted = []
    for pid in sorted(pids):
        for pattern in (".{name}.{pid}.tmp", "{name}.{pid}.tmp", ".{name}.tmp", "{name}.tmp"):
            link = folder / pattern.format(name=name, pid=pid)
            if not link.is_symlink():
                link.symlink_to(victim)
                planted.append(link)
    return planted


def test_links_planted_under_temporary_names_are_never_written_through(
    run: Run, team: Path
) -> None:
    victim = team.parent / "victim"
    planted = plant_links(team, "agenda.ics", victim)
    target = team / "agenda.ics"
    assert ok(run("agenda", "--ics", str(target))) == f"wrote 1 activity to {target}\n"
    assert victim.read_bytes() == b"root's secret\n"
    assert stat.S_ISREG(target.lstat().st_mode)  # a file, not one of the links renamed
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    # The links are left as they were; nothing else of the export's is left behind.
    assert all(link.is_symlink() for link in planted)
    assert sorted(team.iterdir()) == sorted([*planted, target])
    # Again, over the file written the first time: the same.
    ok(run("agenda", "--ics", str(target)))
    assert victim.read_bytes() == b"root's secret\n"
    assert stat.S_ISREG(target.lstat().st_mode)
    assert sorted(team.iterdir()) == sorted([*planted, target])


def test_a_link_at_the_target_is_refused_and_left_alone(run: Run, team: Path) -> None:
    victim = team.parent / "victim"
    link = team / "agenda.ics"
    link.symlink_to(victim)
    err = one_line_error(run("agenda", "--ics", str(link)), 2)
    assert err == f"salesboard: {link}: a symbolic link; give the file it points to\n"
    assert link.is_symlink() and os.readlink(link) == str(victim)
    assert victim.read_bytes() == b"root's secret\n"
    assert list(team.iterdir()) == [link]


def test_a_fifo_or_a_directory_at_the_target_is_refused(run: Run, team: Path) -> None:
    fifo = team / "agenda.ics"
    os.mkfifo(fifo)
    err = one_line_error(run("agenda", "--ics", str(fifo)), 2)
    assert err == f"salesboard: {fifo}: not a regular file\n"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    folder = team / "calendar"
    folder.mkdir()
    err = one_line_error(run("agenda", "--ics", str(folder)), 2)
    assert err == f"salesboard: {folder}: not a regular file\n"
    assert sorted(team.iterdir()) == [fifo, folder]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make a device node")
def test_a_device_at_the_target_is_refused_not_replaced(run: Run, team: Path) -> None:
    # A copy of /dev/null's node, so that the real one is never at stake.
    device = team / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    err = one_line_error(run("agenda", "--ics", str(device)), 2)
    assert err == f"salesboard: {device}: not a regular file\n"
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert list(team.iterdir()) == [device]


def test_a_new_file_gets_the_umask_and_an_old_one_keeps_its_mode(run: Run, team: Path) -> None:
    target = team / "agenda.ics"
    old_umask = os.umask(0o027)
    try:
        ok(run("agenda", "--ics", str(target)))
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # 0o666 less the umask
    target.chmod(0o604)
    ok(run("agenda", "--ics", str(target)))
    assert stat.S_IMODE(target.stat().st_mode) == 0o604


def test_a_failed_write_removes_only_its_own_temporary_file(
    run: Run, team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = team.parent / "victim"
    planted = plant_links(team, "agenda.ics", victim)
    target = team / "agenda.ics"
    target.write_bytes(b"the calendar as it was\n")

    def disk_full(_source: object, _destination: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("salesboard.cli.ics.os.replace", disk_full)
    err = one_line_error(run("agenda", "--ics", str(target)), 1)
    assert str(target) in err and "No space left on device" in err
    assert target.read_bytes() == b"the calendar as it was\n"
    assert victim.read_bytes() == b"root's secret\n"
    assert sorted(team.iterdir()) == sorted([*planted, target])
