"""The board's link to everyone else: live changes and presence, on a timer.

A ``LiveUpdates`` belongs to the board screen. Twice a second it asks the service's
``ChangeFeed`` what other sessions committed and hands the changed deal ids to the
screen, which redraws only those cards, their columns' headers and the open pane. It also
runs this session's presence heartbeat (on a thread) and, when anything was committed or
every few seconds, refreshes who else is online and who has the open deal in front of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from textual.notifications import SeverityLevel

from salesboard.errors import SalesboardError
from salesboard.i18n import _
from salesboard.service.live import ChangeFeed
from salesboard.service.presence import Colleague, Heartbeat, PresenceBook

if TYPE_CHECKING:
    from textual.timer import Timer

    from salesboard.service.board import ChangedDeals
    from salesboard.ui.context import BoardContext


class LiveBoard(Protocol):
    """What live updates need from the board they keep current (and nothing more)."""

    ctx: BoardContext

    def set_interval(self, interval: float, callback: Callable[[], object], *, name: str) -> Timer:
        """Call ``callback`` every ``interval`` seconds."""

    def apply_remote_changes(self, changed: ChangedDeals) -> None:
        """Redraw the deals other sessions changed."""

    def rates_changed(self) -> None:
        """Convert the totals again: the team changed a rate or its base currency."""

    def pipeline_changed(self, version: int) -> None:
        """Show the stages and checklists of the pipeline version now in force."""

    def show_presence(self, colleagues: list[Colleague]) -> None:
        """Show who else is on the board."""

    def open_deal_id(self) -> int | None:
        """The deal whose checklist this user has open."""

    def say(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
            timeout: float | None = None) -> None:  # fmt: skip
        """Tell the user something, literally."""


POLL_SECONDS = 0.5
PRESENCE_SECONDS = 5.0
"""Re-read presence at least this often even when nothing is committed (to drop the dead)."""


class LiveUpdates:
    """Polls for other sessions' changes and keeps this session's presence alive."""

    def __init__(self, screen: LiveBoard) -> None:
        self.screen = screen
        ctx = screen.ctx
        self.feed = ChangeFeed(ctx.pipeline.db, ctx.queries)
        self.book = PresenceBook(ctx.pipeline.db, ctx.user)
        self.heartbeat: Heartbeat | None = None
        self.colleagues: list[Colleague] = []
        self._timer: Timer | None = None
        self._presence_read = 0.0
        self._rates_seen: tuple[int, str] = (0, "")
        self._pipeline_seen = 0
        self._failing = False
        self._stopped = False

    def start(self) -> None:
        """Begin polling; announce this session unless the database is read-only for us.

        Does nothing once stopped (a board quit before its first frame was drawn).
        """
        if self._stopped:
            return
        if not self.screen.ctx.pipeline.db.read_only:
            self.heartbeat = Heartbeat(self.book)
            self.heartbeat.start()
        self._timer = self.screen.set_interval(POLL_SECONDS, self.poll, name="live-poll")

    def stop(self) -> None:
        """Stop polling and leave the presence table."""
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()
        if self.heartbeat is not None:
            self.heartbeat.stop()
        self.feed.close()

    def mark_shown(self, rates_version: tuple[int, str]) -> None:
        """The board is about to load from scratch: changes up to now need no redraw."""
        self.feed.mark_shown()
        self._rates_seen = rates_version
        self._pipeline_seen = self.screen.ctx.definitions.version()

    def poll(self) -> None:
        """One look: redraw changed deals, refresh presence when it may have changed."""
        try:
            result = self.feed.poll()
            if result.deals is not None:
                self.screen.apply_remote_changes(result.deals)
            if result.committed:  # rates and the pipeline are no deal's events
                rates = self.screen.ctx.rates.version()
                if rates != self._rates_seen:
                    self._rates_seen = rates
                    self.screen.rates_changed()
                pipeline = self.screen.ctx.definitions.version()
                if pipeline != self._pipeline_seen:
                    self._pipeline_seen = pipeline
                    self.screen.pipeline_changed(pipeline)
            now = time.monotonic()
            if result.committed or now - self._presence_read >= PRESENCE_SECONDS:
                self._presence_read = now
                self.colleagues = self.book.others()
                self.screen.show_presence(self.colleagues)
            if self.heartbeat is not None:
                self.heartbeat.look_at(self.screen.open_deal_id())
        except SalesboardError as error:
            if not self._failing:  # say it once, not twice a second
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
