"""Where the board benchmark's databases live: fresh SQLite files, or fresh PostgreSQL
databases on the server of a URL, filled once per size and optionally kept for reuse.

Filling 100,000 demo deals takes minutes; ``keep`` lets a second run reuse what the first
one filled (the key sessions add a few deals and move them, which a reused database then
holds: "Benchmark deal N" cards at the end of their columns).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

TABLES = ("activity", "stakeholder", "problem")
"""The deal's substance (issue 14), counted per deal to show how realistic the data is."""


class Runner(Protocol):
    """Runs one salesboard command (``Salesboard.run``)."""

    def run(self, *args: str) -> tuple[float, str]:
        """Wall time in ms and stdout; raises on a non-zero exit."""
        ...


@dataclass(frozen=True)
class Filled:
    """A database ready to measure: what to pass to ``--db``, and how it got filled."""

    target: str  # a file path or a SQLAlchemy URL
    fill_seconds: float | None  # None: reused, filled by an earlier run
    deals: int  # deals in it before the key sessions


class Databases:
    """Fresh databases, one per size: SQLite files in ``folder``, or PostgreSQL databases
    ``sb_bench_<n>`` on the server of ``server_url`` (created and, unless kept, dropped).

    With ``keep`` a database already filled with at least ``n`` deals (the demo fills in
    one transaction, so a count of ``n`` means a finished fill) is reused as it is.
    """

    def __init__(self, folder: Path, server_url: str | None, keep: bool) -> None:
        self.folder = folder
        self.server_url = server_url
        self.keep = keep  # the server URL was checked (``check_server``) when parsed

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``: which engine the board is measured on."""
        return "sqlite" if self.server_url is None else "postgresql"

    def name(self, n: int, pipeline: Path | None) -> str:
        """The database's name for ``n`` deals (and a changed pipeline, which fills differently).

        Short on purpose: the board's status line shows it, and a long one pushes the key
        hint the script waits for off a 120-column line. A pipeline is named by a hash of
        its content, so a kept database is not reused for a different pipeline.
        """
        if pipeline is None:
            return f"sb_bench_{n}"
        return f"sb_bench_{n}_p{hashlib.sha256(pipeline.read_bytes()).hexdigest()[:6]}"

    def target(self, name: str) -> str:
        """What ``--db`` takes for the database ``name``."""
        if self.server_url is None:
            return str(self.folder / f"{name}.db")
        from sqlalchemy.engine import make_url

        url = make_url(self.server_url).set(database=name)
        return url.render_as_string(hide_password=False)

    def prepare(self, sb: Runner, n: int, pipeline: Path | None, progress: Any = print) -> Filled:
        """A database with ``n`` demo deals (and ``pipeline``): reused, or made and filled."""
        name = self.name(n, pipeline)
        target = self.target(name)
        if self.keep and self._exists(name):
            found = count_deals(target)
            if found >= n and (n or found == 0):
                progress(f"reusing {describe(target)} ({found:,} deals)")
                self._analyze(target, progress)
                return Filled(target, None, found)
            progress(f"{describe(target)} holds {found:,} deals, not {n:,}: filling it again")
        self._drop(name)
        self._create(name)
        started = time.perf_counter()
        if pipeline is not None or not n:
            sb.run("--db", target, "init")  # creates the schema
        if pipeline is not None:
            sb.run("--db", target, "pipeline", "import", "--yes", str(pipeline))
        if n:
            sb.run("--db", target, "demo", "--deals", str(n))
        filled = Filled(target, time.perf_counter() - started, n)
        self._analyze(target, progress)
        return filled

    def _analyze(self, target: str, progress: Any) -> None:
        """Give PostgreSQL's planner its statistics of the filled tables (``ANALYZE``).

        A production server's autovacuum would have done it soon after the fill; without
        it (autovacuum off, or not yet run after the bulk load) the planner guesses and
        the board's queries at 100,000 deals take seconds instead of milliseconds.
        """
        if self.server_url is None:
            return
        from sqlalchemy import create_engine, text

        started = time.perf_counter()
        engine = create_engine(target, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
        finally:
            engine.dispose()
        progress(f"ANALYZE took {time.perf_counter() - started:.1f} s")

    def release(self, n: int, pipeline: Path | None) -> None:
        """Drop the database of ``n`` deals unless it is to be kept."""
        if not self.keep:
            self._drop(self.name(n, pipeline))

    # ------------------------------------------------------------------ engines

    def _exists(self, name: str) -> bool:
        if self.server_url is None:
            return Path(self.target(name)).exists()
        found = self._admin("SELECT 1 FROM pg_database WHERE datname = :name", name=name)
        return bool(found)

    def _create(self, name: str) -> None:
        if self.server_url is None:
            self.folder.mkdir(parents=True, exist_ok=True)
        else:
            self._admin(f'CREATE DATABASE "{name}"')

    def _drop(self, name: str) -> None:
        if self.server_url is None:
            for extra in ("", "-wal", "-shm", "-journal"):
                Path(self.target(name) + extra).unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str, **params: str) -> list[Any]:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that) on the
        database of the URL given (the server's maintenance connection)."""
        from sqlalchemy import create_engine, text

        assert self.server_url is not None
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                result = conn.execute(text(sql), params)
                return list(result) if result.returns_rows else []
        finally:
            engine.dispose()


def check_server(url: str) -> None:
    """Refuse, in one line, a URL that is not PostgreSQL or a server that cannot be reached."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise SystemExit(f"--db: not a database URL: {error}") from None
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit(
            "--db takes a PostgreSQL server URL (postgresql+psycopg://USER@HOST:PORT/DB); "
            "SQLite files are the default"
        )
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except SQLAlchemyError as error:
        reason = str(error.orig if hasattr(error, "orig") else error).strip().splitlines()[0]
        raise SystemExit(f"--db: cannot connect to {describe(url)}: {reason}") from None


def describe(target: str) -> str:
    """A database's name for progress lines, without a password."""
    if "://" not in target:
        return target
    from sqlalchemy.engine import make_url

    return make_url(target).render_as_string(hide_password=True)


def _scalar(target: str, sql: str) -> Any:
    if "://" not in target:
        with sqlite3.connect(target) as conn:
            return conn.execute(sql).fetchone()[0]
    from sqlalchemy import create_engine, text

    engine = create_engine(target)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def count_deals(target: str) -> int:
    """How many deals a database holds (0 if it has no deal table yet)."""
    try:
        return int(_scalar(target, "SELECT count(*) FROM deal") or 0)
    except Exception:  # no schema yet: an interrupted fill
        return 0


def substance_per_deal(target: str) -> dict[str, float]:
    """Activities, stakeholders and problems per deal in a benchmark database (issue 14)."""
    deals = count_deals(target) or 1
    return {table: _scalar(target, f"SELECT count(*) FROM {table}") / deals for table in TABLES}
