"""Who else is on the board right now, and which deal each has open.

Every running board keeps one row in the ``presence`` table fresh with a heartbeat.
Heartbeats run on their own thread, so a slow or locked database never delays a key
press, and they write no event, so other boards see that no deal changed and do not
redraw their columns. A board that quits deletes its row; a board that crashed stops
being counted once its row is older than ``PRESENCE_TTL`` and is swept by anyone's next
heartbeat.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlmodel import col, select

from salesboard.errors import DatabaseUnavailable, SalesboardError
from salesboard.i18n import _
from salesboard.service.pipeline import utc_now
from salesboard.service.rows import text
from salesboard.store import Database, Presence

HEARTBEAT_EVERY = timedelta(seconds=15)
PRESENCE_TTL = timedelta(seconds=45)
CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead another computer's clock may be (PostgreSQL serves several). A heartbeat
dated later than that was not written by a board: it counts nobody and is swept."""
"""A session unheard of for this long is gone: a crashed board vanishes within a minute."""


@dataclass(frozen=True)
class Colleague:
    """One running board: whose it is and the deal it has open, if any."""

    session_id: str
    login: str
    deal_id: int | None


class PresenceBook:
    """One session's entry in the presence table, and a view of everyone else's."""

    def __init__(
        self,
        db: Database,
        login: str,
        *,
        clock: Callable[[], datetime] = utc_now,
        session_id: str | None = None,
    ) -> None:
        self.db = db
        self.login = login
        self.session_id = session_id or uuid.uuid4().hex
        self._clock = clock
        self._started = clock()

    def beat(self, deal_id: int | None) -> None:
        """Say "I am here, looking at ``deal_id``" and sweep sessions that went silent."""
        now = self._clock()
        with self.db.write() as session:
            seen = col(Presence.seen_at)
            session.execute(
                delete(Presence).where((seen < now - PRESENCE_TTL) | (seen > now + CLOCK_SKEW))
            )
            # Plain statements, no row loaded: any member can write this table, and a row
            # that does not parse must not stop this board from saying it is here.
            mine = col(Presence.session_id) == self.session_id
            found = session.execute(
                update(Presence).where(mine).values(deal_id=deal_id, seen_at=now)
            )
            if not getattr(found, "rowcount", 0):
                session.execute(
                    insert(Presence).values(
                        session_id=self.session_id,
                        login=self.login,
                        deal_id=deal_id,
                        started_at=self._started,
                        seen_at=now,
                    )
                )

    def leave(self) -> None:
        """Remove this session at once, instead of waiting for it to expire."""
        with self.db.write() as session:
            session.execute(delete(Presence).where(col(Presence.session_id) == self.session_id))

    def everyone(self) -> list[Colleague]:
        """Every live session, this one included, oldest first."""
        now = self._clock()
        query = (
            select(col(Presence.session_id), col(Presence.login), col(Presence.deal_id))
            .where(col(Presence.seen_at) >= now - PRESENCE_TTL)
            .where(col(Presence.seen_at) <= now + CLOCK_SKEW)
            .order_by(col(Presence.started_at), col(Presence.session_id))
        )
        with self.db.read() as session:
            found = session.connection().execute(query).all()
        # Read as untrusted data: any member can write this table directly.
        return [
            Colleague(text(session_id), text(login), deal_id if type(deal_id) is int else None)
            for session_id, login, deal_id in found
        ]

    def others(self) -> list[Colleague]:
        """Every live session but this one."""
        return [c for c in self.everyone() if c.session_id != self.session_id]


class Heartbeat:
    """Keeps a ``PresenceBook`` fresh from a background thread.

    ``look_at`` is called from the UI when the open deal changes; it only records the
    wish and wakes the thread, so the caller never waits for the database. Failures
    (locked, read-only, gone) are kept in ``last_error`` and retried at the next beat:
    presence is a courtesy, never a reason to disturb the user.
    """

    def __init__(self, book: PresenceBook, every: timedelta = HEARTBEAT_EVERY) -> None:
        self.book = book
        self.every = every
        self.last_error: SalesboardError | None = None
        self._deal_id: int | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="salesboard-heartbeat", daemon=True)
        self.beats = 0

    def start(self) -> None:
        """Announce this session now (from the thread) and keep it alive."""
        self._thread.start()

    def look_at(self, deal_id: int | None) -> None:
        """Tell colleagues which deal this board has open (``None``: just the board)."""
        if deal_id != self._deal_id:
            self._deal_id = deal_id
            self._wake.set()

    def stop(self, *, timeout: float = 2.0) -> None:
        """Stop beating and remove this session's row (best effort)."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._beat_once()
            self._wake.wait(self.every.total_seconds())
            self._wake.clear()
        with contextlib.suppress(SalesboardError):
            self.book.leave()

    def _beat_once(self) -> None:
        try:
            self.book.beat(self._deal_id)
        except SalesboardError as error:
            self.last_error = error
        except Exception as error:  # the thread must outlive any one bad beat
            self.last_error = DatabaseUnavailable(
                _("presence could not be updated: {error}").format(error=error)
            )
        else:
            self.last_error = None
            self.beats += 1
