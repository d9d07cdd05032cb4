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
    ["[red]x[/]", "[/]", "[@click=app.quit]x[/]", "[EMEA] renewal", "\u200fRTL\u202e", "🚀 deal"],
)
def test_markup_and_unicode_are_kept_literally(text: str) -> None:
    assert validation.clean_title(text) == text.strip()


def test_escape_sequences_lose_their_control_bytes_only() -> None:
    assert validation.clean_title("a\x1b[2Jb\x07c\x9bd\x7fe") == "a[2Jbcde"


def test_single_line_fields_fold_line_breaks() -> None:
    assert validation.clean_title("two\nlines\tand\r\ntab") == "two lines and tab"


def test_notes_keep_newlines_and_tabs_but_not_escapes() -> None:
    cleaned = validation.clean_notes("line 1\r\n\tline 2\x1b]0;pwned\x07")
    assert cleaned == "line 1\n\tline 2]0;pwned"


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
