"""The one definition of how text is matched in a search, for every path that searches.

The board's ``/`` filter (over its in-memory index), ``salesboard list --search`` and the
command palette (SQL) must find the same deals, on SQLite and PostgreSQL alike. SQL's
``lower()`` folds ASCII only on SQLite and differs from Python's folding on PostgreSQL
(``ß``), so the folding is done here, once, in Python: each deal stores its folded search
text (``Deal.search_text``), the board folds the same way in memory, and SQL only looks
for a folded needle in the folded text.

Folding is Unicode normalisation (NFKC, so a decomposed ``é`` equals a composed one and
full-width letters equal plain ones) followed by case folding (``Å`` → ``å``, ``ß`` →
``ss``). Letters are not stripped of their accents: in Norwegian ``å``, ``ø`` and ``æ``
are letters of their own, and ``a`` must not find ``å``.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``text`` as searches compare it: normalised and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def search_text(title: str, company: str, owner: str) -> str:
    """The folded text a deal is found by: its title, company and owner, one per line."""
    return "\n".join(fold(value) for value in (title, company, owner))


def needle(typed: str) -> str:
    """What a typed search looks for, folded like ``search_text`` (spaces trimmed)."""
    return fold(typed.strip())
