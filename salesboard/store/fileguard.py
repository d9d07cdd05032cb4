"""Opening a SQLite database file without ever following a link someone planted.

On a shared server the database's directory is writable by the whole team, so any member
can put a symbolic link where the database or one of its side files (``-wal``, ``-shm``,
``-journal``) belongs, pointing at a file of someone else's. Whoever opens the board next
(root, during ``init --shared``, or a colleague) would then create, read or write that
other file with their own rights. So salesboard never follows a link to a database file:

- every open looks at the file and its side files with ``lstat`` (never ``stat``) and
  refuses a link, naming it and its target, or anything that is not a regular file;
- only ``create_database_file`` creates a database, with ``O_CREAT | O_EXCL | O_NOFOLLOW``
  (an existing name, link or not, is never created through), and only when the caller
  says so (``salesboard init``, the first board on the default file, the demo);
- SQLite then opens the file with ``mode=rw`` (or ``mode=ro``), which never creates one,
  and ``check_opened_file`` asks SQLite which file it really opened before anything is
  read or written, so a link swapped in after the checks is caught too;
- SQLite opens its side files with ``O_NOFOLLOW`` itself (``tests/test_hardening.py``
  checks that the SQLite in use does).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Final

from salesboard.errors import DatabaseMissing, DatabaseUnavailable, os_reason
from salesboard.i18n import _

SIDE_SUFFIXES: Final = ("-wal", "-shm", "-journal")


def link_target(path: Path | str, *, dir_fd: int | None = None) -> str:
    """Where a symbolic link points, for messages (``?`` if it cannot be read)."""
    try:
        return os.readlink(path, dir_fd=dir_fd)
    except OSError:
        return "?"


def link_refusal(path: Path, target: str) -> DatabaseUnavailable:
    """The refusal for a database path or side file that is a symbolic link."""
    return DatabaseUnavailable(
        _(
            "{path} is a symbolic link to {target}; salesboard never follows a link to a "
            "database file (one planted in a shared directory could make it write elsewhere) — "
            "remove the link, or give --db the real file if you put the link there yourself"
        ).format(path=path, target=target)
    )


def not_a_file_refusal(path: Path, info: os.stat_result) -> DatabaseUnavailable:
    """The refusal for a database path or side file that is not a regular file."""
    if stat.S_ISDIR(info.st_mode):
        return DatabaseUnavailable(_("cannot open {path}: it is a directory").format(path=path))
    return DatabaseUnavailable(_("cannot open {path}: it is not a regular file").format(path=path))


def side_paths(path: Path) -> tuple[Path, ...]:
    """The files SQLite may keep beside the database: ``-wal``, ``-shm`` and ``-journal``."""
    return tuple(path.with_name(path.name + suffix) for suffix in SIDE_SUFFIXES)


def _lstat(path: Path) -> os.stat_result | None:
    """``lstat`` of ``path``, or None if there is nothing there."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def check_database_file(path: Path) -> bool:
    """Whether the database exists, after refusing anything that is not plainly a file.

    Looks at ``path`` and its side files without following links. A missing directory,
    a link, a directory or a device in any of those places is refused with a one-line
    reason. ``PermissionError`` (a directory on the way that may not be searched) is left
    to the caller, who knows whom to tell to ask.
    """
    parent = path.parent
    if not parent.is_dir():
        raise DatabaseUnavailable(
            _("cannot open {path}: directory {parent} does not exist").format(
                path=path, parent=parent
            )
        )
    info = _lstat(path)
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise link_refusal(path, link_target(path))
        if not stat.S_ISREG(info.st_mode):
            raise not_a_file_refusal(path, info)
    for side in side_paths(path):
        side_info = _lstat(side)
        if side_info is None:
            continue
        if stat.S_ISLNK(side_info.st_mode):
            raise link_refusal(side, link_target(side))
        if not stat.S_ISREG(side_info.st_mode):
            raise not_a_file_refusal(side, side_info)
    return info is not None


def missing_database(path: Path) -> DatabaseMissing:
    """The refusal for a command that would otherwise create a database by mistake."""
    return DatabaseMissing(
        _(
            "no database at {path}; create it with 'salesboard init --db {path}' "
            "(or check the path for a typo)"
        ).format(path=path)
    )


def create_database_file(path: Path) -> bool:
    """Create an empty database file, never through a link; False if one appeared meanwhile.

    ``O_EXCL`` fails on any existing name, a dangling link included, so nothing outside
    the directory can be created this way. SQLite fills the empty file on first use.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, 0o666)
    except FileExistsError:
        return False
    except OSError as error:
        raise DatabaseUnavailable(
            _("cannot create {path}: {why}").format(path=path, why=os_reason(error))
        ) from None
    os.close(descriptor)
    return True


def expected_main_file(path: Path) -> str:
    """The name SQLite reports for ``path`` when no link was followed at its last step.

    SQLite resolves links in the whole name; the directories on the way may be links (an
    administrator's ``/srv -> /data/srv``), the file itself may not.
    """
    return os.path.join(os.path.realpath(path.parent), path.name)


def check_opened_file(dbapi_connection: Any, path: Path) -> None:
    """Refuse a connection whose main file is not ``path`` itself (a link swapped in).

    Runs first on every new connection, before any page is read or written.
    """
    # File names are bytes on Linux and need not be UTF-8: compare them as bytes.
    text_factory = dbapi_connection.text_factory
    dbapi_connection.text_factory = bytes
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
        dbapi_connection.text_factory = text_factory
    opened = next((bytes(row[2]) for row in rows if row[1] == b"main"), b"")
    if opened and opened != os.fsencode(expected_main_file(path)):
        dbapi_connection.close()
        raise link_refusal(path, os.fsdecode(opened))
