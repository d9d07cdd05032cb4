"""Copying a SQLite snapshot into an empty PostgreSQL schema, row for row, and proving it.

The target's schema already exists at the source's revision (Alembic made it); this
module fills it in one PostgreSQL transaction: lock the tables, look again that they are
empty, ``COPY`` each table in foreign-key order with its ids as they are, move each id
sequence past the highest id used, then read every table back and compare its count and
checksum (``store.checksum``) with the source's. Any difference rolls the whole copy back,
so the target is either a faithful copy or as empty as before.

Times are copied as SQLite stores them (UTC without an offset) with the transaction's
time zone set to UTC; JSON is copied as its text, so the history's hash chain, which
hashes the parsed values, still verifies. ``presence`` (who has a board open) is not
data and is not copied; ``alembic_version`` is not copied but compared, since the schema
was made at the same revision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, MetaData, inspect, text
from sqlalchemy.exc import DBAPIError

from salesboard.i18n import _, ngettext
from salesboard.store.checksum import Kind, TableSum, kind_of
from salesboard.store.models import metadata as model_metadata
from salesboard.store.schema import VERSION_TABLE
from salesboard.store.snapshot import Snapshot, quoted

NOT_COPIED: Final = frozenset({"presence"})
"""Tables that hold no data of the team's (a running board's heartbeat)."""
SCHEMA_MADE_BY: Final = frozenset({"salesboard", "salesboard upgrade"})
"""Who the pipeline versions written by the schema's creation are set by."""
FIRST_NAMED: Final = frozenset({"deal", "event"})
"""The tables a refusal names first: what the target holds, in the words that matter."""
PROGRESS_EVERY: Final = 20_000

Progress = Callable[[str, int, int], None]
"""Told (table, rows copied, rows in the table) while a copy runs."""


@dataclass(frozen=True)
class TableSpec:
    """One table to copy: its columns as the target has them, their kinds, its key."""

    name: str
    columns: tuple[str, ...]
    kinds: tuple[Kind, ...]
    key: tuple[str, ...]
    serial: bool
    """Whether its key is an integer ``id`` with a sequence to move on."""


@dataclass(frozen=True)
class TableResult:
    """A table's rows and checksum on each side after the copy."""

    name: str
    source_count: int
    target_count: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        """Whether the target holds exactly the source's rows."""
        return (self.source_count, self.source_sum) == (self.target_count, self.target_sum)


class CopyMismatch(Exception):
    """The target read back differently from the source; the copy was rolled back."""

    def __init__(self, results: list[TableResult]) -> None:
        self.results = results
        super().__init__(", ".join(r.name for r in results if not r.ok))


def known_tables() -> set[str]:
    """Every table salesboard has ever made (today's models and Alembic's stamp)."""
    return set(model_metadata.tables) | {VERSION_TABLE}


def occupied(connection: Connection) -> list[str]:
    """What makes the target's current schema not empty, one short phrase per table.

    Empty means: no tables at all, or only salesboard's tables with no rows but the
    schema's stamp, the pipeline version its creation wrote, and presence heartbeats.
    """
    names = set(inspect(connection).get_table_names())
    found = [
        _("table {table} (not salesboard's)").format(table=name)
        for name in sorted(names - known_tables())
    ]
    ours = names & known_tables() - {VERSION_TABLE} - NOT_COPIED
    for name in sorted(ours, key=lambda name: (name not in FIRST_NAMED, name)):
        query = f"SELECT count(*) FROM {quoted(name)}"
        if name == "pipeline_version":
            query += " WHERE set_by NOT IN ('" + "', '".join(sorted(SCHEMA_MADE_BY)) + "')"
        rows = int(connection.execute(text(query)).scalar_one())
        if rows:
            phrase = ngettext("{table}: {rows} row", "{table}: {rows} rows", rows)
            found.append(phrase.format(table=name, rows=rows))
    return found


def table_specs(connection: Connection) -> list[TableSpec]:
    """The target's tables to fill or compare, parents before children."""
    reflected = MetaData()
    reflected.reflect(connection)
    specs = []
    for table in reflected.sorted_tables:
        if table.name in NOT_COPIED:
            continue
        key = tuple(column.name for column in table.primary_key.columns)
        key_column = table.columns.get("id")
        specs.append(
            TableSpec(
                name=table.name,
                columns=tuple(column.name for column in table.columns),
                kinds=tuple(kind_of(column.type) for column in table.columns),
                key=key,
                serial=key == ("id",)
                and key_column is not None
                and kind_of(key_column.type) is Kind.INT,
            )
        )
    return specs


@contextmanager
def _driver_errors(statement: str) -> Iterator[None]:
    """Hand the driver's own errors on as SQLAlchemy's, as if SQLAlchemy had run it.

    ``COPY`` and the named cursor go to psycopg directly; its errors (a value PostgreSQL
    refuses, a lost connection) must reach the caller as every other database error does.
    """
    import psycopg

    try:
        yield
    except psycopg.Error as error:
        raise DBAPIError(statement, None, error) from error


def _driver(connection: Connection) -> Any:
    """The driver's (psycopg's) connection under SQLAlchemy's, for COPY and named cursors."""
    return connection.connection.driver_connection


def _copy_table(
    connection: Connection, source: Snapshot, spec: TableSpec, progress: Progress | None
) -> TableSum:
    """Stream one table from the snapshot into the target; the source's sum of its rows."""
    total = source.count(spec.name)
    summed = TableSum(spec.kinds)
    with closing(source.rows(spec.name, spec.columns, spec.key)) as rows:
        if spec.name == VERSION_TABLE:  # made by the schema's creation: only compared
            _fold(summed, rows)
        else:
            _stream(connection, spec, rows, summed, total, progress)
    if progress is not None and (summed.count == 0 or summed.count % PROGRESS_EVERY):
        progress(spec.name, summed.count, max(total, summed.count))
    return summed


def _stream(
    connection: Connection,
    spec: TableSpec,
    rows: Iterable[tuple[Any, ...]],
    summed: TableSum,
    total: int,
    progress: Progress | None,
) -> None:
    """``COPY`` the rows into the target's table, summing each as it goes."""
    names = ", ".join(quoted(column) for column in spec.columns)
    statement = f"COPY {quoted(spec.name)} ({names}) FROM STDIN"
    with (
        _driver_errors(statement),
        _driver(connection).cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(row)
            summed.add(row)
            if progress is not None and summed.count % PROGRESS_EVERY == 0:
                progress(spec.name, summed.count, total)


def _fold(summed: TableSum, rows: Iterable[tuple[Any, ...]]) -> None:
    for row in rows:
        summed.add(row)


def _target_sum(connection: Connection, spec: TableSpec) -> TableSum:
    """The count and checksum of a table as PostgreSQL now returns it (JSON as its text)."""
    names = ", ".join(
        f"{quoted(column)}::text" if kind is Kind.JSON else quoted(column)
        for column, kind in zip(spec.columns, spec.kinds, strict=True)
    )
    # Text keys in byte order, as SQLite's BINARY collation sorts them.
    order = ", ".join(
        quoted(column) + (' COLLATE "C"' if kind is Kind.TEXT else "")
        for column, kind in zip(spec.columns, spec.kinds, strict=True)
        if column in spec.key
    )
    summed = TableSum(spec.kinds)
    statement = f"SELECT {names} FROM {quoted(spec.name)} ORDER BY {order}"
    with (
        _driver_errors(statement),
        _driver(connection).cursor(name=f"salesboard_verify_{spec.name}") as cursor,
    ):
        cursor.itersize = 5_000
        cursor.execute(statement)
        _fold(summed, cursor)
    return summed


def _move_sequence(connection: Connection, source: Snapshot, spec: TableSpec) -> None:
    """Let the next id of ``spec``'s table follow the highest the source has used."""
    sequence = connection.execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": quoted(spec.name)}
    ).scalar_one()
    if sequence is None:
        return
    highest = connection.execute(text(f"SELECT max(id) FROM {quoted(spec.name)}")).scalar_one()
    used = max(int(highest or 0), source.autoincrement(spec.name))
    connection.execute(
        text("SELECT setval(:sequence, :value, :called)"),
        {"sequence": sequence, "value": max(used, 1), "called": used > 0},
    )


def lock_tables(connection: Connection, specs: list[TableSpec]) -> None:
    """Keep every other writer out of the target's tables until the copy commits."""
    connection.execute(text("SET LOCAL TimeZone = 'UTC'"))
    names = ", ".join(quoted(spec.name) for spec in specs)
    connection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def copy_all(
    connection: Connection,
    source: Snapshot,
    specs: list[TableSpec],
    progress: Progress | None = None,
) -> list[TableResult]:
    """Fill the (locked, empty) target from ``source`` and compare each table read back.

    Raises ``CopyMismatch`` if any table differs; the caller's transaction then rolls back.
    """
    connection.execute(text("DELETE FROM pipeline_version"))  # the schema's own default
    sums = {spec.name: _copy_table(connection, source, spec, progress) for spec in specs}
    for spec in specs:
        if spec.serial:
            _move_sequence(connection, source, spec)
    results = []
    for spec in specs:
        back = _target_sum(connection, spec)
        mine = sums[spec.name]
        results.append(TableResult(spec.name, mine.count, back.count, mine.digest, back.digest))
    if not all(result.ok for result in results):
        raise CopyMismatch(results)
    # The planner's statistics, in the same transaction: a server without autovacuum
    # (or before it comes round) would otherwise plan the board's queries for empty
    # tables, and a tick on 100,000 deals took seconds instead of milliseconds.
    connection.execute(text("ANALYZE " + ", ".join(quoted(spec.name) for spec in specs)))
    return results
