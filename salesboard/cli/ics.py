"""The agenda as an iCalendar file that a calendar app can subscribe to.

Each open activity is one VEVENT whose UID stays the same from one export to the next
(``activity-<id>@salesboard``), so a subscribed calendar updates an event instead of
adding a copy. Times are written in UTC; the calendar app shows them in its own zone.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

from salesboard.cli.params import PROG
from salesboard.errors import InvalidInput
from salesboard.i18n import _
from salesboard.substance import ActivityKind, kind_word
from salesboard.validation import display_safe

if TYPE_CHECKING:
    from salesboard.service.part_rows import AgendaEntry

DURATIONS: Final = {
    ActivityKind.MEETING: timedelta(hours=1),
    ActivityKind.VISIT: timedelta(hours=1),
    ActivityKind.CALL: timedelta(minutes=30),
    ActivityKind.FOLLOW_UP: timedelta(minutes=30),
    ActivityKind.TASK: timedelta(minutes=30),
}
"""How long an event is shown: an activity has a due time but no end."""


def uid(activity_id: int) -> str:
    """The event's lasting identity in every export."""
    return f"activity-{activity_id}@{PROG}"


def agenda_calendar(entries: Sequence[AgendaEntry], stamp: datetime, name: str) -> bytes:
    """The entries as an iCalendar (RFC 5545) file; ``stamp`` is when it was made (UTC)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", f"-//{PROG}//{PROG}//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", display_safe(name))
    for entry in entries:
        activity = entry.activity
        event = Event()
        event.add("uid", uid(activity.id))
        event.add("dtstamp", stamp)
        event.add("dtstart", activity.due_at)
        event.add("duration", DURATIONS[activity.kind])
        summary = _("{kind}: {title} — {deal}").format(
            kind=kind_word(activity.kind),
            title=display_safe(activity.title),
            deal=display_safe(entry.deal_title),
        )
        event.add("summary", summary)
        if activity.agenda.strip():
            event.add("description", display_safe(activity.agenda, multiline=True))
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file at ``path`` in one step: a subscriber never reads half a file.

    The new content goes to a temporary file that this call creates itself (``mkstemp``:
    a random name, ``O_EXCL``, never through a link), beside the target, written and
    synced, then renamed over the target. A link planted under a guessable name in a
    shared directory is never written through, and a failure removes only that file.
    Only a regular file is replaced; anything else at ``path`` (a link, a device, a FIFO,
    a directory) is refused with ``InvalidInput``. The file keeps the permissions (and,
    where allowed, the owner and group) of the one it replaces; a new file gets
    ``0o666`` less the umask, as a plain ``open`` would give it.
    """
    target = Path(path)
    try:
        existing = _replaceable(target, path)
        mode = stat.S_IMODE(existing.st_mode) & 0o777 if existing else 0o666 & ~_umask()
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as error:
        error.filename = path
        raise
    replaced = False
    try:
        with os.fdopen(handle, "wb") as out:
            if existing is not None:
                # A team's file stays the team's: best effort (only root may give it away).
                with suppress(OSError):
                    os.fchown(out.fileno(), existing.st_uid, existing.st_gid)
            os.fchmod(out.fileno(), mode)  # after fchown, which may clear mode bits
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        replaced = True
    except OSError as error:
        error.filename = path
        raise
    finally:
        if not replaced:
            with suppress(OSError):
                os.unlink(temporary)


def _replaceable(target: Path, path: str) -> os.stat_result | None:
    """The status of the file ``target`` replaces (None: there is none yet).

    ``lstat``, so a link is seen as a link: it is refused rather than followed, since in a
    shared directory it may point at a file the user running the export never meant to
    touch (and renaming over it would replace the link, not what it points at).
    """
    try:
        found = target.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(found.st_mode):
        raise InvalidInput(
            _("{file}: a symbolic link; give the file it points to").format(file=display_safe(path))
        )
    if not stat.S_ISREG(found.st_mode):
        raise InvalidInput(_("{file}: not a regular file").format(file=display_safe(path)))
    return found


def _umask() -> int:
    """The process's umask (reading it means setting it; it is put back at once)."""
    current = os.umask(0o077)
    os.umask(current)
    return current
