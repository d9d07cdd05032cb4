"""The forms of a deal's activities, stakeholders and problems (``part_form.PartForm``).

Each names its fields, the service's check of each, and what it shows first: a new
activity is due tomorrow at 09:00 in the user's time, a stakeholder's influence is medium
until told otherwise, a problem is priced in the deal's currency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import TypeVar

from rich.text import Text

from salesboard import part_fields, validation
from salesboard.filled_text import filled
from salesboard.i18n import N_, _
from salesboard.money import amount_text
from salesboard.service.part_views import ActivityView, ProblemView, StakeholderView
from salesboard.substance import (
    PRIORITY_ORDER,
    STANCE_ORDER,
    ActivityKind,
    Influence,
    kind_word,
    level_word,
    stance_word,
)
from salesboard.ui.forms import FieldCheck
from salesboard.ui.part_form import PartField, PartForm
from salesboard.validation import display_safe

__all__ = ["NONE", "ActivityForm", "PartField", "PartForm", "ProblemForm", "StakeholderForm"]

NONE = "none"
"""The choice key of "no priority" (answered as an empty text)."""

DUE_FORMAT = "%Y-%m-%d %H:%M"
Word = TypeVar("Word", bound=StrEnum)


def _block(field: str) -> FieldCheck:
    return lambda typed: part_fields.clean_block(typed, field)


Choices = tuple[tuple[str, Callable[[], str]], ...]


def _choices(members: Iterable[Word], word: Callable[[Word], str]) -> Choices:
    """Each member's key and its word, looked up when the form is drawn."""
    return tuple((member.value, partial(word, member)) for member in members)


def _no_priority() -> str:
    return _("no priority")


def _heading(new: str, edit: str, what: str | None) -> Text:
    """``New activity``, or ``Edit activity: Kickoff`` (the stored text literal)."""
    if what is None:
        return Text(_(new), style="bold")
    return filled(_(edit), {"what": Text(display_safe(what))}, base="bold")


class ActivityForm(PartForm):
    """Plan or edit a meeting, call, visit, follow-up or task."""

    FIELDS = (
        PartField(
            "kind", N_("Kind"), "choice", choices=_choices(ActivityKind, kind_word), required=True
        ),
        PartField("title", N_("Title"), hint=N_("e.g. Kickoff with the buyer")),
        PartField("due", N_("Due (your time)"), hint=N_("YYYY-MM-DD HH:MM")),
        PartField("agenda", N_("Agenda"), "block"),
        PartField("notes", N_("Notes"), "block"),
        PartField("owner", N_("Owner"), hint=N_("Login of the salesperson")),
    )

    def __init__(
        self,
        activity: ActivityView | None,
        *,
        now: datetime,
        owner: str,
        kind: ActivityKind | None = None,
        typed: dict[str, str] | None = None,
        note: str = "",
        focus: str | None = None,
    ) -> None:
        if activity is None:
            tomorrow = now.astimezone() + timedelta(days=1)
            due = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
            initial = {"kind": (kind or ActivityKind.MEETING).value, "owner": owner}
            initial["due"] = due.strftime(DUE_FORMAT)
        else:
            initial = {
                "kind": activity.kind.value,
                "title": display_safe(activity.title),
                "due": activity.due_at.astimezone().strftime(DUE_FORMAT),
                "agenda": display_safe(activity.agenda, multiline=True),
                "notes": display_safe(activity.notes, multiline=True),
                "owner": display_safe(activity.owner),
            }
        title = None if activity is None else activity.title
        heading = _heading(N_("New activity"), N_("Edit activity: {what}"), title)
        first = focus or ("title" if activity is None else None)
        super().__init__(initial, heading=heading, editing=activity is not None, typed=typed,
                         note=note, focus=first)  # fmt: skip

    def checks(self) -> dict[str, FieldCheck]:
        """The service's checks of each typed field."""
        return {
            "title": part_fields.clean_activity_title,
            "due": part_fields.parse_due,
            "agenda": _block(N_("agenda")),
            "notes": _block(N_("notes")),
            "owner": validation.clean_owner,
        }


class StakeholderForm(PartForm):
    """Name a person or organisation around the deal, with where they stand."""

    FIELDS = (
        PartField("name", N_("Name"), hint=N_("e.g. Kari Nordmann")),
        PartField("organisation", N_("Organisation")),
        PartField("role", N_("Role"), hint=N_("e.g. Head of purchasing")),
        PartField(
            "stance", N_("Stance"), "choice", required=True,
            choices=_choices(STANCE_ORDER, stance_word),
        ),
        PartField(
            "influence", N_("Influence"), "choice", required=True,
            choices=_choices(Influence, level_word),
        ),
        PartField("notes", N_("Notes"), "block"),
        PartField("email", N_("E-mail"), hint=N_("name@example.com (optional)")),
        PartField("phone", N_("Phone"), hint=N_("e.g. +47 22 33 44 55 (optional)")),
    )  # fmt: skip

    def __init__(
        self,
        person: StakeholderView | None,
        *,
        typed: dict[str, str] | None = None,
        note: str = "",
    ) -> None:
        if person is None:
            initial = {"influence": Influence.MEDIUM.value}
        else:
            initial = {
                "name": display_safe(person.name),
                "organisation": display_safe(person.organisation),
                "role": display_safe(person.role),
                "stance": person.stance.value,
                "influence": person.influence.value,
                "notes": display_safe(person.notes, multiline=True),
                "email": display_safe(person.email),
                "phone": display_safe(person.phone),
            }
        name = None if person is None else person.name
        heading = _heading(N_("New stakeholder"), N_("Edit stakeholder: {what}"), name)
        super().__init__(initial, heading=heading, editing=person is not None, typed=typed,
                         note=note)  # fmt: skip

    def checks(self) -> dict[str, FieldCheck]:
        """The service's checks of each typed field."""
        return {
            "name": part_fields.clean_name,
            "organisation": part_fields.clean_organisation,
            "role": part_fields.clean_role,
            "notes": _block(N_("notes")),
            "email": part_fields.clean_email,
            "phone": part_fields.clean_phone,
        }


class ProblemForm(PartForm):
    """Record a problem found, or change its wording, priority, price or whether solved."""

    FIELDS = (
        PartField("description", N_("Description"), hint=N_("e.g. Invoices are sent late")),
        PartField(
            "priority", N_("Priority"), "choice",
            choices=((NONE, _no_priority), *_choices(PRIORITY_ORDER, level_word)),
        ),
        PartField("price", N_("Price"), hint=N_("empty, or an amount such as 12 500")),
        PartField("solved", N_("Solved"), "check"),
    )  # fmt: skip

    def __init__(
        self,
        problem: ProblemView | None,
        *,
        currency: str,
        typed: dict[str, str] | None = None,
        note: str = "",
    ) -> None:
        self.currency = problem.currency if problem is not None else currency
        if problem is None:
            initial = {"priority": NONE}
        else:
            initial = {
                "description": display_safe(problem.description),
                "priority": problem.priority.value if problem.priority else NONE,
                "price": (
                    ""
                    if problem.price_minor is None
                    else amount_text(problem.price_minor, problem.currency)
                ),
                "solved": "" if problem.open else "yes",
            }
        what = None if problem is None else problem.description
        heading = _heading(N_("New problem"), N_("Edit problem: {what}"), what)
        super().__init__(initial, heading=heading, editing=problem is not None, typed=typed,
                         note=note)  # fmt: skip

    def fields(self) -> tuple[PartField, ...]:
        """A new problem is open: "solved" is offered once it exists."""
        return self.FIELDS if self.editing else self.FIELDS[:-1]

    def checks(self) -> dict[str, FieldCheck]:
        """The service's checks, the price in the problem's currency."""
        return {
            "description": part_fields.clean_description,
            "price": lambda typed: (
                validation.parse_value(typed, self.currency) if typed.strip() else None
            ),
        }

    def label(self, field: PartField) -> str:
        """The price's label names the currency it is typed in."""
        if field.name == "price":
            return _("Price ({currency})").format(currency=display_safe(self.currency))
        return super().label(field)
