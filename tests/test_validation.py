"""Input cleaning: control bytes go, everything else stays as typed."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesboard import validation
from salesboard.errors import InvalidInput


@pytest.mark.parametrize(
    "text",
    ["[red]x[/]", "[/]", "[@click=app.quit]x[/]", "[EMEA] renewal", "\u200fRTL", "🚀 deal"],
)
def test_markup_and_unicode_are_kept_literally(text: str) -> None:
    assert validation.clean_title(text) == text.strip()


def test_escape_sequences_go_as_a_whole() -> None:
    # "\x9bd" is a whole (C1) CSI sequence: "d" is its final byte.
    assert validation.clean_title("a\x1b[2Jb\x07c\x9bd\x7fe") == "abce"


def test_single_line_fields_fold_line_breaks() -> None:
    assert validation.clean_title("two\nlines\tand\r\ntab") == "two lines and tab"


def test_notes_keep_newlines_and_tabs_but_not_escapes() -> None:
    cleaned = validation.clean_notes("line 1\r\n\tline 2\x1b]0;pwned\x07")
    assert cleaned == "line 1\n\tline 2"


def test_lone_surrogates_become_replacement_characters() -> None:
    assert validation.clean_title("bad\udcffbyte") == "bad\ufffdbyte"


@given(st.text())
def test_cleaned_text_never_contains_control_characters(text: str) -> None:
    cleaned = validation.strip_controls(text, multiline=True)
    assert not any(ord(c) < 32 and c not in "\n\t" for c in cleaned)
    assert not any(0x7F <= ord(c) <= 0x9F for c in cleaned)
    cleaned.encode("utf-8")  # always storable


def test_empty_title_refused() -> None:
    with pytest.raises(InvalidInput, match="title must not be empty"):
        validation.clean_title(" \x1b\x00 ")


def test_length_limits_are_clear() -> None:
    with pytest.raises(InvalidInput, match="10000 characters long; the limit is 200"):
        validation.clean_title("x" * 10_000)
    assert len(validation.clean_notes("y" * 10_000)) == 10_000
    with pytest.raises(InvalidInput, match="limit is 20000"):
        validation.clean_notes("y" * 20_001)


@pytest.mark.parametrize(
    ("raw", "minor"),
    [
        ("12500", 1_250_000),
        ("12 500.50", 1_250_050),
        ("12 500,5", 1_250_050),
        ("12\u00a0500", 1_250_000),
        ("1 000 000", 100_000_000),
        (0, 0),
        ("0.01", 1),
        ("007", 700),
        ("10 000 000 000 000.00", validation.VALUE_MAX_MINOR),
    ],
)
def test_values_become_whole_minor_units(raw: str | int, minor: int) -> None:
    assert validation.parse_value(raw) == minor


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-5", "negative"),
        ("abc", "plain digits"),
        ("1.005", "two decimals"),
        ("12,500", "group thousands with spaces"),
        ("nan", "plain digits"),
        ("inf", "plain digits"),
        ("1e2", "no exponent"),
        ("12.345e1", "no exponent"),
        ("1e999999999", "no exponent"),
        ("\u0661\u0662\u0663", "plain digits"),  # Arabic-Indic digits
        ("1,000,000", "one decimal separator"),
        ("12 12", "group thousands in threes"),
        ("1212 5", "group thousands in threes"),
        ("+5", "no exponent or sign"),
        ("12_500", "plain digits"),
        (".5", "plain digits"),
        ("", "plain digits"),
        ("10000000000000.01", "the largest value accepted is 10 000 000 000 000.00"),
        ("9" * 5000, "too large"),
    ],
)
def test_bad_values_refused_clearly(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        validation.parse_value(raw)


def test_dates_must_be_iso() -> None:
    assert validation.parse_date("2026-12-31") == date(2026, 12, 31)
    for bad in (
        "31/12/2026",
        "2026-13-01",
        "2026-2-1",
        "tomorrow",
        "\u0662\u0660\u0662\u0666-01-01",
    ):
        with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
            validation.parse_date(bad)


def test_owner_and_currency_rules() -> None:
    assert validation.clean_owner(" dana ") == "dana"
    with pytest.raises(InvalidInput, match="without spaces"):
        validation.clean_owner("dana smith")
    assert validation.clean_currency("usd") == "USD"
    with pytest.raises(InvalidInput, match="three-letter"):
        validation.clean_currency("dollars")


def test_reason_required() -> None:
    with pytest.raises(InvalidInput, match="reason is required"):
        validation.clean_reason("  \n ")


# ------------------------------------------- whole control sequences, bidi, widths


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\x1b[2J\x1b[31mRED", "RED"),  # CSI: erase screen, colour
        ("a\x1b]0;PWNED\x07b", "ab"),  # OSC (window title) ended by BEL
        ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # OSC 8 link, ended by ST
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1b_hidden\x1b\\b", "ab"),  # APC
        ("a\x9b31mb", "ab"),  # C1 CSI
        ("a\x9d0;t\x9cb", "ab"),  # C1 OSC ended by C1 ST
        ("a\x1b7b\x1b8c", "abc"),  # two-character sequences (save/restore cursor)
        ("a\x1b]0;never ended", "a"),  # an unended string sequence takes the rest
        ("tab\there", "tab here"),
    ],
)
def test_whole_control_sequences_are_removed_not_just_the_escape(typed: str, kept: str) -> None:
    assert validation.strip_controls(typed) == kept
    assert validation.display_safe(typed) == kept


def test_a_title_that_is_only_an_escape_sequence_is_empty() -> None:
    with pytest.raises(InvalidInput, match="title must not be empty"):
        validation.clean_title("\x1b[2J")


@pytest.mark.parametrize("override", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"])
@pytest.mark.parametrize("field", ["title", "company", "owner"])
def test_direction_overrides_are_refused_where_they_could_disguise_a_name(
    field: str, override: str
) -> None:
    clean = {
        "title": validation.clean_title,
        "company": validation.clean_company,
        "owner": validation.clean_owner,
    }[field]
    with pytest.raises(InvalidInput, match=f"U\\+{ord(override):04X}"):
        clean(f"invoice{override}fdp.exe")


def test_right_to_left_text_itself_is_welcome() -> None:
    assert validation.clean_company("شركة المستقبل") == "شركة المستقبل"
    assert validation.clean_title("mark\u200fRTL") == "mark\u200fRTL"  # a mark, not an override


@pytest.mark.parametrize(
    ("stored", "drawn"),
    [
        ("👩🏽\u200d💻 dev", "👩💻 dev"),  # ZWJ and skin tone: terminals disagree on the width
        ("❤\ufe0f love", "❤ love"),  # emoji presentation selector
        ("1\ufe0f\u20e3 first", "1 first"),  # keycap
        ("👍🏽 ok", "👍 ok"),
        ("e\u0301 café", "e\u0301 café"),  # combining marks: every terminal agrees
        ("🇳🇴 Norge", "🇳🇴 Norge"),  # flags too
    ],
)
def test_display_drops_what_terminals_disagree_on_the_width_of(stored: str, drawn: str) -> None:
    assert validation.display_safe(stored) == drawn


@pytest.mark.parametrize(
    "login",
    ["ali\u200bce", "alice\u2060", "alice\ufeff", "alice\u034f", "alice\u00ad", "\u3164alice"],
    ids=["zero-width-space", "word-joiner", "bom", "grapheme-joiner", "soft-hyphen", "filler"],
)
def test_an_owner_that_only_looks_like_a_colleague_is_refused(login: str) -> None:
    with pytest.raises(InvalidInput, match="invisible characters"):
        validation.clean_owner(login)
    assert (
        validation.clean_owner("bjørn.ødegård") == "bjørn.ødegård"
    )  # Norwegian logins stay welcome


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("30.01.2027", date(2027, 1, 30)),
        ("1.2.2027", date(2027, 2, 1)),
        ("2027-01-30", date(2027, 1, 30)),
    ],
)
def test_a_date_is_iso_or_day_first_with_dots(typed: str, day: date) -> None:
    assert validation.parse_date(typed) == day


@pytest.mark.parametrize("typed", ["31.02.2027", "30/01/2027", "30.1.27", "1.13.2027", "٣٠.١.٢٠٢٧"])
def test_other_dates_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        validation.parse_date(typed)
