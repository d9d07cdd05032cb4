"""The service layer: the use cases every client (CLI, board) goes through.

The names below are loaded on first use (PEP 562), so a reader that needs only a part of
the service — the reports read rows, rates and the pipeline definition — does not pay
for importing every use case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from salesboard.service.pipeline import UNSET, Pipeline, utc_now
    from salesboard.service.views import DealSummary, DealView, EventView, JobView

__all__ = ["UNSET", "DealSummary", "DealView", "EventView", "JobView", "Pipeline", "utc_now"]

_FROM: dict[str, str] = {
    "UNSET": "pipeline",
    "Pipeline": "pipeline",
    "utc_now": "pipeline",
    "DealSummary": "views",
    "DealView": "views",
    "EventView": "views",
    "JobView": "views",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module the first time the name is asked for."""
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module 'salesboard.service' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"salesboard.service.{module}"), name)
