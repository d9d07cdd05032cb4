"""Reading a deal's activities, stakeholders and problems from their rows, untrusted.

Like ``rows`` for deals: a row whose values break the rules (a kind nobody writes, a time
that is not a time) is left out of the lists and told in ``DealParts.damaged``, so one bad
row never stops the pane, the board or a command.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, TypeVar

from sqlalchemy import Connection, select

from salesboard.errors import DamagedData
from salesboard.i18n import _
from salesboard.service import rows
from salesboard.service.part_views import (
    ActivityView,
    DealParts,
    NextStep,
    ProblemView,
    StakeholderView,
    ordered_activities,
    ordered_problems,
    ordered_stakeholders,
)
from salesboard.store import ACTIVITY, PROBLEM, STAKEHOLDER, Deal
from salesboard.substance import (
    ActivityKind,
    Influence,
    Priority,
    ProblemStatus,
    Stance,
)

Member = TypeVar("Member", bound=StrEnum)


@functools.cache
def _members(kind: type[StrEnum]) -> dict[str, StrEnum]:
    return {member.value: member for member in kind}


def _member(kind: type[Member], value: Any, what: str) -> Member:
    found = _members(kind).get(value) if isinstance(value, str) else None
    if found is not None:
        return found  # type: ignore[return-value]
    raise rows.Damaged(
        _("{what} is {value}, not one salesboard writes").format(what=what, value=rows.shown(value))
    )


_YEARS: Final = range(1900, 9999)
"""Years a part's time may fall in: the ones anyone types (``part_fields``), and far
enough from the calendar's ends that the time can be shown in every zone."""


def _moment(value: Any, what: str) -> datetime:
    """A stored time that can be shown in any zone (``rows.Damaged`` otherwise)."""
    found = rows.moment(value, what)
    if found.year not in _YEARS:
        raise rows.Damaged(
            _("{what} is {value}, not a time salesboard writes").format(
                what=what, value=rows.shown(value)
            )
        )
    return found


def _optional_moment(value: Any, what: str) -> datetime | None:
    return None if value is None else _moment(value, what)


def _strict_text(value: Any, what: str) -> str:
    """A stored text that is text (a blob or number is damage, not a title)."""
    if isinstance(value, str):
        return value
    raise rows.Damaged(_("{what} is {value}, not text").format(what=what, value=rows.shown(value)))


def activity_view(row: Any) -> ActivityView:
    """An ``activity`` row as a view (``rows.Damaged`` if it breaks the rules)."""
    return ActivityView(
        id=rows.whole(row.id, "id", 1, 2**63 - 1),
        deal_id=rows.whole(row.deal_id, "deal_id", 1, 2**63 - 1),
        kind=_member(ActivityKind, row.kind, "kind"),
        title=_strict_text(row.title, "title"),
        due_at=_moment(row.due_at, "due_at"),
        owner=_strict_text(row.owner, "owner"),
        agenda=_strict_text(row.agenda, "agenda"),
        notes=_strict_text(row.notes, "notes"),
        done_by=None if row.done_by is None else rows.text(row.done_by),
        done_at=_optional_moment(row.done_at, "done_at"),
        created_by=rows.text(row.created_by),
        created_at=_moment(row.created_at, "created_at"),
    )


def stakeholder_view(row: Any) -> StakeholderView:
    """A ``stakeholder`` row as a view (``rows.Damaged`` if it breaks the rules)."""
    return StakeholderView(
        id=rows.whole(row.id, "id", 1, 2**63 - 1),
        deal_id=rows.whole(row.deal_id, "deal_id", 1, 2**63 - 1),
        name=_strict_text(row.name, "name"),
        organisation=_strict_text(row.organisation, "organisation"),
        role=_strict_text(row.role, "role"),
        stance=_member(Stance, row.stance, "stance"),
        influence=_member(Influence, row.influence, "influence"),
        notes=_strict_text(row.notes, "notes"),
        email=_strict_text(row.email, "email"),
        phone=_strict_text(row.phone, "phone"),
        created_by=rows.text(row.created_by),
        created_at=_moment(row.created_at, "created_at"),
    )


def problem_view(row: Any) -> ProblemView:
    """A ``problem`` row as a view (``rows.Damaged`` if it breaks the rules)."""
    return ProblemView(
        id=rows.whole(row.id, "id", 1, 2**63 - 1),
        deal_id=rows.whole(row.deal_id, "deal_id", 1, 2**63 - 1),
        description=_strict_text(row.description, "description"),
        priority=None if row.priority is None else _member(Priority, row.priority, "priority"),
        price_minor=None if row.price_minor is None else rows.amount(row.price_minor),
        currency=rows.currency(row.currency),
        status=_member(ProblemStatus, row.status, "status"),
        created_by=rows.text(row.created_by),
        created_at=_moment(row.created_at, "created_at"),
    )


_Viewed = TypeVar("_Viewed")


def _read(found: Iterable[Any], view: Any, what: str, damaged: list[str]) -> list[Any]:
    views = []
    for row in found:
        try:
            views.append(view(row))
        except (rows.Damaged, ValueError, TypeError) as damage:
            damaged.append(
                _("{what} {id} cannot be read: {damage}").format(
                    what=what, id=rows.shown(row.id), damage=damage
                )
            )
    return views


def _columns(table: Any) -> Any:
    return [rows.raw(c, c.name) if "_at" in c.name else c for c in table.c]


_VIEWS: Final = {
    "activity": (ACTIVITY, activity_view),
    "stakeholder": (STAKEHOLDER, stakeholder_view),
    "problem": (PROBLEM, problem_view),
}


def check_part(connection: Connection, what: str, part_id: int) -> None:
    """Refuse to build a change on a part whose row breaks the rules (``DamagedData``)."""
    table, view = _VIEWS[what]
    row = connection.execute(select(*_columns(table)).where(table.c.id == part_id)).first()
    if row is None:
        return
    try:
        view(row)
    except (rows.Damaged, ValueError, TypeError) as damage:
        raise DamagedData(
            _(
                "{what} {id} is damaged in the database ({reason}); salesboard will not "
                "build on it — run 'salesboard doctor' to see every problem"
            ).format(what=_(what), id=part_id, reason=damage)
        ) from None


def read_parts(connection: Connection, deal_id: int) -> DealParts:
    """Everything around one deal, each list in the order it is shown."""
    damaged: list[str] = []
    activities = _read(
        connection.execute(select(*_columns(ACTIVITY)).where(ACTIVITY.c.deal_id == deal_id)),
        activity_view,
        _("activity"),
        damaged,
    )
    stakeholders = _read(
        connection.execute(select(*_columns(STAKEHOLDER)).where(STAKEHOLDER.c.deal_id == deal_id)),
        stakeholder_view,
        _("stakeholder"),
        damaged,
    )
    problems = _read(
        connection.execute(select(*_columns(PROBLEM)).where(PROBLEM.c.deal_id == deal_id)),
        problem_view,
        _("problem"),
        damaged,
    )
    return DealParts(
        ordered_activities(activities),
        ordered_stakeholders(stakeholders),
        ordered_problems(problems),
        tuple(damaged),
    )


_NEXT_COLUMNS = (
    ACTIVITY.c.id,
    ACTIVITY.c.deal_id,
    ACTIVITY.c.kind,
    ACTIVITY.c.title,
    rows.raw(ACTIVITY.c.due_at, "due_at"),
)


def next_steps(connection: Connection, deal_ids: Sequence[int] | None) -> dict[int, NextStep]:
    """Each deal's next step: its earliest open activity (``None`` ids: every deal).

    One query over the activities' deal index; a damaged row is passed over.
    """
    query = select(*_NEXT_COLUMNS).where(ACTIVITY.c.done_at.is_(None))
    if deal_ids is not None:
        if not deal_ids:
            return {}
        query = query.where(ACTIVITY.c.deal_id.in_(list(deal_ids)))
    found: dict[int, NextStep] = {}
    best: dict[int, tuple[datetime, int]] = {}
    for activity_id, deal_id, kind, title, due in connection.execute(query):
        try:
            at = _moment(due, "due_at")
            what = _member(ActivityKind, kind, "kind")
        except rows.Damaged:
            continue
        if type(deal_id) is not int or type(activity_id) is not int:
            continue
        rank = (at, activity_id)
        if deal_id not in best or rank < best[deal_id]:
            best[deal_id] = rank
            found[deal_id] = NextStep(activity_id, what, rows.text(title), at)
    return found


@dataclass(frozen=True)
class AgendaEntry:
    """One open activity on someone's agenda, with the deal it belongs to."""

    activity: ActivityView
    deal_title: str
    company: str

    def to_json(self) -> dict[str, Any]:
        """The activity's JSON with its deal's title and company."""
        return {**self.activity.to_json(), "deal": self.deal_title, "company": self.company}


def agenda(connection: Connection, owner: str | None, until: datetime | None) -> list[AgendaEntry]:
    """Open activities (of ``owner``, or everyone's) due before ``until``, earliest first.

    Overdue ones come first because they are the earliest. Damaged rows are passed over.
    """
    deals: Any = Deal.__table__  # type: ignore[attr-defined]
    query = (
        select(
            *_columns(ACTIVITY),
            deals.c.title.label("deal_title"),
            deals.c.company.label("deal_company"),
        )
        .join(deals, deals.c.id == ACTIVITY.c.deal_id)
        .where(ACTIVITY.c.done_at.is_(None))
        .order_by(ACTIVITY.c.due_at, ACTIVITY.c.id)
    )
    if owner is not None:
        query = query.where(ACTIVITY.c.owner == owner)
    if until is not None:
        query = query.where(ACTIVITY.c.due_at < until)
    entries: list[AgendaEntry] = []
    for row in connection.execute(query):
        try:
            entries.append(
                AgendaEntry(
                    activity_view(row), rows.text(row.deal_title), rows.text(row.deal_company)
                )
            )
        except (rows.Damaged, ValueError, TypeError):
            continue
    entries.sort(key=lambda e: (e.activity.due_at, e.activity.id))
    return entries
