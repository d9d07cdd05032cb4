"""The default pipeline's job wording per stage, in English, as tests compare it."""

from __future__ import annotations

from salesboard.definition import DEFAULT
from salesboard.workflow import Stage

DEFAULT_CHECKLISTS: dict[Stage, tuple[str, ...]] = {
    s.stage: tuple(job.text_in("en") for job in s.jobs) for s in DEFAULT.stages
}
DEFAULT_KEYS: dict[Stage, tuple[str, ...]] = {
    s.stage: tuple(job.key for job in s.jobs) for s in DEFAULT.stages
}
