"""A report's table as lines of aligned literal text, fitted to a width: CLI and board.

Drawing thousands of rows with a layout engine (Rich's tables) took seconds; this is
one pass. Figures are aligned right and never cut; when the table is wider than the room,
the columns' gap narrows to one cell, then the widest text columns give way and their
cells end in "…"; headings wrap at spaces. Every cell goes through ``display_safe``.
"""

from __future__ import annotations

import textwrap
from typing import Final

from rich.cells import cell_len, set_cell_size

from salesboard.reports.facts import Table
from salesboard.validation import display_safe

_GAP: Final = 2
_NARROWEST: Final = 6
"""How narrow a text column may get before the table is left wider than the terminal."""


def table_lines(table: Table, width: int | None) -> tuple[list[str], list[str]]:
    """A table's heading (with its rule) and its rows, fitted to ``width`` cells if it can.

    ``None``: as wide as the table needs (output to a file or a pipe).
    """
    columns = [display_safe(column) for column in table.columns]
    rows = [[display_safe(cell) for cell in row] for row in table.rows]
    count = len(columns)
    words = [max((cell_len(w) for w in column.split()), default=0) for column in columns]
    widths = [
        max([words[i], *(cell_len(row[i]) for row in rows if i < len(row))]) for i in range(count)
    ]
    natural = [max(widths[i], cell_len(columns[i])) for i in range(count)]
    if width is None:
        widths, gap = natural, _GAP
    else:
        gap = _GAP if sum(widths) + _GAP * (count - 1) <= width else 1
        spare = width - sum(widths) - gap * (count - 1)
        for i in range(count):  # headings on one line where the terminal has the room
            grow = min(spare, natural[i] - widths[i])
            if grow > 0:
                widths[i] += grow
                spare -= grow
        _give_way(widths, words, table, -spare)
    wrapped = [textwrap.wrap(column, max(1, widths[i])) or [""] for i, column in enumerate(columns)]
    depth = max(len(lines) for lines in wrapped)
    heading = [
        _joined([lines[n] if n < len(lines) else "" for lines in wrapped], widths, table.right, gap)
        for n in range(depth)
    ]
    heading.append("─" * (sum(widths) + gap * (count - 1)))
    return heading, [_joined(row, widths, table.right, gap) for row in rows]


def _give_way(widths: list[int], words: list[int], table: Table, over: int) -> None:
    """Narrow text columns (never a figure) until ``over`` cells are won back.

    The table's ``give_way`` columns first (down to half their width), then the widest.
    """
    for i in table.give_way:
        cut = min(over, widths[i] - max(_NARROWEST, min(words[i], 12), widths[i] // 2))
        if cut > 0:
            widths[i] -= cut
            over -= cut
    while over > 0:
        texts = [i for i in range(len(widths)) if i not in table.right]
        widest = max(texts, key=lambda i: widths[i], default=None)
        if widest is None:
            return
        cut = min(over, widths[widest] - max(_NARROWEST, min(words[widest], 12)))
        if cut <= 0:
            return
        widths[widest] -= cut
        over -= cut


def _joined(cells: list[str], widths: list[int], right: frozenset[int], gap: int) -> str:
    """One line: each cell fitted to its column (cut with "…"), figures on the right."""
    fitted = []
    for i, width in enumerate(widths):
        cell = cells[i] if i < len(cells) else ""
        size = cell_len(cell)
        if size > width:
            cell = set_cell_size(cell, max(0, width - 1)) + "…"
        elif i in right:
            cell = " " * (width - size) + cell
        else:
            cell += " " * (width - size)
        fitted.append(cell)
    return (" " * gap).join(fitted).rstrip()
