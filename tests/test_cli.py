"""The command line: every subcommand, every exit code, JSON shapes and literal text."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from salesboard.cli import cli
from salesboard.identity import current_login
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.workflow import Stage
from tests.checklists import DEFAULT_CHECKLISTS
from tests.evidence import give_evidence

ME = current_login()
DEAL_KEYS = {
    "id", "title", "company", "value", "currency", "owner", "stage", "status", "version",
    "expected_close", "outcome", "satisfaction", "lost_reason",
}  # fmt: skip
JOB_KEYS = {"stage", "stage_label", "n", "key", "text", "done", "done_by", "done_at"}
ALL_JOBS = sum(len(jobs) for jobs in DEFAULT_CHECKLISTS.values())

Run = Callable[..., Result]


pytestmark = pytest.mark.usefixtures("isolated_user_dirs")


@pytest.fixture
def runner() -> CliRunner:
    """A runner with a wide, colourless, non-interactive terminal."""
    return CliRunner(
        env={"COLUMNS": "200", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "NO_COLOR": None}
    )


@pytest.fixture
def run(runner: CliRunner, sqlite_url: str) -> Run:
    """Run ``salesboard --db <test file> ARGS...`` on a database made with ``init``."""
    made = runner.invoke(cli, ["--db", sqlite_url, "init"])
    assert made.exit_code == 0, made.output

    def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
        return runner.invoke(cli, ["--db", sqlite_url, *args], env=env)

    return invoke


@pytest.fixture
def service(sqlite_url: str) -> Iterator[Pipeline]:
    """The service on the same file, for arranging state quickly."""
    db = Database.open(sqlite_url, create=True)
    yield Pipeline(db, actor="alice")
    db.close()


def ok(result: Result) -> str:
    """The stdout of a run that must have succeeded."""
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return result.stdout


def failed(result: Result, code: int) -> str:
    """The stderr of a run that must have failed with ``code``, without a traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # handled, not crashed
    return result.stderr


def one_line_error(result: Result, code: int) -> str:
    """A failure reported as exactly one ``salesboard: …`` line on stderr."""
    err = failed(result, code)
    assert err.startswith("salesboard: ") and err.count("\n") == 1, err
    assert result.stdout == ""
    return err


def add(run: Run, title: str = "Fleet rollout", *extra: str) -> int:
    return int(ok(run("add", title, "--company", "Northwind", *extra)))


def show_json(run: Run, deal_id: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run("show", str(deal_id), "--json")))
    return data


def tick_all(service: Pipeline, deal_id: int) -> None:
    deal = service.get_deal(deal_id)
    for job in deal.jobs():
        service.set_job(deal_id, job.n, True)


def walk_to(service: Pipeline, deal_id: int, stage: Stage) -> None:
    while service.get_deal(deal_id).stage < stage:
        tick_all(service, deal_id)
        service.advance(deal_id)


# ---------------------------------------------------------------------- start-up


def test_help_imports_neither_textual_nor_the_database_stack() -> None:
    code = (
        "import sys\n"
        "from salesboard.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exit:\n"
        "    print('EXIT', exit.code)\n"
        "heavy = {'textual', 'sqlmodel', 'sqlalchemy', 'rich', 'alembic'}\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "Usage: salesboard" in out and "Exit codes" in out
    assert "EXIT 0" in out
    assert "LOADED []" in out


def test_help_lists_every_command(runner: CliRunner) -> None:
    out = ok(runner.invoke(cli, ["--help"]))
    assert out.startswith("Usage: salesboard")
    for command in ("add", "list", "show", "check", "move", "lost", "reopen", "finish", "init"):
        assert f"  {command} " in out


def test_no_command_without_a_terminal_explains_instead_of_drawing(
    runner: CliRunner, sqlite_url: str
) -> None:
    result = runner.invoke(cli, ["--db", sqlite_url])
    assert result.exit_code == 2
    assert "the board needs a terminal" in result.stderr
    assert not Path(sqlite_url).exists()


def test_no_command_in_a_terminal_opens_the_board_on_the_selected_db(
    runner: CliRunner, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import salesboard.ui.launch as launch

    opened: list[str] = []
    monkeypatch.setattr(launch, "run_board", lambda db: opened.append(db.name))
    monkeypatch.setattr(sys, "stdin", _Tty())
    monkeypatch.setattr(sys, "stdout", _Tty())
    # A path given with --db is never created by the board: a typo is reported.
    with pytest.raises(Exception, match="no database at "):
        cli.main(["--db", sqlite_url], standalone_mode=False)
    assert opened == [] and not Path(sqlite_url).exists()
    assert runner.invoke(cli, ["--db", sqlite_url, "init"]).exit_code == 0
    assert cli.main(["--db", sqlite_url], standalone_mode=False) is None
    assert opened == [str(Path(sqlite_url).absolute())]


def test_the_first_board_on_the_default_file_creates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import salesboard.ui.launch as launch

    opened: list[str] = []
    monkeypatch.setattr(launch, "run_board", lambda db: opened.append(db.name))
    monkeypatch.setattr(sys, "stdin", _Tty())
    monkeypatch.setattr(sys, "stdout", _Tty())
    assert cli.main([], standalone_mode=False) is None
    default = tmp_path / "xdg" / "salesboard" / "salesboard.db"
    assert opened == [str(default)] and default.is_file()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_python_m_salesboard_runs_the_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "real.db")
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("SALESBOARD_DB", None)

    def salesboard(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "salesboard", *args], capture_output=True, text=True, env=env
        )

    assert salesboard("--db", db, "init").returncode == 0
    added = salesboard("--db", db, "add", "Fleet [red]x[/]", "--company", "Northwind")
    assert (added.returncode, added.stdout, added.stderr) == (0, "1\n", "")
    listed = salesboard("--db", db, "list")
    assert listed.returncode == 0 and "Fleet [red]x[/]" in listed.stdout
    assert "\x1b" not in listed.stdout  # not a terminal: no colour codes
    refused = salesboard("--db", db, "move", "1", "next")
    assert refused.returncode == 3
    assert refused.stderr.startswith("salesboard: cannot leave Prospect")
    for db_arg, code in ((str(tmp_path / "missing" / "x.db"), 1), (db, 2)):
        failure = salesboard("--db", db_arg, "show", "99")
        assert failure.returncode == code and failure.stdout == ""
        assert failure.stderr.startswith("salesboard: ")
        assert "Traceback" not in failure.stderr


# ------------------------------------------------------------------ the database


def test_missing_directory_is_exit_1_naming_it(run: Run, runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    err = one_line_error(runner.invoke(cli, ["--db", str(missing / "x.db"), "list"]), 1)
    assert str(missing) in err and "does not exist" in err
    assert not missing.exists()


def test_junk_file_is_exit_1_with_a_clear_message(runner: CliRunner, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(bytes(range(256)) * 64)
    err = one_line_error(runner.invoke(cli, ["--db", str(junk), "list"]), 1)
    assert str(junk) in err and "not a salesboard database" in err
    assert junk.read_bytes() == bytes(range(256)) * 64  # nothing was changed


def test_unknown_url_scheme_is_exit_1(runner: CliRunner) -> None:
    err = one_line_error(runner.invoke(cli, ["--db", "nosuchdb://x/y", "list"]), 1)
    assert "nosuchdb" in err


def test_salesboard_db_environment_variable_is_honoured(runner: CliRunner, sqlite_url: str) -> None:
    ok(runner.invoke(cli, ["init"], env={"SALESBOARD_DB": sqlite_url}))
    out = ok(
        runner.invoke(cli, ["add", "Via env", "--company", "C"], env={"SALESBOARD_DB": sqlite_url})
    )
    assert out == "1\n"
    db = Database.open(sqlite_url, create=True)
    try:
        assert [d.title for d in Pipeline(db).list_deals()] == ["Via env"]
    finally:
        db.close()


def test_default_database_is_in_the_user_data_directory(runner: CliRunner, tmp_path: Path) -> None:
    default = tmp_path / "xdg" / "salesboard" / "salesboard.db"
    assert "database ready: " + str(default) in ok(runner.invoke(cli, ["init"]))
    assert ok(runner.invoke(cli, ["add", "Default", "--company", "C"])) == "1\n"
    assert default.is_file()


@pytest.mark.parametrize(
    "args",
    [("add", "Typo", "--company", "C"), ("list",), ("show", "1"), ("history", "1")],
    ids=["add", "list", "show", "history"],
)
def test_only_init_creates_a_database(runner: CliRunner, tmp_path: Path, args: tuple[str]) -> None:
    typo = tmp_path / "sales.bd"
    err = failed(runner.invoke(cli, ["--db", str(typo), *args]), 1)
    assert err == (
        f"salesboard: no database at {typo}; create it with 'salesboard init --db {typo}' "
        "(or check the path for a typo)\n"
    )
    assert [entry.name for entry in tmp_path.iterdir() if entry.name != "xdg"] == []
    # Nor on the default file: only the board's first run (or init) makes that one.
    failed(runner.invoke(cli, list(args)), 1)
    assert not (tmp_path / "xdg" / "salesboard" / "salesboard.db").exists()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file:x?mode=memory"])
def test_in_memory_databases_are_refused(runner: CliRunner, url: str) -> None:
    for args in (("add", "Kept?", "--company", "C"), ("init",)):
        err = failed(runner.invoke(cli, ["--db", url, *args]), 1)
        assert "in-memory and URI-style SQLite databases are refused" in err


# -------------------------------------------------------------------------- add


def test_add_prints_only_the_id_and_stores_every_field(run: Run) -> None:
    out = ok(
        run(
            "add", "Fleet rollout", "--company", "Northwind", "--value", "12500.50",
            "--currency", "usd", "--owner", "bob", "--close", "2026-12-31",
            "--notes", "line one\n\tindented",
        )
    )  # fmt: skip
    assert out == "1\n"
    assert out.strip() == "1"
    assert add(run, "Second") == 2
    deal = show_json(run, 1)
    assert deal["title"] == "Fleet rollout" and deal["company"] == "Northwind"
    assert deal["value"] == "12500.50" and deal["currency"] == "USD"
    assert deal["owner"] == "bob" and deal["expected_close"] == "2026-12-31"
    assert deal["notes"] == "line one\n\tindented"
    assert (deal["stage"], deal["status"], deal["version"]) == ("prospect", "open", 1)
    assert deal["stage_label"] == "Prospect"
    assert show_json(run, 2)["owner"] == ME  # the OS login by default


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--value", "-5"], "negative"),
        (["--value", "lots"], "plain digits"),
        (["--close", "next week"], "YYYY-MM-DD"),
        (["--currency", "euro"], "three-letter"),
        (["--owner", "two words"], "without spaces"),
    ],
)
def test_add_refuses_bad_input_with_exit_2(run: Run, args: list[str], message: str) -> None:
    err = one_line_error(run("add", "Deal", "--company", "C", *args), 2)
    assert message in err
    assert json.loads(ok(run("list", "--status", "all", "--json"))) == []


def test_add_without_company_is_a_usage_error(run: Run) -> None:
    result = run("add", "Deal")
    assert result.exit_code == 2 and "--company" in result.stderr


# ------------------------------------------------------------------------- list


def test_list_table_shows_money_right_aligned_and_progress(run: Run, service: Pipeline) -> None:
    first = add(run, "Fleet rollout", "--value", "12500")
    give_evidence(service.db, first)
    add(run, "Small one", "--value", "7.5")
    service.set_job(first, 1, True)
    service.set_job(first, 2, True)
    out = ok(run("list"))
    header = next(line for line in out.splitlines() if "Title" in line)
    row = next(line for line in out.splitlines() if "Fleet rollout" in line)
    small = next(line for line in out.splitlines() if "Small one" in line)
    assert "12 500.00 EUR" in row and "2/3" in row and "Prospect" in row
    assert "7.50 EUR" in small and "0/3" in small
    value_end = header.index("Value") + len("Value")
    assert row.index("12 500.00 EUR") + len("12 500.00 EUR") == value_end
    assert small.index("7.50 EUR") + len("7.50 EUR") == value_end
    assert "2 deals" in out


def test_list_json_is_an_array_of_summaries(run: Run) -> None:
    add(run, "One", "--value", "100")
    data = json.loads(ok(run("list", "--json")))
    assert isinstance(data, list) and len(data) == 1
    assert set(data[0]) >= DEAL_KEYS
    assert "checklist" not in data[0]
    assert (data[0]["title"], data[0]["value"], data[0]["jobs_total"]) == ("One", "100.00", 3)


def test_list_filters_by_stage_and_status(run: Run, service: Pipeline) -> None:
    prospect, qualified, lost = add(run, "P"), add(run, "Q"), add(run, "L")
    give_evidence(service.db, qualified)
    walk_to(service, qualified, Stage.QUALIFIED)
    service.mark_lost(lost, "no budget")

    def ids(*args: str) -> list[int]:
        return [d["id"] for d in json.loads(ok(run("list", "--json", *args)))]

    assert ids() == [prospect, qualified]  # open by default, board order
    for spelling in ("Qualified", "qual", "2", " QUALIFIED "):
        assert ids("--stage", spelling) == [qualified]
    assert ids("--status", "lost") == [lost]
    assert ids("--status", "all") == [prospect, lost, qualified]
    assert ids("--status", "finished") == []
    assert ids("--status", "all", "--stage", "1") == [prospect, lost]
    assert "Status" in ok(run("list", "--status", "all"))
    assert "No finished deals." in ok(run("list", "--status", "finished"))


def test_list_search_and_owner(run: Run) -> None:
    add(run, "Alpha", "--owner", "bob")
    add(run, "Beta 50%", "--owner", "carol")
    assert [d["title"] for d in json.loads(ok(run("list", "--json", "--owner", "bob")))] == [
        "Alpha"
    ]
    assert [d["title"] for d in json.loads(ok(run("list", "--json", "--search", "50%")))] == [
        "Beta 50%"
    ]


@pytest.mark.parametrize(("option", "value"), [("--stage", "nowhere"), ("--status", "won")])
def test_list_refuses_unknown_stage_or_status(run: Run, option: str, value: str) -> None:
    result = run("list", option, value)
    assert result.exit_code == 2
    assert value in result.stderr and "Traceback" not in result.output


def test_list_does_not_crash_on_a_narrow_terminal(run: Run) -> None:
    add(run, "W" * 200, "--value", "123456789.99")
    out = ok(run("list", env={"COLUMNS": "40"}))
    assert all(len(line) <= 40 for line in out.splitlines())
    assert "1 deal" in out


# ------------------------------------------------------------------------- show


def test_show_lists_every_stage_and_who_ticked_what(run: Run, service: Pipeline) -> None:
    deal_id = add(run, "Fleet rollout", "--value", "12500", "--notes", "call on Monday")
    give_evidence(service.db, deal_id)
    walk_to(service, deal_id, Stage.QUALIFIED)
    service.set_job(deal_id, 2, True)
    out = ok(run("show", str(deal_id)))
    lines = out.splitlines()
    assert lines[0] == f"Deal {deal_id}: Fleet rollout"
    assert "12 500.00 EUR" in out and "call on Monday" in out
    for stage in Stage:
        assert any(f"{int(stage)} {stage.label}" in line for line in lines)
    current = [line for line in lines if line.startswith("▶")]
    assert current == [next(line for line in lines if "2 Qualified" in line)]
    assert "1/4" in current[0] and "current stage" in current[0]
    ticked = [line for line in lines if line.lstrip().startswith("✓")]
    assert len(ticked) == 3 + 1  # all of Prospect and one of Qualified
    assert all(re.search(r"alice \d{4}-\d\d-\d\d \d\d:\d\d", line) for line in ticked)
    agenda = next(line for line in lines if "Agenda written" in line)
    assert agenda.lstrip().startswith("✓") and "alice" in agenda
    untouched = next(line for line in lines if "Opportunity confirmed" in line)
    assert untouched.lstrip().startswith("·") and "alice" not in untouched


def test_show_json_has_the_whole_checklist(run: Run, service: Pipeline) -> None:
    deal_id = add(run)
    service.set_job(deal_id, 1, True)
    data = show_json(run, deal_id)
    assert DEAL_KEYS | {"checklist"} <= set(data)
    assert len(data["checklist"]) == ALL_JOBS
    assert all(set(job) == JOB_KEYS for job in data["checklist"])
    first = data["checklist"][0]
    assert (first["stage"], first["n"], first["done"], first["done_by"]) == (
        "prospect", 1, True, "alice",
    )  # fmt: skip
    assert (first["key"], first["stage_label"]) == ("target-market", "Prospect")
    assert first["done_at"].startswith("20")
    assert data["checklist"][1]["done"] is False and data["checklist"][1]["done_at"] is None


def test_show_of_lost_and_finished_deals(run: Run, service: Pipeline) -> None:
    lost, done = add(run, "Lost one"), add(run, "Won one")
    give_evidence(service.db, done)
    service.mark_lost(lost, "went with a competitor")
    walk_to(service, done, Stage.CLOSED)
    tick_all(service, done)
    service.finish(done, "success", 4)
    assert "lost — went with a competitor" in ok(run("show", str(lost)))
    assert "finished: success, satisfaction 4/5" in ok(run("show", str(done)))


@pytest.mark.parametrize("command", ["show", "history", "reopen"])
def test_unknown_deal_is_exit_2(run: Run, command: str) -> None:
    add(run)
    assert "no deal with id 42" in one_line_error(run(command, "42"), 2)


@pytest.mark.parametrize("bad", ["0", "-1", "x", "99999999999999999999"])
def test_malformed_ids_are_usage_errors(run: Run, bad: str) -> None:
    result = run("show", "--", bad)
    assert result.exit_code == 2 and "a deal id must be " in result.stderr


# ----------------------------------------------------------------- check & move


def test_check_and_undo(run: Run, service: Pipeline) -> None:
    deal_id = add(run)
    give_evidence(service.db, deal_id)
    out = ok(run("check", str(deal_id), "2"))
    assert out == f"deal {deal_id}: Prospect job 2 ticked, 1/3 done (version 2)\n"
    job = show_json(run, deal_id)["checklist"][1]
    assert job["done"] is True and job["done_by"] == ME
    out = ok(run("check", str(deal_id), "2", "--undo"))
    assert "unticked, 0/3 done (version 3)" in out
    assert show_json(run, deal_id)["checklist"][1]["done"] is False
    ok(run("check", str(deal_id), "1"))
    ok(run("check", str(deal_id), "3"))
    assert f"salesboard move {deal_id} next" in ok(run("check", str(deal_id), "2"))


def test_check_of_a_job_that_does_not_exist_is_exit_2(run: Run) -> None:
    deal_id = add(run)
    assert "jobs 1 to 3" in one_line_error(run("check", str(deal_id), "4"), 2)
    assert run("check", str(deal_id), "0").exit_code == 2


def test_check_on_a_lost_deal_is_refused_with_exit_3(run: Run, service: Pipeline) -> None:
    deal_id = add(run)
    service.mark_lost(deal_id, "gone")
    assert "the deal is lost" in one_line_error(run("check", str(deal_id), "1"), 3)


def test_refused_move_lists_each_unfinished_job(run: Run, service: Pipeline) -> None:
    deal_id = add(run)
    give_evidence(service.db, deal_id)
    service.set_job(deal_id, 2, True)
    result = run("move", str(deal_id), "next")
    err = failed(result, 3)
    assert result.stdout == ""
    assert err.startswith("salesboard: cannot leave Prospect: 2 unfinished jobs")
    first, second, third = DEFAULT_CHECKLISTS[Stage.PROSPECT]
    assert f"1. {first}" in err and f"3. {third}" in err
    assert second not in err  # the ticked job is not listed
    assert show_json(run, deal_id)["stage"] == "prospect"


def test_move_next_and_back(run: Run, service: Pipeline) -> None:
    deal_id = add(run)
    give_evidence(service.db, deal_id)
    tick_all(service, deal_id)
    assert (
        ok(run("move", str(deal_id), "next")) == f"deal {deal_id}: moved to Qualified (version 5)\n"
    )
    assert "moved to Prospect" in ok(run("move", str(deal_id), "back"))
    data = show_json(run, deal_id)
    assert data["stage"] == "prospect"
    assert all(job["done"] for job in data["checklist"] if job["stage"] == "prospect")
    assert "first stage" in one_line_error(run("move", str(deal_id), "back"), 3)
    assert run("move", str(deal_id), "sideways").exit_code == 2


# -------------------------------------------------------- edit, lost, reopen, finish


def test_edit_changes_only_the_given_fields(run: Run) -> None:
    deal_id = add(run, "Old", "--value", "10", "--close", "2026-12-31", "--notes", "keep")
    out = ok(run("edit", str(deal_id), "--title", "New", "--value", "20.5", "--close", ""))
    assert out == f"deal {deal_id}: saved (version 2)\n"
    data = show_json(run, deal_id)
    assert (data["title"], data["value"], data["expected_close"]) == ("New", "20.50", None)
    assert (data["company"], data["notes"]) == ("Northwind", "keep")
    ok(run("edit", str(deal_id), "--company", "Acme", "--owner", "bob", "--currency", "gbp"))
    data = show_json(run, deal_id)
    assert (data["company"], data["owner"], data["currency"]) == ("Acme", "bob", "GBP")


def test_edit_refusals_are_exit_2(run: Run) -> None:
    deal_id = add(run)
    assert "nothing to change" in one_line_error(run("edit", str(deal_id)), 2)
    assert "must not be empty" in one_line_error(run("edit", str(deal_id), "--title", " "), 2)
    assert show_json(run, deal_id)["version"] == 1


def test_lost_and_reopen(run: Run) -> None:
    deal_id = add(run)
    assert run("lost", str(deal_id)).exit_code == 2  # --reason is required
    assert "reason is required" in one_line_error(run("lost", str(deal_id), "--reason", " "), 2)
    assert "lost in Prospect" in ok(run("lost", str(deal_id), "--reason", "no budget"))
    data = show_json(run, deal_id)
    assert (data["status"], data["lost_reason"]) == ("lost", "no budget")
    assert "the deal is lost" in one_line_error(run("lost", str(deal_id), "--reason", "x"), 3)
    assert "reopened in Prospect" in ok(run("reopen", str(deal_id)))
    assert show_json(run, deal_id)["status"] == "open"
    assert "already open" in one_line_error(run("reopen", str(deal_id)), 3)


def test_finish(run: Run, service: Pipeline) -> None:
    deal_id = add(run)
    give_evidence(service.db, deal_id)
    args = ["finish", str(deal_id), "--outcome", "success", "--satisfaction", "5"]
    assert "only a deal in Closed" in one_line_error(run(*args), 3)
    walk_to(service, deal_id, Stage.CLOSED)
    assert "5 unfinished jobs" in failed(run(*args), 3)
    tick_all(service, deal_id)
    assert run(*args[:-1], "6").exit_code == 2
    assert run("finish", str(deal_id), "--outcome", "maybe", "--satisfaction", "3").exit_code == 2
    assert "finished: success, satisfaction 5/5" in ok(run(*args, "--comment", "Live in May"))
    data = show_json(run, deal_id)
    assert (data["status"], data["outcome"], data["satisfaction"]) == ("finished", "success", 5)
    assert "success, satisfaction 5/5: Live in May" in ok(run("history", str(deal_id)))


# ---------------------------------------------------------------------- history


def test_history_newest_first_as_table_and_json(run: Run) -> None:
    deal_id = add(run, "Fleet rollout", "--value", "100")
    ok(run("check", str(deal_id), "1"))
    ok(run("edit", str(deal_id), "--value", "250"))
    events = json.loads(ok(run("history", str(deal_id), "--json")))
    assert [e["kind"] for e in events] == ["edited", "job_ticked", "created"]
    assert set(events[0]) == {"id", "deal_id", "at", "actor", "kind", "before", "after"}
    assert events[0]["before"] == {"value_minor": 10000}
    assert events[0]["after"] == {"value_minor": 25000}
    assert all(e["actor"] == ME for e in events)
    out = ok(run("history", str(deal_id)))
    rows = [line for line in out.splitlines() if ME in line]
    assert ["edited" in rows[0], "ticked" in rows[1], "created" in rows[2]] == [True] * 3
    assert f"Prospect job 1: {DEFAULT_CHECKLISTS[Stage.PROSPECT][0]}" in rows[1]
    assert "value: 100.00 → 250.00" in rows[0]
    assert "created in Prospect: Fleet rollout" in rows[2]


# ------------------------------------------------------------------ --if-version


@pytest.mark.parametrize(
    "args",
    [
        ["check", "{id}", "1"],
        ["move", "{id}", "back"],
        ["edit", "{id}", "--title", "Mine"],
        ["lost", "{id}", "--reason", "stale view"],
        ["finish", "{id}", "--outcome", "failure", "--satisfaction", "1"],
    ],
)
def test_stale_if_version_is_a_conflict_exit_4(
    run: Run, service: Pipeline, args: list[str]
) -> None:
    deal_id = add(run)
    give_evidence(service.db, deal_id)
    walk_to(service, deal_id, Stage.QUALIFIED)  # versions move on without the script
    before = show_json(run, deal_id)
    argv = [a.format(id=deal_id) for a in args]
    err = one_line_error(run(*argv, "--if-version", "1"), 4)
    assert "was changed by alice" in err and f"now {before['version']}" in err
    assert show_json(run, deal_id) == before  # nothing was written


def test_current_if_version_goes_through(run: Run) -> None:
    deal_id = add(run)
    assert "(version 2)" in ok(run("check", str(deal_id), "1", "--if-version", "1"))
    assert "(version 3)" in ok(run("edit", str(deal_id), "--title", "T", "--if-version", "2"))
    ok(run("lost", str(deal_id), "--reason", "r", "--if-version", "3"))
    assert one_line_error(run("reopen", str(deal_id), "--if-version", "3"), 4)
    assert "(version 5)" in ok(run("reopen", str(deal_id), "--if-version", "4"))
    assert run("reopen", str(deal_id), "--if-version", "0").exit_code == 2


# --------------------------------------------------------------- hostile text

HOSTILE = [
    "[/]",
    "[@click=app.quit]x[/]",
    "[red]x[/]",
    "\x1b[2Jcleared",
    "mark\u200fRTL abc",
    "emoji 🚀👩🏽‍💻",
    "bell\x07 and null\x00 bytes",
]


def _clean(text: str) -> str:
    """What is stored: whole control sequences and stray control bytes removed."""
    for sequence in ("\x1b[2J", "\x07", "\x00"):
        text = text.replace(sequence, "")
    return text


def _shown(text: str) -> str:
    """What a terminal gets: also without the joiners whose width terminals disagree on."""
    return _clean(text).replace("\u200d", "").replace("\U0001f3fd", "")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_and_printed_literally(run: Run, text: str) -> None:
    title, company, notes = f"A {text} Z", f"Co {text}", f"n {text}\nsecond\tline"
    deal_id = add(run, title, "--notes", notes)
    ok(run("edit", str(deal_id), "--company", company))
    data = show_json(run, deal_id)
    assert data["title"] == _clean(title) and data["company"] == _clean(company)
    assert data["notes"] == _clean(notes)
    human = ok(run("show", str(deal_id)))
    table = ok(run("list"))
    history = ok(run("history", str(deal_id)))
    for out in (human, table, history):
        assert "\x1b" not in out and "\x07" not in out and "\x00" not in out
    assert _shown(title) in human and _shown(company) in human
    assert _shown(title) in table and _shown(company) in table
    assert _shown(f"n {text}") in human


def test_control_bytes_stored_by_another_tool_are_not_printed(
    run: Run, service: Pipeline, sqlite_url: str
) -> None:
    import sqlite3

    deal_id = add(run, "Clean")
    with sqlite3.connect(sqlite_url) as conn:
        conn.execute("UPDATE deal SET title = ? WHERE id = ?", ("evil\x1b[2Jtitle", deal_id))
    for args in (["show", str(deal_id)], ["list"]):
        out = ok(run(*args))
        assert "eviltitle" in out and "\x1b" not in out and "[2J" not in out


def test_ten_thousand_characters(run: Run) -> None:
    long = "é🚀[b" * 2500
    assert len(long) == 10_000
    err = one_line_error(run("add", long, "--company", "C"), 2)
    assert "title is 10000 characters long; the limit is 200" in err
    deal_id = add(run, "Long notes", "--notes", long)
    assert show_json(run, deal_id)["notes"] == long
    human = ok(run("show", str(deal_id)))
    assert human.count("🚀") == 2500
    assert "Long notes" in ok(run("list"))


# ---------------------------------------------------------------------- demo


def test_demo_command_seeds_an_empty_database_once(run: Run) -> None:
    out = ok(run("demo", "--deals", "12", "--seed", "3"))
    assert out.startswith("created 12 demo deals in ")
    deals = json.loads(ok(run("list", "--status", "all", "--json")))
    assert len(deals) == 12
    assert "already holds 12 deals" in one_line_error(run("demo"), 2)
    assert len(json.loads(ok(run("list", "--status", "all", "--json")))) == 12


def test_demo_flag_lists_a_seeded_separate_database(runner: CliRunner, tmp_path: Path) -> None:
    out = ok(runner.invoke(cli, ["--demo", "list"]))
    demo_db = tmp_path / "xdg" / "salesboard" / "demo.db"
    assert demo_db.is_file()
    assert not (tmp_path / "xdg" / "salesboard" / "salesboard.db").exists()
    assert "Title" in out and "EUR" in out
    db = Database.open(str(demo_db), create=True)
    try:
        assert len(Pipeline(db).list_deals(status=None)) == 200
        assert f"{len(Pipeline(db).list_deals())} deals; total " in out.splitlines()[-1]
    finally:
        db.close()
    ok(runner.invoke(cli, ["--demo", "list"]))  # a second start does not seed again
    db = Database.open(str(demo_db), create=True)
    try:
        assert len(Pipeline(db).list_deals(status=None)) == 200
    finally:
        db.close()


def test_demo_flag_with_db_is_a_usage_error(runner: CliRunner, sqlite_url: str) -> None:
    result = runner.invoke(cli, ["--demo", "--db", sqlite_url])
    assert result.exit_code == 2 and "--demo uses its own database" in result.stderr
    assert not Path(sqlite_url).exists()


# ------------------------------------------------------------------------- init


def test_init_creates_the_directory_and_the_database_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    from salesboard.store.schema import HEAD_REVISION

    target = tmp_path / "new" / "place" / "board.db"
    assert ok(runner.invoke(cli, ["init", "--db", str(target)])) == f"database ready: {target}\n"
    assert ok(runner.invoke(cli, ["--db", str(target), "add", "Kept", "--company", "C"])) == "1\n"
    assert ok(runner.invoke(cli, ["--db", str(target), "init"])) == f"database ready: {target}\n"
    db = Database.open(str(target), create=True)
    try:
        assert [d.title for d in Pipeline(db).list_deals()] == ["Kept"]
        with db.read() as session:
            stamp = session.connection().exec_driver_sql("SELECT version_num FROM alembic_version")
            assert stamp.scalar_one() == HEAD_REVISION
    finally:
        db.close()


def test_init_takes_the_database_from_either_db_then_the_environment(
    runner: CliRunner, tmp_path: Path
) -> None:
    env_db, option_db = tmp_path / "env.db", tmp_path / "option.db"
    env = {"SALESBOARD_DB": str(env_db)}
    assert ok(runner.invoke(cli, ["init"], env=env)) == f"database ready: {env_db}\n"
    for args in (["init", "--db", str(option_db)], ["--db", str(option_db), "init"]):
        assert ok(runner.invoke(cli, args, env=env)) == f"database ready: {option_db}\n"
    same = ["--db", str(option_db), "init", "--db", str(option_db)]
    assert ok(runner.invoke(cli, same)) == f"database ready: {option_db}\n"
    clash = runner.invoke(cli, ["--db", str(env_db), "init", "--db", str(option_db)])
    assert clash.exit_code == 2 and "give the database once" in clash.stderr


def test_init_shared_refusals_change_nothing(runner: CliRunner, sqlite_url: str) -> None:
    shared = ["--db", sqlite_url, "init", "--shared", "no-such-group-here"]
    err = one_line_error(runner.invoke(cli, shared), 2)
    assert "there is no group 'no-such-group-here' on this system" in err
    server = "postgresql+psycopg://u@127.0.0.1:1/x"
    err = one_line_error(runner.invoke(cli, ["init", "--shared", "root", "--db", server]), 2)
    assert "--shared sets up a SQLite file" in err
    assert not Path(sqlite_url).exists()


# ----------------------------------------------------------- interrupts and bugs


def test_ctrl_c_exits_130_without_a_traceback(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Pipeline, "list_deals", interrupted)
    assert "interrupted" in one_line_error(run("list"), 130)


def test_an_unexpected_error_is_one_line_not_a_traceback(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(Pipeline, "get_deal", broken)
    err = one_line_error(run("show", "1"), 1)
    assert "internal error (ZeroDivisionError: boom)" in err


# ------------------------------------------- messages that say what really happened


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/proc/version", "is not a salesboard database"),
        ("/dev/null", "it is not a regular file"),
        ("mysql://u@localhost/x", "MySQL is not supported; salesboard keeps its data in a SQLite"),
        ("", "--db needs a file path or a database URL, not an empty string"),
    ],
    ids=["proc-file", "device", "mysql", "empty"],
)
def test_a_database_that_cannot_be_used_says_why(
    runner: CliRunner, target: str, message: str
) -> None:
    err = failed(runner.invoke(cli, ["--db", target, "list"]), 1 if target else 2)
    assert message in err
    assert "disk is full" not in err and "install salesboard[postgres]" not in err


def test_global_options_work_after_the_command_too(runner: CliRunner, sqlite_url: str) -> None:
    assert ok(runner.invoke(cli, ["init", "--db", sqlite_url])).startswith("database ready")
    assert ok(runner.invoke(cli, ["add", "After", "--company", "C", "--db", sqlite_url])) == "1\n"
    assert "After" in ok(runner.invoke(cli, ["list", "--db", sqlite_url]))
    assert '"title": "After"' in ok(runner.invoke(cli, ["show", "1", "--json", "--db", sqlite_url]))
    other = sqlite_url + "-other"
    err = failed(runner.invoke(cli, ["--db", other, "list", "--db", sqlite_url]), 2)
    assert "give the database once" in err


@pytest.mark.parametrize("args", [("show", "-1"), ("history", "-5"), ("check", "1", "-2")])
def test_negative_numbers_are_refused_as_numbers_not_options(run: Run, args: tuple[str]) -> None:
    err = failed(run(*args), 2)
    assert "must be a whole number from 1, not -" in err and "No such option" not in err


def test_an_impossible_date_says_it_is_not_in_the_calendar(run: Run) -> None:
    err = one_line_error(run("add", "X", "--company", "C", "--close", "2026-02-30"), 2)
    assert "2026-02-30 is not a date in the calendar" in err


def test_an_edit_that_changes_nothing_says_so(run: Run) -> None:
    deal_id = add(run, "Same")
    assert ok(run("edit", str(deal_id), "--title", "Same")) == (
        f"deal {deal_id}: nothing to change, it already has those values (version 1)\n"
    )


def test_a_reader_that_stops_early_is_not_a_database_error(tmp_path: Path) -> None:
    db = str(tmp_path / "many.db")
    env = {**os.environ, "COLUMNS": "200"}
    salesboard = [sys.executable, "-m", "salesboard", "--db", db]
    assert subprocess.run([*salesboard, "demo", "--deals", "2000"], env=env).returncode == 0
    # Output far larger than a pipe's buffer, so the write is cut off deterministically.
    for args in (["list"], ["list", "--status", "all"]):
        reader = subprocess.Popen(
            [*salesboard, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        assert reader.stdout is not None
        reader.stdout.readline()
        reader.stdout.close()  # like `| head -1`
        reader.wait(timeout=60)
        assert reader.returncode == 141, args  # 128 + SIGPIPE, as git and coreutils do
        assert reader.stderr is not None and reader.stderr.read() == b""


def test_a_version_that_never_was_is_named_as_such(run: Run) -> None:
    deal_id = add(run)
    err = one_line_error(run("check", str(deal_id), "1", "--if-version", "999"), 4)
    assert f"deal {deal_id} is at version 1; it has never been at version 999" in err


def test_odd_command_line_values_never_crash(run: Run, tmp_path: Path) -> None:
    assert add(run, "Zeros", "--value", "0" * 5000 + "1") == 1  # leading zeros, no int() limit
    assert show_json(run, 1)["value"] == "1.00"
    done = run("doctor", "--expect-head", "9" * 5000 + ":" + "a" * 64)
    assert done.exit_code == 2 and "EVENT:HASH" in done.stderr
    for option in ("--search", "--owner"):
        assert ok(run("list", option, "\udcff")).startswith("No deals")  # an undecodable byte
    odd = os.fsdecode(bytes(tmp_path) + b"/caf\xe9.db")  # a Latin-1 file name
    assert ok(CliRunner().invoke(cli, ["--db", odd, "init"])).startswith("database ready")
    assert os.path.exists(os.fsencode(odd))


def test_a_board_that_ends_on_an_error_exits_non_zero(
    runner: CliRunner, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import salesboard.ui.launch as launch

    monkeypatch.setattr(launch, "run_board", lambda _db: 1)
    monkeypatch.setattr(sys, "stdin", _Tty())
    monkeypatch.setattr(sys, "stdout", _Tty())
    assert runner.invoke(cli, ["--db", sqlite_url, "init"]).exit_code == 0
    with pytest.raises(SystemExit) as ended:
        cli.main(["--db", sqlite_url])
    assert ended.value.code == 1


def test_a_path_is_taken_literally_whatever_it_holds(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in review: a plain --db path was read as a URL: 'k.db?x' used k.db, and
    'x%2Fk.db' made x/k.db; a control sequence in a path was dropped from the message,
    which then named another, existing file."""
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["--db", "k.db", "init"]).exit_code == 0
    assert runner.invoke(cli, ["--db", "k.db", "add", "Real", "--company", "C"]).exit_code == 0
    err = one_line_error(runner.invoke(cli, ["--db", "k.db?x", "list"]), 1)
    assert f"no database at {tmp_path / 'k.db?x'}" in err
    (tmp_path / "x").mkdir()
    for name in ("x%2Fk.db", "n4%3F.db", "a b#c.db"):
        assert runner.invoke(cli, ["--db", name, "init"]).exit_code == 0
        assert (tmp_path / name).is_file()
    assert not (tmp_path / "x" / "k.db").exists() and not (tmp_path / "n4?.db").exists()
    err = one_line_error(runner.invoke(cli, ["--db", "k\x1b]0;X\x07.db", "list"]), 1)
    assert "k\\x1b]0;X\\x07.db" in err and "\x1b" not in err


def test_output_that_cannot_be_written_is_one_line_not_an_internal_error(
    run: Run, sqlite_url: str
) -> None:
    """Found in review: 'list --json >&-' was an internal error, 'list >&-' said nothing
    and exited 0, and 'show 1 > /dev/full' said "cannot use: No space left on device"."""
    import subprocess

    assert add(run, "Deal", "--value", "10") == 1
    base = [sys.executable, "-m", "salesboard", "--db", sqlite_url]
    for args in (["list", "--json"], ["list"]):
        closed = subprocess.run(
            [*base, *args], preexec_fn=lambda: os.close(1), capture_output=False,
            stderr=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
        assert (closed.returncode, closed.stderr) == (
            1,
            "salesboard: cannot write the output: standard output is closed\n",
        )
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*base, "show", "1"], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert (done.returncode, done.stderr) == (
        1,
        "salesboard: cannot write the output: No space left on device\n",
    )
