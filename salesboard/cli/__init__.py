"""The ``salesboard`` command line: every use case of the pipeline, scriptable.

The CLI is a thin client of the service layer, like the board: it parses arguments, calls
one ``Pipeline`` use case, and prints the result as a table, a short confirmation or JSON.
Every failure becomes one line on stderr (``salesboard: <why>``) and a documented exit
code, never a traceback:

    0 done · 1 the database cannot be used · 2 bad input · 3 refused by the workflow ·
    4 conflict with another change · 130 interrupted (Ctrl-C) · 141 the reader of the
    output stopped early (``salesboard list | head -1``)

One module per command group (``deals``, ``changes``, ``activities``, ``agenda``,
``stakeholders``, ``problems``, ``pipeline``, ``rates``, ``reports``, ``doctor``,
``migrate``, ``setup``) adds its commands to the group of ``main`` when imported, which
the group does the first time a command is looked up or listed (the board, which needs
none, starts without them); ``params``, ``runtime`` and
``output`` (and, for a deal's parts, ``part_params``, ``part_output``, ``part_hints``)
are what they share, and ``click_i18n`` puts Click's own messages and every command's
help into the language in force (``--lang``, ``$SALESBOARD_LANG``, the locale).
Only ``click``, the standard library and ``salesboard.i18n`` are imported at module level,
so that ``salesboard --help`` stays instant: the service, the store (SQLAlchemy, SQLModel)
and Rich are imported inside the commands that need them.
"""

from __future__ import annotations

from salesboard.cli.main import cli, main

__all__ = ["cli", "main"]
