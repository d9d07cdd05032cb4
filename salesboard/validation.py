"""Cleaning and checking what users type before it reaches the database.

Text is kept exactly as meant (markup such as ``[red]x[/]`` stays those characters); only
bytes that could drive a terminal are removed. Every refusal is an ``InvalidInput`` with a
message that says what is acceptable.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from salesboard.errors import InvalidInput

TITLE_MAX = 200
COMPANY_MAX = 200
OWNER_MAX = 64
NOTES_MAX = 20_000
REASON_MAX = 1_000
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
VALUE_MAX_MINOR = 10**15  # ten trillion in major units: beyond any real deal

# C0 controls, DEL and C1 controls. Newline and tab are handled per field.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\u2028\u2029]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def strip_controls(text: str, *, multiline: bool = False) -> str:
    """Remove terminal control bytes; keep newlines and tabs only where ``multiline``.

    Lone surrogates (from undecodable command-line bytes) become U+FFFD so the text can
    always be stored and printed.
    """
    text = _SURROGATES.sub("\ufffd", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _CONTROL.sub("", text)
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))


def _line(value: str, field: str, limit: int, *, required: bool) -> str:
    cleaned = strip_controls(value).strip()
    if required and not cleaned:
        raise InvalidInput(f"{field} must not be empty")
    if len(cleaned) > limit:
        raise InvalidInput(f"{field} is {len(cleaned)} characters long; the limit is {limit}")
    return cleaned


def clean_title(value: str) -> str:
    """A deal title: one line, required, at most ``TITLE_MAX`` characters."""
    return _line(value, "title", TITLE_MAX, required=True)


def clean_company(value: str) -> str:
    """A company name: one line, may be empty, at most ``COMPANY_MAX`` characters."""
    return _line(value, "company", COMPANY_MAX, required=False)


def clean_owner(value: str) -> str:
    """An owner login: one line, required, no spaces inside."""
    cleaned = _line(value, "owner", OWNER_MAX, required=True)
    if any(ch.isspace() for ch in cleaned):
        raise InvalidInput(f"owner must be a login name without spaces, not {cleaned!r}")
    return cleaned


def clean_reason(value: str) -> str:
    """Why a deal was lost: required so the team can learn from it."""
    cleaned = strip_controls(value, multiline=True).strip()
    if not cleaned:
        raise InvalidInput("a reason is required to mark a deal lost")
    if len(cleaned) > REASON_MAX:
        raise InvalidInput(f"reason is {len(cleaned)} characters long; the limit is {REASON_MAX}")
    return cleaned


def clean_notes(value: str) -> str:
    """Free-form notes: newlines and tabs allowed, at most ``NOTES_MAX`` characters."""
    cleaned = strip_controls(value, multiline=True).strip("\n")
    if len(cleaned) > NOTES_MAX:
        raise InvalidInput(f"notes are {len(cleaned)} characters long; the limit is {NOTES_MAX}")
    return cleaned


def clean_currency(value: str) -> str:
    """An ISO 4217 code such as EUR or USD."""
    cleaned = strip_controls(value).strip().upper()
    if not CURRENCY_RE.match(cleaned):
        raise InvalidInput(f"currency must be a three-letter code such as EUR, not {value!r}")
    return cleaned


def parse_value(value: str | int | Decimal) -> int:
    """A deal value in major units (``12500``, ``12 500.50``, ``12_500``) → minor units.

    Money is kept as whole cents so that sums never drift. Negative amounts, more than two
    decimals and absurd sizes are refused.
    """
    text = str(value).strip().replace("_", "").replace(" ", "").replace("\u00a0", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(
            f"value must be a number such as 12500 or 12500.50, not {value!r}"
        ) from None
    if not amount.is_finite():
        raise InvalidInput(f"value must be a finite number, not {value!r}")
    if amount < 0:
        raise InvalidInput(f"value must not be negative, not {value!r}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise InvalidInput(f"value has more than two decimals: {value!r}")
    minor = int(cents)
    if minor > VALUE_MAX_MINOR:
        raise InvalidInput(f"value {value!r} is too large")
    return minor


def parse_date(value: str | date) -> date:
    """An ISO date (YYYY-MM-DD) such as an expected close date."""
    if isinstance(value, date):
        return value
    text = strip_controls(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"date must be YYYY-MM-DD, such as 2026-12-31, not {value!r}") from None


def display_safe(text: str, *, multiline: bool = False) -> str:
    """Text safe to print on a terminal even if it was stored by an older or foreign tool."""
    return strip_controls(text, multiline=multiline)
