"""``salesboard report``: every report through the real entry point on a real SQLite file.

The board is made with the service and a frozen clock, the reports run at a fixed "now"
(2027-01-15 12:00 UTC, a Friday) in Oslo's time zone, so this quarter is Q1 2027:

- **1 Fleet rollout** (alice), 10 000.00 EUR, closing 2027-02-10: created Jan 5,
  advanced to Qualified (20 %) on Jan 6; a call planned for Jan 20 (its next step).
  Weighted 20 % × 10 000 = 2 000.00 in February.
- **2 Lost deal** (bob), 3 000.00 EUR, closing 2027-03-05: created Jan 5, lost Jan 7
  ("Price too high").
- **3 Hostile** (bob), ``[red]x[/]`` in its title, 1 000.00 USD at 0.50 = 500.00 EUR, no
  close date: Prospect (10 %) since Jan 5, no next step: stuck, weighted 50.00, undated.
- **4 Won deal** (alice), 2 000.00 EUR, closing 2027-01-20: created Jan 5, walked one
  stage a day to Closed (Jan 10) and finished on Jan 11 (success, satisfaction 4).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from salesboard.cli import cli
from salesboard.service import Pipeline
from salesboard.service.rates import RateBook
from salesboard.service.substance import Substance
from salesboard.store import Database
from salesboard.store.schema import HEAD_REVISION
from salesboard.workflow import Stage
from tests.conftest import FrozenClock
from tests.evidence import give_evidence

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
START = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
REPORTS = ("forecast", "funnel", "velocity", "stuck", "outcomes", "owners")
MONEY = re.compile(r"\d+\.\d{2}")
"""An exact amount as JSON and CSV write it: digits, a point, two decimals."""

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Away from the user's files; reports at ``NOW`` in Oslo's time zone."""
    import os

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SALESBOARD_DB", raising=False)
    monkeypatch.setattr("salesboard.cli.reports._clock", lambda: NOW)
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Oslo"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def empty(sqlite_url: str) -> Run:
    """Run ``salesboard --db <a new, empty database> ARGS...``."""
    Database.open(sqlite_url, create=True).close()
    runner = CliRunner(
        env={"COLUMNS": "200", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "NO_COLOR": None}
    )

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--db", sqlite_url, *args])

    return invoke


def _tick_and_advance(service: Pipeline, deal_id: int) -> None:
    for job in service.get_deal(deal_id).jobs():
        service.set_job(deal_id, job.n, True)
    service.advance(deal_id)


@pytest.fixture
def run(sqlite_url: str, empty: Run) -> Run:
    """Run ``salesboard --db <the board of the module docstring> ARGS...``."""
    db = Database.open(sqlite_url, create=True)
    clock = FrozenClock(START)
    alice = Pipeline(db, actor="alice", clock=clock)
    bob = Pipeline(db, actor="bob", clock=clock)
    RateBook(db, actor="alice", clock=clock).set_rate("USD", "0.5")
    fleet = alice.create_deal("Fleet rollout", value="10000", expected_close="2027-02-10").id
    lost = bob.create_deal("Lost deal", value="3000", expected_close="2027-03-05").id
    bob.create_deal("Hostile [red]x[/] deal", value="1000", currency="USD")
    won = alice.create_deal("Won deal", value="2000", expected_close="2027-01-20").id
    give_evidence(db, fleet, won)
    clock.advance(days=1)  # Jan 6
    _tick_and_advance(alice, fleet)
    _tick_and_advance(alice, won)
    clock.advance(days=1)  # Jan 7
    bob.mark_lost(lost, "Price too high")
    while alice.get_deal(won).stage < Stage.CLOSED:  # Qualified Jan 6 … Closed Jan 10
        _tick_and_advance(alice, won)
        clock.advance(days=1)
    for job in alice.get_deal(won).jobs():  # Jan 11
        alice.set_job(won, job.n, True)
    alice.finish(won, "success", 4)
    Substance(alice).add_activity(
        fleet, kind="call", title="Budget call", due=datetime(2027, 1, 20, 9, 0, tzinfo=UTC)
    )
    db.close()
    return empty


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return result.stdout


def one_line_error(result: Result, code: int = 2) -> str:
    """A failure reported as exactly one ``salesboard: …`` line on stderr, nothing else."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.stdout == ""
    assert result.stderr.startswith("salesboard: ") and result.stderr.count("\n") == 1
    return result.stderr


def as_json(result: Result) -> Any:
    return json.loads(ok(result))


def as_csv(result: Result) -> list[list[str]]:
    return list(csv.reader(io.StringIO(ok(result))))


def lines_of(out: str) -> list[str]:
    return [line.rstrip() for line in out.splitlines()]


# ------------------------------------------------------------------------ tables


def test_help_lists_every_report(run: Run) -> None:
    assert "  report " in ok(run("--help"))
    listed = ok(run("report", "--help"))
    for name in (*REPORTS, "digest"):
        assert f"  {name} " in listed
    assert "--csv" in ok(run("report", "forecast", "--help"))


def test_forecast_table(run: Run) -> None:
    lines = lines_of(ok(run("report", "forecast")))
    assert lines[0] == "Forecast 2027-01-01 – 2027-03-31"
    assert lines[1].split() == ["Month", "Deals", "Value", "Weighted"]
    # Fleet rollout: 10 000.00 in February, weighted 20 % = 2 000.00.
    assert "2027-02                 1  10 000.00 EUR  2 000.00 EUR" in lines
    assert "Total                   1  10 000.00 EUR  2 000.00 EUR" in lines
    # The hostile deal: 1 000 USD at 0.50, no close date, 10 %.
    assert "No close date           1     500.00 EUR     50.00 EUR" in lines
    assert lines[-1].startswith("The total counts the months of the period only")


def test_each_report_prints_its_tables(run: Run) -> None:
    funnel = lines_of(ok(run("report", "funnel")))
    assert funnel[0] == "Funnel 2027-01-01 – 2027-03-31"
    # Four deals created (entered Prospect) in Q1: two advanced (Fleet, Won), one lost
    # there (Lost deal), one still there (Hostile).
    assert funnel[3].split()[:6] == ["Prospect", "4", "2", "1", "1", "0"]
    velocity = lines_of(ok(run("report", "velocity")))
    assert velocity[0] == "Velocity 2027-01-01 – 2027-03-31"
    # 2 open × 2 000.00 × 50 % ÷ 6 days (Jan 5 09:00 to Jan 11 09:00) = 333.33 a day.
    assert "Velocity per day         333.33 EUR" in velocity
    stuck = lines_of(ok(run("report", "stuck")))
    assert stuck[0] == "Stuck deals"
    # Jan 5 09:00 to Jan 15 12:00 in Prospect: 10.125 days, no next step.
    assert stuck[3].split() == [
        "#3", "Hostile", "[red]x[/]", "deal", "bob", "Prospect", "10.1", "14", "none", "no",
        "next", "step",
    ]  # fmt: skip
    assert stuck[-2:] == [
        "1 stuck deal",
        "Days: in the stage now; limit: the stage's 'stuck after N days'.",
    ]
    outcomes = lines_of(ok(run("report", "outcomes")))
    assert outcomes[0] == "Won and lost 2027-01-01 – 2027-03-31"
    assert "Price too high      1  3 000.00 EUR              0" in outcomes
    owners = lines_of(ok(run("report", "owners")))
    assert owners[0] == "Owners 2027-01-01 – 2027-03-31"
    assert owners[3].split()[:2] == ["alice", "1"] and owners[5].split()[:2] == ["Team", "2"]


def test_figure_columns_never_wrap_in_80_columns(run: Run, sqlite_url: str) -> None:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["--db", sqlite_url, "report", "owners"])
    out = ok(result)
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "10 000" in out and "2 050" in out  # whole amounts, EUR named in the headings
    forecast = ok(
        CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["--db", sqlite_url, "report", "forecast"])
    )
    assert all(len(line) <= 80 for line in forecast.splitlines())
    assert "10 000.00 EUR" in forecast


def test_a_long_title_is_cut_on_a_terminal_and_whole_in_a_pipe(sqlite_url: str) -> None:
    pipeline = Pipeline(Database.open(sqlite_url, create=True), actor="alice")
    long_title = "A very long deal title " * 6
    pipeline.create_deal(long_title.strip(), owner="alice")
    narrow = CliRunner(env={"COLUMNS": "80"}).invoke(cli, ["--db", sqlite_url, "report", "stuck"])
    lines = ok(narrow).splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert any("A very long deal" in line and "…" in line for line in lines)
    piped = ok(
        CliRunner(env={"COLUMNS": None}).invoke(cli, ["--db", sqlite_url, "report", "stuck"])
    )
    assert long_title.strip() in piped  # a file or a pipe gets every character


# -------------------------------------------------------------------- JSON and CSV


def test_forecast_json_has_exact_money(run: Run) -> None:
    data = as_json(run("report", "forecast", "--json"))
    assert (data["currency"], data["from"], data["to"]) == ("EUR", "2027-01-01", "2027-03-31")
    assert [m["month"] for m in data["months"]] == ["2027-01", "2027-02", "2027-03"]
    assert data["months"][1] == {
        "month": "2027-02", "deals": 1, "value": "10000.00", "weighted": "2000.00",
        "unconverted": 0,
    }  # fmt: skip
    assert data["undated"] == {"deals": 1, "value": "500.00", "weighted": "50.00", "unconverted": 0}
    assert data["total"]["weighted"] == "2000.00"
    for bucket in (*data["months"], *data["quarters"], data["undated"], data["total"]):
        assert MONEY.fullmatch(bucket["value"]) and MONEY.fullmatch(bucket["weighted"])


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_as_json_and_csv(run: Run, name: str) -> None:
    data = as_json(run("report", name, "--json"))
    assert isinstance(data, dict)
    rows = as_csv(run("report", name, "--csv"))
    assert len(rows) >= 2 and all(len(row) == len(rows[0]) for row in rows)
    for key in ("value", "weighted", "won_value", "average_won_value", "per_day"):
        for found in _values(data, key):
            assert found is None or MONEY.fullmatch(found), (key, found)


def _values(data: Any, key: str) -> list[Any]:
    """Every value of ``key`` anywhere in a JSON document."""
    if isinstance(data, list):
        return [found for item in data for found in _values(item, key)]
    if isinstance(data, dict):
        own = [data[key]] if key in data and not isinstance(data[key], dict) else []
        return own + [found for value in data.values() for found in _values(value, key)]
    return []


def test_velocity_json_and_csv_agree(run: Run) -> None:
    data = as_json(run("report", "velocity", "--json"))
    assert (data["open_deals"], data["won"], data["lost"]) == (2, 1, 1)
    assert (data["average_won_value"], data["per_day"]) == ("2000.00", "333.33")
    header, row = as_csv(run("report", "velocity", "--csv"))
    assert dict(zip(header, row, strict=True))["per_day"] == "333.33"


def test_forecast_csv(run: Run) -> None:
    rows = as_csv(run("report", "forecast", "--csv"))
    assert rows[0] == ["bucket", "deals", "value", "weighted", "unconverted", "currency"]
    assert ["2027-02", "1", "10000.00", "2000.00", "0", "EUR"] in rows
    assert ["undated", "1", "500.00", "50.00", "0", "EUR"] in rows


def test_json_and_csv_together_are_refused(run: Run) -> None:
    assert "--json or --csv" in one_line_error(run("report", "forecast", "--json", "--csv"))


# ------------------------------------------------------------------------ period


@pytest.mark.parametrize(
    ("options", "first", "last"),
    [
        ((), "2027-01-01", "2027-03-31"),  # this quarter in Oslo
        (("--from", "2027-02-01"), "2027-02-01", "2027-03-31"),  # to its quarter's end
        (("--to", "2027-05-31"), "2027-01-01", "2027-05-31"),  # from this quarter's start
        (("--to", "2026-11-30"), "2026-10-01", "2026-11-30"),  # before it: its own quarter's
        (("--from", "2027-05-01"), "2027-05-01", "2027-06-30"),  # after it: its own quarter's
        (("--from", "2026-12-15", "--to", "2027-01-31"), "2026-12-15", "2027-01-31"),
        (("--from", "1.2.2027", "--to", "1.2.2027"), "2027-02-01", "2027-02-01"),
    ],
)
def test_period_options(run: Run, options: tuple[str, ...], first: str, last: str) -> None:
    data = as_json(run("report", "forecast", "--json", *options))
    assert (data["from"], data["to"]) == (first, last)


def test_the_quarter_is_the_users(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2027-03-31 23:30 UTC is already April 1 (01:30) in Oslo: the second quarter.
    monkeypatch.setattr(
        "salesboard.cli.reports._clock", lambda: datetime(2027, 3, 31, 23, 30, tzinfo=UTC)
    )
    data = as_json(run("report", "outcomes", "--json"))
    assert (data["from"], data["to"]) == ("2027-04-01", "2027-06-30")


def test_months_of_a_longer_period(run: Run) -> None:
    data = as_json(
        run("report", "forecast", "--json", "--from", "2026-12-15", "--to", "2027-02-03")
    )
    assert [m["month"] for m in data["months"]] == ["2026-12", "2027-01", "2027-02"]
    # Fleet rollout closes Feb 10, after the period: outside, not in the total.
    assert data["total"]["weighted"] == "0.00"
    assert (data["outside"]["deals"], data["outside"]["weighted"]) == (1, "2000.00")


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("--from", "2027-02-30"), "--from: "),
        (("--to", "next week"), "--to: "),
        (("--from", "2027-03-01", "--to", "2027-02-01"), "is after --to"),
        (("--owner", "a b"), "owner"),
    ],
)
def test_bad_options_are_one_line(run: Run, options: tuple[str, ...], said: str) -> None:
    for name in ("forecast", "stuck"):
        assert said in one_line_error(run("report", name, *options))


# ------------------------------------------------------------------------- owner


def test_owner_narrows_every_figure(run: Run) -> None:
    bobs = as_json(run("report", "forecast", "--json", "--owner", "bob"))
    assert (bobs["total"]["deals"], bobs["undated"]["deals"]) == (0, 1)
    assert as_json(run("report", "stuck", "--json", "--owner", "alice"))["count"] == 0
    owners = as_json(run("report", "owners", "--json", "--owner", "alice"))
    assert [row["owner"] for row in owners["owners"]] == ["alice"]
    velocity = as_json(run("report", "velocity", "--json", "--owner", "bob"))
    assert (velocity["won"], velocity["lost"], velocity["per_day"]) == (0, 1, None)


# ------------------------------------------------------------------- literal text


def test_stored_text_is_printed_literally_and_safely(run: Run, sqlite_url: str) -> None:
    with sqlite3.connect(sqlite_url) as connection:  # what another tool could store
        connection.execute(
            "UPDATE deal SET title = ? WHERE id = 3", ("Esc \x1b[31mred\x1b[0m [red]x[/] \x9b",)
        )
    table = ok(run("report", "stuck"))
    assert "Esc red [red]x[/]" in table
    assert "\x1b" not in table and "\x9b" not in table
    data = as_json(run("report", "stuck", "--json"))
    assert data["deals"][0]["title"] == "Esc \x1b[31mred\x1b[0m [red]x[/] \x9b"  # exact
    out = ok(run("report", "stuck", "--json"))
    assert "\x1b" not in out and "\x9b" not in out  # escaped in the JSON text
    rows = as_csv(run("report", "stuck", "--csv"))
    assert rows[1][1] == "Esc red [red]x[/] "
    digest = ok(run("report", "digest"))
    assert "Esc red [red]x[/]" in digest and "\x1b" not in digest


def test_csv_cells_that_a_spreadsheet_would_run_are_guarded() -> None:
    from salesboard.cli.reports import csv_cell

    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("-12.50") == "-12.50"  # a number stays one
    assert csv_cell("Fleet rollout") == "Fleet rollout"
    assert csv_cell("two\nlines\x1b[2J") == "two\nlines"


def test_a_damaged_deal_is_left_out_with_a_warning(run: Run, sqlite_url: str) -> None:
    with sqlite3.connect(sqlite_url) as connection:
        connection.execute("UPDATE deal SET stage = 9 WHERE id = 2")
    result = run("report", "outcomes", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["lost"]["deals"] == 0  # the lost deal cannot be read
    assert result.stderr.startswith("salesboard: warning: 1 damaged deal (2)")
    assert result.stderr.count("\n") == 1
    # Found by an attacker: the digest, the report made for a mail, said nothing of it.
    digest = run("report", "digest")
    assert digest.exit_code == 0
    assert digest.stderr.startswith("salesboard: warning: 1 damaged deal (2)")
    assert "1 damaged deal (#2) is left out; run 'salesboard doctor'." in digest.stdout


# ----------------------------------------------------------------------- empty


@pytest.mark.parametrize("name", REPORTS)
def test_an_empty_database(empty: Run, name: str) -> None:
    ok(empty("report", name))
    data = as_json(empty("report", name, "--json"))
    assert isinstance(data, dict)
    header = as_csv(empty("report", name, "--csv"))[0]
    assert header and all(header)


def test_empty_figures(empty: Run) -> None:
    forecast = as_json(empty("report", "forecast", "--json"))
    assert forecast["total"] == {"deals": 0, "value": "0.00", "weighted": "0.00", "unconverted": 0}
    assert as_json(empty("report", "stuck", "--json")) == {"deals": [], "count": 0}
    assert "No deal is stuck." in ok(empty("report", "stuck"))
    velocity = as_json(empty("report", "velocity", "--json"))
    assert (velocity["open_deals"], velocity["win_rate"], velocity["per_day"]) == (0, None, None)


def test_a_missing_database_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "report", "forecast"])
    assert result.exit_code == 1 and result.stderr.startswith("salesboard: ")


# ------------------------------------------------------------------------ digest


def test_the_digest_command(run: Run) -> None:
    assert lines_of(ok(run("report", "digest"))) == [
        "Weekly digest for the team, 2027-01-08 to 2027-01-15",
        "",
        "What moved",
        # Won deal: into Proposed Jan 9, Closed Jan 10, finished Jan 11 (the week starts
        # Jan 8 12:00; it entered Developed at 09:00 that day).
        "  new: 0 · advanced: 2 · moved back: 0 · won: 1 · lost: 0 · reopened: 0",
        "  #4 Won deal (alice): Developed → won",
        "",
        "Stuck: 1 deal",
        "  #3 Hostile [red]x[/] deal (bob): Prospect, 10.1 days in stage (limit 14); no next step",
        "",
        "Due within 7 days or overdue: 1 activity",
        "  2027-01-20 10:00 call: Budget call (#1 Fleet rollout) [alice]",  # 09:00 UTC
        "",
        # Now: Fleet rollout 2 000.00. A week ago also the won deal, open in Developed
        # closing Jan 20: 60 % of 2 000 = 1 200.00, so 3 200.00.
        "Weighted forecast for Q1 2027",
        "  2 000.00 EUR now, 3 200.00 EUR a week ago: down 1 200.00 EUR",
        "",
        "Money in EUR at today's exchange rates.",
    ]


def test_the_digest_of_one_owner(run: Run) -> None:
    lines = lines_of(ok(run("report", "digest", "--owner", "bob")))
    assert lines[0] == "Weekly digest for bob, 2027-01-08 to 2027-01-15"
    assert "  Nothing moved." in lines
    assert "  Nothing is due within 7 days, nothing is overdue." in lines  # alice's call
    assert "  0.00 EUR now, unchanged since a week ago" in lines
    assert "owner" in one_line_error(run("report", "digest", "--owner", "a b"))


def test_the_digest_of_an_empty_database(empty: Run) -> None:
    out = ok(empty("report", "digest"))
    assert "  Nothing moved." in out and "  No deal is stuck." in out
    assert out.endswith("Money in EUR at today's exchange rates.\n")


def test_the_db_option_after_the_command(run: Run, sqlite_url: str) -> None:
    result = CliRunner().invoke(cli, ["report", "stuck", "--json", "--db", sqlite_url])
    assert json.loads(ok(result))["count"] == 1


def test_reports_change_nothing_in_the_database(run: Run, sqlite_url: str) -> None:
    """Reports only read: every row of every table is the same after all of them ran."""

    def dump() -> list[str]:
        with sqlite3.connect(sqlite_url) as conn:
            return list(conn.iterdump())

    before = dump()
    for name in REPORTS:
        for args in ((), ("--json",), ("--csv",), ("--owner", "alice")):
            ok(run("report", name, *args))
    ok(run("report", "digest"))
    assert dump() == before


@pytest.mark.parametrize("name", [*REPORTS, "digest"])
def test_an_owner_no_deal_has_is_refused_not_reported_as_all_clear(run: Run, name: str) -> None:
    """Seen by a newcomer: ``report digest --owner nobdy`` (a typo) printed "Nothing moved,
    no deal is stuck" and exit 0 — in a weekly mail, a reassuring lie."""
    result = run("report", name, "--owner", "nobdy")
    assert result.exit_code == 2
    assert result.stderr == "salesboard: no deal is owned by 'nobdy'; the owners are alice, bob\n"
    assert result.stdout == ""


def test_an_empty_database_refuses_no_owner(empty: Run) -> None:
    assert ok(empty("report", "forecast", "--owner", "alice", "--json"))


def test_reports_never_upgrade_a_database_nor_switch_its_journal(run: Run, sqlite_url: str) -> None:
    """Found by an attacker: a report upgraded a 0007 file to 0008 and switched a file in
    rollback-journal mode to WAL. Reports open the database to read it only."""
    with sqlite3.connect(sqlite_url) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    before = Path(sqlite_url).read_bytes()
    ok(run("report", "forecast"))
    ok(run("report", "digest"))
    assert Path(sqlite_url).read_bytes() == before  # header included: still not WAL

    with sqlite3.connect(sqlite_url) as conn:
        conn.execute("DROP INDEX ix_event_kind")
        conn.execute("UPDATE alembic_version SET version_num = '0007'")
    before = Path(sqlite_url).read_bytes()
    refused = run("report", "funnel")
    assert refused.exit_code == 1
    assert f"its schema is 0007, this salesboard reads {HEAD_REVISION}; reports change nothing" in (
        refused.stderr
    )
    assert Path(sqlite_url).read_bytes() == before


@pytest.mark.parametrize("args", [("report", "stuck"), ("agenda",), ()])
def test_a_time_zone_that_cannot_be_used_is_one_line(
    sqlite_url: str, args: tuple[str, ...]
) -> None:
    """Found by an attacker: TZ=UTC+99 (an offset beyond a day) crashed the reports, the
    agenda and the board with a traceback at the first date."""
    import os
    import subprocess
    import sys

    Database.open(sqlite_url, create=True).close()
    env = {**os.environ, "TZ": "UTC+99"}
    done = subprocess.run(
        [sys.executable, "-m", "salesboard", "--db", sqlite_url, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "salesboard: the time zone 'UTC+99' cannot be used (its offset is a day or more); "
        "set one such as TZ=Europe/Oslo\n"
    )
