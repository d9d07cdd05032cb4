"""What other sessions changed since the board last looked, found cheaply.

A running board polls ``ChangeFeed.poll`` about twice a second. Most polls cost one
``PRAGMA data_version`` (nothing committed anywhere). When something was committed, the
newest event id says whether any deal changed; only then are the changed deals listed.
Heartbeats commit too but write no event, so they never make a board redraw its columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesboard.service.board import BoardQueries, ChangedDeals
from salesboard.store import Database
from salesboard.store.watch import ChangeWatcher


@dataclass(frozen=True)
class Poll:
    """One look at the database: whether anything was committed, and which deals changed."""

    committed: bool
    deals: ChangedDeals | None = None


class ChangeFeed:
    """Tracks the newest event this board has shown, and reports what came after it."""

    def __init__(self, db: Database, queries: BoardQueries) -> None:
        self._queries = queries
        self._watcher = ChangeWatcher(db)
        self.seen_event_id = 0

    def mark_shown(self) -> None:
        """The board is loading from scratch: everything committed up to now will be shown.

        Called before the board reads, so a commit landing during the load is reported
        by the next poll (redrawing a deal already shown is harmless).
        """
        self._watcher.changed()  # the baseline for "committed since"
        self.seen_event_id = self._queries.last_event_id()

    def poll(self) -> Poll:
        """What changed since the previous poll (``committed`` False: nothing at all)."""
        if not self._watcher.changed():
            return Poll(committed=False)
        if self._queries.last_event_id() == self.seen_event_id:
            return Poll(committed=True)
        changed = self._queries.changed_since(self.seen_event_id)
        self.seen_event_id = changed.last_event_id
        return Poll(committed=True, deals=changed)

    def close(self) -> None:
        """Release the watcher's connection."""
        self._watcher.close()
