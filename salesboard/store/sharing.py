"""Who may write a SQLite database file, and how to read one without writing.

A WAL database is three files: the database, ``-wal`` and ``-shm``. The side files are
created by whichever process opens the database first, with the database file's mode (and
owner, when root creates them), and deleted by the last one to close it. So a team can
share one file only if its directory is group-owned and setgid (new files get the group)
and the database is group-writable (new side files copy its mode): ``init --shared``
(``shared_setup``) sets that up.

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
from pathlib import Path
from typing import Final
from urllib.parse import quote

from salesboard.errors import DatabaseUnavailable
from salesboard.i18n import _
from salesboard.identity import current_login

SIDE_SUFFIXES: Final = ("-wal", "-shm")


def side_files(path: Path) -> tuple[Path, Path]:
    """The ``-wal`` and ``-shm`` files SQLite keeps beside a WAL database."""
    wal, shm = (path.with_name(path.name + suffix) for suffix in SIDE_SUFFIXES)
    return wal, shm


def _lstat(path: Path) -> os.stat_result | None:
    """``lstat`` of ``path`` (links are refused before this is asked), None if absent."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


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
    uri = "file:" + quote(os.fsencode(path))
    wal_info, shm_info = _lstat(wal), _lstat(shm)
    if wal_info is not None and shm_info is not None:
        return f"{uri}?mode=ro"
    if wal_info is not None and wal_info.st_size > 0:
        raise DatabaseUnavailable(
            _(
                "{path}: cannot be read safely by you now: its recent changes are in {wal} "
                "but {shm} is missing and only a user who may write the database can "
                "recreate it; ask one to open it once"
            ).format(path=path, wal=wal.name, shm=shm.name)
        )
    return f"{uri}?mode=ro&immutable=1"


def group_name(gid: int) -> str:
    """A group's name for messages (its number if it has none)."""
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def owner_name(uid: int) -> str:
    """A user's login for messages (the number if the account is gone)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def in_group(gid: int) -> bool:
    """Whether this process (not merely the account) belongs to group ``gid``."""
    return os.geteuid() == 0 or gid == os.getegid() or gid in os.getgroups()


def _hint(path: Path, blocker: Path) -> str:
    """What the user can do about ``blocker`` keeping them from writing ``path``."""
    try:
        if os.statvfs(blocker).f_flag & os.ST_RDONLY:
            return _("its file system is mounted read-only")
        info = blocker.stat()
    except OSError:
        return _("ask the owner for write access")
    group = group_name(info.st_gid)
    if info.st_mode & stat.S_IWGRP and not in_group(info.st_gid):
        try:
            members = grp.getgrgid(info.st_gid).gr_mem
        except KeyError:
            members = []
        if current_login() in members:
            return _("you were added to group {group}: log out and in again to use it").format(
                group=group
            )
        return _("ask the owner to add you to group {group}").format(group=group)
    if info.st_uid == os.geteuid():
        mode = f"{stat.S_IMODE(info.st_mode):04o}"
        return _(
            "{blocker} is yours but its mode ({mode}) does not let you write it; "
            "'chmod u+w {blocker}' makes it writable"
        ).format(blocker=blocker, mode=mode)
    owner = owner_name(info.st_uid)
    return _(
        "{blocker} belongs to {owner} and is not shared; ask them to run "
        "'salesboard init --shared GROUP --db {path}'"
    ).format(blocker=blocker, owner=owner, path=path)


def read_only_message(path: Path) -> str:
    """The one line for a refused write: whose database, why, and what to do."""
    blocker = write_blocker(path)
    hint = _hint(path, blocker) if blocker is not None else _("ask the owner for write access")
    return _("{path}: read-only for you ({login}); nothing was changed — {hint}").format(
        path=path, login=current_login(), hint=hint
    )


def no_access_message(path: Path) -> str:
    """The one line for a database this user may not even read."""
    blocker = path
    for directory in reversed(path.parents):
        if not _may(directory, os.X_OK):
            blocker = directory
            break
    return _("cannot read {path}: permission denied — {hint}").format(
        path=path, hint=_hint(path, blocker)
    )
