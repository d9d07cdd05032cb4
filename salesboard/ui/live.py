"""The board's link to everyone else: live changes and presence.

A ``LiveUpdates`` belongs to the board screen. The service's ``ChangeSignal`` watches the
database on its own thread and wakes the board (through the event loop) only when other
sessions changed something it shows; then the board asks ``ChangeFeed`` which deals
changed and redraws only those cards, their columns' headers and the open pane, converts
the totals again after a rate change, or shows the new pipeline. An idle board runs no
query and draws nothing. It also runs this session's presence heartbeat (on a thread),
tells it which deal is open (when a checklist opens or closes, and every
``TICK_SECONDS`` in case), and shows who else is online when that changed, or every
``PRESENCE_SECONDS`` to drop colleagues whose board died.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from typing import TYPE_CHECKING, Protocol

from textual.notifications import SeverityLevel

from salesboard.errors import SalesboardError
from salesboard.i18n import _
from salesboard.service.live import (
    DEALS,
    EVERYTHING,
    PIPELINE,
    PRESENCE,
    RATES,
    ChangeFeed,
    ChangeSignal,
)
from salesboard.service.presence import Colleague, Heartbeat, PresenceBook

if TYPE_CHECKING:
    from salesboard.service.board import ChangedDeals
    from salesboard.ui.context import BoardContext


class LiveBoard(Protocol):
    """What live updates need from the board they keep current (and nothing more)."""

    ctx: BoardContext

    def apply_remote_changes(self, changed: ChangedDeals) -> None:
        """Redraw the deals other sessions changed."""

    def rates_changed(self) -> None:
        """Convert the totals again: the team changed a rate or its base currency."""

    def pipeline_changed(self, version: int) -> None:
        """Show the stages and checklists of the pipeline version now in force."""

    def show_presence(self, colleagues: list[Colleague]) -> None:
        """Show who else is on the board."""

    def database_replaced(self) -> None:
        """Show the file now at the database's path whole: another file took its place."""

    def open_deal_id(self) -> int | None:
        """The deal whose checklist this user has open."""

    def say(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
            timeout: float | None = None) -> None:  # fmt: skip
        """Tell the user something, literally."""


TICK_SECONDS = 5.0
"""How often the open deal is handed to the heartbeat anyway (a comparison, no database).
The board hands it over at once when it opens or closes a checklist
(``follow_open_deal``); this catches any other way the open deal changes. Each tick
wakes an idle board: at 1 s fifty idle boards took 5.2 % of a core."""
PRESENCE_SECONDS = 15.0
"""Re-read presence at least this often even when nothing changed (to drop the dead:
their rows stay until a heartbeat sweeps them, and sweeping wakes every board anyway)."""


class LiveUpdates:
    """Wakes on other sessions' changes and keeps this session's presence alive."""

    def __init__(self, screen: LiveBoard) -> None:
        self.screen = screen
        ctx = screen.ctx
        self.feed = ChangeFeed(ctx.pipeline.db, ctx.queries)
        self.signal = ChangeSignal(ctx.pipeline.db)
        self.book = PresenceBook(ctx.pipeline.db, ctx.user)
        self.heartbeat: Heartbeat | None = None
        self.colleagues: list[Colleague] = []
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._context: contextvars.Context | None = None
        self._presence_read = 0.0
        self._rates_seen: tuple[int, str] = (0, "")
        self._pipeline_seen = 0
        self._failing = False
        self._stopped = False

    def start(self) -> None:
        """Begin watching; announce this session unless the database is read-only for us.

        Does nothing once stopped (a board quit before its first frame was drawn).
        """
        if self._stopped:
            return
        if not self.screen.ctx.pipeline.db.read_only:
            self.heartbeat = Heartbeat(self.book)
            self.heartbeat.start()
        self.feed.signalled()  # the signal's thread watches from now on, on its own connection
        self._loop = asyncio.get_running_loop()
        self._context = contextvars.copy_context()  # Textual's (the active app), for wake-ups
        self.signal.start(self._wake_from_thread)
        self._timer = self._loop.call_later(TICK_SECONDS, self._tick)

    def stop(self) -> None:
        """Stop watching and leave the presence table."""
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
        self.signal.stop()
        if self.heartbeat is not None:
            self.heartbeat.stop()
        self.feed.close()

    def mark_shown(self, rates_version: tuple[int, str]) -> None:
        """The board is about to load from scratch: changes up to now need no redraw."""
        self.feed.mark_shown()
        self._rates_seen = rates_version
        self._pipeline_seen = self.screen.ctx.definitions.version()

    def _wake_from_thread(self) -> None:
        loop, context = self._loop, self._context
        if loop is not None and not self._stopped:
            with contextlib.suppress(RuntimeError):  # the loop closed: the board is gone
                loop.call_soon_threadsafe(self._changes_arrived, context=context)

    def _changes_arrived(self) -> None:
        if not self._stopped:
            self.refresh(self.signal.take())

    def _tick(self) -> None:
        # A bare event-loop timer (it keeps Textual's context): a Textual timer costs more.
        if self._stopped or self._loop is None:
            return
        self._timer = self._loop.call_later(TICK_SECONDS, self._tick)
        if self.heartbeat is not None:
            self.heartbeat.look_at(self.screen.open_deal_id())
        if time.monotonic() - self._presence_read >= PRESENCE_SECONDS:
            self.refresh(frozenset({PRESENCE}))

    def follow_open_deal(self, deal_id: int | None) -> None:
        """Tell colleagues now that this user has ``deal_id``'s checklist open (or none).

        Called as a checklist opens or closes: a comparison and, if the deal changed, a
        wake-up of the heartbeat's thread, which writes it; the caller never waits.
        """
        if self.heartbeat is not None and not self._stopped:
            self.heartbeat.look_at(deal_id)

    def poll(self) -> None:
        """Look at everything now, as if every kind of change had been signalled."""
        self.refresh(EVERYTHING)

    def refresh(self, kinds: frozenset[str]) -> None:
        """Show what other sessions changed among ``kinds`` (see ``service.live``)."""
        if not kinds:
            return
        try:
            if self.feed.file_replaced():
                self.screen.database_replaced()
                return
            if DEALS in kinds:
                result = self.feed.look(kinds)
                if result.deals is not None:
                    self.screen.apply_remote_changes(result.deals)
            if RATES in kinds:  # rates and the pipeline are no deal's events
                rates = self.screen.ctx.rates.version()
                if rates != self._rates_seen:
                    self._rates_seen = rates
                    self.screen.rates_changed()
            if PIPELINE in kinds:
                pipeline = self.screen.ctx.definitions.version()
                if pipeline != self._pipeline_seen:
                    self._pipeline_seen = pipeline
                    self.screen.pipeline_changed(pipeline)
            if PRESENCE in kinds:
                self._presence_read = time.monotonic()
                colleagues = self.book.others()
                if colleagues != self.colleagues:  # the same people: nothing to redraw
                    self.colleagues = colleagues
                    self.screen.show_presence(colleagues)
        except SalesboardError as error:
            if not self._failing:  # say it once, not at every look
                self.screen.say(
                    _("Live updates paused: {error}").format(error=error),
                    title=_("Database problem"),
                    severity="error",
                )
            self._failing = True
        else:
            if self._failing:
                self.screen.say(_("Live updates resumed"), timeout=3)
            self._failing = False

    def viewers_of(self, deal_id: int) -> list[str]:
        """Logins of other sessions that have this deal open, each once."""
        return sorted({c.login for c in self.colleagues if c.deal_id == deal_id})
