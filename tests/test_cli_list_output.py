"""``salesboard list`` written to a file or a pipe keeps every character (as reports do).

Seen: ``salesboard list > deals.txt`` wrote "Payroll outsour…  Fjordline Health…": with no
terminal, Rich assumed 80 columns and cut every title. And an empty database said
"No deals match." though nothing was asked to match.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from salesboard.cli import cli
from tests.test_cli import ok

LONG = "Payroll outsourcing for the whole Nordic group, phase two"
COMPANY = "Fjordline Health Scandinavia Holding B.V."


pytestmark = pytest.mark.usefixtures("isolated_user_dirs")


def test_a_list_to_a_file_keeps_every_title_and_column_whole(sqlite_url: str) -> None:
    to_a_file = CliRunner(env={"COLUMNS": None})  # no terminal, no width given
    ok(to_a_file.invoke(cli, ["--db", sqlite_url, "init"]))
    ok(to_a_file.invoke(cli, ["--db", sqlite_url, "add", LONG, "--company", COMPANY]))
    written = ok(to_a_file.invoke(cli, ["--db", sqlite_url, "list"]))
    assert LONG in written and COMPANY in written and "…" not in written
    assert "Next step" in written  # every column, as a wide terminal shows them
    narrow = CliRunner(env={"COLUMNS": "80"})  # a terminal's width is still honoured
    shown = ok(narrow.invoke(cli, ["--db", sqlite_url, "list"]))
    assert LONG not in shown and "…" in shown


def test_an_empty_list_says_why(sqlite_url: str) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})
    ok(runner.invoke(cli, ["--db", sqlite_url, "init"]))
    assert ok(runner.invoke(cli, ["--db", sqlite_url, "list"])) == "No open deals.\n"
    assert ok(runner.invoke(cli, ["--db", sqlite_url, "list", "--status", "all"])) == (
        "No deals yet.\n"
    )
    searched = ok(runner.invoke(cli, ["--db", sqlite_url, "list", "--search", "x"]))
    assert searched == "No deals match.\n"
