"""The board as each user left it: card order, whose deals, weighted totals, per database.

A small JSON file in the user's config directory (platformdirs: ``~/.config/salesboard/``
on Linux), private to the user (mode 0600), written whole and swapped in so that a board
killed mid-write never leaves half a file. A file that cannot be read or written costs
only the remembering: the board starts as new and says why once, never stops.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from salesboard.errors import os_reason
from salesboard.i18n import _
from salesboard.service.sorting import CardOrder

FILE_NAME: Final = "settings.json"
LOCK_NAME: Final = ".settings.lock"
MAX_BYTES: Final = 256 * 1024
"""A settings file is a few hundred bytes; anything much larger is not ours."""
OWNER_LONGEST: Final = 4096
"""A remembered owner longer than this is not one (owners written past the rules aside,
logins are at most ``validation.OWNER_MAX`` characters)."""
MAX_BOARDS: Final = 50
"""How many databases' settings are kept (the least recently used go first)."""


@dataclass(frozen=True)
class BoardSettings:
    """What is remembered of one board: its card order and the owner it shows (None: all)."""

    order: CardOrder = CardOrder.BOARD
    owner: str | None = None
    weighted: bool = False
    """Whether the column headers show weighted values (``v``)."""


def board_key(url: str) -> str:
    """Which database the settings are for: a SQLite file by its full path, else its URL.

    ``--db demo.db`` opened from two directories is two databases; a password is never
    written down (``shown_url``: neither ``user:password@`` nor ``?password=``).
    """
    from sqlalchemy.engine import make_url

    from salesboard.store.location import shown_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        return database if database == ":memory:" else str(Path(database).resolve())
    return shown_url(url)


def default_path() -> Path:
    """The settings file in the user's config directory."""
    from platformdirs import user_config_path

    return user_config_path("salesboard") / FILE_NAME


class SettingsFile:
    """Reads and writes the remembered settings of every database this user opens."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        """Where the file is (worked out when first needed)."""
        if self._path is None:
            self._path = default_path()
        return self._path

    def load(self, board: str) -> tuple[BoardSettings, str | None]:
        """The settings remembered for the database named ``board``, and any problem.

        The problem is one line for the user; the settings are then the defaults.
        """
        try:
            boards = self._read()
        except _Unreadable as problem:
            started = _("{problem} The board starts in board order, all deals.")
            return BoardSettings(), started.format(problem=problem)
        entry = boards.get(board)
        if entry is None:
            return BoardSettings(), None
        return _settings_of(entry)

    def save(self, board: str, settings: BoardSettings) -> str | None:
        """Remember ``settings`` for ``board``; a problem comes back as one line.

        A file that is there but cannot be read is left as it is (it may hold what
        another version or the user wrote), and the settings are not remembered. Two
        boards of the same user saving at once take turns (a lock beside the file), so
        neither undoes the other's choice.
        """
        try:
            with self._turn():
                try:
                    boards = self._read()
                except _Unreadable as problem:
                    return _("Not remembered: {problem} It was left as it is.").format(
                        problem=problem
                    )
                boards.pop(board, None)
                boards[board] = {
                    "order": settings.order.value,
                    "owner": settings.owner,
                    "weighted": settings.weighted,
                }
                kept = dict(list(boards.items())[-MAX_BOARDS:])
                # ASCII with escapes: any text (a path that is not UTF-8) can be written.
                text = json.dumps({"version": 1, "boards": kept}, ensure_ascii=True, indent=1)
                self._write(text + "\n")
        except OSError as error:
            why = os_reason(error) if error.errno else type(error).__name__
            return _("Could not remember the board's order and owner in {path}: {why}.").format(
                path=self.path, why=why
            )
        return None

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """Hold the lock beside the settings file while it is read and written again."""
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            _forget_leftovers(folder)
            yield
        finally:
            os.close(handle)  # closing releases the lock

    def _read(self) -> dict[str, Any]:
        path = self.path
        try:
            # Non-blocking, so that a FIFO or a device put where the file belongs cannot
            # hang the board's start; only a regular file is read.
            handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise _Unreadable(_cannot_read(path, error)) from None
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise _Unreadable(_("{path} is not a file.").format(path=path))
            data = b""
            while len(data) <= MAX_BYTES:
                chunk = os.read(handle, MAX_BYTES + 1 - len(data))
                if not chunk:
                    break
                data += chunk
        except OSError as error:
            raise _Unreadable(_cannot_read(path, error)) from None
        finally:
            os.close(handle)
        if len(data) > MAX_BYTES:
            raise _Unreadable(_("{path} is too large to be a settings file.").format(path=path))
        try:
            found = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):  # not UTF-8 or JSON, or nested past reason
            raise _Unreadable(_not_settings(path)) from None
        boards = found.get("boards") if isinstance(found, dict) else None
        if not isinstance(boards, dict):
            raise _Unreadable(_not_settings(path))
        return {name: entry for name, entry in boards.items() if isinstance(entry, dict)}

    def _write(self, text: str) -> None:
        path = self.path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".settings-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)  # mkstemp made it 0600: private to the user
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _forget_leftovers(folder: Path) -> None:
    """Remove half-written files of boards killed while saving (older than a minute)."""
    cutoff = time.time() - 60
    for leftover in folder.glob(".settings-*"):
        with suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


class _Unreadable(Exception):
    """The settings file exists but cannot be used; the message says why."""


def _cannot_read(path: Path, error: OSError) -> str:
    return _("{path} cannot be read: {why}.").format(path=path, why=os_reason(error))


def _not_settings(path: Path) -> str:
    return _("{path} is not a salesboard settings file.").format(path=path)


def _settings_of(entry: dict[str, Any]) -> tuple[BoardSettings, str | None]:
    """One board's stored settings, checked; what cannot be used is left at its default."""
    bad_order = bad_owner = False
    order = CardOrder.BOARD
    stored_order = entry.get("order", CardOrder.BOARD.value)
    try:
        order = CardOrder.parse(str(stored_order))
    except ValueError:
        bad_order = True
    owner = entry.get("owner")
    # Kept as it was chosen (it is only compared with the deals' owners, and shown
    # literally): an owner stored with odd characters still finds that owner's deals.
    if owner is not None and not (isinstance(owner, str) and 0 < len(owner) <= OWNER_LONGEST):
        owner = None
        bad_owner = True
    problem: str | None = None
    if bad_order and bad_owner:
        problem = _(
            "The remembered settings had an unknown card order and an owner that is not "
            "a login; left out."
        )
    elif bad_order:
        problem = _("The remembered settings had an unknown card order; left out.")
    elif bad_owner:
        problem = _("The remembered settings had an owner that is not a login; left out.")
    weighted = entry.get("weighted") is True  # anything else: the plain values, said nothing
    return BoardSettings(order, owner, weighted), problem
