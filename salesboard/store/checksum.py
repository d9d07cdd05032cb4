"""A checksum of a table's rows that reads the same from SQLite and from PostgreSQL.

``salesboard migrate`` proves a copy by computing it on both sides: over the source's
rows as it copies them, and over the target's rows as PostgreSQL returns them after the
copy. The two drivers hand back the same data in different shapes (SQLite: times as text,
booleans as 0/1; PostgreSQL: aware datetimes, ``bool``), so each value is first put in one
canonical form by the kind of its column: times as UTC ISO 8601 to the microsecond (the
form the history's hash chain uses), dates as ISO text, booleans as ``true``/``false``,
whole numbers as numbers, JSON as its stored text (PostgreSQL's ``json`` keeps the text it
was given, so the history's ``before``/``after`` must come back byte for byte), the rest
as text. Rows are hashed in primary-key order, one canonical JSON line each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Final

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer
from sqlalchemy.types import TypeEngine

from salesboard.store.chain import time_text


class Kind(Enum):
    """How a column's values are put in canonical form."""

    TIME = "time"
    DATE = "date"
    BOOL = "bool"
    INT = "int"
    JSON = "json"
    TEXT = "text"


def kind_of(column_type: TypeEngine[Any]) -> Kind:
    """The kind of a column, from its (reflected) SQLAlchemy type."""
    if isinstance(column_type, DateTime):
        return Kind.TIME
    if isinstance(column_type, Date):
        return Kind.DATE
    if isinstance(column_type, Boolean):
        return Kind.BOOL
    if isinstance(column_type, Integer):
        return Kind.INT
    if isinstance(column_type, JSON):
        return Kind.JSON
    return Kind.TEXT


def _time(value: Any) -> Any:
    if value is None:
        return None
    if type(value) is str and len(value) == 26 and value[10] == " " and value[19] == ".":
        # SQLite's own form, naive UTC ("2026-11-02 09:00:00.000000"): seven times faster
        # than parsing it, and PostgreSQL refuses whatever in it is not a real time.
        return value[:10] + "T" + value[11:] + "+00:00"
    if isinstance(value, datetime) and value.utcoffset() == _NO_OFFSET:  # the driver's own
        return value.isoformat(timespec="microseconds")
    try:
        return time_text(value)
    except (ValueError, TypeError):
        return str(value)


def _date(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def _bool(value: Any) -> Any:
    if value is None:
        return None
    return bool(value) if isinstance(value, bool | int) else str(value)


def _as_is(python_type: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return value if value is None or type(value) is python_type else str(value)

    return convert


_NO_OFFSET: Final = timedelta(0)
CANONICAL: Final[dict[Kind, Callable[[Any], Any]]] = {
    Kind.TIME: _time,
    Kind.DATE: _date,
    Kind.BOOL: _bool,
    Kind.INT: _as_is(int),
    Kind.JSON: _as_is(str),
    Kind.TEXT: _as_is(str),
}
"""For each kind, the one form both backends' values are reduced to. A value that does
not fit its kind (only a foreign tool could have stored it) is kept as its text, so that
it differs visibly rather than failing here."""

_LINE: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False
).encode
"""One row's canonical values as one line of JSON (an encoder made once: ``json.dumps``
with options would make a new one for every row)."""


@dataclass
class TableSum:
    """The running count and SHA-256 of one table's rows, fed one row at a time."""

    kinds: tuple[Kind, ...]
    count: int = 0
    _hash: Any = field(default_factory=hashlib.sha256, repr=False)
    _convert: tuple[Callable[[Any], Any], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._convert = tuple(CANONICAL[kind] for kind in self.kinds)

    def add(self, row: tuple[Any, ...] | list[Any]) -> None:
        """Count ``row`` and fold its canonical form into the hash."""
        values = [convert(value) for convert, value in zip(self._convert, row, strict=True)]
        self._hash.update(_LINE(values).encode("utf-8", "surrogatepass") + b"\n")
        self.count += 1

    @property
    def digest(self) -> str:
        """The hex SHA-256 of the rows added so far."""
        return str(self._hash.hexdigest())
