"""``salesboard pipeline``: export, edit, import (with its diff and confirmation), history."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from salesboard.cli import cli
from salesboard.service import Pipeline
from salesboard.store import Database
from tests.evidence import give_evidence
from tests.terminal_import import import_at_a_terminal

pytestmark = pytest.mark.usefixtures("isolated_user_dirs")


@pytest.fixture
def run(sqlite_url: str) -> object:
    runner = CliRunner(env={"COLUMNS": "200"})
    assert runner.invoke(cli, ["--db", sqlite_url, "init"]).exit_code == 0

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(cli, ["--db", sqlite_url, *args], input=stdin)

    return invoke


def edited(text: str) -> str:
    """The exported file as a team would edit it: a job added, one renamed, one dropped."""
    text = text.replace(
        'key = "agenda-written"\ntext = {en = "Agenda written", nb = "Agenda skrevet"}\n'
        'evidence = "agenda" # an activity with an agenda',
        'key = "agenda-written"\ntext = {en = "Agenda sent", nb = "Agenda sendt"}\n'
        'evidence = "agenda" # an activity with an agenda\n\n'
        '[[stages.jobs]]\nkey = "budget-known"\n'
        'text = {en = "Budget known", nb = "Budsjett kjent"}',
    )
    text = text.replace(
        '[[stages.jobs]]\nkey = "roi-approved"\n'
        'text = {en = "ROI analysed and approved", nb = "ROI analysert og godkjent"}\n\n',
        "",
    )
    assert "budget-known" in text and "roi-approved" not in text
    return text


def test_export_edit_import_round_trip(run: object, sqlite_url: str, tmp_path: Path) -> None:
    db = Database.open(sqlite_url)
    service = Pipeline(db, actor="alice")
    deal = service.create_deal("Deal").id
    give_evidence(db, deal)
    for n in (1, 2, 3):
        service.set_job(deal, n, True)
    service.advance(deal)  # in Qualified, where a job is added
    exported = run("pipeline", "export")  # type: ignore[operator]
    assert exported.exit_code == 0
    assert exported.stdout.startswith("# salesboard pipeline definition (version 1).")
    file = tmp_path / "pipeline.toml"
    file.write_text(edited(exported.stdout), encoding="utf-8")

    refused = run("pipeline", "import", str(file))  # type: ignore[operator]
    assert refused.exit_code == 2
    assert "qualified job budget-known: added: Budget known" in refused.stdout
    assert "qualified job agenda-written: renamed: en: Agenda written / nb: Agenda skrevet" in (
        refused.stdout
    )
    assert "developed job roi-approved: removed: ROI analysed and approved" in refused.stdout
    assert "+ budget-known: 1 open deal in Qualified gets it unticked" in refused.stdout
    assert "add --yes to apply without asking" in refused.stderr
    assert "version 1" in run("pipeline").stdout  # type: ignore[operator]

    applied = run("pipeline", "import", str(file), "--yes")  # type: ignore[operator]
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.endswith("pipeline version 2 is in force\n")
    again = run("pipeline", "import", str(file), "--yes")  # type: ignore[operator]
    assert again.stdout == f"nothing to change: {file} matches pipeline version 2\n"
    # The export of the new version is the edited file (but for its version line).
    second = run("pipeline", "export").stdout  # type: ignore[operator]
    old = second.replace("(version 2)", "(version 1)").replace("version = 2", "version = 1")
    assert old == file.read_text(encoding="utf-8")

    shown = run("show", str(deal)).stdout  # type: ignore[operator]
    assert "Budget known" in shown and "Agenda sent" in shown
    history = " ".join(run("history", str(deal)).stdout.split())  # type: ignore[operator]
    assert "pipeline version 2; + Budget known; − ROI analysed and approved; jobs renumbered" in (
        history
    )
    assert "Prospect job 2: Meeting scheduled to check the opportunity is real" in history
    move = run("move", str(deal), "next")  # type: ignore[operator]
    assert move.exit_code == 3 and "Budget known" in move.stderr
    versions = run("pipeline", "history").stdout  # type: ignore[operator]
    assert versions.splitlines()[0].startswith("version 2 ")
    assert "the pipeline salesboard starts with" in versions
    db.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("stages = 1", "a pipeline has exactly six stages"),
        ('[[stages]]\nkey = "x', "not valid TOML"),
        ("\xff\xfe", "not UTF-8 text"),
    ],
)
def test_a_bad_file_is_one_line_and_changes_nothing(
    run: object, tmp_path: Path, content: str, message: str
) -> None:
    file = tmp_path / "bad.toml"
    file.write_bytes(content.encode("latin-1"))
    done = run("pipeline", "import", str(file), "--yes")  # type: ignore[operator]
    assert done.exit_code == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.output
    assert "pipeline version 1" in run("pipeline").stdout  # type: ignore[operator]


def test_a_missing_file_is_named(run: object, tmp_path: Path) -> None:
    done = run("pipeline", "import", str(tmp_path / "nope.toml"))  # type: ignore[operator]
    assert done.exit_code == 2
    assert done.stderr == f"salesboard: {tmp_path / 'nope.toml'}: No such file or directory\n"


def test_import_from_standard_input_needs_yes(run: object) -> None:
    exported = run("pipeline", "export").stdout  # type: ignore[operator]
    changed = exported.replace("win_probability = 10", "win_probability = 15")
    asked = run("pipeline", "import", "-", stdin=changed)  # type: ignore[operator]
    assert asked.exit_code == 2 and "prospect: win probability: 10 % → 15 %" in asked.stdout
    done = run("pipeline", "import", "-", "--yes", stdin=changed)  # type: ignore[operator]
    assert done.exit_code == 0 and "version 2 is in force" in done.stdout


@pytest.mark.parametrize(("answer", "applied"), [("y", True), ("n", False)])
def test_in_a_terminal_the_import_asks_first(
    sqlite_url: str, tmp_path: Path, answer: str, applied: bool
) -> None:
    out, _err = import_at_a_terminal(sqlite_url, tmp_path, f"{answer}\n")
    assert "prospect: stuck after: 14 days → 7 days" in out
    assert "apply these changes? [y/N]" in out
    assert ("pipeline version 2 is in force" in out) is applied
    assert ("nothing applied" in out) is not applied


def test_the_teams_stage_names_work_everywhere(
    run: object, tmp_path: Path, sqlite_url: str
) -> None:
    exported = run("pipeline", "export").stdout  # type: ignore[operator]
    file = tmp_path / "p.toml"
    file.write_text(exported.replace('en = "Qualified"', 'en = "Qualified lead"'))
    assert run("pipeline", "import", str(file), "--yes").exit_code == 0  # type: ignore[operator]
    assert run("add", "Deal", "--company", "C").exit_code == 0  # type: ignore[operator]
    db = Database.open(sqlite_url)
    give_evidence(db, 1)
    db.close()
    listed = run("list", "--stage", "qualified lead")  # type: ignore[operator]
    assert listed.exit_code == 0, listed.output
    refused = run("move", "1", "back")  # type: ignore[operator]
    assert refused.stderr == (
        "salesboard: Prospect is the first stage; there is nothing to its left\n"
    )
    assert run("check", "1", "2").exit_code == 0  # type: ignore[operator]
    undone = run("undo", "1")  # type: ignore[operator]
    assert "Prospect job 2" in undone.stdout
    shown = run("pipeline").stdout  # type: ignore[operator]
    rows = shown.splitlines()[1:]
    assert len({row.index(" jobs") for row in rows}) == 1, shown  # the columns line up


def test_a_file_from_an_older_version_is_refused_unless_forced(run: object, tmp_path: Path) -> None:
    old = run("pipeline", "export").stdout  # type: ignore[operator]
    mine, theirs = tmp_path / "mine.toml", tmp_path / "theirs.toml"
    mine.write_text(old.replace("win_probability = 80", "win_probability = 75"))
    theirs.write_text(old.replace("stuck_after_days = 45", "stuck_after_days = 40"))
    assert run("pipeline", "import", str(theirs), "--yes").exit_code == 0  # type: ignore[operator]
    stale = run("pipeline", "import", str(mine), "--yes")  # type: ignore[operator]
    assert stale.exit_code == 4
    assert "exported from pipeline version 1, but version 2 (by " in stale.stderr
    assert "closed: stuck after: 40 days → 45 days" in stale.stdout  # what it would undo
    forced = run("pipeline", "import", str(mine), "--yes", "--force")  # type: ignore[operator]
    assert forced.exit_code == 0 and "version 3 is in force" in forced.stdout
    back = run("pipeline", "export", "--version", "2").stdout  # type: ignore[operator]
    assert "stuck_after_days = 40" in back and "version = 2" in back
    missing = run("pipeline", "export", "--version", "9")  # type: ignore[operator]
    assert missing.exit_code == 2 and "no pipeline version 9" in missing.stderr


def test_wording_moved_between_keys_is_pointed_out(run: object, tmp_path: Path) -> None:
    text = run("pipeline", "export").stdout  # type: ignore[operator]
    swapped = (
        text.replace('key = "meeting-scheduled"', 'key = "tmp-key"')
        .replace('key = "met-producers"', 'key = "meeting-scheduled"')
        .replace('key = "tmp-key"', 'key = "met-producers"')
    )
    file = tmp_path / "swapped.toml"
    file.write_text(swapped)
    done = run("pipeline", "import", str(file))  # type: ignore[operator]
    assert "check: job met-producers now reads 'Meeting scheduled to check" in done.stdout
    assert "ticks stay with the key" in done.stdout


def test_a_file_saved_with_a_byte_order_mark_is_read(run: object, tmp_path: Path) -> None:
    text = run("pipeline", "export").stdout  # type: ignore[operator]
    file = tmp_path / "bom.toml"
    file.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    done = run("pipeline", "import", str(file))  # type: ignore[operator]
    assert done.exit_code == 0 and "nothing to change" in done.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("x = " + "[" * 30_000 + "]" * 30_000, "line 1 is 60004 characters long"),
        (".".join(["b"] * 100_000) + " = 1", "characters long; a pipeline file's lines"),
        ("x = " + "[\n" * 3000 + "]\n" * 3000, "nested too deeply"),
    ],
)
def test_files_built_to_hang_or_crash_the_parser_are_refused_at_once(
    run: object, tmp_path: Path, content: str, message: str
) -> None:
    file = tmp_path / "evil.toml"
    file.write_text(content)
    done = run("pipeline", "import", str(file), "--yes")  # type: ignore[operator]
    assert done.exit_code == 2, done.output
    assert message in done.stderr and "internal error" not in done.stderr


def test_a_fifo_is_refused_instead_of_waited_on(run: object, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    done = run("pipeline", "import", str(fifo), "--yes")  # type: ignore[operator]
    assert (done.exit_code, done.stderr) == (2, f"salesboard: {fifo}: not a regular file\n")


def test_a_hand_written_hostile_or_broken_pipeline_row_is_shown_safely(
    run: object, sqlite_url: str
) -> None:
    import json
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(sqlite_url)) as raw, raw:
        (stored,) = raw.execute("SELECT definition FROM pipeline_version").fetchone()
        data = json.loads(stored)
        data["stages"][0]["label"] = {"en": "Pro\u202espect\x1b[2J\u2b50\ufe0f"}
        raw.execute("UPDATE pipeline_version SET definition = ?", (json.dumps(data),))
    assert run("add", "Deal", "--company", "C").exit_code == 0  # type: ignore[operator]
    for args in (("list",), ("show", "1"), ("pipeline",), ("pipeline", "export")):
        out = run(*args).stdout  # type: ignore[operator]
        assert "\u202e" not in out and "\x1b" not in out, args
        if args[0] != "pipeline" or len(args) == 1:  # shown: no width-unstable selectors
            assert "\ufe0f" not in out, args
    assert "Prospect" in run("list").stdout  # type: ignore[operator]
    with closing(sqlite3.connect(sqlite_url)) as raw, raw:
        raw.execute(
            "INSERT INTO pipeline_version VALUES (2, ?, ?, 'mallory', '9999-99-99')",
            ("[" * 100_000 + "]" * 100_000, "[" * 100_000 + "]" * 100_000),
        )
    broken = run("list")  # type: ignore[operator]
    assert broken.exit_code == 1
    assert "pipeline definition (version 2) cannot be read" in broken.stderr
    doctor = run("doctor")  # type: ignore[operator]
    assert doctor.exit_code == 1 and "internal error" not in doctor.output
    assert "pipeline version 2 cannot be read" in doctor.stdout
    assert "(it is in force: every command stops on it)" in doctor.stdout
    assert "pipeline version 2: its list of changes cannot be read" in doctor.stdout
    history = run("pipeline", "history")  # type: ignore[operator]
    assert history.exit_code == 0, history.output
    assert "version 2  time unknown" in history.stdout and "is damaged" in history.stdout


def test_a_read_only_database_refuses_an_import_before_showing_changes(
    run: object, sqlite_url: str, tmp_path: Path
) -> None:
    text = run("pipeline", "export").stdout  # type: ignore[operator]
    file = tmp_path / "p.toml"
    file.write_text(text.replace("win_probability = 10", "win_probability = 11"))
    runner = CliRunner()
    from salesboard.store import Database as Db

    opened = Db.open(sqlite_url)
    try:
        import salesboard.cli.runtime as runtime

        original = runtime._Session.database

        def read_only(self: object, **kw: object) -> Db:
            database = original(self, **kw)  # type: ignore[arg-type]
            database.read_only = True
            return database

        runtime._Session.database = read_only  # type: ignore[method-assign]
        done = runner.invoke(cli, ["--db", sqlite_url, "pipeline", "import", str(file)])
    finally:
        runtime._Session.database = original  # type: ignore[method-assign]
        opened.close()
    assert done.exit_code == 1, done.output
    assert "changes to pipeline" not in done.stdout and "read-only" in done.stderr
