"""The board's start imports no command module; every command still answers.

The board is the command-less use of ``salesboard``; importing the twelve command
modules cost its start about 40 ms (issue 16), so the group imports them the first time
a command is looked up or listed.
"""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from salesboard.cli import cli
from salesboard.cli.runtime import _SalesboardGroup

PROBE = """
import sys
from salesboard.cli import cli
cli.make_context("salesboard", ["--db", "board.db"])
print(" ".join(sorted(m for m in sys.modules if m.startswith("salesboard.cli."))))
"""


def test_parsing_the_boards_command_line_imports_no_command_module() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "salesboard.cli.main" in loaded
    commands = {m.removeprefix("salesboard.cli.") for m in _SalesboardGroup.command_modules}
    assert commands.isdisjoint(m.removeprefix("salesboard.cli.") for m in loaded)


def test_every_command_module_is_listed_and_every_command_answers_help() -> None:
    names = cli.list_commands(cli.make_context("salesboard", []))
    assert {"add", "list", "show", "doctor", "migrate", "activity", "report"} <= set(names)
    for name in names:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output


def test_a_command_imported_late_still_speaks_the_language_asked_for() -> None:
    """A fresh process: the command's module is imported after ``--lang`` was read."""
    shown = subprocess.run(
        [sys.executable, "-m", "salesboard", "--lang", "nb", "add", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown.startswith("Bruk: salesboard add")
    assert "Opprett en avtale i Prospekt" in shown
