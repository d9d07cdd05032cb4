"""The service layer: the use cases every client (CLI, board) goes through."""

from salesboard.service.pipeline import UNSET, Pipeline, utc_now
from salesboard.service.views import DealSummary, DealView, EventView, JobView

__all__ = ["UNSET", "DealSummary", "DealView", "EventView", "JobView", "Pipeline", "utc_now"]
