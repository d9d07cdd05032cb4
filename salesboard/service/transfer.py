"""Moving a team's SQLite database to PostgreSQL: ``salesboard migrate --to URL``.

A team that outgrows one server takes its whole history along: every deal with its id
and version, every checklist, activity, stakeholder, problem, rate, setting, pipeline
version and event (sealed hash chain included) goes into an empty PostgreSQL database.
The use case checks both ends before it changes anything (the source must be a SQLite
salesboard database at this version's schema, read in one read transaction that never
writes the file; the target must be PostgreSQL and empty), creates the schema there with
Alembic, and fills it in one transaction that is committed only when every table's count
and checksum read back from PostgreSQL equal the source's (``store.transfer``).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from salesboard.errors import DatabaseUnavailable, InvalidInput
from salesboard.i18n import _
from salesboard.store.database import Database, backend_of, explain_db_error
from salesboard.store.engine import busy_timeout_ms, create_db_engine, sqlite_file
from salesboard.store.location import describe, resolve_url, shown_url
from salesboard.store.schema import HEAD_REVISION, VERSION_TABLE
from salesboard.store.snapshot import Snapshot
from salesboard.store.transfer import (
    NOT_COPIED,
    CopyMismatch,
    Progress,
    TableResult,
    TableSpec,
    copy_all,
    lock_tables,
    occupied,
    table_specs,
)


@dataclass(frozen=True)
class Migration:
    """What was copied where, and the proof: each table's counts and checksums."""

    source: str
    target: str
    revision: str
    tables: list[TableResult]
    seconds: float

    @property
    def rows(self) -> int:
        """Rows copied in all (the schema's stamp included)."""
        return sum(table.target_count for table in self.tables)


class TargetNotEmpty(DatabaseUnavailable):
    """The target already holds data (or tables of another program); nothing was changed."""


class CopyDiffers(DatabaseUnavailable):
    """The copy read back differently from the source; it was rolled back."""

    def __init__(self, message: str, tables: list[TableResult]) -> None:
        super().__init__(message)
        self.tables = tables


def _source_path(source: str | None) -> Path:
    """The SQLite file to copy; anything else is refused in words."""
    url = resolve_url(source)
    backend_of(url)  # a URL that cannot be read is refused as such
    path = sqlite_file(url)
    if path is None:
        raise InvalidInput(
            _(
                "migrate copies a SQLite file into PostgreSQL; the source {name} is not a "
                "SQLite file — give the file with --db PATH"
            ).format(name=describe(url))
        )
    return path


def _target_url(target: str) -> str:
    """The PostgreSQL URL to fill; a file or another server is refused in words."""
    if "://" not in target:
        backend = "sqlite"
    else:
        try:
            backend = make_url(target).get_backend_name()
        except (ArgumentError, ValueError):  # a port that is not a number: ValueError
            backend = ""
    if backend != "postgresql":
        raise InvalidInput(
            _(
                "--to must be a PostgreSQL database URL "
                "(postgresql+psycopg://user@host/dbname), not {target}"
            ).format(
                target=repr(shown_url(target)) if backend == "" else describe(resolve_url(target))
            )
        )
    return target


def _check_source(snapshot: Snapshot, path: Path) -> list[str]:
    """The source's tables to copy, after refusing a schema this version does not copy."""
    tables = snapshot.tables()
    revision = (
        snapshot.scalar(f"SELECT version_num FROM {VERSION_TABLE}")
        if (VERSION_TABLE in tables)
        else None
    )
    if revision is None:
        raise DatabaseUnavailable(
            _("{path} is not a salesboard database (it has no schema revision)").format(path=path)
        )
    if revision != HEAD_REVISION:
        raise DatabaseUnavailable(
            _(
                "{path}: its schema is {found}, this salesboard migrates {head}; upgrade it "
                "with 'salesboard init --db {path}' (or use the salesboard that wrote it), "
                "then migrate"
            ).format(path=path, found=revision, head=HEAD_REVISION)
        )
    return sorted(tables - NOT_COPIED)


def _match(snapshot: Snapshot, path: Path, names: list[str], specs: list[TableSpec]) -> None:
    """Refuse a source whose tables or columns are not the ones its revision has."""
    made = {spec.name: spec for spec in specs}
    differing = sorted(set(names) ^ set(made)) or [
        name for name in names if set(snapshot.columns(name)) != set(made[name].columns)
    ]
    if differing:
        raise DatabaseUnavailable(
            _(
                "{path}: table {table} is not as schema {revision} makes it (changed by "
                "another tool?); nothing was copied"
            ).format(path=path, table=differing[0], revision=HEAD_REVISION)
        )


def _refuse_occupied(found: list[str], target: str) -> None:
    if found:
        shown = "; ".join(found[:5]) + (" …" if len(found) > 5 else "")
        raise TargetNotEmpty(
            _(
                "{target} is not empty ({found}); migrate copies only into an empty "
                "database — nothing was changed"
            ).format(target=target, found=shown)
        )


def migrate(source: str | None, target: str, *, progress: Progress | None = None) -> Migration:
    """Copy the SQLite database ``source`` into the empty PostgreSQL database ``target``.

    Nothing is written to the source. The target is checked empty before its schema is
    made and again, under lock, before it is filled; a copy whose read-back differs is
    rolled back (``CopyDiffers``, the table of results attached).
    """
    started = time.monotonic()
    path = _source_path(source)
    url = _target_url(target)
    try:
        with Snapshot(path, busy_timeout_ms=busy_timeout_ms()) as snapshot:
            names = _check_source(snapshot, path)
            tables = _fill(snapshot, path, names, url, progress)
    except sqlite3.Error as error:
        wrapped = DBAPIError(None, None, error)
        raise explain_db_error(wrapped, str(path), path=path) from None
    return Migration(str(path), describe(url), HEAD_REVISION, tables, time.monotonic() - started)


def _fill(
    snapshot: Snapshot, path: Path, names: list[str], url: str, progress: Progress | None
) -> list[TableResult]:
    """Make the target's schema if it is empty, then copy and compare in one transaction."""
    where = describe(url)
    try:
        engine = create_db_engine(url)
    except ModuleNotFoundError as error:
        raise DatabaseUnavailable(
            _(
                "the driver for {database} is not installed ({module}); "
                "install salesboard[postgres] for PostgreSQL"
            ).format(database=where, module=error.name)
        ) from None
    try:
        with engine.connect() as connection:
            _refuse_occupied(occupied(connection), where)
        Database.open(url, create=True).close()
        with engine.begin() as connection:
            specs = table_specs(connection)
            _match(snapshot, path, names, specs)
            lock_tables(connection, specs)
            _refuse_occupied(occupied(connection), where)
            tables = copy_all(connection, snapshot, specs, progress)
            snapshot.check_unchanged()
    except DBAPIError as error:
        raise explain_db_error(error, where) from None
    except CopyMismatch as mismatch:
        raise CopyDiffers(
            _(
                "the copy in {target} differs from {path} in {tables}; it was "
                "rolled back, nothing was kept"
            ).format(target=where, path=path, tables=str(mismatch)),
            mismatch.results,
        ) from None
    finally:
        engine.dispose()
    return tables
