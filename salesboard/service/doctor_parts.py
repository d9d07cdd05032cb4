"""The check-up of a deal's parts, each row compared with what its history says.

Every activity, stakeholder and problem row is read as untrusted and compared with what
the deal's history says it should hold.

A part row that breaks the rules, one that no history wrote (inserted behind salesboard's
back, for instance to fake the evidence of a tick), one whose history says it was
removed, and one whose values differ from its history are each named in one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, select

from salesboard.i18n import _, ngettext
from salesboard.service import rows
from salesboard.service.part_rows import _columns, activity_view, problem_view, stakeholder_view
from salesboard.service.views import EventView
from salesboard.store import ACTIVITY, PROBLEM, STAKEHOLDER

_TABLES: Final = (
    ("activity", ACTIVITY, activity_view),
    ("stakeholder", STAKEHOLDER, stakeholder_view),
    ("problem", PROBLEM, problem_view),
)
_COMPARED: Final = {
    "activity": ("kind", "title", "due_at", "owner", "agenda", "notes"),
    "stakeholder": (
        "name",
        "organisation",
        "role",
        "stance",
        "influence",
        "notes",
        "email",
        "phone",
    ),
    "problem": ("description", "priority", "price_minor", "currency", "status"),
}


def _stored(value: Any) -> Any:
    """A view's value as its events keep it (times ISO in UTC, choices as keys)."""
    if isinstance(value, datetime):
        return value.isoformat()
    return getattr(value, "value", value)


def _told(events: Iterable[EventView]) -> dict[tuple[str, int], dict[str, Any] | None]:
    """What the history says each part holds now (None: removed), by (kind, id)."""
    found: dict[tuple[str, int], dict[str, Any] | None] = {}
    for event in events:
        what, _sep, action = event.kind.rpartition("_")
        if what not in _COMPARED or event.damage is not None:
            continue
        after = event.after or {}
        part_id = after.get(what)
        if type(part_id) is not int:
            continue
        key = (what, part_id)
        if action == "added":
            found[key] = {k: v for k, v in after.items() if k != what}
        elif action == "removed":
            found[key] = None
        elif action == "edited" and found.get(key) is not None:
            found[key].update({k: v for k, v in after.items() if k not in (what, "named")})  # type: ignore[union-attr]
        elif action in ("done", "reopened") and found.get(key) is not None:
            found[key]["done"] = action == "done"  # type: ignore[index]
    return found


def part_problems(connection: Connection, events: Sequence[EventView]) -> tuple[str, list[str]]:
    """A summary of the part rows read, and every problem found with them."""
    told = _told(events)
    problems: list[str] = []
    count = 0
    for what, table, view in _TABLES:
        for row in connection.execute(select(*_columns(table)).order_by(table.c.id)):
            count += 1
            where = _("{what} {id} of deal {deal}").format(
                what=_(what), id=rows.shown(row.id), deal=rows.shown(row.deal_id)
            )
            try:
                part: Any = view(row)
            except (rows.Damaged, ValueError, TypeError) as damage:
                problems.append(f"{where}: {damage}")
                continue
            history = told.get((what, part.id), "none")
            if history == "none":
                problems.append(
                    _("{where}: no history wrote it (it was not added through salesboard)").format(
                        where=where
                    )
                )
                continue
            if history is None:
                problems.append(_("{where}: its history says it was removed").format(where=where))
                continue
            assert isinstance(history, dict)
            wanted = dict(history)
            if what == "activity" and "done" in wanted:
                wanted_done = wanted.pop("done")
                if wanted_done != part.done:
                    problems.append(
                        _("{where}: its row says done is {stored}, its history says {told}").format(
                            where=where, stored=part.done, told=wanted_done
                        )
                    )
            for name in _COMPARED[what]:
                if name not in wanted:
                    continue
                stored = _stored(getattr(part, name))
                if stored != wanted[name]:
                    problems.append(
                        _(
                            "{where}: its row says {name} is {stored}, its history says {told}"
                        ).format(
                            where=where,
                            name=name,
                            stored=rows.shown(stored),
                            told=rows.shown(wanted[name]),
                        )
                    )
    summary = ngettext(
        "{count} activity, stakeholder or problem read and compared with its history",
        "{count} activities, stakeholders and problems read and compared with their history",
        count,
    ).format(count=count)
    return summary, problems
