"""What the screens are handed: the service, the board queries, the clock and who we are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from salesboard.service import Pipeline
from salesboard.service.board import BoardQueries
from salesboard.service.definitions import PipelineDefinitions
from salesboard.service.rates import RateBook
from salesboard.settings import SettingsFile


@dataclass(frozen=True)
class BoardContext:
    """Everything a screen needs from below, passed down once at start."""

    pipeline: Pipeline
    queries: BoardQueries
    clock: Callable[[], datetime]
    rates: RateBook
    settings: SettingsFile = field(default_factory=SettingsFile)
    """Where this user's board order and owner view are remembered."""

    @property
    def user(self) -> str:
        """The OS login acting (shown in the status line, used by "my deals")."""
        return self.pipeline.actor

    @property
    def definitions(self) -> PipelineDefinitions:
        """The team's pipeline definition (its version, to notice an import)."""
        return PipelineDefinitions(self.pipeline.db, self.pipeline.actor)

    @property
    def database_name(self) -> str:
        """Where the data is, without any password."""
        return self.pipeline.db.name
