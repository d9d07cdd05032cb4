"""The one definition of "matches the search text", shared by the CLI list and the board."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col

from salesboard.store import Deal


def search_key(*values: str) -> str:
    """The text a search looks in, folded once so matching is a plain substring test."""
    return "\n".join(value.casefold() for value in values)


def needle_of(text: str) -> str:
    """What a typed search looks for: trimmed and case-folded like ``search_key``."""
    return text.strip().casefold()


def text_matches(text: str) -> ColumnElement[bool]:
    r"""Title, company or owner contains ``text``, case-insensitively and literally.

    ``%``, ``_`` and ``\`` are escaped so that searching for ``50%`` finds exactly that.
    """
    needle = text.strip().lower()
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        func.lower(col(Deal.title)).like(pattern, escape="\\"),
        func.lower(col(Deal.company)).like(pattern, escape="\\"),
        func.lower(col(Deal.owner)).like(pattern, escape="\\"),
    )
