"""Cleaning and checking what users type before it reaches the database.

Text is kept exactly as meant (markup such as ``[red]x[/]`` stays those characters); only
bytes that could drive a terminal are removed. Every refusal is an ``InvalidInput`` with a
message that says what is acceptable.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from salesboard.errors import InvalidInput
from salesboard.i18n import N_, _

TITLE_MAX = 200
COMPANY_MAX = 200
OWNER_MAX = 64
NOTES_MAX = 20_000
REASON_MAX = 1_000
CURRENCY_RE = re.compile(r"[A-Z]{3}", re.ASCII)
VALUE_MAX_MINOR = 10**15  # ten trillion in major units: beyond any real deal

# Whole terminal control sequences (ECMA-48), so that no fragment such as "[2J" or
# "]0;title" is left behind once the escape byte is gone: strings (DCS, OSC, SOS, PM,
# APC, in 7- or 8-bit form) up to their terminator or the end of the text; CSI with its
# parameters and final byte; any other escape with its intermediate and final byte.
_SEQUENCES = re.compile(
    r"""
    (?:\x1b[P\]X^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|\Z)
    | (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]?
    | \x1b [ -/]* [0-~]?
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls, DEL and C1 controls left over. Newline and tab are handled per field.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\u2028\u2029]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Joiners, presentation selectors, skin tones, keycaps and tag characters: terminals do
# not agree on how wide the sequences they make are (tmux 3.3 draws a ZWJ emoji 4 cells
# wide, Rich counts 2), which pushes column borders out of line. Without them every
# terminal and ``rich.cells.cell_len`` agree.
_WIDTH_UNSTABLE = re.compile("[\u200d\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")


def strip_controls(text: str, *, multiline: bool = False) -> str:
    """Remove terminal control bytes; keep newlines and tabs only where ``multiline``.

    Lone surrogates (from undecodable command-line bytes) become U+FFFD so the text can
    always be stored and printed.
    """
    text = _SEQUENCES.sub("", _SURROGATES.sub("\ufffd", text))
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _CONTROL.sub("", text)
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))


def _too_long(field: str, length: int, limit: int) -> InvalidInput:
    """The refusal of a text longer than its limit; ``field`` is already translated."""
    return InvalidInput(
        _("{field} is {length} characters long; the limit is {limit}").format(
            field=field, length=length, limit=limit
        )
    )


def _line(value: str, field: str, limit: int, *, required: bool) -> str:
    """One line of text; ``field`` is the field's name marked with ``N_``."""
    cleaned = strip_controls(value).strip()
    if required and not cleaned:
        raise InvalidInput(_("{field} must not be empty").format(field=_(field)))
    override = _BIDI_CONTROLS.search(cleaned)
    if override is not None:
        raise InvalidInput(
            _(
                "{field} contains U+{code}, an invisible direction "
                "override that makes text read differently from what it holds; remove it"
            ).format(field=_(field), code=f"{ord(override.group()):04X}")
        )
    if len(cleaned) > limit:
        raise _too_long(_(field), len(cleaned), limit)
    return cleaned


def clean_title(value: str) -> str:
    """A deal title: one line, required, at most ``TITLE_MAX`` characters."""
    return _line(value, N_("title"), TITLE_MAX, required=True)


def clean_company(value: str) -> str:
    """A company name: one line, may be empty, at most ``COMPANY_MAX`` characters."""
    return _line(value, N_("company"), COMPANY_MAX, required=False)


def clean_owner(value: str) -> str:
    """An owner login: one line, required, no spaces inside."""
    cleaned = _line(value, N_("owner"), OWNER_MAX, required=True)
    if any(ch.isspace() for ch in cleaned):
        raise InvalidInput(
            _("owner must be a login name without spaces, not {value}").format(value=repr(cleaned))
        )
    if any(_invisible(ch) for ch in cleaned):
        # "ali\u200bce" looks like alice in every list but is not her: her "my deals"
        # would never show it.
        raise InvalidInput(
            _("owner must be a login name without invisible characters: {value}").format(
                value=repr(cleaned)
            )
        )
    return cleaned


_INVISIBLE_MARKS = frozenset("\u034f\u115f\u1160\u3164\uffa0")
"""Characters that draw as nothing without being format characters (the combining
grapheme joiner and the Hangul fillers)."""


def _invisible(ch: str) -> bool:
    """Whether a character takes no visible space (zero-width, joiners, soft hyphen, BOM)."""
    return unicodedata.category(ch) == "Cf" or ch in _INVISIBLE_MARKS


def clean_reason(value: str) -> str:
    """Why a deal was lost: required so the team can learn from it."""
    cleaned = strip_controls(value, multiline=True).strip()
    if not cleaned:
        raise InvalidInput(_("a reason is required to mark a deal lost"))
    if len(cleaned) > REASON_MAX:
        raise _too_long(_("reason"), len(cleaned), REASON_MAX)
    return cleaned


def clean_comment(value: str | None) -> str | None:
    """An optional word on how a finished deal went; None when nothing was said."""
    if value is None:
        return None
    cleaned = strip_controls(value, multiline=True).strip()
    if len(cleaned) > REASON_MAX:
        raise _too_long(_("comment"), len(cleaned), REASON_MAX)
    return cleaned or None


def clean_notes(value: str) -> str:
    """Free-form notes: newlines and tabs allowed, at most ``NOTES_MAX`` characters."""
    cleaned = strip_controls(value, multiline=True).strip("\n")
    if len(cleaned) > NOTES_MAX:
        raise InvalidInput(
            _("notes are {length} characters long; the limit is {limit}").format(
                length=len(cleaned), limit=NOTES_MAX
            )
        )
    return cleaned


def clean_currency(value: str) -> str:
    """A current ISO 4217 code such as EUR, NOK or USD (from CLDR's data, via Babel)."""
    from salesboard.money import is_currency

    cleaned = strip_controls(value).strip().upper()
    if not CURRENCY_RE.fullmatch(cleaned):
        raise InvalidInput(
            _("currency must be a three-letter code such as EUR, not {value}").format(
                value=repr(value)
            )
        )
    if not is_currency(cleaned):
        raise InvalidInput(
            _(
                "{code} is not a currency in use today (ISO 4217); write one such as EUR, "
                "NOK, SEK or USD"
            ).format(code=cleaned)
        )
    return cleaned


VALUE_MAX_TEXT = "10 000 000 000 000.00"
"""``VALUE_MAX_MINOR`` as people write it, for the refusal of a larger value."""

_GROUP_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space
_AMOUNT = re.compile(
    rf"(?P<whole>[0-9]+|[0-9]{{1,3}}(?:[{_GROUP_SPACES}][0-9]{{3}})+)"
    r"(?:(?P<separator>[.,])(?P<fraction>[0-9]+))?",
    re.ASCII,
)


def parse_value(value: str | int | Decimal, currency: str | None = None) -> int:
    """A deal value in major units (``12500``, ``12 500``, ``12 500.50``) → hundredths.

    Plain decimal notation only: ASCII digits, thousands grouped by spaces (in threes),
    and one decimal separator (``.`` or ``,``) with at most two decimals. Exponents,
    other scripts' digits, signs and more than one separator are refused, so a typo never
    becomes a different amount. Money is kept as whole cents so that sums never drift;
    the largest value accepted is ``VALUE_MAX_TEXT``. Every refusal is an ``InvalidInput``.
    """
    if isinstance(value, bool):
        raise InvalidInput(_("value must be an amount, not {value}").format(value=repr(value)))
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Decimal):
        text = f"{value:f}" if value.is_finite() else str(value)
    else:
        text = strip_controls(str(value)).strip()
    if text.startswith("-") and text[1:2].isdigit():
        raise InvalidInput(_("value must not be negative, not {value}").format(value=repr(value)))
    found = _AMOUNT.fullmatch(text)
    if found is None and re.fullmatch(rf"[0-9][0-9{_GROUP_SPACES}]*(?:[.,][0-9]+)?", text):
        raise InvalidInput(
            _(
                "value {value}: group thousands in threes, such as 12 500 or 1 000 000 "
                "(or write the digits without spaces)"
            ).format(value=repr(value))
        )
    if found is None:
        raise InvalidInput(
            _(
                "value must be written in plain digits, such as 12500, 12 500 or 12 500.50 "
                "(no exponent or sign, one decimal separator), not {value}"
            ).format(value=repr(value))
        )
    fraction = found["fraction"] or ""
    if len(fraction) > 2:
        raise InvalidInput(
            _(
                "value has more than two decimals: {value}; group thousands with spaces "
                "(12 500), not with a comma or a dot"
            ).format(value=repr(value))
        )
    whole = re.sub(f"[{_GROUP_SPACES}]", "", found["whole"]).lstrip("0") or "0"
    if len(whole) > len(str(VALUE_MAX_MINOR // 100)):
        raise _too_large(value)
    minor = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if minor > VALUE_MAX_MINOR:
        raise _too_large(value)
    if currency is not None and minor % 100:
        from salesboard.money import decimals

        if decimals(currency) == 0:
            raise InvalidInput(
                _(
                    "{currency} has no decimals (no smaller unit): write the value as a whole "
                    "number, not {value}"
                ).format(currency=currency, value=repr(value))
            )
    return minor


def _largest_written() -> str:
    """``VALUE_MAX_TEXT`` as the language in force writes amounts (``…000,00``)."""
    from salesboard.money import symbols

    written = symbols()
    whole, _point, cents = VALUE_MAX_TEXT.partition(".")
    return whole.replace(" ", written.group) + written.decimal + cents


def _too_large(value: object) -> InvalidInput:
    return InvalidInput(
        _("value {value} is too large; the largest value accepted is {largest}").format(
            value=repr(value), largest=_largest_written()
        )
    )


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DOTTED_DATE = re.compile(
    r"(?P<day>[0-9]{1,2})\.(?P<month>[0-9]{1,2})\.(?P<year>[0-9]{4})", re.ASCII
)
"""``31.12.2026``: day, month and year as Norwegians (and most of Europe) write a date."""


def parse_date(value: str | date) -> date:
    """A date such as an expected close date: ISO ``2026-12-31`` or ``31.12.2026``.

    ASCII digits only; the dotted form is always day first (nobody writes month.day.year
    with dots), so it cannot be misread whatever the user's language.
    """
    if isinstance(value, date):
        return value
    text = strip_controls(value).strip()
    dotted = _DOTTED_DATE.fullmatch(text)
    if not (dotted or _ISO_DATE.fullmatch(text)):
        raise InvalidInput(
            _("date must be YYYY-MM-DD or D.M.YYYY, such as 2026-12-31, not {value}").format(
                value=repr(value)
            )
        )
    try:
        if dotted:
            return date(int(dotted["year"]), int(dotted["month"]), int(dotted["day"]))
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("{text} is not a date in the calendar; write YYYY-MM-DD").format(text=text)
        ) from None


def parse_whole_number(value: str, what: str, low: int, high: int) -> int:
    """A whole number typed by a user (ASCII digits, optional minus), within bounds.

    ``what`` names the number in the messages, in the language in force (the caller
    translates it).
    """
    text = strip_controls(str(value)).strip()
    if not re.fullmatch(r"-?[0-9]+", text, re.ASCII) or len(text) > 20:
        raise InvalidInput(
            _("{what} must be a whole number, not {value}").format(what=what, value=repr(value))
        )
    number = int(text)
    if number < low:
        raise InvalidInput(
            _("{what} must be a whole number from {low}, not {number}").format(
                what=what, low=low, number=number
            )
        )
    if number > high:
        raise InvalidInput(
            _("{what} must be at most {high}, not {number}").format(
                what=what, high=high, number=number
            )
        )
    return number


_INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def visible_controls(text: str) -> str:
    r"""A one-line message with every control character written out (``\x1b``, ``\u202e``).

    For messages that quote what someone typed, such as a path: removing a whole escape
    sequence there would name a different file (``k\x1b]0;X\x07.db`` would read
    ``k.db``, which may exist), so the characters are shown, inert, instead.
    """

    def written(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _INVISIBLE.sub(written, text)


def display_safe(text: object, *, multiline: bool = False) -> str:
    """Stored text made safe to print on a terminal, whatever wrote it.

    The one display path for every string read from the database (titles, companies,
    owners, notes, reasons, job texts, currencies, event kinds, actors) and for messages
    that quote them: terminal control bytes are removed and so are the explicit
    bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which could
    make a line read differently from what it holds. A value that is not text (another
    tool may store a number or bytes in a text column) is shown as text.
    """
    if not isinstance(text, str):
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        else:
            text = "" if text is None else str(text)
    shown = _BIDI_CONTROLS.sub("", strip_controls(text, multiline=multiline))
    return _WIDTH_UNSTABLE.sub("", shown)
