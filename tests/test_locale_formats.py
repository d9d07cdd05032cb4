"""Numbers, money and dates follow the language in force, through Babel's locale data.

English keeps the forms it has always had (``12 500.50 EUR``, ``2027-01-30``, ``30 Jan``);
Norwegian writes what Norwegians write (``1 283 750,00 kr``, ``30. jan. 2027``), and
whatever is written can be typed back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from salesboard import calendar_text, money
from salesboard.i18n import install
from salesboard.service import Pipeline

NBSP = "\u00a0"


@pytest.fixture
def norwegian() -> Iterator[None]:
    install("nb")
    yield
    install("en")


@pytest.mark.parametrize(
    ("minor", "currency", "amount", "written", "exact"),
    [
        (128_375_000, "NOK", "1 283 750,00", "1 283 750,00 kr", "1283750.00"),
        (1_250_050, "EUR", "12 500,50", "12 500,50 €", "12500.50"),
        (100_000_000, "JPY", "1 000 000", "1 000 000 JPY", "1000000"),
        (150, "JPY", "1,50", "1,50 JPY", "1.50"),  # old data with cents: shown, not hidden
    ],
)
def test_norwegian_money_follows_the_locale(
    norwegian: None, minor: int, currency: str, amount: str, written: str, exact: str
) -> None:
    assert money.amount_text(minor, currency) == amount.replace(" ", NBSP)
    assert money.money_text(minor, currency) == written.replace(" ", NBSP)
    assert money.json_amount(minor, currency) == exact  # scripts: the same in every language


def test_norwegian_totals_and_short_amounts(norwegian: None) -> None:
    assert money.whole_amount(128_375_049) == f"1{NBSP}283{NBSP}750"
    assert [money.short_amount(v) for v in (99, 95_000, 1_250_000, 340_000_000, 10**13)] == [
        "0,99",
        "950",
        "12,5k",
        "3,4M",
        "100mrd",
    ]


def test_english_money_is_unchanged() -> None:
    assert money.money_text(128_375_000, "NOK") == "1 283 750.00 NOK"
    assert money.short_amount(1_250_000) == "12.5k"


def test_what_norwegian_writes_is_what_input_takes_back(
    norwegian: None, pipeline: Pipeline
) -> None:
    deal = pipeline.create_deal("Kopi", company="N", value="1283750.55", currency="NOK")
    written = money.amount_text(deal.summary.value_minor, "NOK")
    assert written == f"1{NBSP}283{NBSP}750,55"
    again = pipeline.create_deal("Limt inn", company="N", value=written, currency="NOK")
    assert again.summary.value_minor == 128_375_055


def test_norwegian_dates(norwegian: None) -> None:
    today = date(2027, 1, 2)
    assert calendar_text.day_text(date(2027, 1, 30)) == "30. jan. 2027"
    assert calendar_text.moment_text(datetime(2026, 11, 30, 14, 5, 59)) == "30. nov. 2026 14:05"
    assert calendar_text.numeric_moment_text(datetime(2026, 11, 3, 14, 5)) == "03.11.2026 14:05"
    assert calendar_text.close_date_text(date(2027, 5, 3), today) == "3. mai"
    assert calendar_text.close_date_text(date(2028, 1, 30), today) == "30. jan. 2028"
    assert calendar_text.close_date_text(date(2028, 1, 30), today, short=True) == "30.1.28"


def test_english_dates_are_unchanged() -> None:
    today = date(2027, 1, 2)
    assert calendar_text.day_text(date(2027, 1, 30)) == "2027-01-30"
    assert calendar_text.moment_text(datetime(2026, 11, 30, 14, 5, 59)) == "2026-11-30 14:05"
    assert calendar_text.close_date_text(date(2027, 5, 3), today) == "3 May"
    assert calendar_text.close_date_text(date(2028, 1, 30), today, short=True) == "30 Jan '28"


def test_history_tells_a_close_date_change_in_the_readers_language(norwegian: None) -> None:
    from salesboard.service.history_text import short_value

    assert short_value("2027-03-01", "expected_close") == "1. mars 2027"
    assert short_value("not a date", "expected_close") == "not a date"  # damaged: as stored


def test_english_history_keeps_iso_close_dates() -> None:
    from salesboard.service.history_text import short_value

    assert short_value("2027-03-01", "expected_close") == "2027-03-01"
