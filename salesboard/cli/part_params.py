"""What the commands about a deal's activities, stakeholders and problems share.

Their ids and choices on the command line, the service they call, and how a command
tells a change that happened from one that changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from salesboard.cli.params import WordChoice, _WholeNumber
from salesboard.cli.runtime import _SalesboardCommand, _session
from salesboard.i18n import N_, pgettext

if TYPE_CHECKING:
    from salesboard.service import Pipeline
    from salesboard.service.substance import PartChanged, Substance

ACTIVITY_ID = _WholeNumber(N_("an activity id"))
STAKEHOLDER_ID = _WholeNumber(N_("a stakeholder id"))
PROBLEM_ID = _WholeNumber(N_("a problem id"))
DAYS = _WholeNumber(N_("days"), 0, 3660)
"""``--days`` of the agenda: the service's ``AGENDA_DAYS_MAX``, written out so that
``--help`` needs no import of the service."""

KIND_CHOICES = ("meeting", "call", "visit", "follow-up", "task")
STANCE_CHOICES = ("ally", "enemy", "neutral")
INFLUENCE_CHOICES = ("low", "medium", "high")
PRIORITY_CHOICES = ("high", "medium", "low")
"""The keys of ``salesboard.substance``'s choices, typed as keys or as their words."""


class PartGroup(click.Group):
    """``activity``, ``stakeholder``, ``problem``: commands as the top-level ones are.

    Their commands take ``--db`` after their name too, and ``-1`` as an id to refuse.
    """

    command_class = _SalesboardCommand


def _part_choice_words() -> tuple[str, ...]:  # pragma: no cover - never called
    """Marks the new choices' keys for Babel: each is a word to translate (what users type)."""
    return (
        pgettext("a choice typed on the command line", "meeting"),
        pgettext("a choice typed on the command line", "call"),
        pgettext("a choice typed on the command line", "visit"),
        pgettext("a choice typed on the command line", "follow-up"),
        pgettext("a choice typed on the command line", "task"),
        pgettext("a choice typed on the command line", "ally"),
        pgettext("a choice typed on the command line", "enemy"),
        pgettext("a choice typed on the command line", "neutral"),
        pgettext("a choice typed on the command line", "low"),
        pgettext("a choice typed on the command line", "medium"),
        pgettext("a choice typed on the command line", "high"),
    )


def kind_option(*, required: bool) -> Callable[[Any], Any]:
    """``--kind meeting|call|visit|follow-up|task`` (in the user's words too)."""
    return click.option(
        "--kind",
        required=required,
        type=WordChoice(KIND_CHOICES),
        help=N_("What kind of activity: meeting, call, visit, follow-up or task."),
    )


def substance(ctx: click.Context) -> Substance:
    """The use cases of a deal's substance, acting as the OS user running this process."""
    from salesboard.service.substance import Substance

    return Substance(_session(ctx).pipeline())


def given(**values: Any) -> dict[str, Any]:
    """The options the user gave (``None`` means "not given"), as service arguments."""
    return {name: value for name, value in values.items() if value is not None}


def changed_by(pipeline: Pipeline, change: Callable[[], PartChanged]) -> tuple[PartChanged, bool]:
    """Make ``change`` and tell whether it recorded anything (``PartChanged.changed``).

    The service records nothing for a change to values a part already has; the command
    then says "nothing to change" rather than "saved".
    """
    done = change()
    return done, done.changed
