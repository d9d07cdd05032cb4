"""Money that adds up: ISO currencies with their decimals, one way of writing amounts,
totals in the team's base currency and never across currencies without a rate.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from salesboard import money
from salesboard.cli import cli
from salesboard.errors import InvalidInput
from salesboard.service import Pipeline
from salesboard.service.board import OpenDealIndex
from salesboard.service.rates import RateBook, Rates
from salesboard.workflow import Stage
from tests.conftest import FrozenClock
from tests.ui.helpers import Board


@pytest.mark.parametrize(
    ("code", "places"), [("EUR", 2), ("NOK", 2), ("JPY", 0), ("ISK", 0), ("KRW", 0), ("BHD", 2)]
)
def test_decimals_come_from_the_currency_data(code: str, places: int) -> None:
    assert money.is_currency(code)
    assert money.decimals(code) == places  # BHD has 3; amounts are kept to the hundredth


@pytest.mark.parametrize("code", ["XYZ", "HRK", "XXX", "DEM", "eur1"])
def test_only_currencies_in_use_are_accepted(code: str) -> None:
    assert not money.is_currency(code)


@pytest.mark.parametrize(
    ("minor", "currency", "amount", "written", "exact"),
    [
        (1_250_050, "EUR", "12 500.50", "12 500.50 EUR", "12500.50"),
        (100_000_000, "JPY", "1 000 000", "1 000 000 JPY", "1000000"),
        (99, "EUR", "0.99", "0.99 EUR", "0.99"),
        (150, "JPY", "1.50", "1.50 JPY", "1.50"),  # old data with cents: shown, not hidden
    ],
)
def test_one_way_of_writing_money(
    minor: int, currency: str, amount: str, written: str, exact: str
) -> None:
    assert money.amount_text(minor, currency) == amount
    assert money.money_text(minor, currency) == written
    assert money.json_amount(minor, currency) == exact


def test_short_amounts_do_not_round_small_ones_away() -> None:
    assert [money.short_amount(v) for v in (99, 95_000, 1_250_000, 10**15)] == [
        "0.99",
        "950",
        "12.5k",
        "10.0T",
    ]


def test_what_is_written_is_what_input_takes_back(pipeline: Pipeline) -> None:
    deal = pipeline.create_deal("Copy me", company="N", value="12 500,50")
    written = money.amount_text(deal.summary.value_minor, "EUR")
    again = pipeline.create_deal("Pasted", company="N", value=written)
    assert again.summary.value_minor == deal.summary.value_minor == 1_250_050


def test_a_currency_without_decimals_refuses_them(pipeline: Pipeline) -> None:
    with pytest.raises(InvalidInput, match="JPY has no decimals"):
        pipeline.create_deal("Tokyo", company="N", value="1000.50", currency="JPY")
    deal = pipeline.create_deal("Tokyo", company="N", value="1 000 000", currency="jpy")
    assert deal.summary.value_minor == 100_000_000
    euros = pipeline.create_deal("Euros", company="N", value="10.50")
    with pytest.raises(InvalidInput, match="has decimals, which ISK does not have"):
        pipeline.edit_deal(euros.id, currency="ISK")


def test_rates_convert_and_keep_their_history(pipeline: Pipeline, clock: FrozenClock) -> None:
    book = RateBook(pipeline.db, actor="kari", clock=clock)
    assert book.current() == Rates("EUR", {}, (0, ""))
    book.set_rate("usd", "0,95")
    clock.advance(days=1)
    book.set_rate("USD", "0.92")
    book.set_rate("NOK", "0.085")
    current = book.current()
    assert current.rates == {"USD": Decimal("0.92"), "NOK": Decimal("0.085")}
    assert current.convert(100_000, "USD") == 92_000
    assert current.convert(100_000, "EUR") == 100_000
    assert current.convert(100_000, "SEK") is None
    assert [(r.currency, str(r.rate), r.set_by) for r in book.history("USD")] == [
        ("USD", "0.92", "kari"),
        ("USD", "0.95", "kari"),
    ]
    with pytest.raises(InvalidInput, match="EUR is the base currency"):
        book.set_rate("EUR", "1")
    for bad in ("0", "-1", "1e3", "abc", ""):
        with pytest.raises(InvalidInput):
            book.set_rate("USD", bad)
    book.set_base("NOK")  # rates set against EUR no longer apply
    assert book.current() == Rates("NOK", {}, (3, "NOK"))  # a new version: boards reconvert


def test_totals_never_add_currencies_without_a_rate(pipeline: Pipeline) -> None:
    pipeline.create_deal("Euro", company="N", value="1000")
    pipeline.create_deal("Dollar", company="N", value="1000", currency="USD")
    pipeline.create_deal("Yen", company="N", value="1000000", currency="JPY")
    index = OpenDealIndex(pipeline.db, RateBook(pipeline.db).current())
    index.load()
    prospect = index.totals()[Stage.PROSPECT]
    assert (prospect.count, prospect.value_minor, prospect.unconverted) == (3, 100_000, 2)
    assert prospect.converted == 0  # only base money was added
    book = RateBook(pipeline.db, actor="kari")
    book.set_rate("USD", "0.92")
    book.set_rate("JPY", "0.0062")
    index.rebase(book.current())
    prospect = index.totals()[Stage.PROSPECT]
    assert (prospect.value_minor, prospect.unconverted, prospect.converted) == (
        100_000 + 92_000 + 620_000,
        0,
        2,
    )


def test_the_command_line_keeps_money_exact_and_apart(sqlite_url: str) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})

    def run(*args: str) -> str:
        done = runner.invoke(cli, ["--db", sqlite_url, *args])
        assert done.exit_code == 0, done.output
        return done.stdout

    run("init")
    run("add", "Euro", "--company", "N", "--value", "1000")
    run("add", "Dollar", "--company", "N", "--value", "1000", "--currency", "USD")
    refused = runner.invoke(cli, ["--db", sqlite_url, "add", "X", "--company", "N",
                                  "--currency", "XYZ"])  # fmt: skip
    assert refused.exit_code == 2 and "XYZ is not a currency in use today" in refused.stderr
    assert [d["value"] for d in json.loads(run("list", "--json"))] == ["1000.00", "1000.00"]
    assert "2 deals; total 1 000.00 EUR; without a rate, not added: 1 000.00 USD" in run("list")
    assert (
        run("rates", "set", "USD", "0.92")
        == "1 USD = 0.92 EUR (set by "
        + run("rates", "history").split("by ")[1].rstrip("\n")
        + ")\n"
    )
    assert "2 deals; total ≈1 920.00 EUR (converted at the team's rates)" in run("list")
    assert run("rates").splitlines() == ["base currency: EUR", "1 USD = 0.92 EUR"]


def _euro_and(tmp_path: object, euros: str, other: str, currency: str) -> Board:
    """A board file with one deal in euros and one in ``currency``."""
    from salesboard.store import Database
    from tests.ui.helpers import NOW, Board

    db = Database.open(str(tmp_path) + "/m.db", create=True)
    board = Board(db, FrozenClock(NOW))
    board.pipeline.create_deal("Euro", company="N", value=euros)
    board.pipeline.create_deal(currency, company="N", value=other, currency=currency)
    return board


async def test_the_board_headers_convert_and_count_apart(tmp_path: object) -> None:
    from tests.ui.helpers import WIDE, header_text

    board = _euro_and(tmp_path, "1000", "1000", "USD")
    db = board.db
    app = board.app(live=True)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert header_text(app, Stage.PROSPECT).endswith("2 · 1.0k EUR +1 no rate")
        RateBook(db, actor="kari").set_rate("USD", "0.92")  # another session, live
        for _ in range(40):
            await pilot.pause(0.05)
            if "≈" in header_text(app, Stage.PROSPECT):
                break
        assert header_text(app, Stage.PROSPECT).endswith("2 · ≈1 920 EUR")  # room for it now
    db.close()


async def test_a_narrow_card_leaves_out_only_the_base_currency(tmp_path: object) -> None:
    """Seen by a newcomer at 80x24: a 1 000 000 JPY card read "1.0M", like a euro card."""
    from tests.ui.helpers import NARROW, card_text, column

    board = _euro_and(tmp_path, "53000", "1000000", "JPY")
    db = board.db
    app = board.app(live=False)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        prospect = column(app, Stage.PROSPECT)
        assert card_text(prospect, 0)[2].strip().startswith("53.0k · ")
        assert card_text(prospect, 1)[2].strip().startswith("1.0M JPY")
        RateBook(db, actor="kari").set_base("JPY")
        app.board.rates_changed()
        await pilot.pause()
        assert card_text(prospect, 0)[2].strip().startswith("53.0k EUR")
        assert card_text(prospect, 1)[2].strip().startswith("1.0M · ")
    db.close()


def test_an_old_currency_in_stored_data_is_counted_apart(sqlite_url: str) -> None:
    from salesboard.store import Database

    db = Database.open(sqlite_url, create=True)
    deal = Pipeline(db, actor="alice").create_deal("Old", company="N", value="5")
    with closing(sqlite3.connect(sqlite_url)) as raw, raw:
        raw.execute("UPDATE deal SET currency = 'XYZ' WHERE id = ?", (deal.id,))
    index = OpenDealIndex(db)
    index.load()
    assert index.totals()[Stage.PROSPECT].unconverted == 1
    db.close()


# ----------------------------------------------- found in review: rates written by others

HOSTILE_CODE = "U\x1b]0;RATEPWN\x07SD"


def _rate_row(path: str, currency: str, rate: str, set_at: str = "2026-11-30 15:00:00") -> None:
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute(
            "INSERT INTO exchange_rate (currency, base, rate, set_by, set_at) "
            "VALUES (?, 'EUR', ?, 'mallory', ?)",
            (currency, rate, set_at),
        )


@pytest.mark.parametrize("stored", ["100000000000000", "1e999999", "1e40", "NaN", "-5", "0.0"])
def test_a_rate_out_of_range_in_the_file_is_no_rate_and_doctor_names_it(
    tmp_path: Path, stored: str
) -> None:
    path = str(tmp_path / "r.db")
    run = CliRunner(env={"COLUMNS": "200"})
    assert run.invoke(cli, ["--db", path, "init"]).exit_code == 0
    added = ["--db", path, "add", "Big", "--company", "C", "--value", "10 000 000 000 000"]
    assert run.invoke(cli, [*added, "--currency", "USD"]).exit_code == 0
    _rate_row(path, "USD", stored)
    listed = run.invoke(cli, ["--db", path, "list"])
    assert listed.exit_code == 0, listed.output
    assert "without a rate, not added" in listed.output
    shown = run.invoke(cli, ["--db", path, "rates"])
    assert shown.exit_code == 0 and "USD: the newest rate is damaged" in shown.output
    doctor = run.invoke(cli, ["--db", path, "doctor"])
    assert doctor.exit_code == 1 and "exchange rate 1 (USD)" in doctor.output, doctor.output


def test_rates_are_printed_safely_and_without_exponents(tmp_path: Path) -> None:
    path = str(tmp_path / "r.db")
    run = CliRunner(env={"COLUMNS": "200"})
    assert run.invoke(cli, ["--db", path, "init"]).exit_code == 0
    tiny = run.invoke(cli, ["--db", path, "rates", "set", "USD", "0.0000000001"])
    assert tiny.exit_code == 0 and "1 USD = 0.0000000001 EUR" in tiny.output, tiny.output
    negative = run.invoke(cli, ["--db", path, "rates", "set", "USD", "-1"])
    assert negative.exit_code == 2 and "a rate is a plain positive number" in negative.output
    _rate_row(path, HOSTILE_CODE, "2")
    for args in (["rates"], ["rates", "history"]):
        out = run.invoke(cli, ["--db", path, *args]).output
        assert "\x1b" not in out and "\x07" not in out and "1 USD = 2 EUR" in out, out
    assert "0.0000000001" in run.invoke(cli, ["--db", path, "rates"]).output


def test_a_rate_whose_time_cannot_be_read_stays_in_the_history(tmp_path: Path) -> None:
    path = str(tmp_path / "r.db")
    run = CliRunner(env={"COLUMNS": "200"})
    assert run.invoke(cli, ["--db", path, "init"]).exit_code == 0
    _rate_row(path, "USD", "0.9", set_at="notatime")
    out = run.invoke(cli, ["--db", path, "rates", "history"]).output
    assert "1 USD = 0.9 EUR" in out and "time unknown" in out
    none = run.invoke(cli, ["--db", path, "rates", "history", "JPY"])
    assert (none.exit_code, none.output) == (0, "no rates set for JPY\n")


def test_doctor_names_a_rate_whose_time_cannot_be_read(tmp_path: Path) -> None:
    path = str(tmp_path / "r.db")
    run = CliRunner(env={"COLUMNS": "200"})
    assert run.invoke(cli, ["--db", path, "init"]).exit_code == 0
    _rate_row(path, "USD", "0.9", set_at="notatime")
    done = run.invoke(cli, ["--db", path, "doctor"])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    assert done.exit_code == 1
    assert "exchange rate 1 (USD): set_at is 'notatime', not a time" in done.output
