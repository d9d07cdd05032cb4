"""Who may write a SQLite database file, and setting one up for a whole team.

A WAL database is three files: the database, ``-wal`` and ``-shm``. The side files are
created by whichever process opens the database first, with the database file's mode (and
owner, when root creates them), and deleted by the last one to close it. So a team can
share one file only if its directory is group-owned and setgid (new files get the group)
and the database is group-writable (new side files copy its mode): ``init --shared``.

A user who may not write the database must never create side files either: they would
belong to that user alone and lock everyone else out of writing. Such a user reads through
side files that already exist or, when there are none, with SQLite's ``immutable`` flag,
which creates nothing (see "Read-Only Databases" in SQLite's WAL documentation).
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote

from salesboard.errors import DatabaseUnavailable, InvalidInput
from salesboard.identity import current_login

SIDE_SUFFIXES: Final = ("-wal", "-shm")
DIRECTORY_MODE: Final = 0o2770
FILE_MODE: Final = 0o660
_OWN_FILES: Final = ("", *SIDE_SUFFIXES, "-journal")


def side_files(path: Path) -> tuple[Path, Path]:
    """The ``-wal`` and ``-shm`` files SQLite keeps beside a WAL database."""
    wal, shm = (path.with_name(path.name + suffix) for suffix in SIDE_SUFFIXES)
    return wal, shm


def _may(path: Path, mode: int) -> bool:
    """Whether this process (its effective ids and groups) may access ``path`` so."""
    return os.access(path, mode, effective_ids=os.access in os.supports_effective_ids)


def readable(path: Path) -> bool:
    """Whether this process may read ``path`` (by its effective ids and groups)."""
    return _may(path, os.R_OK)


def write_blocker(path: Path) -> Path | None:
    """The file or directory that keeps this process from writing the database, or None.

    Writing needs the database file, its existing side files, and (for side files not
    there yet) the directory. A database that does not exist yet needs the directory.
    """
    if not path.exists():
        return None if _may(path.parent, os.W_OK | os.X_OK) else path.parent
    if not _may(path, os.W_OK):
        return path
    missing = False
    for side in side_files(path):
        if side.exists():
            if not _may(side, os.W_OK):
                return side
        else:
            missing = True
    if missing and not _may(path.parent, os.W_OK | os.X_OK):
        return path.parent
    return None


def read_only_uri(path: Path) -> str:
    """The SQLite URI that reads ``path`` without writing or creating any file.

    With both side files present, SQLite reads the log through them (read-only, so it
    sees other sessions' commits). Without them the database holds every commit, and
    ``immutable=1`` reads it without creating side files. A log without its index cannot
    be read safely by someone who may not create the index: that is refused, clearly.
    """
    wal, shm = side_files(path)
    uri = "file:" + quote(str(path))
    if wal.exists() and shm.exists():
        return f"{uri}?mode=ro"
    if wal.exists() and wal.stat().st_size > 0:
        raise DatabaseUnavailable(
            f"{path}: cannot be read safely by you now: its recent changes are in {wal.name} "
            f"but {shm.name} is missing and only a user who may write the database can "
            "recreate it; ask one to open it once"
        )
    return f"{uri}?mode=ro&immutable=1"


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _in_group(gid: int) -> bool:
    """Whether this process (not merely the account) belongs to group ``gid``."""
    return os.geteuid() == 0 or gid == os.getegid() or gid in os.getgroups()


def _hint(path: Path, blocker: Path) -> str:
    """What the user can do about ``blocker`` keeping them from writing ``path``."""
    try:
        if os.statvfs(blocker).f_flag & os.ST_RDONLY:
            return "its file system is mounted read-only"
        info = blocker.stat()
    except OSError:
        return "ask the owner for write access"
    group = _group_name(info.st_gid)
    if info.st_mode & stat.S_IWGRP and not _in_group(info.st_gid):
        try:
            members = grp.getgrgid(info.st_gid).gr_mem
        except KeyError:
            members = []
        if current_login() in members:
            return f"you were added to group {group}: log out and in again to use it"
        return f"ask the owner to add you to group {group}"
    owner = _owner_name(info.st_uid)
    return (
        f"{blocker} belongs to {owner} and is not shared; ask them to run "
        f"'salesboard init --shared GROUP --db {path}'"
    )


def read_only_message(path: Path) -> str:
    """The one line for a refused write: whose database, why, and what to do."""
    blocker = write_blocker(path)
    hint = _hint(path, blocker) if blocker is not None else "ask the owner for write access"
    return f"{path}: read-only for you ({current_login()}); nothing was changed — {hint}"


def no_access_message(path: Path) -> str:
    """The one line for a database this user may not even read."""
    blocker = path
    for directory in reversed(path.parents):
        if not _may(directory, os.X_OK):
            blocker = directory
            break
    return f"cannot read {path}: permission denied — {_hint(path, blocker)}"


# ------------------------------------------------------------------- init --shared


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
        return (
            f"{stat.filemode(kind | self.mode)} {self.mode:04o} {self.group} {self.path} "
            f"({self.action})"
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
    if name.isdigit():
        try:
            return grp.getgrgid(int(name))
        except KeyError:
            pass
    raise InvalidInput(f"there is no group {name!r} on this system; create it first (groupadd)")


def _check_directory(directory: Path, database: Path) -> None:
    """Refuse to open up a directory that holds anything but this database's files."""
    own = {database.name + suffix for suffix in _OWN_FILES}
    try:
        others = sorted(entry.name for entry in directory.iterdir() if entry.name not in own)
    except OSError as error:
        raise DatabaseUnavailable(
            f"cannot read directory {directory}: {error.strerror or error}"
        ) from None
    if others:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise DatabaseUnavailable(
            f"{directory} also holds {shown}; a shared database needs a directory of its "
            f"own (its group gets full access), e.g. {directory / 'salesboard' / database.name}"
        )


def _refusal(path: Path, gid: int, mode: int) -> DatabaseUnavailable | None:
    """Why this process may not give ``path`` group ``gid`` and ``mode``; None if it may."""
    info = path.stat()
    if info.st_gid == gid and stat.S_IMODE(info.st_mode) == mode:
        return None
    if os.geteuid() in (0, info.st_uid):
        return None
    owner = _owner_name(info.st_uid)
    return DatabaseUnavailable(
        f"cannot give {path} group {_group_name(gid)} and mode {mode:04o}: it belongs to "
        f"{owner}; run this as {owner} or root"
    )


def _set(path: Path, gid: int, mode: int, created: bool = False) -> SharedPath:
    """Give ``path`` group ``gid`` and ``mode``, unless it has them already."""
    refusal = _refusal(path, gid, mode)
    if refusal is not None:
        raise refusal
    info = path.stat()
    group = _group_name(gid)
    is_dir = stat.S_ISDIR(info.st_mode)
    if info.st_gid == gid and stat.S_IMODE(info.st_mode) == mode:
        return SharedPath(path, group, mode, "created" if created else "unchanged", is_dir)
    os.chown(path, -1, gid)
    os.chmod(path, mode)  # after chown, which may clear the setgid bit
    return SharedPath(path, group, mode, "created" if created else "changed", is_dir)


def prepare_shared(database: Path, group_name: str, create: Callable[[Path], None]) -> SharedSetup:
    """Set ``database`` up so that every member of the group can read and write it.

    The directory (made if missing) gets the group and mode 2770, setgid so that files
    made in it later (the ``-wal`` and ``-shm`` files, by any member) get the group too;
    ``create`` then creates or upgrades the database; last, the database and any side
    files get the group and mode 660, which SQLite copies to side files it creates.
    Everything is checked before anything is changed; running it again changes nothing.
    Changing a mode needs the owner (or root); a member may re-run it once all is set.
    """
    group = _group(group_name)
    if database.is_dir():
        raise DatabaseUnavailable(f"cannot share {database}: it is a directory")
    if not _in_group(group.gr_gid):
        raise DatabaseUnavailable(
            f"you ({current_login()}) are not a member of group {group.gr_name}, so you "
            f"cannot give it the database; run this as root or as a member"
        )
    directory = database.parent
    made = not directory.exists()
    if made:
        try:
            directory.mkdir(mode=0o700, parents=True)
        except OSError as error:
            raise DatabaseUnavailable(
                f"cannot create directory {directory}: {error.strerror or error}"
            ) from None
    else:
        _check_directory(directory, database)
        for path, mode in ((directory, DIRECTORY_MODE), (database, FILE_MODE)):
            refusal = _refusal(path, group.gr_gid, mode) if path.exists() else None
            if refusal is not None:
                raise refusal
    done = [_set(directory, group.gr_gid, DIRECTORY_MODE, created=made)]
    new = not database.exists()
    create(database)
    done.append(_set(database, group.gr_gid, FILE_MODE, created=new))
    for side in side_files(database):
        # Not there, or deleted meanwhile by the last session closing: nothing to set.
        with suppress(FileNotFoundError):
            done.append(_set(side, group.gr_gid, FILE_MODE))
    return SharedSetup(database, group.gr_name, tuple(done))
