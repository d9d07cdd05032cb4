"""Undo of a change to a deal's activities, stakeholders or problems: the opposite change.

Like every undo (``salesboard.service.undo``) it is a new change through the service's
own use cases, never a rewrite of history: an added part is removed, a removed part is
added again with the fields its removal event kept, an edit is edited back, and a done
activity is opened again (and the other way round). The rules that decide *whether* a
change may be undone (mine, recent, nobody changed the deal since) are ``undo_last``'s.

A removed activity that had been done, or a removed problem that had been solved, comes
back in two changes: added, then marked done (by me, now) or solved, because adding
makes an open one. Everything else is one change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from salesboard.errors import InvalidInput, PartNotFound
from salesboard.i18n import _
from salesboard.money import STORED_DECIMALS
from salesboard.service.substance import PartChanged, Substance
from salesboard.service.views import DealView, EventView
from salesboard.validation import display_safe

_ACTIVITY_FIELDS: Final = ("kind", "title", "due_at", "agenda", "notes", "owner")
_STAKEHOLDER_FIELDS: Final = (
    "name",
    "stance",
    "organisation",
    "role",
    "influence",
    "notes",
    "email",
    "phone",
)
_PROBLEM_FIELDS: Final = ("description", "priority", "price_minor", "currency", "status")


class _Unkept(Exception):
    """The event does not keep a field the opposite change needs, in a usable form."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def opposite_part(work: Substance, event: EventView, version: int) -> DealView:
    """Make the change that takes back ``event`` (a part's change) at deal ``version``."""
    from salesboard.service.undo import UndoRefused

    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    what, _sep, action = event.kind.rpartition("_")
    try:
        if action == "removed":
            return _restore(work, what, event.deal_id, before, version)
        part_id = after.get(what)
        if type(part_id) is not int:
            raise _Unkept(what)
        if action == "added":
            return _remover(work, what)(part_id, expected_version=version).deal
        if action == "edited":
            return _edit_back(work, what, part_id, before, version).deal
        if what == "activity" and action in ("done", "reopened"):
            done = action == "reopened"
            return work.set_activity_done(part_id, done, expected_version=version).deal
    except _Unkept as unkept:
        raise UndoRefused(
            _(
                "your last change to deal {deal_id} does not keep the {field} that undo "
                "needs; change it by hand"
            ).format(deal_id=event.deal_id, field=_field_word(what, unkept.field))
        ) from None
    except PartNotFound:
        raise
    except InvalidInput as error:
        raise UndoRefused(
            _("your last change to deal {deal_id} cannot be taken back: {error}").format(
                deal_id=event.deal_id, error=error
            )
        ) from None
    raise UndoRefused(
        _("a change of kind {kind} cannot be undone").format(kind=repr(display_safe(event.kind)))
    )


def _field_word(what: str, field: str) -> str:
    """A kept field named as the history names it (the part itself when it is its id)."""
    from salesboard.service.history_parts import PART_FIELDS, part_word

    if field == what:
        return part_word(what)
    word = PART_FIELDS.get(what, {}).get(field)
    return display_safe(field) if word is None else _(word)


def _remover(work: Substance, what: str) -> Callable[..., PartChanged]:
    removers: dict[str, Callable[..., PartChanged]] = {
        "activity": work.remove_activity,
        "stakeholder": work.remove_stakeholder,
        "problem": work.remove_problem,
    }
    return removers[what]


def _text(fields: dict[str, Any], name: str) -> str:
    """A kept text field ("" if the event does not name it; refused if it is not text)."""
    value = fields.get(name, "")
    if not isinstance(value, str):
        raise _Unkept(name)
    return value


def _moment(fields: dict[str, Any], name: str) -> datetime:
    """A kept time (ISO 8601 text, UTC if it names no zone)."""
    value = fields.get(name)
    if not isinstance(value, str):
        raise _Unkept(name)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Unkept(name) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _price(fields: dict[str, Any]) -> Decimal | None:
    """A kept price in major units, or None when it had none."""
    minor = fields.get("price_minor")
    if minor is None:
        return None
    if type(minor) is not int or minor < 0:
        raise _Unkept("price_minor")
    return Decimal(minor).scaleb(-STORED_DECIMALS)


def _kept(fields: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: fields[name] for name in names if name in fields}


def _edit_back(
    work: Substance, what: str, part_id: int, before: dict[str, Any], version: int
) -> PartChanged:
    """Edit the part back to the values its edit event kept as "before"."""
    if what == "activity":
        wanted: dict[str, Any] = {}
        for name in _kept(before, _ACTIVITY_FIELDS):
            if name == "due_at":
                wanted["due"] = _moment(before, name)
            else:
                wanted[name] = _text(before, name)
        return work.edit_activity(part_id, expected_version=version, **wanted)
    if what == "stakeholder":
        wanted = {name: _text(before, name) for name in _kept(before, _STAKEHOLDER_FIELDS)}
        return work.edit_stakeholder(part_id, expected_version=version, **wanted)
    wanted = {}
    for name in _kept(before, _PROBLEM_FIELDS):
        if name == "price_minor":
            wanted["price"] = _price(before)
        elif name == "status":
            wanted["solved"] = _text(before, name) == "solved"
        elif name == "priority":
            wanted[name] = None if before[name] is None else _text(before, name)
        else:
            wanted[name] = _text(before, name)
    return work.edit_problem(part_id, expected_version=version, **wanted)


def _restore(
    work: Substance, what: str, deal_id: int, kept: dict[str, Any], version: int
) -> DealView:
    """Add a removed part again with the fields its removal event kept."""
    if what == "activity":
        added = work.add_activity(
            deal_id,
            kind=_text(kept, "kind"),
            title=_text(kept, "title"),
            due=_moment(kept, "due_at"),
            agenda=_text(kept, "agenda"),
            notes=_text(kept, "notes"),
            owner=_text(kept, "owner") or None,
            expected_version=version,
        )
        if kept.get("done_at") is None:
            return added.deal
        return work.set_activity_done(added.part_id, True, expected_version=added.deal.version).deal
    if what == "stakeholder":
        return work.add_stakeholder(
            deal_id,
            _text(kept, "name"),
            stance=_text(kept, "stance"),
            organisation=_text(kept, "organisation"),
            role=_text(kept, "role"),
            influence=_text(kept, "influence") or "medium",
            notes=_text(kept, "notes"),
            email=_text(kept, "email"),
            phone=_text(kept, "phone"),
            expected_version=version,
        ).deal
    priority = kept.get("priority")
    added = work.add_problem(
        deal_id,
        _text(kept, "description"),
        priority=None if priority is None else _text(kept, "priority"),
        price=_price(kept),
        currency=_text(kept, "currency") or None,
        expected_version=version,
    )
    if kept.get("status") != "solved":
        return added.deal
    return work.edit_problem(added.part_id, solved=True, expected_version=added.deal.version).deal
