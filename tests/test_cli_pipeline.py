"""``salesboard pipeline``: export, edit, import (with its diff and confirmation), history."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from salesboard.cli import cli
from salesboard.service import Pipeline
from salesboard.store import Database


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SALESBOARD_DB", raising=False)


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
        'key = "agenda-written"\ntext = {en = "Agenda written", nb = "Agenda skrevet"}',
        'key = "agenda-written"\ntext = {en = "Agenda sent", nb = "Agenda sendt"}\n\n'
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
    assert second.replace("(version 2)", "(version 1)") == file.read_text(encoding="utf-8")

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
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    base = [sys.executable, "-m", "salesboard", "--db", sqlite_url]
    subprocess.run([*base, "init"], check=True, env=env, capture_output=True)
    exported = subprocess.run(
        [*base, "pipeline", "export"], check=True, env=env, capture_output=True, text=True
    ).stdout
    file = tmp_path / "p.toml"
    file.write_text(exported.replace("stuck_after_days = 14", "stuck_after_days = 7"))
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [*base, "pipeline", "import", str(file)],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        os.close(follower)
        os.write(leader, f"{answer}\n".encode())
        out, err = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 0, err
    assert b"prospect: stuck after: 14 days \xe2\x86\x92 7 days" in out
    assert b"apply these changes? [y/N]" in out
    assert (b"pipeline version 2 is in force" in out) is applied
    assert (b"nothing applied" in out) is not applied
