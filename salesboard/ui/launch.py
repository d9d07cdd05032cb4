"""Start the board on an opened database (the CLI's default command)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from salesboard.service import Pipeline, utc_now
from salesboard.service.board import BoardQueries
from salesboard.service.rates import RateBook
from salesboard.store import Database
from salesboard.ui.app import SalesboardApp
from salesboard.ui.context import BoardContext


def make_app(
    db: Database,
    *,
    clock: Callable[[], datetime] = utc_now,
    actor: str | None = None,
    live: bool = True,
) -> SalesboardApp:
    """The board app wired to ``db``; tests pass a frozen clock and a fixed user.

    ``live=False`` leaves out polling for other sessions and presence, for tests that
    need a board whose view goes stale on purpose.
    """
    pipeline = Pipeline(db, actor=actor, clock=clock)
    rates = RateBook(db, actor=pipeline.actor, clock=clock)
    return SalesboardApp(BoardContext(pipeline, BoardQueries(db), clock, rates), live=live)


def run_board(db: Database) -> int:
    """Run the board in this terminal until the user quits; the app's exit code.

    Non-zero when the app ended on an error (Textual has then printed what happened), so
    a script or a wrapper can tell a crash from a quit.
    """
    from salesboard.ui.terminal_input import tolerate_undecodable_input

    tolerate_undecodable_input()
    app = make_app(db)
    app.run()
    return app.return_code or 0
