"""Making a change from the board without ever freezing it.

A change first tries to take the database's write lock for a moment (``QUICK_WAIT_MS``)
right away: the everyday case, saved within the key's own frame. When another session
holds the lock (a long write elsewhere, a colleague's script), the change goes to a worker
thread that waits up to the full busy timeout, and meanwhile

- the board keeps answering keys;
- the status line shows the change as pending;
- a second change to the same deal is refused until the first is settled (no double
  submit);
- the outcome is reported when it comes: saved, a conflict, or given up after the timeout.

Only the worker waits; everything it reports is handed back to the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from rich.text import Text

from salesboard.errors import Busy, SalesboardError
from salesboard.i18n import _
from salesboard.service import DealView, Pipeline
from salesboard.validation import display_safe
from salesboard.workflow import WorkflowRefusal

if TYPE_CHECKING:
    from salesboard.ui.board_screen import BoardScreen

QUICK_WAIT_MS: Final = 150
"""How long a change waits for the lock on the event loop before it moves to a worker."""

Change = Callable[[Pipeline, int | None], DealView]
"""A service call, given the pipeline to use and the version the user saw."""


Done = Callable[[DealView, bool], None]
"""What to do with the saved deal; the flag is True when it was saved after a wait."""


Refused = Callable[[Exception, bool], bool]
"""Handles a refusal itself (True) or leaves it to the usual notice; ``later`` as above."""


class ChangeRunner:
    """Runs the board's changes: at once when it can, in a worker when it must wait."""

    def __init__(self, screen: BoardScreen) -> None:
        self.screen = screen
        self.pending: dict[int | str, str] = {}
        """The changes waiting for the lock, by deal (``"new"`` for a deal being made)."""
        self.quitting = False
        """The user asked to quit: the board closes once nothing is pending (``quit``)."""
        self.given_up: list[str] = []
        """What was not saved while quitting, said on the way out."""

    def quit(self) -> bool:
        """Quit now, or once every pending change is saved or given up (False: later).

        Quitting with a change still waiting for the lock left the user at a blank
        screen for the busy timeout and then ended without a word, the change lost.
        """
        if not self.pending:
            return True
        self.quitting = True
        self.screen.say(
            _(
                "Still saving {changes}; the board closes as soon as that is saved or "
                "given up (within {seconds:g} s)."
            ).format(
                changes=", ".join(self.pending.values()),
                seconds=self.screen.ctx.pipeline.db.busy_timeout_ms / 1000,
            ),
            title=_("Still saving"),
            severity="warning",
        )
        return False

    def submit(
        self,
        key: int | str,
        what: str,
        change: Change,
        done: Done,
        *,
        version: int | None = None,
        refused: Refused | None = None,
    ) -> None:
        """Make ``change`` (described as ``what``) to deal ``key``, then call ``done``."""
        screen = self.screen
        if key in self.pending:
            screen.say(
                _("Still saving {change}: this deal takes one change at a time.").format(
                    change=self.pending[key]
                ),
                title=_("Wait a moment"),
                severity="warning",
            )
            return
        quick = screen.ctx.pipeline.waiting_at_most(QUICK_WAIT_MS)
        try:
            result = change(quick, version)
        except Busy:
            self.pending[key] = what
            screen.show_pending(self.pending)
            screen.run_worker(
                lambda: self._wait(key, change, version, done, refused),
                thread=True,
                group="changes",
                exit_on_error=False,
            )
            return
        except (WorkflowRefusal, SalesboardError) as refusal:
            if refused is None or not refused(refusal, False):
                screen.report_refusal(key, refusal, later=False)
            return
        done(result, False)

    def _wait(
        self,
        key: int | str,
        change: Change,
        version: int | None,
        done: Done,
        refused: Refused | None,
    ) -> None:
        """In the worker: wait for the lock as long as the busy timeout allows."""
        try:
            result = change(self.screen.ctx.pipeline, version)
        except Exception as error:  # every outcome is reported on the UI thread
            self.screen.app.call_from_thread(self._settle, key, None, error, done, refused)
        else:
            self.screen.app.call_from_thread(self._settle, key, result, None, done, refused)

    def _settle(
        self,
        key: int | str,
        result: DealView | None,
        error: Exception | None,
        done: Done,
        refused: Refused | None,
    ) -> None:
        """Back on the UI thread: the change is no longer pending; say how it went."""
        what = self.pending.pop(key, "")
        screen = self.screen
        screen.show_pending(self.pending)
        if self.quitting and error is not None:
            self.given_up.append(f"{what}: {error}")
        try:
            self._report(result, error, key, done, refused)
        finally:
            if self.quitting and not self.pending:
                self._leave()

    def _leave(self) -> None:
        """Close the board the user asked to quit; non-zero, and why, if a change was lost."""
        if not self.given_up:
            self.screen.app.exit()
            return
        lines = [_("{prog}: not saved: {change}").format(prog="salesboard", change=lost)
                 for lost in self.given_up]  # fmt: skip
        said = Text(display_safe("\n".join(lines), multiline=True))  # literal: no markup
        self.screen.app.exit(return_code=1, message=said)

    def _report(
        self,
        result: DealView | None,
        error: Exception | None,
        key: int | str,
        done: Done,
        refused: Refused | None,
    ) -> None:
        screen = self.screen
        if result is not None:
            done(result, True)
            return
        assert error is not None
        if isinstance(error, WorkflowRefusal | SalesboardError):
            if refused is None or not refused(error, True):
                screen.report_refusal(key, error, later=True)
            return
        screen.say(
            _("The change could not be made ({error}); please report this bug").format(
                error=f"{type(error).__name__}: {error}"
            ),
            title=_("Not saved"),
            severity="error",
        )
