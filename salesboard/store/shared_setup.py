"""``salesboard init --shared``: setting a database up for a team, safe to run as root.

After the setup the database's directory and files are writable by the whole group, so
any member can put links, hard links or files of their own there, and an administrator
(usually root) runs this command again later. It must never be turned against the system
or against another team, so it follows OpenSSH's StrictModes and never acts on a path
twice:

- **Ownership.** Every directory on the way to the database's directory, and every link
  on the way, must belong to root or to the invoking user and be writable by nobody else
  (a sticky world-writable parent such as /tmp is allowed). The database's directory
  must belong to root or the invoking user and be writable by nobody but them and the
  team's group. The database file must belong to root or the invoking user, unless
  ``take_over`` is given (root only).
- **A locked directory.** While it works, the directory is mode 0700, so nobody else can
  add, rename or remove an entry in it; then it gets the group and mode 2770 (or, after a
  refusal, its old mode back).
- **Nothing followed.** Inside the locked directory, only the database's own files may
  be present, each a regular file with one link; each is opened with ``O_NOFOLLOW`` and
  given its group and mode on the open descriptor (``fchown``/``fchmod``), never by path.
"""

from __future__ import annotations

import grp
import os
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from salesboard.errors import DatabaseUnavailable, InvalidInput, os_reason
from salesboard.i18n import N_, _
from salesboard.identity import current_login
from salesboard.store.fileguard import (
    SIDE_SUFFIXES,
    link_refusal,
    link_target,
    not_a_file_refusal,
)
from salesboard.store.sharing import group_name, in_group, owner_name

DIRECTORY_MODE: Final = 0o2770
FILE_MODE: Final = 0o660
LOCKED_MODE: Final = 0o700
_MAX_LINKS: Final = 40
_ACTIONS: Final = {
    "created": N_("created"),
    "changed": N_("changed"),
    "unchanged": N_("unchanged"),
}
"""What a ``SharedPath.action`` (a key) is called in the summary."""


@dataclass(frozen=True)
class SharedPath:
    """One directory or file after ``init --shared``: its group and mode, and what changed."""

    path: Path
    group: str
    mode: int
    action: str  # "created", "changed" or "unchanged"
    directory: bool = False

    def describe(self) -> str:
        """``drwxrws--- 2770 sales /srv/sales (created)``: one line of the summary."""
        kind = stat.S_IFDIR if self.directory else stat.S_IFREG
        action = _ACTIONS.get(self.action)
        return (
            f"{stat.filemode(kind | self.mode)} {self.mode:04o} {self.group} {self.path} "
            f"({self.action if action is None else _(action)})"
        )


@dataclass(frozen=True)
class SharedSetup:
    """What ``prepare_shared`` did: the database, its group, and every path it set."""

    database: Path
    group: str
    paths: tuple[SharedPath, ...]


def _group(name: str) -> grp.struct_group:
    """The group called ``name`` (or with that number), or a clear refusal."""
    try:
        return grp.getgrnam(name)
    except KeyError:
        pass
    if name.isascii() and name.isdigit():
        try:
            return grp.getgrgid(int(name))
        except KeyError:
            pass
    raise InvalidInput(
        _("there is no group {name} on this system; create it first (groupadd)").format(
            name=repr(name)
        )
    )


def _trusted(uid: int) -> bool:
    """Whether a file of ``uid`` may be relied on: root's or the invoking user's."""
    return uid in (0, os.geteuid())


def _check_parent(path: Path, info: os.stat_result, below: str) -> None:
    """Refuse a directory on the way that someone else could use to swap what is below."""
    if not _trusted(info.st_uid):
        raise DatabaseUnavailable(
            _(
                "{path} belongs to {owner}, who could replace {below} with a "
                "directory of their own; a shared database must sit under directories that "
                "belong to root or to you ({login}) — choose another place"
            ).format(path=path, owner=owner_name(info.st_uid), below=below, login=current_login())
        )
    writable = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    if writable and not info.st_mode & stat.S_ISVTX:
        if info.st_mode & stat.S_IWOTH:
            message = _(
                "{path} is writable by everyone (mode {mode}), who "
                "could replace {below}; make it writable by its owner only "
                "('chmod go-w {path}') or choose another place"
            )
        else:
            message = _(
                "{path} is writable by group {group} (mode {mode}), who "
                "could replace {below}; make it writable by its owner only "
                "('chmod go-w {path}') or choose another place"
            )
        raise DatabaseUnavailable(
            message.format(
                path=path,
                group=group_name(info.st_gid),
                mode=f"{stat.S_IMODE(info.st_mode):04o}",
                below=below,
            )
        )


def _walk(directory: Path) -> tuple[Path, list[str]]:
    """The real part of ``directory`` that exists, and the names still to be made below it.

    The path is resolved one step at a time and every step is checked: each link on the
    way must belong to root or to the invoking user, and each directory on the way (but
    the last, the database's own) must pass ``_check_parent``.
    """
    current = Path("/")
    _check_parent(current, os.lstat(current), str(directory))
    pending = list(directory.parts[1:])
    links = 0
    while pending:
        name = pending.pop(0)
        if name in ("", "."):
            continue
        if name == "..":
            current = current.parent
            continue
        step = current / name
        try:
            info = os.lstat(step)
        except FileNotFoundError:
            return current, [name, *(p for p in pending if p not in ("", "."))]
        except PermissionError:
            raise DatabaseUnavailable(
                _("cannot look into {path}: permission denied; run this as root").format(
                    path=current
                )
            ) from None
        if stat.S_ISLNK(info.st_mode):
            target = Path(os.readlink(step))
            if not _trusted(info.st_uid):
                raise DatabaseUnavailable(
                    _(
                        "{path} is a symbolic link to {target} that belongs to "
                        "{owner}; a shared database's path may only pass "
                        "through links of root or of you — give the real directory"
                    ).format(path=step, target=target, owner=owner_name(info.st_uid))
                )
            links += 1
            if links > _MAX_LINKS:
                raise DatabaseUnavailable(
                    _("too many symbolic links on the way to {path}").format(path=directory)
                )
            if target.is_absolute():
                current = Path("/")
                pending = [*target.parts[1:], *pending]
            else:
                pending = [*target.parts, *pending]
            continue
        if not stat.S_ISDIR(info.st_mode):
            raise DatabaseUnavailable(
                _("cannot use {path}: {step} is not a directory").format(path=directory, step=step)
            )
        if pending:
            _check_parent(step, info, str(directory))
        current = step
    return current, []


def _make_directory(database: Path) -> tuple[Path, bool]:
    """The database's real directory, checked on the way and made if missing.

    Directories this makes belong to the invoking user: 0755 on the way, 0700 for the
    database's own (it is opened up to the group at the end). If someone else makes one
    of them first, the path is looked at again, and refused if it is not trusted.
    """
    for _attempt in range(3):
        existing, missing = _walk(database.parent)
        if not missing:
            return existing, False
        current = existing
        try:
            for index, name in enumerate(missing):
                current = current / name
                last = index == len(missing) - 1
                os.mkdir(current, LOCKED_MODE if last else 0o755)
        except FileExistsError:
            continue
        except OSError as error:
            raise DatabaseUnavailable(
                _("cannot create directory {path}: {why}").format(
                    path=current, why=os_reason(error)
                )
            ) from None
        return current, True
    raise DatabaseUnavailable(
        _("{path} keeps changing while it is set up; try again").format(path=database.parent)
    )


def _open_directory(directory: Path) -> int:
    """A descriptor of the directory itself (a link put there meanwhile is refused)."""
    try:
        return os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if os.path.islink(directory):
            raise link_refusal(directory, link_target(directory)) from None
        raise DatabaseUnavailable(
            _("cannot open directory {path}: {why}").format(path=directory, why=os_reason(error))
        ) from None


def _check_directory(directory: Path, info: os.stat_result, gid: int) -> None:
    """Refuse a database directory that someone else owns or may write."""
    if not _trusted(info.st_uid):
        raise DatabaseUnavailable(
            _(
                "{path} belongs to {owner}, who could change its "
                "modes and swap the database; a shared database's directory must belong to "
                "root or to you ({login}) — remove it, or give it to root "
                "('chown root {path}') after checking what is in it"
            ).format(path=directory, owner=owner_name(info.st_uid), login=current_login())
        )
    if info.st_mode & stat.S_IWOTH:
        raise DatabaseUnavailable(
            _(
                "{path} is writable by everyone (mode {mode}); "
                "anyone could have put a file there — check what is in it, then "
                "'chmod o-w {path}', or choose another directory"
            ).format(path=directory, mode=f"{stat.S_IMODE(info.st_mode):04o}")
        )
    if info.st_mode & stat.S_IWGRP and info.st_gid != gid:
        raise DatabaseUnavailable(
            _(
                "{path} is writable by group {group}, not only by the "
                "team; check what is in it, then 'chmod g-w {path}', or choose another "
                "directory"
            ).format(path=directory, group=group_name(info.st_gid))
        )


def _entries(descriptor: int, directory: Path, name: str) -> dict[str, os.stat_result]:
    """The database's own files in the directory, each a plain regular file.

    Anything else in the directory is refused (the group would get full access to it),
    and so is a link, a hard link (it may be some other file of the system) or anything
    that is not a regular file where one of the database's files belongs.
    """
    own = {name + suffix for suffix in ("", *SIDE_SUFFIXES)}
    try:
        names = os.listdir(descriptor)
    except OSError as error:
        raise DatabaseUnavailable(
            _("cannot read directory {path}: {why}").format(path=directory, why=os_reason(error))
        ) from None
    others = sorted(entry for entry in names if entry not in own)
    if others:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise DatabaseUnavailable(
            _(
                "{path} also holds {shown}; a shared database needs a directory of its "
                "own (its group gets full access), e.g. {example}"
            ).format(path=directory, shown=shown, example=directory / "salesboard" / name)
        )
    found: dict[str, os.stat_result] = {}
    for entry in sorted(set(names) & own):
        info = os.lstat(entry, dir_fd=descriptor)
        path = directory / entry
        if stat.S_ISLNK(info.st_mode):
            raise link_refusal(path, link_target(entry, dir_fd=descriptor))
        if not stat.S_ISREG(info.st_mode):
            raise not_a_file_refusal(path, info)
        if info.st_nlink != 1:
            raise DatabaseUnavailable(
                _(
                    "{path} has {links} hard links, so it may be some other file of the "
                    "system; nothing was changed — find out who made the link (ls -li), remove "
                    "it, and keep only one name for the database"
                ).format(path=path, links=info.st_nlink)
            )
        found[entry] = info
    return found


def _check_database_owner(path: Path, info: os.stat_result, take_over: bool) -> int | None:
    """The owner the database file must get (None: keep it), or a refusal."""
    if _trusted(info.st_uid):
        return None
    owner = owner_name(info.st_uid)
    if not take_over:
        raise DatabaseUnavailable(
            _(
                "{path} belongs to {owner}, not to you ({login}); a member's own "
                "file could be anything — if it is the team's database, run this again with "
                "--take-over (root becomes its owner)"
            ).format(path=path, owner=owner, login=current_login())
        )
    if os.geteuid() != 0:
        raise DatabaseUnavailable(
            _("{path} belongs to {owner}; only root can take it over (--take-over)").format(
                path=path, owner=owner
            )
        )
    return 0


def _cannot_change(path: Path, info: os.stat_result, gid: int, mode: int) -> DatabaseUnavailable:
    """The refusal for a path whose group or mode only its owner (or root) may change."""
    owner = owner_name(info.st_uid)
    return DatabaseUnavailable(
        _(
            "cannot give {path} group {group} and mode {mode}: it belongs to "
            "{owner}; run this as {owner} or root"
        ).format(path=path, group=group_name(gid), mode=f"{mode:04o}", owner=owner)
    )


def _needs_change(info: os.stat_result, gid: int, mode: int, owner: int | None = None) -> bool:
    return (
        info.st_gid != gid
        or stat.S_IMODE(info.st_mode) != mode
        or (owner is not None and info.st_uid != owner)
    )


def _set_file(
    descriptor: int,
    path: Path,
    gid: int,
    *,
    created: bool = False,
    owner: int | None = None,
) -> SharedPath:
    """Give one file of the directory the group and mode, on its own open descriptor."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        handle = os.open(path.name, flags, dir_fd=descriptor)
    except FileNotFoundError:
        raise
    except OSError as error:
        if os.path.islink(path):
            raise link_refusal(path, link_target(path)) from None
        raise DatabaseUnavailable(
            _("cannot open {path}: {why}").format(path=path, why=os_reason(error))
        ) from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            raise DatabaseUnavailable(
                _("{path} changed while it was set up; nothing more done").format(path=path)
            )
        group = group_name(gid)
        if not _needs_change(info, gid, FILE_MODE, owner):
            return SharedPath(path, group, FILE_MODE, "created" if created else "unchanged")
        if not _trusted(info.st_uid) and os.geteuid() != 0:
            raise _cannot_change(path, info, gid, FILE_MODE)
        os.fchown(handle, -1 if owner is None else owner, gid)
        os.fchmod(handle, FILE_MODE)  # after chown, which may clear mode bits
        return SharedPath(path, group, FILE_MODE, "created" if created else "changed")
    finally:
        os.close(handle)


_STOP_SIGNALS: Final = (signal.SIGTERM, signal.SIGHUP)


class Stopped(DatabaseUnavailable):
    """``init --shared`` was told to stop (SIGTERM, or SIGHUP when an SSH session ends)."""


@contextmanager
def _signals_end_the_work() -> Iterator[None]:
    """While the directory is locked, SIGTERM and SIGHUP stop the work through ``finally``.

    So the directory gets its mode back, instead of staying 0700 and locking the team
    out. (SIGKILL cannot be caught: running ``init --shared`` again sets the mode.)
    Signals can only be handled on the main thread; elsewhere nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise Stopped(
            _(
                "stopped by {signal}; the directory has its old mode back "
                "and nothing more was changed — run 'salesboard init --shared' again to finish"
            ).format(signal=signal.Signals(signum).name)
        )

    previous = {number: signal.signal(number, stop) for number in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM and SIGHUP back while the directory's mode is put back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _refuse_foreign_side_files(
    directory: Path, entries: dict[str, os.stat_result], name: str
) -> None:
    """As root, refuse to open a database whose side files someone else can change.

    SQLite maps the ``-shm`` file into memory and reads the ``-wal`` file; a member who
    owns them could change them under root's feet while root works. They exist while a
    member's board has the database open (or after it crashed with it open); the last
    session to close the database removes them.
    """
    if os.geteuid() != 0:
        return
    for suffix in SIDE_SUFFIXES:
        info = entries.get(name + suffix)
        if info is not None and not _trusted(info.st_uid):
            owner = owner_name(info.st_uid)
            raise DatabaseUnavailable(
                _(
                    "{path} belongs to {owner}: a board of theirs has the "
                    "database open (or stopped with it open), and root does not open files that "
                    "others can change while it works — ask everyone to close the board (a "
                    "crashed board's files go when anyone runs and ends 'salesboard list'), then "
                    "run this again"
                ).format(path=directory / (name + suffix), owner=owner)
            )


def prepare_shared(
    database: Path,
    group_name_or_id: str,
    create: Callable[[Path], None],
    *,
    take_over: bool = False,
) -> SharedSetup:
    """Set ``database`` up so that every member of the group can read and write it.

    Everything is checked before anything is changed (see the module's docstring);
    ``create`` then creates or upgrades the database at its real path, inside the locked
    directory; last, the database and its side files get the group and mode 660 (SQLite
    copies the mode to side files it creates later) and the directory 2770 (setgid, so
    files any member makes there get the group). Running it again changes nothing.
    """
    group = _group(group_name_or_id)
    gid = group.gr_gid
    with suppress(FileNotFoundError):
        if stat.S_ISDIR(os.lstat(database).st_mode):
            raise DatabaseUnavailable(
                _("cannot share {path}: it is a directory").format(path=database)
            )
    if not in_group(gid):
        raise DatabaseUnavailable(
            _(
                "you ({login}) are not a member of group {group}, so you "
                "cannot give it the database; run this as root or as a member"
            ).format(login=current_login(), group=group.gr_name)
        )
    directory, made = _make_directory(database)
    path = directory / database.name
    descriptor = _open_directory(directory)
    try:
        before = os.fstat(descriptor)
        _check_directory(directory, before, gid)
        lock = os.geteuid() in (0, before.st_uid)
        with _signals_end_the_work():
            if lock:
                os.fchmod(descriptor, LOCKED_MODE)
            finished = False
            try:
                entries = _entries(descriptor, directory, path.name)
                _refuse_foreign_side_files(directory, entries, path.name)
                if not lock and _needs_change(before, gid, DIRECTORY_MODE):
                    raise _cannot_change(directory, before, gid, DIRECTORY_MODE)
                found = entries.get(path.name)
                owner = None if found is None else _check_database_owner(path, found, take_over)
                if (
                    found is not None
                    and not _trusted(found.st_uid)
                    and owner is None
                    and _needs_change(found, gid, FILE_MODE)
                ):
                    raise _cannot_change(path, found, gid, FILE_MODE)
                create(path)
                done = [_set_file(descriptor, path, gid, created=found is None, owner=owner)]
                for suffix in SIDE_SUFFIXES:
                    # Not there, or deleted meanwhile by the last session closing: nothing to set.
                    with suppress(FileNotFoundError):
                        done.append(_set_file(descriptor, path.with_name(path.name + suffix), gid))
                finished = True
            finally:
                with _signals_held():
                    if lock and finished:
                        os.fchown(descriptor, -1, gid)
                        os.fchmod(descriptor, DIRECTORY_MODE)  # after chown, clears setgid
                    elif lock:
                        os.fchmod(descriptor, stat.S_IMODE(before.st_mode))
    finally:
        os.close(descriptor)
    if made:
        action = "created"
    else:
        action = "changed" if _needs_change(before, gid, DIRECTORY_MODE) else "unchanged"
    folder = SharedPath(directory, group.gr_name, DIRECTORY_MODE, action, directory=True)
    return SharedSetup(path, group.gr_name, (folder, *done))
