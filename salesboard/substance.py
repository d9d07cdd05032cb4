"""What a deal is made of beyond its checklist: activities, stakeholders and problems.

The kinds, stances, influences, priorities and statuses are stable keys (rows and events
hold them); each has a word in the reader's language. Pure Python like ``workflow``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from salesboard.i18n import N_, _


class ActivityKind(StrEnum):
    """What kind of work an activity is: the seed's meetings, calls, visits and follow-ups."""

    MEETING = "meeting"
    CALL = "call"
    VISIT = "visit"
    FOLLOW_UP = "follow-up"
    TASK = "task"


class Stance(StrEnum):
    """Where a stakeholder stands on the deal: the seed's allies, enemies and neutrals."""

    ALLY = "ally"
    ENEMY = "enemy"
    NEUTRAL = "neutral"


class Influence(StrEnum):
    """How much a stakeholder's view weighs in the customer's decision."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Priority(StrEnum):
    """How much a problem matters to the customer (Discovery prioritises every one)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class ProblemStatus(StrEnum):
    """Whether a problem found in Discovery still stands."""

    OPEN = "open"
    SOLVED = "solved"


WORDS: Final[dict[str, str]] = {
    # activity kinds and stances as words (msgids)
    ActivityKind.MEETING: N_("meeting"),
    ActivityKind.CALL: N_("call"),
    ActivityKind.VISIT: N_("visit"),
    ActivityKind.FOLLOW_UP: N_("follow-up"),
    ActivityKind.TASK: N_("task"),
    Stance.ALLY: N_("ally"),
    Stance.ENEMY: N_("enemy"),
    Stance.NEUTRAL: N_("neutral"),
}
LEVELS: Final[dict[str, str]] = {
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
}
_STATUS: Final[dict[str, str]] = {
    ProblemStatus.OPEN: N_("open problem"),
    ProblemStatus.SOLVED: N_("solved"),
}
_GROUPS: Final[dict[Stance, str]] = {
    Stance.ALLY: N_("Allies"),
    Stance.ENEMY: N_("Enemies"),
    Stance.NEUTRAL: N_("Neutral"),
}

PRIORITY_ORDER: Final = (Priority.HIGH, Priority.MEDIUM, Priority.LOW)
STANCE_ORDER: Final = (Stance.ALLY, Stance.ENEMY, Stance.NEUTRAL)


def kind_word(kind: ActivityKind) -> str:
    """An activity kind in the reader's language (``meeting``, ``møte``)."""
    return _(WORDS[kind])


def stance_word(stance: Stance) -> str:
    """A stance in the reader's language (``ally``, ``alliert``)."""
    return _(WORDS[stance])


def stance_group(stance: Stance) -> str:
    """The heading stakeholders of one stance are shown under (``Allies``)."""
    return _(_GROUPS[stance])


def level_word(level: Influence | Priority) -> str:
    """An influence or priority in the reader's language (``high``, ``høy``)."""
    return _(LEVELS[level.value])


def problem_status_word(status: ProblemStatus) -> str:
    """A problem's status in the reader's language."""
    return _(_STATUS[status])


def priority_rank(priority: Priority | None) -> int:
    """Where a problem goes in a list ordered by priority: high first, unset last."""
    return len(PRIORITY_ORDER) if priority is None else PRIORITY_ORDER.index(priority)
