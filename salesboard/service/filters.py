"""The one definition of "matches the search text", shared by the CLI, palette and board.

The folding itself is ``salesboard.folding``; here it meets SQL (a folded needle looked
for in the stored, folded ``Deal.search_text``) and the board's in-memory index.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import col

from salesboard.folding import needle, search_text
from salesboard.store import Deal
from salesboard.validation import strip_controls


def search_key(title: str, company: str, owner: str) -> str:
    """The text the board's index looks in: the same as each deal's stored search text."""
    return search_text(title, company, owner)


def needle_of(text: str) -> str:
    """What a typed search looks for: trimmed and folded like ``search_key``."""
    return needle(text)


def text_matches(text: str) -> ColumnElement[bool]:
    r"""The deal's title, company or owner contains ``text``, folded and literally.

    ``%``, ``_`` and ``\`` are escaped so that searching for ``50%`` finds exactly that.
    """
    escaped = (
        needle(strip_controls(text)).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    )
    return col(Deal.search_text).like(f"%{escaped}%", escape="\\")
