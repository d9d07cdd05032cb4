"""The agenda as an iCalendar file that a calendar app can subscribe to.

Each open activity is one VEVENT whose UID stays the same from one export to the next
(``activity-<id>@salesboard``), so a subscribed calendar updates an event instead of
adding a copy. Times are written in UTC; the calendar app shows them in its own zone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final

from salesboard.cli.params import PROG
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
    """Replace the file at ``path`` in one step: a subscriber never reads half a file."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        error.filename = path
        raise
