"""Keeping the board up when the database fails under it.

Textual ends the app on any exception a handler lets through. A database that is locked
for too long, full, made read-only or damaged while the board runs is not a reason to
drop the user back to the shell with a traceback: the action is refused with a notice
and the board stays as it was.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from textual.dom import DOMNode

from salesboard.errors import SalesboardError
from salesboard.validation import display_safe

P = ParamSpec("P")
R = TypeVar("R")
N = TypeVar("N", bound=DOMNode)


def keeps_running(
    handler: Callable[Concatenate[N, P], R],
) -> Callable[Concatenate[N, P], R | None]:
    """Turn a ``SalesboardError`` escaping ``handler`` into an error notice."""

    def guarded(node: N, /, *args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return handler(node, *args, **kwargs)
        except SalesboardError as error:
            node.app.notify(
                display_safe(str(error), multiline=True),
                title="Not done",
                severity="error",
                timeout=8,
                markup=False,
            )
            return None

    functools.update_wrapper(guarded, handler)  # Textual reads the handler's signature
    return guarded
