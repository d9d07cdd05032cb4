"""The use cases of a deal's substance: its activities, stakeholders and problems.

Each change goes through the deal's versioned write path, exactly as a tick or a move
does: one write transaction that locks the deal, checks the caller's version, changes the
row, bumps the deal's version and appends one event to the deal's history. Two people
changing the same deal's stakeholders therefore get a conflict, never a lost update, and
a removal is never silent: its event keeps what was removed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Table, select
from sqlmodel import Session

from salesboard import part_fields as fields
from salesboard import validation
from salesboard.errors import InvalidInput, PartNotFound
from salesboard.i18n import N_, _
from salesboard.service.part_rows import AgendaEntry, agenda, check_part
from salesboard.service.part_views import DealParts
from salesboard.service.pipeline import UNSET, Pipeline, _check_decimals, _Unset
from salesboard.service.views import DealView
from salesboard.store import ACTIVITY, PROBLEM, STAKEHOLDER
from salesboard.substance import ActivityKind, Influence, Priority, ProblemStatus, Stance
from salesboard.workflow import EventKind

AGENDA_DAYS_MAX: Final = 3660


@dataclass(frozen=True)
class PartChanged:
    """The deal after a change to one of its parts, and which part (its new id on add)."""

    deal: DealView
    part_id: int
    changed: bool = True
    """False when the part already had what was asked: nothing was recorded."""


_WHAT: Final = {
    "activity": N_("activity"),
    "stakeholder": N_("stakeholder"),
    "problem": N_("problem"),
}


_LABEL: Final = {"activity": "title", "stakeholder": "name", "problem": "description"}
"""The field that names a part; an edit event keeps it as ``named``, so its history line
can say which part changed."""


def rows_text(value: Any) -> str:
    """A stored text as an event keeps it (anything else as its text)."""
    return value if isinstance(value, str) else str(value)


def _json(value: Any) -> Any:
    """A value as an event keeps it (times ISO 8601 in UTC, choices as their keys)."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _words(pairs: Mapping[str, str]) -> dict[str, str]:
    return {key: _(word) for key, word in pairs.items()}


class Substance:
    """Every use case of a deal's activities, stakeholders and problems, as one user."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    # ----------------------------------------------------------------- reads

    def parts(self, deal_id: int) -> DealParts:
        """The deal's activities, stakeholders and problems (``DealNotFound`` if none)."""
        return self.pipeline.get_deal(deal_id).parts

    def agenda(
        self, owner: str | None, days: int | None = None, now: datetime | None = None
    ) -> list[AgendaEntry]:
        """Open activities of ``owner`` (None: everyone) due within ``days``, overdue first."""
        until = None
        if days is not None:
            if not 0 <= days <= AGENDA_DAYS_MAX:
                raise InvalidInput(
                    _("days must be from 0 to {most}, not {days}").format(
                        most=AGENDA_DAYS_MAX, days=days
                    )
                )
            until = (now or self.pipeline.now()) + timedelta(days=days)
        who = None if owner is None else validation.clean_owner(owner)
        with self.pipeline.db.read() as session:
            return agenda(session.connection(), who, until)

    # ------------------------------------------------------------ activities

    def add_activity(
        self,
        deal_id: int,
        *,
        kind: str | ActivityKind,
        title: str,
        due: str | datetime,
        agenda: str = "",
        notes: str = "",
        owner: str | None = None,
        expected_version: int | None = None,
    ) -> PartChanged:
        """Plan a meeting, call, visit, follow-up or task on a deal."""
        values = {
            "kind": _activity_kind(kind).value,
            "title": fields.clean_activity_title(title),
            "due_at": fields.parse_due(due),
            "owner": validation.clean_owner(owner if owner is not None else self.pipeline.actor),
            "agenda": fields.clean_block(agenda, N_("agenda")),
            "notes": fields.clean_block(notes, N_("notes")),
        }
        return self._add(ACTIVITY, "activity", deal_id, values, expected_version)

    def edit_activity(
        self,
        activity_id: int,
        *,
        expected_version: int | None = None,
        kind: str | ActivityKind | _Unset = UNSET,
        title: str | _Unset = UNSET,
        due: str | datetime | _Unset = UNSET,
        agenda: str | _Unset = UNSET,
        notes: str | _Unset = UNSET,
        owner: str | _Unset = UNSET,
    ) -> PartChanged:
        """Change an activity's fields; only what really changes is recorded."""
        wanted: dict[str, Any] = {}
        if not isinstance(kind, _Unset):
            wanted["kind"] = _activity_kind(kind).value
        if not isinstance(title, _Unset):
            wanted["title"] = fields.clean_activity_title(title)
        if not isinstance(due, _Unset):
            wanted["due_at"] = fields.parse_due(due)
        if not isinstance(agenda, _Unset):
            wanted["agenda"] = fields.clean_block(agenda, N_("agenda"))
        if not isinstance(notes, _Unset):
            wanted["notes"] = fields.clean_block(notes, N_("notes"))
        if not isinstance(owner, _Unset):
            wanted["owner"] = validation.clean_owner(owner)
        return self._edit(ACTIVITY, "activity", activity_id, wanted, expected_version)

    def set_activity_done(
        self, activity_id: int, done: bool = True, *, expected_version: int | None = None
    ) -> PartChanged:
        """Mark an activity done (by me, now), or open again (``done=False``).

        Asking for the state it already has changes nothing and is not an error.
        """

        def change(session: Session, row: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
            if (row.done_at is not None) == done:
                return None
            now = self.pipeline.now()
            values = (
                {"done_by": self.pipeline.actor, "done_at": now}
                if done
                else {
                    "done_by": None,
                    "done_at": None,
                }
            )
            session.connection().execute(
                ACTIVITY.update().where(ACTIVITY.c.id == activity_id).values(**values)
            )
            before = {"activity": activity_id, "title": row.title, "done": not done}
            return before, {**before, "done": done}

        kind = EventKind.ACTIVITY_DONE if done else EventKind.ACTIVITY_REOPENED
        return self._change(ACTIVITY, "activity", activity_id, expected_version, kind, change)

    def remove_activity(
        self, activity_id: int, *, expected_version: int | None = None
    ) -> PartChanged:
        """Take an activity off a deal; its event keeps everything it held."""
        return self._remove(ACTIVITY, "activity", activity_id, expected_version)

    # ---------------------------------------------------------- stakeholders

    def add_stakeholder(
        self,
        deal_id: int,
        name: str,
        *,
        stance: str | Stance,
        organisation: str = "",
        role: str = "",
        influence: str | Influence = Influence.MEDIUM,
        notes: str = "",
        email: str = "",
        phone: str = "",
        expected_version: int | None = None,
    ) -> PartChanged:
        """Name a person or organisation around the deal, with where they stand."""
        values = {
            "name": fields.clean_name(name),
            "organisation": fields.clean_organisation(organisation),
            "role": fields.clean_role(role),
            "stance": _stance(stance).value,
            "influence": _influence(influence).value,
            "notes": fields.clean_block(notes, N_("notes")),
            "email": fields.clean_email(email),
            "phone": fields.clean_phone(phone),
        }
        return self._add(STAKEHOLDER, "stakeholder", deal_id, values, expected_version)

    def edit_stakeholder(
        self,
        stakeholder_id: int,
        *,
        expected_version: int | None = None,
        name: str | _Unset = UNSET,
        stance: str | Stance | _Unset = UNSET,
        organisation: str | _Unset = UNSET,
        role: str | _Unset = UNSET,
        influence: str | Influence | _Unset = UNSET,
        notes: str | _Unset = UNSET,
        email: str | _Unset = UNSET,
        phone: str | _Unset = UNSET,
    ) -> PartChanged:
        """Change a stakeholder's fields; only what really changes is recorded."""
        wanted: dict[str, Any] = {}
        if not isinstance(name, _Unset):
            wanted["name"] = fields.clean_name(name)
        if not isinstance(stance, _Unset):
            wanted["stance"] = _stance(stance).value
        if not isinstance(organisation, _Unset):
            wanted["organisation"] = fields.clean_organisation(organisation)
        if not isinstance(role, _Unset):
            wanted["role"] = fields.clean_role(role)
        if not isinstance(influence, _Unset):
            wanted["influence"] = _influence(influence).value
        if not isinstance(notes, _Unset):
            wanted["notes"] = fields.clean_block(notes, N_("notes"))
        if not isinstance(email, _Unset):
            wanted["email"] = fields.clean_email(email)
        if not isinstance(phone, _Unset):
            wanted["phone"] = fields.clean_phone(phone)
        return self._edit(STAKEHOLDER, "stakeholder", stakeholder_id, wanted, expected_version)

    def remove_stakeholder(
        self, stakeholder_id: int, *, expected_version: int | None = None
    ) -> PartChanged:
        """Take a stakeholder off a deal; its event keeps everything it held."""
        return self._remove(STAKEHOLDER, "stakeholder", stakeholder_id, expected_version)

    # -------------------------------------------------------------- problems

    def add_problem(
        self,
        deal_id: int,
        description: str,
        *,
        priority: str | Priority | None = None,
        price: str | int | Decimal | None = None,
        currency: str | None = None,
        expected_version: int | None = None,
    ) -> PartChanged:
        """Record a problem found, priced in the deal's currency unless told otherwise."""
        values: dict[str, Any] = {
            "description": fields.clean_description(description),
            "priority": None if priority in (None, "") else _priority(priority).value,
            "status": ProblemStatus.OPEN.value,
        }
        chosen = None if currency in (None, "") else validation.clean_currency(str(currency))

        def priced(deal_currency: str) -> None:
            values["currency"] = chosen or deal_currency
            values["price_minor"] = _price(price, values["currency"])

        return self._add(PROBLEM, "problem", deal_id, values, expected_version, priced)

    def edit_problem(
        self,
        problem_id: int,
        *,
        expected_version: int | None = None,
        description: str | _Unset = UNSET,
        priority: str | Priority | _Unset | None = UNSET,
        price: str | int | Decimal | _Unset | None = UNSET,
        currency: str | _Unset = UNSET,
        solved: bool | _Unset = UNSET,
    ) -> PartChanged:
        """Change a problem: its wording, priority, price, currency or whether it is solved.

        ``None`` clears the priority or the price (not known after all).
        """
        wanted: dict[str, Any] = {}
        if not isinstance(description, _Unset):
            wanted["description"] = fields.clean_description(description)
        if not isinstance(priority, _Unset):
            wanted["priority"] = None if priority in (None, "") else _priority(priority).value
        if not isinstance(currency, _Unset):
            wanted["currency"] = validation.clean_currency(currency)
        if not isinstance(solved, _Unset):
            wanted["status"] = (ProblemStatus.SOLVED if solved else ProblemStatus.OPEN).value

        def priced(row: Any) -> None:
            money_in = wanted.get("currency", row.currency)
            if not isinstance(price, _Unset):
                wanted["price_minor"] = _price(price, money_in)
            else:
                minor = row.price_minor
                if isinstance(minor, int) and "currency" in wanted:
                    _check_decimals(minor, money_in)

        return self._edit(PROBLEM, "problem", problem_id, wanted, expected_version, priced)

    def remove_problem(
        self, problem_id: int, *, expected_version: int | None = None
    ) -> PartChanged:
        """Take a problem off a deal; its event keeps everything it held."""
        return self._remove(PROBLEM, "problem", problem_id, expected_version)

    # --------------------------------------------------------------- helpers

    def _add(
        self,
        table: Table,
        what: str,
        deal_id: int,
        values: dict[str, Any],
        expected_version: int | None,
        complete: Callable[[str], None] | None = None,
    ) -> PartChanged:
        pipeline = self.pipeline
        with pipeline.db.write(wait_ms=pipeline.wait_ms) as session:
            deal = pipeline._lock(session, deal_id, expected_version)
            if complete is not None:
                complete(deal.currency)
            now = pipeline.now()
            inserted = session.connection().execute(
                table.insert().values(
                    deal_id=deal_id, created_by=pipeline.actor, created_at=now, **values
                )
            )
            key = inserted.inserted_primary_key
            assert key is not None
            part_id = int(key[0])
            after = {what: part_id, **{k: _json(v) for k, v in values.items()}}
            pipeline._record(session, deal, EventKind(f"{what}_added"), None, after)
            return PartChanged(pipeline._view(session, deal), part_id)

    def _edit(
        self,
        table: Table,
        what: str,
        part_id: int,
        wanted: dict[str, Any],
        expected_version: int | None,
        complete: Callable[[Any], None] | None = None,
    ) -> PartChanged:
        if not wanted and complete is None:
            raise InvalidInput(_("nothing to change: give at least one field"))

        def change(session: Session, row: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
            if complete is not None:
                complete(row)
            if not wanted:
                raise InvalidInput(_("nothing to change: give at least one field"))
            changed = {k: v for k, v in wanted.items() if _stored(getattr(row, k)) != v}
            if not changed:
                return None
            session.connection().execute(
                table.update().where(table.c.id == part_id).values(**changed)
            )
            label = _LABEL[what]
            named = {"named": rows_text(getattr(row, label))}
            before = {
                what: part_id,
                **named,
                **{k: _json(_stored(getattr(row, k))) for k in changed},
            }
            after = {what: part_id, **named, **{k: _json(v) for k, v in changed.items()}}
            return before, after

        return self._change(
            table, what, part_id, expected_version, EventKind(f"{what}_edited"), change
        )

    def _remove(
        self, table: Table, what: str, part_id: int, expected_version: int | None
    ) -> PartChanged:
        def change(session: Session, row: Any) -> tuple[dict[str, Any], dict[str, Any]]:
            session.connection().execute(table.delete().where(table.c.id == part_id))
            kept = {
                name: _json(_stored(value))
                for name, value in row._mapping.items()
                if name not in ("id", "deal_id", "created_at")
            }
            return {what: part_id, **kept}, {what: part_id}

        return self._change(
            table, what, part_id, expected_version, EventKind(f"{what}_removed"), change
        )

    def _change(
        self,
        table: Table,
        what: str,
        part_id: int,
        expected_version: int | None,
        kind: EventKind,
        change: Callable[[Session, Any], tuple[dict[str, Any], dict[str, Any]] | None],
    ) -> PartChanged:
        """Lock the deal the part belongs to, change the part, and record it on the deal."""
        pipeline = self.pipeline
        if not 1 <= part_id <= 2**63 - 1:
            raise PartNotFound(_(_WHAT[what]), part_id)
        with pipeline.db.write(wait_ms=pipeline.wait_ms) as session:
            owner = (
                session.connection()
                .execute(select(table.c.deal_id).where(table.c.id == part_id))
                .first()
            )
            if owner is None or type(owner.deal_id) is not int:
                raise PartNotFound(_(_WHAT[what]), part_id)
            deal = pipeline._lock(session, owner.deal_id, expected_version)
            check_part(session.connection(), what, part_id)
            row = session.connection().execute(select(table).where(table.c.id == part_id)).first()
            assert row is not None  # the deal's lock keeps it there
            told = change(session, row)
            if told is not None:
                pipeline._record(session, deal, kind, *told)
            return PartChanged(pipeline._view(session, deal), part_id, told is not None)


def _stored(value: Any) -> Any:
    """A stored value compared with a new one: times as aware UTC."""
    if isinstance(value, datetime):
        from salesboard.service.views import as_utc

        return as_utc(value)
    return value


def _price(value: str | int | Decimal | None, currency: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    minor = validation.parse_value(value, currency)
    _check_decimals(minor, currency)
    return minor


def _activity_kind(value: str | ActivityKind) -> ActivityKind:
    from salesboard.substance import WORDS

    return fields.parse_choice(ActivityKind, value, _words(WORDS))


def _stance(value: str | Stance) -> Stance:
    from salesboard.substance import WORDS

    return fields.parse_choice(Stance, value, _words(WORDS))


def _influence(value: str | Influence) -> Influence:
    from salesboard.substance import LEVELS

    return fields.parse_choice(Influence, value, _words(LEVELS))


def _priority(value: str | Priority) -> Priority:
    from salesboard.substance import LEVELS

    return fields.parse_choice(Priority, value, _words(LEVELS))
