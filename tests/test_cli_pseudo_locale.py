"""No English bypasses the catalogue on the command line: every command under a pseudo-locale.

Under the pseudo-locale (``tests/pseudo.py``) every catalogue message comes out accented
and the deals' own text is accented too, so a plain English word in any command's output,
help or error is a string that did not go through ``_()`` — Click's own texts included.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from salesboard import definition_toml
from salesboard.cli import cli
from salesboard.definition import from_json
from salesboard.evidence import Evidence
from salesboard.service import Pipeline
from salesboard.service.definitions import PipelineDefinitions
from salesboard.store import Database
from tests.pseudo import (
    english_words,
    install_pseudo,
    pipeline_keys,
    pseudo,
    pseudo_pipeline_json,
)

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ALLOWED = frozenset({"alice", "salesboard", "utc", getpass.getuser().lower(), *MONTHS})
"""Login names, the program's name, UTC and English month abbreviations (dates follow
the language's Babel locale, not the catalogue); currency codes are allowed too."""


def typed_words(group: click.Group) -> Iterator[str]:
    """What users type, the same in every language: command names and choices."""
    group.list_commands(click.Context(group))  # the top group imports its commands
    for name, command in group.commands.items():
        yield name
        for param in command.params:
            if isinstance(param.type, click.Choice):
                yield from (str(choice) for choice in param.type.choices)
        if isinstance(command, click.Group):
            yield from typed_words(command)


TYPED = frozenset(typed_words(cli)) | pipeline_keys()
USER_INPUT = frozenset({"nowhere", "sideways", "nothing", "bogus", "lunch", "soon"})
"""The words the runs below type themselves, echoed back in their refusals."""
TOML_KEYS = frozenset({"version", "stages", "key", "label", "jobs", "text", "evidence"}) | {
    evidence.value for evidence in Evidence
}
"""The pipeline file's own keys and the evidence a job names, the same in every language."""


@pytest.fixture
def pseudo_db(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "pseudo.db")
    db = Database.open(path, create=True)
    try:
        books = PipelineDefinitions(db, actor="alice")
        plan = books.plan_import(
            definition_toml.dumps(from_json(pseudo_pipeline_json()), books.version())
        )
        books.apply(plan)
        work = Pipeline(db, actor="alice")
        deal = work.create_deal(
            pseudo("Fleet rollout"), company=pseudo("Nordic"), value="1000", currency="NOK"
        )
        work.set_job(deal.id, 1, True)
        lost = work.create_deal(pseudo("Pilot"), company=pseudo("Bolt"), value="5")
        work.mark_lost(lost.id, pseudo("Went elsewhere"))
    finally:
        db.close()
    install_pseudo()
    yield path


def every_help(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """The ``--help`` command line of the group and every command under it."""
    yield [*path, "--help"]
    group.list_commands(click.Context(group))  # the top group imports its commands
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_help(command, (*path, name))
        else:
            yield [*path, name, "--help"]


RUNS: list[list[str]] = [
    ["list"],
    ["list", "--stage", "nowhere"],
    ["show", "1"],
    ["show", "99"],
    ["history", "1"],
    ["add", ""],
    ["add", "X", "--value", "abc"],
    ["add", "X", "--close", "2027-13-01"],
    ["check", "1", "9"],
    ["check", "1", "2"],
    ["move", "1", "next"],
    ["move", "1", "back"],
    ["move", "1", "sideways"],
    ["finish", "1"],
    ["reopen", "1"],
    ["reopen", "2"],
    ["lost", "2", "--reason", "x"],
    ["edit", "1", "--value", "-5"],
    ["undo"],
    ["pipeline"],
    ["pipeline", "history"],
    ["pipeline", "import", "/nonexistent/pipeline.toml"],
    ["rates"],
    ["rates", "set", "USD", "0.9"],
    ["rates", "set", "USD", "nothing"],
    ["rates", "history"],
    ["doctor"],
    ["bogus"],
    ["list", "--bogus"],
    # A deal's activities, stakeholders and problems, and the agenda: empty, then filled.
    ["activity", "list", "1"],
    ["stakeholder", "list", "1"],
    ["problem", "list", "1"],
    ["agenda"],
    ["activity", "add", "1", "--kind", "meeting", "--title", "x", "--due", "2020-01-15 10:30"],
    ["activity", "add", "1", "--kind", "call", "--title", "x", "--due", "2099-01-15"],
    ["activity", "add", "1", "--kind", "lunch", "--title", "x", "--due", "2099-01-15"],
    ["activity", "add", "1", "--kind", "call", "--title", "x", "--due", "soon"],
    ["activity", "add", "1", "--title", "x"],
    ["activity", "done", "2"],
    ["activity", "done", "2"],
    ["activity", "done", "2", "--undo"],
    ["activity", "edit", "1", "--agenda", "x"],
    ["activity", "edit", "1", "--agenda", "x"],
    ["activity", "edit", "1"],
    ["activity", "done", "99"],
    ["activity", "list", "1"],
    ["activity", "list", "99"],
    ["agenda"],
    ["agenda", "--all", "--days", "7"],
    ["agenda", "--owner", "alice", "--all"],
    ["agenda", "--days", "nothing"],
    ["agenda", "--ics", "/nonexistent/agenda.ics"],
    ["stakeholder", "add", "1", "x", "--stance", "ally", "--role", "x"],
    ["stakeholder", "add", "1", "x", "--stance", "sideways"],
    ["stakeholder", "add", "1", "x", "--stance", "enemy", "--email", "nowhere"],
    ["stakeholder", "add", "1", "x", "--stance", "enemy", "--phone", "nowhere"],
    ["stakeholder", "edit", "1", "--influence", "high"],
    ["stakeholder", "list", "1"],
    ["problem", "add", "1", "x", "--priority", "high", "--price", "100"],
    ["problem", "add", "1", "x"],
    ["problem", "add", "1", "x", "--price", "nothing"],
    ["problem", "edit", "1", "--solved"],
    ["problem", "list", "1"],
    ["check", "1", "3"],
    ["show", "1"],
    ["list"],
    ["activity", "remove", "2"],
    ["stakeholder", "remove", "1"],
    ["problem", "remove", "2"],
    ["check", "1", "2", "--if-version", "1"],
]
ICS_KEYS = frozenset(
    {"begin", "end", "vcalendar", "vevent", "version", "prodid", "summary", "description"}
    | {"dtstart", "dtstamp", "duration", "uid"}
)
"""The iCalendar file's own keys, which are the same in every language."""


def test_every_command_speaks_only_catalogue_text(pseudo_db: str) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})  # wide enough for every column of a table
    untranslated: dict[str, list[str]] = {}
    for args in [*every_help(cli), *RUNS]:
        done = runner.invoke(cli, ["--db", pseudo_db, *args], catch_exceptions=False)
        words = english_words(done.output, ALLOWED | TYPED | USER_INPUT)
        if words:
            untranslated[" ".join(args)] = words
    report = "\n".join(f"salesboard {command}: {words}" for command, words in untranslated.items())
    assert not untranslated, "untranslated words:\n" + report


def test_the_exported_pipeline_file_speaks_only_catalogue_text(pseudo_db: str) -> None:
    done = CliRunner().invoke(cli, ["--db", pseudo_db, "pipeline", "export"])
    assert done.exit_code == 0
    words = english_words(done.output, ALLOWED | TOML_KEYS | pipeline_keys())
    assert not words, f"untranslated words in the exported file: {words}\n{done.output}"


def test_the_agenda_calendar_speaks_only_catalogue_text(pseudo_db: str) -> None:
    runner = CliRunner()
    due = ["--due", "2020-01-15 10:30", "--agenda", "x"]
    added = runner.invoke(
        cli, ["--db", pseudo_db, "activity", "add", "1", "--kind", "meeting", "--title", "x", *due]
    )
    assert added.exit_code == 0, added.output
    done = runner.invoke(cli, ["--db", pseudo_db, "agenda", "--ics", "-"])
    assert done.exit_code == 0 and "BEGIN:VEVENT" in done.output
    words = english_words(done.output, ALLOWED | ICS_KEYS)
    assert not words, f"untranslated words in the calendar: {words}\n{done.output}"
