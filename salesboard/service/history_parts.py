"""Changes to a deal's activities, stakeholders and problems, told in a few words.

The history shows "meeting planned: Kick-off, 2027-01-15 10:30", "activity done:
Kick-off", "stakeholder removed: Kari Nordmann (ally)" and "problem: priority: — → high"
in the reader's language. Every stored value is untrusted: it goes through
``short_value`` (made safe, cut short), and a value salesboard would not have written (a
kind nobody knows, a due time that is no time) is shown as stored, made safe.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from salesboard.calendar_text import moment_text
from salesboard.i18n import N_, _, pgettext
from salesboard.money import amount_text, is_currency, money_text
from salesboard.service.history_text import short_value
from salesboard.substance import (
    LEVELS,
    WORDS,
    ActivityKind,
    Influence,
    Priority,
    Stance,
)

PARTS: Final = ("activity", "stakeholder", "problem")
"""The parts of a deal whose changes this module tells (the first word of their kinds)."""

_PART_WORDS: Final = {
    "activity": N_("activity"),
    "stakeholder": N_("stakeholder"),
    "problem": N_("problem"),
}

PART_FIELDS: Final[dict[str, dict[str, str]]] = {
    "activity": {
        "kind": N_("kind"),
        "title": N_("title"),
        "due_at": N_("due"),
        "owner": N_("owner"),
        "agenda": N_("agenda"),
        "notes": N_("notes"),
    },
    "stakeholder": {
        "name": N_("name"),
        "organisation": N_("organisation"),
        "role": N_("role"),
        "stance": N_("stance"),
        "influence": N_("influence"),
        "notes": N_("notes"),
        "email": N_("e-mail"),
        "phone": N_("phone"),
    },
    "problem": {
        "description": N_("description"),
        "priority": N_("priority"),
        "price_minor": N_("price"),
        "currency": N_("currency"),
        "status": N_("status"),
    },
}
"""Each part's stored fields as an edit line names them."""

_CHOICES: Final[dict[str, tuple[type[Any], dict[str, str]]]] = {
    "kind": (ActivityKind, WORDS),
    "stance": (Stance, WORDS),
    "influence": (Influence, LEVELS),
    "priority": (Priority, LEVELS),
}


def part_word(what: str) -> str:
    """The word for an activity, a stakeholder or a problem in the reader's language."""
    word = _PART_WORDS.get(what)
    return short_value(what, limit=30) if word is None else _(word)


def is_part_kind(kind: str) -> bool:
    """Whether ``kind`` is a change to an activity, a stakeholder or a problem."""
    what, _sep, _action = kind.rpartition("_")
    return what in PARTS


def due_text(value: Any) -> str:
    """A stored due (or done) time, ISO text in UTC, told in the user's zone.

    Anything that is not such a time is shown as stored, made safe.
    """
    if not isinstance(value, str):
        return short_value(value)
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone()  # the user's zone (TZ or the system's)
    except (ValueError, OverflowError, OSError):
        return short_value(value)
    return moment_text(local)


def part_value(key: str, value: Any, limit: int = 30) -> str:
    """One stored field of a part as told: a choice as its word, a time in the user's zone."""
    choice = _CHOICES.get(key)
    if choice is not None and isinstance(value, str):
        kind, words = choice
        if value in {member.value for member in kind}:
            return _(words[value])
    if key == "status" and value == "open":
        return pgettext("a problem's status", "open")
    if key == "status" and value == "solved":
        return pgettext("a problem's status", "solved")
    if key in ("due_at", "done_at"):
        return due_text(value)
    if key == "price_minor" and isinstance(value, int) and not isinstance(value, bool):
        return amount_text(value)
    return short_value(value, limit=limit)


def _price(fields: dict[str, Any]) -> str | None:
    """A stored price with its currency, or None when there is none."""
    minor, currency = fields.get("price_minor"), fields.get("currency")
    if minor is None:
        return None
    if not isinstance(minor, int) or isinstance(minor, bool):
        return short_value(minor, limit=30)
    if isinstance(currency, str) and is_currency(currency):
        return money_text(minor, currency)
    return f"{amount_text(minor)} {short_value(currency, limit=8)}"


def _field_name(what: str, key: Any) -> str:
    word = PART_FIELDS[what].get(key) if isinstance(key, str) else None
    return short_value(key, limit=30) if word is None else _(word)


def _edit(what: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    """The part, then each field that changed: ``problem: priority: — → high``."""
    keys = [key for key in dict.fromkeys([*old, *new]) if key not in (what, "named")]
    changes = "; ".join(
        f"{_field_name(what, key)}: {part_value(str(key), old.get(key))} → "
        f"{part_value(str(key), new.get(key))}"
        for key in keys
    )
    word = part_word(what)
    named = old.get("named")
    if isinstance(named, str) and named:  # which one (kept by edits since it was added)
        word = f"{word} {short_value(named, limit=40)}"
    return f"{word}: {changes}" if changes else word


def _activity(action: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    if action in ("added", "removed"):
        fields = new if action == "added" else old
        told = (
            _("{kind} planned: {title}, {due}")
            if action == "added"
            else _("{kind} removed: {title}, {due}")
        )
        return told.format(
            kind=part_value("kind", fields.get("kind")),
            title=short_value(fields.get("title")),
            due=due_text(fields.get("due_at")),
        )
    title = short_value(new.get("title", old.get("title")))
    if action == "done":
        return _("activity done: {title}").format(title=title)
    return _("activity open again: {title}").format(title=title)


def _stakeholder(action: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    fields = new if action == "added" else old
    who = short_value(fields.get("name"))
    organisation = fields.get("organisation")
    if organisation:
        who = f"{who}, {short_value(organisation, limit=40)}"
    told = (
        _("stakeholder added: {who} ({stance})")
        if action == "added"
        else _("stakeholder removed: {who} ({stance})")
    )
    return told.format(who=who, stance=part_value("stance", fields.get("stance")))


def _problem(action: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    fields = new if action == "added" else old
    description = short_value(fields.get("description"))
    if action == "removed":
        return _("problem removed: {description}").format(description=description)
    told = _("problem added: {description}").format(description=description)
    details = []
    if fields.get("priority") is not None:
        details.append(part_value("priority", fields.get("priority")))
    price = _price(fields)
    if price is not None:
        details.append(price)
    return f"{told} ({', '.join(details)})" if details else told


def describe_part(kind: str, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """A change to an activity, stakeholder or problem in a few words (None: not one)."""
    what, _sep, action = kind.rpartition("_")
    if what not in PARTS:
        return None
    if action == "edited":
        return _edit(what, old, new)
    if what == "activity" and action in ("added", "removed", "done", "reopened"):
        return _activity(action, old, new)
    if what == "stakeholder" and action in ("added", "removed"):
        return _stakeholder(action, old, new)
    if what == "problem" and action in ("added", "removed"):
        return _problem(action, old, new)
    return None
