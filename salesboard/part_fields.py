"""Cleaning what users type about a deal's activities, stakeholders and problems.

The same rules as a deal's own fields (``salesboard.validation``): text kept literally,
terminal bytes removed, every refusal an ``InvalidInput`` that says what is acceptable.
Due times are typed in the user's own time zone and kept in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, tzinfo
from enum import StrEnum
from typing import Final, TypeVar

from salesboard.errors import InvalidInput
from salesboard.i18n import N_, _
from salesboard.validation import _line, _too_long, parse_date, strip_controls

ACTIVITY_TITLE_MAX: Final = 200
NAME_MAX: Final = 120
ROLE_MAX: Final = 120
BLOCK_MAX: Final = 5_000
DESCRIPTION_MAX: Final = 500
EMAIL_MAX: Final = 254
DEFAULT_HOUR: Final = time(9, 0)
"""When an activity typed with a date only is due: the start of a working day."""

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE: Final = re.compile(r"\+?[0-9(][0-9 ().-]*", re.ASCII)
_TIME: Final = re.compile(r"(?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})", re.ASCII)

Choice = TypeVar("Choice", bound=StrEnum)


def clean_activity_title(value: str) -> str:
    """What an activity is about: one line, required."""
    return _line(value, N_("title"), ACTIVITY_TITLE_MAX, required=True)


def clean_block(value: str, field: str) -> str:
    """An agenda or notes: several lines allowed; ``field`` is a msgid (``N_``)."""
    cleaned = strip_controls(value, multiline=True).strip()
    if len(cleaned) > BLOCK_MAX:
        raise _too_long(_(field), len(cleaned), BLOCK_MAX)
    return cleaned


def clean_name(value: str) -> str:
    """A stakeholder's name: one line, required."""
    return _line(value, N_("name"), NAME_MAX, required=True)


def clean_organisation(value: str) -> str:
    """The organisation a stakeholder belongs to (may be empty)."""
    return _line(value, N_("organisation"), NAME_MAX, required=False)


def clean_role(value: str) -> str:
    """A stakeholder's role (may be empty)."""
    return _line(value, N_("role"), ROLE_MAX, required=False)


def clean_description(value: str) -> str:
    """What a problem is: one line, required."""
    return _line(value, N_("description"), DESCRIPTION_MAX, required=True)


def clean_email(value: str) -> str:
    """An e-mail address someone could write to, or empty."""
    cleaned = _line(value, N_("e-mail"), EMAIL_MAX, required=False)
    if cleaned and _EMAIL.fullmatch(cleaned) is None:
        raise InvalidInput(
            _("e-mail must look like name@example.com, not {value}").format(value=repr(cleaned))
        )
    return cleaned


def clean_phone(value: str) -> str:
    """A phone number someone could dial (digits, spaces, + - ( ) .), or empty."""
    cleaned = _line(value, N_("phone"), 40, required=False)
    if not cleaned:
        return cleaned
    digits = sum(c.isdigit() for c in cleaned)
    if _PHONE.fullmatch(cleaned) is None or not 5 <= digits <= 20:
        raise InvalidInput(
            _(
                "phone must be 5 to 20 digits with optional + ( ) - . and spaces, "
                "such as +47 22 33 44 55, not {value}"
            ).format(value=repr(cleaned))
        )
    return cleaned


def parse_choice(kind: type[Choice], value: str | Choice, words: dict[str, str]) -> Choice:
    """One of an enum's keys, typed as the key or as its word (``words``: key → word)."""
    if isinstance(value, kind):
        return value
    typed = strip_controls(str(value)).strip().casefold()
    for member in kind:
        if typed in (member.value, words.get(member.value, member.value).casefold()):
            return member
    allowed = ", ".join(member.value for member in kind)
    raise InvalidInput(
        _("{value} is not one of: {allowed}").format(value=repr(str(value)), allowed=allowed)
    )


def local_zone() -> tzinfo:
    """The user's time zone (``TZ`` or the system's): due times are typed and shown in it."""
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def parse_due(value: str | datetime, zone: tzinfo | None = None) -> datetime:
    """A due time typed as ``YYYY-MM-DD HH:MM`` (or ``D.M.YYYY HH:MM``), in UTC.

    The time is read in ``zone`` (the user's); a date alone means 09:00 that day.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInput(_("a due time needs a time zone"))
        return value.astimezone(UTC)
    text = strip_controls(value).strip().replace("T", " ", 1)
    day_part, _space, time_part = text.partition(" ")
    try:
        day = parse_date(day_part)
    except InvalidInput:
        raise _bad_due(value) from None
    at = DEFAULT_HOUR
    if time_part.strip():
        found = _TIME.fullmatch(time_part.strip())
        if found is None:
            raise _bad_due(value)
        hour, minute = int(found["hour"]), int(found["minute"])
        if hour > 23 or minute > 59:
            raise _bad_due(value)
        at = time(hour, minute)
    if not 1900 <= day.year <= 9998:
        raise InvalidInput(
            _("a due time must fall in the years 1900 to 9998, not {value}").format(
                value=repr(value)
            )
        )
    local = datetime.combine(day, at)
    stored = (
        local.astimezone().astimezone(UTC)
        if zone is None
        else local.replace(tzinfo=zone).astimezone(UTC)
    )
    shown = stored.astimezone(zone) if zone is not None else stored.astimezone()
    if shown.replace(tzinfo=None) != local:  # a time the clocks skip (spring forward)
        raise InvalidInput(
            _(
                "{value} does not exist in your time zone: the clocks go forward then; "
                "choose another time"
            ).format(value=repr(value))
        )
    return stored


def _bad_due(value: object) -> InvalidInput:
    return InvalidInput(
        _(
            "due must be YYYY-MM-DD HH:MM (or D.M.YYYY HH:MM), "
            "such as 2027-01-15 10:30, not {value}"
        ).format(value=repr(value))
    )
