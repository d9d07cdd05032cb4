"""The command line of a deal's substance: activities, the agenda, stakeholders, problems.

Every subcommand and exit code, the JSON shapes, hostile text printed literally, the
iCalendar file read back, and ticks refused for missing evidence with the command that
adds it.
"""

from __future__ import annotations

import gettext
import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner, Result

from salesboard import i18n
from salesboard.cli import cli
from salesboard.definition import DEFAULT
from salesboard.evidence import Evidence
from salesboard.service import Pipeline
from salesboard.service.substance import Substance
from salesboard.store import Database
from salesboard.workflow import Stage
from tests.test_cli import (
    HOSTILE,
    ME,
    Run,
    _clean,
    _shown,
    add,
    failed,
    ok,
    one_line_error,
    show_json,
)

ACTIVITY_KEYS = {
    "id", "deal_id", "kind", "title", "due", "owner", "agenda", "notes", "done", "done_by",
    "done_at", "created_by", "created_at",
}  # fmt: skip
STAKEHOLDER_KEYS = {
    "id", "deal_id", "name", "organisation", "role", "stance", "influence", "notes", "email",
    "phone",
}  # fmt: skip
PROBLEM_KEYS = {"id", "deal_id", "description", "priority", "price", "currency", "status"}
AGENDA_KEYS = ACTIVITY_KEYS | {"deal", "company", "overdue"}
NEXT_STEP_KEYS = {"id", "kind", "title", "due"}
PAST = "2020-01-15 10:30"
"""Typed in Oslo (UTC+1 in January): 09:30 UTC, long overdue."""
FUTURE = "2099-06-01 08:00"
"""Typed in Oslo (UTC+2 in June): 06:00 UTC."""


pytestmark = pytest.mark.usefixtures("isolated_user_dirs")


@pytest.fixture
def run(sqlite_url: str) -> Run:
    """Run ``salesboard --db <test file> ARGS...`` on a database made with ``init``."""
    runner = CliRunner(
        env={"COLUMNS": "200", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "NO_COLOR": None}
    )
    assert runner.invoke(cli, ["--db", sqlite_url, "init"]).exit_code == 0

    def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
        return runner.invoke(cli, ["--db", sqlite_url, *args], env=env)

    return invoke


@pytest.fixture
def service(sqlite_url: str) -> Iterator[Pipeline]:
    """The service on the same file, as alice, for arranging state quickly."""
    db = Database.open(sqlite_url, create=True)
    yield Pipeline(db, actor="alice")
    db.close()


@pytest.fixture(autouse=True)
def oslo() -> Iterator[None]:
    """Every test types and reads due times in one fixed zone, whatever the machine's."""
    import os

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
def parts(service: Pipeline) -> Substance:
    """The service's substance use cases, as alice, for arranging state quickly."""
    return Substance(service)


def activity(run: Run, deal_id: int, *extra: str, kind: str = "meeting", due: str = PAST) -> int:
    args = ["activity", "add", str(deal_id), "--kind", kind, "--title", "Kick-off"]
    return int(ok(run(*args, "--due", due, *extra)))


def as_json(result: Result) -> Any:
    return json.loads(ok(result))


def lines_with(out: str, text: str) -> list[str]:
    return [line for line in out.splitlines() if text in line]


# ------------------------------------------------------------------- activities


def test_help_lists_the_new_commands(run: Run) -> None:
    out = ok(run("--help"))
    for command in ("activity", "agenda", "stakeholder", "problem"):
        assert f"  {command} " in out
    for group in ("activity", "stakeholder", "problem"):
        sub = ok(run(group, "--help"))
        for command in ("add", "edit", "remove", "list"):
            assert f"  {command} " in sub
    assert "history" in ok(run("activity", "remove", "--help"))  # a removal is an event
    problem_help = " ".join(ok(run("problem", "add", "--help")).split())
    assert "needed before 'Everything prioritised and priced' can be ticked" in problem_help


def test_activity_add_prints_only_the_id_and_keeps_every_field(run: Run) -> None:
    deal_id = add(run)
    first = activity(run, deal_id, "--agenda", "1. Goals\n2. People", "--notes", "bring\tcake")
    second = activity(run, deal_id, "--owner", "bob", kind="follow-up", due="2099-06-01")
    assert (first, second) == (1, 2)
    listed = as_json(run("activity", "list", str(deal_id), "--json"))
    assert [a["id"] for a in listed] == [first, second]  # by due time
    assert all(set(a) == ACTIVITY_KEYS for a in listed)
    one, two = listed
    assert (one["kind"], one["title"], one["owner"]) == ("meeting", "Kick-off", ME)
    assert one["due"] == "2020-01-15T09:30:00+00:00"  # typed in Oslo, kept in UTC
    assert (one["agenda"], one["notes"]) == ("1. Goals\n2. People", "bring\tcake")
    assert (one["done"], one["done_by"], one["created_by"]) == (False, None, ME)
    assert (two["kind"], two["owner"], two["due"]) == (
        "follow-up",
        "bob",
        "2099-06-01T07:00:00+00:00",
    )


def test_activity_add_json_prints_the_activity(run: Run) -> None:
    deal_id = add(run)
    args = ["--kind", "call", "--title", "Call", "--due", FUTURE, "--json"]
    data = as_json(run("activity", "add", str(deal_id), *args))
    assert set(data) == ACTIVITY_KEYS
    assert (data["id"], data["deal_id"], data["kind"]) == (1, deal_id, "call")
    assert data["due"] == "2099-06-01T06:00:00+00:00"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--kind", "lunch", "--title", "T", "--due", PAST], "lunch"),
        (["--kind", "call", "--title", "  ", "--due", PAST], "title"),
        (["--kind", "call", "--title", "T", "--due", "tomorrow"], "YYYY-MM-DD HH:MM"),
        (["--kind", "call", "--title", "T", "--due", "2027-02-30 10:00"], "YYYY-MM-DD HH:MM"),
        (["--kind", "call", "--title", "T", "--due", "2027-01-15 25:00"], "YYYY-MM-DD HH:MM"),
        (["--kind", "call", "--title", "T", "--due", PAST, "--owner", "a b"], "owner"),
        (["--kind", "call", "--due", PAST], "--title"),
    ],
)
def test_a_bad_activity_is_exit_2_and_nothing_is_written(
    run: Run, args: list[str], says: str
) -> None:
    deal_id = add(run)
    err = failed(run("activity", "add", str(deal_id), *args), 2)
    assert says in err
    assert show_json(run, deal_id)["activities"] == []
    assert show_json(run, deal_id)["version"] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["activity", "add", "99", "--kind", "call", "--title", "T", "--due", PAST],
        ["activity", "list", "99"],
        ["stakeholder", "add", "99", "Kari", "--stance", "ally"],
        ["stakeholder", "list", "99"],
        ["problem", "add", "99", "Slow"],
        ["problem", "list", "99"],
        ["activity", "done", "99"],
        ["activity", "edit", "99", "--title", "T"],
        ["activity", "remove", "99"],
        ["stakeholder", "edit", "99", "--role", "CFO"],
        ["stakeholder", "remove", "99"],
        ["problem", "edit", "99", "--solved"],
        ["problem", "remove", "99"],
    ],
)
def test_an_unknown_deal_or_part_is_exit_2(run: Run, args: list[str]) -> None:
    err = one_line_error(run(*args), 2)
    assert "99" in err


@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5", "١"])
def test_malformed_part_ids_are_usage_errors(run: Run, bad: str) -> None:
    for group in ("activity", "stakeholder", "problem"):
        result = run(group, "remove", bad)
        assert result.exit_code == 2, (group, bad, result.output)
        assert "Traceback" not in result.output


def test_activity_done_undo_and_repeats(run: Run) -> None:
    deal_id = add(run)
    aid = activity(run, deal_id)
    assert (
        ok(run("activity", "done", str(aid)))
        == f"deal {deal_id}: activity {aid} done (version 3)\n"
    )
    again = ok(run("activity", "done", str(aid)))
    assert "already done (version 3)" in again
    (done,) = as_json(run("activity", "list", str(deal_id), "--json"))
    assert (done["done"], done["done_by"]) == (True, ME) and done["done_at"] is not None
    assert show_json(run, deal_id)["next_step"] is None
    assert "open again (version 4)" in ok(run("activity", "done", str(aid), "--undo"))
    assert "already open (version 4)" in ok(run("activity", "done", str(aid), "--undo"))
    assert show_json(run, deal_id)["next_step"]["id"] == aid


def test_activity_edit_changes_only_the_given_fields(run: Run) -> None:
    deal_id = add(run)
    aid = activity(run, deal_id, "--agenda", "old")
    out = ok(run("activity", "edit", str(aid), "--title", "Demo", "--kind", "visit"))
    assert out == f"deal {deal_id}: activity {aid} saved (version 3)\n"
    ok(run("activity", "edit", str(aid), "--due", FUTURE, "--agenda", "", "--owner", "bob"))
    (one,) = as_json(run("activity", "list", str(deal_id), "--json"))
    assert (one["title"], one["kind"], one["agenda"], one["owner"]) == ("Demo", "visit", "", "bob")
    assert one["due"] == "2099-06-01T06:00:00+00:00" and one["notes"] == ""
    same = ok(run("activity", "edit", str(aid), "--title", "Demo"))
    assert "nothing to change, it already has those values (version 4)" in same
    assert "nothing to change" in one_line_error(run("activity", "edit", str(aid)), 2)
    assert "lunch" in failed(run("activity", "edit", str(aid), "--kind", "lunch"), 2)


def test_a_removal_is_an_event_that_keeps_what_was_removed(run: Run) -> None:
    deal_id = add(run)
    aid = activity(run, deal_id, "--agenda", "Goals")
    out = ok(run("activity", "remove", str(aid)))
    assert out == f"deal {deal_id}: activity {aid} removed (kept in the history) (version 3)\n"
    assert as_json(run("activity", "list", str(deal_id), "--json")) == []
    event = as_json(run("history", str(deal_id), "--json"))[0]
    assert event["kind"] == "activity_removed"
    assert event["before"]["activity"] == aid and event["before"]["agenda"] == "Goals"
    assert one_line_error(run("activity", "remove", str(aid)), 2)


def test_activity_list_table_marks_overdue_in_the_users_zone(run: Run) -> None:
    deal_id = add(run)
    assert "no activities yet; plan one with salesboard activity add" in ok(
        run("activity", "list", str(deal_id))
    )
    late = activity(run, deal_id, "--agenda", "First line\nsecond")
    soon = activity(run, deal_id, kind="call", due=FUTURE)
    ok(run("activity", "done", str(soon)))
    out = ok(run("activity", "list", str(deal_id)))
    (overdue,) = lines_with(out, "2020-01-15 10:30")  # Oslo time, not 09:30 UTC
    assert "⚠ overdue" in overdue and "meeting" in overdue and "First line …" in overdue
    (done,) = lines_with(out, "2099-06-01 08:00")
    assert "overdue" not in done and f"✓ done by {ME}" in done
    assert out.index(f" {late} ") < out.index(f" {soon} ")  # open first, done last


# ------------------------------------------------------------------- the agenda


def test_agenda_is_my_open_activities_overdue_first(run: Run) -> None:
    deal_id = add(run, "Fjord ERP")
    other = add(run, "Bolt")
    future = activity(run, deal_id, kind="call", due=FUTURE)
    overdue = activity(run, other, due=PAST)
    activity(run, deal_id, "--owner", "bob", kind="task", due="2021-01-01 12:00")
    done = activity(run, other, kind="visit", due="2020-01-01 09:00")
    ok(run("activity", "done", str(done)))
    out = ok(run("agenda"))
    rows = [line for line in out.splitlines() if "Kick-off" in line]
    assert len(rows) == 2
    assert "2020-01-15 10:30 ⚠ overdue" in rows[0] and f"{other} Bolt" in rows[0]
    assert "2099-06-01 08:00" in rows[1] and "overdue" not in rows[1]
    assert f"{deal_id} Fjord ERP" in rows[1] and "call" in rows[1]
    assert "2 open activities, 1 overdue" in out
    assert "Owner" not in out  # my own agenda
    data = as_json(run("agenda", "--json"))
    assert [e["id"] for e in data] == [overdue, future]
    assert all(set(e) == AGENDA_KEYS for e in data)
    assert [e["overdue"] for e in data] == [True, False]
    assert (data[0]["deal"], data[0]["company"], data[0]["deal_id"]) == ("Bolt", "Northwind", other)


def test_agenda_of_another_owner_everyone_and_a_window(run: Run) -> None:
    deal_id = add(run)
    mine = activity(run, deal_id, due=PAST)
    bobs = activity(run, deal_id, "--owner", "bob", due=FUTURE)
    tomorrow = (datetime.now().astimezone() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    soon = activity(run, deal_id, "--owner", "bob", due=tomorrow)

    def ids(*args: str) -> list[int]:
        return [e["id"] for e in as_json(run("agenda", "--json", *args))]

    assert ids("--owner", "bob") == [soon, bobs]
    assert ids("--all") == [mine, soon, bobs]
    assert ids("--all", "--days", "3") == [mine, soon]  # overdue ones always
    assert ids("--all", "--days", "0") == [mine]
    assert "Owner" in ok(run("agenda", "--all"))
    assert "No open activities." in ok(run("agenda", "--owner", "nobody"))
    assert ids("--owner", "nobody") == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--owner", "bob", "--all"], "not both"),
        (["--json", "--ics", "-"], "not both"),
        (["--days", "-1"], "days"),
        (["--days", "x"], "days"),
        (["--days", "99999"], "days"),
        (["--ics", " "], "--ics"),
        (["--owner", "a b"], "owner"),
    ],
)
def test_agenda_refuses_bad_options_with_exit_2(run: Run, args: list[str], says: str) -> None:
    assert says in failed(run("agenda", *args), 2)


def test_agenda_ics_reads_back_with_stable_uids(run: Run, tmp_path: Path) -> None:
    from icalendar import Calendar

    deal_id = add(run, "Fjord ERP")
    meeting = activity(run, deal_id, "--agenda", "1. Goals; costs, dates\n2. People", due=PAST)
    call = activity(run, deal_id, kind="call", due=FUTURE)
    (tmp_path / "calendars").mkdir()
    target = tmp_path / "calendars" / "agenda.ics"
    assert ok(run("agenda", "--ics", str(target))) == f"wrote 2 activities to {target}\n"
    calendar = Calendar.from_ical(target.read_bytes())
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        f"activity-{meeting}@salesboard",
        f"activity-{call}@salesboard",
    ]
    first, second = events
    assert first.decoded("DTSTART") == datetime(2020, 1, 15, 9, 30, tzinfo=UTC)
    assert second.decoded("DTSTART") == datetime(2099, 6, 1, 6, 0, tzinfo=UTC)
    assert first.to_ical().count(b"DTSTART:20200115T093000Z") == 1  # written in UTC
    assert first.decoded("DURATION") == timedelta(hours=1)
    assert second.decoded("DURATION") == timedelta(minutes=30)
    assert str(first["SUMMARY"]) == "meeting: Kick-off — Fjord ERP"
    assert str(first["DESCRIPTION"]) == "1. Goals; costs, dates\n2. People"
    assert "DESCRIPTION" not in second
    assert all("DTSTAMP" in e for e in events)
    # Written again, the same activities keep their UIDs; a done one leaves the file.
    ok(run("activity", "done", str(call)))
    ok(run("agenda", "--ics", str(target)))
    again = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert [str(e["UID"]) for e in again] == [f"activity-{meeting}@salesboard"]
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind


def test_agenda_ics_to_standard_output(run: Run) -> None:
    from icalendar import Calendar

    deal_id = add(run)
    activity(run, deal_id, kind="visit")
    out = ok(run("agenda", "--ics", "-"))
    assert out.startswith("BEGIN:VCALENDAR")
    (event,) = Calendar.from_ical(out).walk("VEVENT")
    assert event.decoded("DURATION") == timedelta(hours=1)
    empty = Calendar.from_ical(ok(run("agenda", "--owner", "nobody", "--ics", "-")))
    assert empty.walk("VEVENT") == []


def test_agenda_ics_to_a_file_that_cannot_be_written_is_exit_1(run: Run) -> None:
    err = one_line_error(run("agenda", "--ics", "/nonexistent/dir/agenda.ics"), 1)
    assert "/nonexistent/dir/agenda.ics" in err


# ----------------------------------------------------------------- stakeholders


def test_stakeholders_add_edit_list_remove(run: Run) -> None:
    deal_id = add(run)
    kari = int(
        ok(
            run(
                "stakeholder", "add", str(deal_id), "Kari Nordmann", "--stance", "ally",
                "--org", "Fjord AS", "--role", "CFO", "--influence", "high",
                "--email", "kari@fjord.no", "--phone", "+47 22 33 44 55", "--notes", "likes data",
            )
        )
    )  # fmt: skip
    ola = int(ok(run("stakeholder", "add", str(deal_id), "Ola", "--stance", "enemy")))
    data = as_json(run("stakeholder", "add", str(deal_id), "Anne", "--stance", "neutral", "--json"))
    assert set(data) == STAKEHOLDER_KEYS and data["influence"] == "medium"
    listed = as_json(run("stakeholder", "list", str(deal_id), "--json"))
    assert [s["id"] for s in listed] == [kari, ola, data["id"]]  # allies, enemies, neutral
    assert listed[0] == {
        "id": kari, "deal_id": deal_id, "name": "Kari Nordmann", "organisation": "Fjord AS",
        "role": "CFO", "stance": "ally", "influence": "high", "notes": "likes data",
        "email": "kari@fjord.no", "phone": "+47 22 33 44 55",
    }  # fmt: skip
    out = ok(run("stakeholder", "list", str(deal_id)))
    allies, enemies, neutral = (out.index(w) for w in ("Allies", "Enemies", "Neutral"))
    assert allies < out.index("Kari Nordmann") < enemies < out.index("Ola") < neutral
    edited = ok(run("stakeholder", "edit", str(ola), "--stance", "ally", "--role", ""))
    assert edited == f"deal {deal_id}: stakeholder {ola} saved (version 5)\n"
    assert "nothing to change" in ok(run("stakeholder", "edit", str(ola), "--stance", "ally"))
    assert as_json(run("stakeholder", "list", str(deal_id), "--json"))[1]["stance"] == "ally"
    assert "removed (kept in the history)" in ok(run("stakeholder", "remove", str(kari)))
    assert [s["id"] for s in show_json(run, deal_id)["stakeholders"]] == [ola, data["id"]]
    assert as_json(run("history", str(deal_id), "--json"))[0]["kind"] == "stakeholder_removed"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["Kari", "--stance", "friend"], "friend"),
        (["Kari"], "--stance"),
        (["  ", "--stance", "ally"], "name"),
        (["Kari", "--stance", "ally", "--influence", "huge"], "huge"),
        (["Kari", "--stance", "ally", "--email", "kari@"], "e-mail"),
        (["Kari", "--stance", "ally", "--phone", "call me"], "phone"),
    ],
)
def test_a_bad_stakeholder_is_exit_2(run: Run, args: list[str], says: str) -> None:
    deal_id = add(run)
    assert says in failed(run("stakeholder", "add", str(deal_id), *args), 2)
    assert show_json(run, deal_id)["stakeholders"] == []


def test_empty_lists_say_how_to_add(run: Run) -> None:
    deal_id = add(run)
    said = ok(run("stakeholder", "list", str(deal_id)))
    assert f"salesboard stakeholder add {deal_id} NAME --stance ally" in said
    said = ok(run("problem", "list", str(deal_id)))
    assert f"salesboard problem add {deal_id} TEXT --priority high --price VALUE" in said
    for group in ("activity", "stakeholder", "problem"):
        assert as_json(run(group, "list", str(deal_id), "--json")) == []


# --------------------------------------------------------------------- problems


def test_problems_by_priority_with_the_open_total_per_currency(run: Run) -> None:
    deal_id = add(run, "Fleet", "--currency", "NOK")
    low = int(ok(run("problem", "add", str(deal_id), "Old printers", "--priority", "low")))
    unset = int(ok(run("problem", "add", str(deal_id), "No overview")))
    high = as_json(
        run("problem", "add", str(deal_id), "Slow invoicing", "--priority", "high",
            "--price", "12500.50", "--json")
    )  # fmt: skip
    assert set(high) == PROBLEM_KEYS
    assert (high["price"], high["currency"], high["status"]) == ("12500.50", "NOK", "open")
    usd = run("problem", "add", str(deal_id), "Licences", "--price", "100", "--currency", "USD")
    ok(usd)
    ok(run("problem", "edit", str(low), "--price", "500"))
    listed = as_json(run("problem", "list", str(deal_id), "--json"))
    assert [p["id"] for p in listed][:2] == [high["id"], low]  # high first, unset last
    assert listed[2]["id"] in (unset, int(usd.stdout))
    assert next(p for p in listed if p["id"] == unset)["price"] is None
    out = ok(run("problem", "list", str(deal_id)))
    assert "open problems priced at 13 000.50 NOK, 100.00 USD" in out
    assert "—" in lines_with(out, "No overview")[0]  # no priority, no price yet
    solved = ok(run("problem", "edit", str(high["id"]), "--solved"))
    assert solved == f"deal {deal_id}: problem {high['id']} saved (version 7)\n"
    out = ok(run("problem", "list", str(deal_id)))
    assert "open problems priced at 500.00 NOK, 100.00 USD" in out
    assert lines_with(out, "Slow invoicing")[0].rstrip().endswith("solved")
    assert out.index("Slow invoicing") > out.index("No overview")  # solved ones last
    ok(run("problem", "edit", str(high["id"]), "--open", "--text", "Slow billing"))
    ok(run("problem", "edit", str(low), "--price", ""))  # not known after all
    again = {p["id"]: p for p in as_json(run("problem", "list", str(deal_id), "--json"))}
    assert again[high["id"]]["status"] == "open" and again[low]["price"] is None
    assert again[high["id"]]["description"] == "Slow billing"
    assert "removed" in ok(run("problem", "remove", str(unset)))
    assert unset not in {p["id"] for p in show_json(run, deal_id)["problems"]}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["Slow", "--priority", "urgent"], "urgent"),
        (["Slow", "--price", "abc"], "abc"),
        (["Slow", "--price", "-5"], "-5"),
        (["Slow", "--price", "1.234"], "decimal"),
        (["Slow", "--currency", "XXQ"], "XXQ"),
        (["  "], "description"),
    ],
)
def test_a_bad_problem_is_exit_2(run: Run, args: list[str], says: str) -> None:
    deal_id = add(run)
    assert says in failed(run("problem", "add", str(deal_id), *args), 2)
    assert show_json(run, deal_id)["problems"] == []


# ---------------------------------------------------------- versions and conflicts


CHANGES = [
    ["activity", "add", "{deal}", "--kind", "call", "--title", "T", "--due", FUTURE],
    ["activity", "done", "1"],
    ["activity", "edit", "1", "--title", "New"],
    ["activity", "remove", "1"],
    ["stakeholder", "add", "{deal}", "Kari", "--stance", "ally"],
    ["stakeholder", "edit", "1", "--role", "CFO"],
    ["stakeholder", "remove", "1"],
    ["problem", "add", "{deal}", "Slow"],
    ["problem", "edit", "1", "--solved"],
    ["problem", "remove", "1"],
]


@pytest.fixture
def furnished(run: Run, parts: Substance) -> int:
    """A deal with activity 1, stakeholder 1 and problem 1, at version 4."""
    deal_id = add(run)
    parts.add_activity(deal_id, kind="meeting", title="Meet", due=PAST)
    parts.add_stakeholder(deal_id, "Ola", stance="neutral")
    parts.add_problem(deal_id, "Old")
    return deal_id


@pytest.mark.parametrize("args", CHANGES, ids=lambda a: f"{a[0]} {a[1]}")
def test_a_stale_if_version_is_a_conflict_exit_4(run: Run, furnished: int, args: list[str]) -> None:
    ok(run("edit", str(furnished), "--title", "Moved on"))  # version 5, without the script
    before = show_json(run, furnished)
    argv = [a.format(deal=furnished) for a in args]
    err = one_line_error(run(*argv, "--if-version", "4"), 4)
    assert "now 5" in err
    assert show_json(run, furnished) == before  # nothing was written


@pytest.mark.parametrize("args", CHANGES, ids=lambda a: f"{a[0]} {a[1]}")
def test_a_current_if_version_goes_through(run: Run, furnished: int, args: list[str]) -> None:
    argv = [a.format(deal=furnished) for a in args]
    ok(run(*argv, "--if-version", "4"))
    assert show_json(run, furnished)["version"] == 5


# ------------------------------------------------------------- evidence and ticks


def job_needing(evidence: Evidence) -> tuple[Stage, int]:
    """The stage and number of the default job backed by ``evidence``."""
    for stage in DEFAULT.stages:
        for n, job in enumerate(stage.jobs, start=1):
            if job.evidence is evidence:
                return stage.stage, n
    raise AssertionError(evidence)


def test_a_tick_without_its_meeting_is_exit_3_with_the_command_that_adds_it(run: Run) -> None:
    deal_id = add(run)
    stage, n = job_needing(Evidence.MEETING)
    assert stage is Stage.PROSPECT
    result = run("check", str(deal_id), str(n))
    err = failed(result, 3)
    assert result.stdout == ""
    first, hint = err.splitlines()
    assert first.startswith("salesboard: ") and "needs a planned meeting" in first
    assert hint == (
        f"hint: add it with salesboard activity add {deal_id} --kind meeting --title TITLE "
        '--due "YYYY-MM-DD HH:MM"'
    )
    assert show_json(run, deal_id)["jobs_done"] == 0
    activity(run, deal_id, due=FUTURE)
    assert "ticked" in ok(run("check", str(deal_id), str(n)))


def test_a_tick_needing_a_meeting_held_hints_at_done(run: Run) -> None:
    deal_id = add(run)
    _stage, n = job_needing(Evidence.MEETING_HELD)
    aid = activity(run, deal_id)
    err = failed(run("check", str(deal_id), str(n)), 3)
    assert "marked done" in err and "then mark it done with salesboard activity done" in err
    ok(run("activity", "done", str(aid)))
    ok(run("check", str(deal_id), str(n)))


@pytest.mark.parametrize(
    ("evidence", "hint"),
    [
        (Evidence.PROBLEM, "salesboard problem add {deal} TEXT --priority high --price VALUE"),
        (Evidence.PRICED_PROBLEMS, "salesboard problem edit PROBLEM_ID --priority high"),
        (Evidence.STAKEHOLDER, "salesboard stakeholder add {deal} NAME --stance ally"),
    ],
)
def test_discovery_ticks_without_evidence_name_the_command(
    run: Run, service: Pipeline, parts: Substance, evidence: Evidence, hint: str
) -> None:
    deal_id = add(run)
    meeting = parts.add_activity(deal_id, kind="meeting", title="M", due=PAST, agenda="A")
    parts.set_activity_done(meeting.part_id)
    parts.add_activity(deal_id, kind="follow-up", title="F", due=FUTURE)
    while service.get_deal(deal_id).stage is not Stage.DISCOVERY:
        for job in service.get_deal(deal_id).jobs():
            service.set_job(deal_id, job.n, True)
        service.advance(deal_id)
    stage, n = job_needing(evidence)
    assert stage is Stage.DISCOVERY
    if evidence is Evidence.PRICED_PROBLEMS:
        parts.add_problem(deal_id, "Unpriced")
    err = failed(run("check", str(deal_id), str(n)), 3)
    assert hint.format(deal=deal_id) in err.splitlines()[1]


def test_an_evidence_hint_for_an_agenda_adds_one(run: Run, service: Pipeline) -> None:
    from salesboard.cli.part_hints import evidence_hint
    from salesboard.evidence import DealFacts, EvidenceRefusal, missing

    why = missing(Evidence.AGENDA, DealFacts())
    assert why is not None
    hint = evidence_hint(EvidenceRefusal("Agenda written", Evidence.AGENDA, why), 7)
    assert "salesboard activity add 7 --kind meeting" in hint and "--agenda TEXT" in hint
    visit = evidence_hint(EvidenceRefusal("Visited", Evidence.VISIT_HELD, why), 7)
    assert "--kind visit" in visit


# ------------------------------------------------------------- show, list, JSON


def test_show_and_list_json_carry_the_parts_and_next_step(run: Run, parts: Substance) -> None:
    deal_id = add(run)
    bare = add(run, "Bare")
    assert show_json(run, deal_id)["next_step"] is None
    aid = activity(run, deal_id, kind="call", due=FUTURE)
    parts.add_stakeholder(deal_id, "Kari", stance="ally")
    parts.add_problem(deal_id, "Slow", priority="high", price="10")
    data = show_json(run, deal_id)
    assert [set(a) for a in data["activities"]] == [ACTIVITY_KEYS]
    assert [set(s) for s in data["stakeholders"]] == [STAKEHOLDER_KEYS]
    assert [set(p) for p in data["problems"]] == [PROBLEM_KEYS]
    assert data["next_step"] == {
        "id": aid, "kind": "call", "title": "Kick-off", "due": "2099-06-01T06:00:00+00:00"
    }  # fmt: skip
    listed = {d["id"]: d for d in as_json(run("list", "--json"))}
    assert set(listed[deal_id]["next_step"]) == NEXT_STEP_KEYS
    assert listed[deal_id]["next_step"]["id"] == aid
    assert listed[bare]["next_step"] is None


def test_show_has_sections_for_next_step_activities_stakeholders_problems(
    run: Run, parts: Substance
) -> None:
    deal_id = add(run)
    empty = ok(run("show", str(deal_id)))
    assert lines_with(empty, "Next step")[0].split("Next step")[1].strip() == "⚠ no next step"
    for section in ("Activities (0)", "Stakeholders (0)", "Problems (0)"):
        assert section in empty
    activity(run, deal_id, "--agenda", "Goals", due=PAST)
    parts.add_stakeholder(deal_id, "Kari", stance="ally", role="CFO")
    parts.add_problem(deal_id, "Slow", priority="high", price="10")
    out = ok(run("show", str(deal_id)))
    (step,) = lines_with(out, "Next step")
    assert "⚠ meeting 2020-01-15 10:30: Kick-off" in step
    assert "Activities (1)" in out and "Stakeholders (1)" in out and "Problems (1)" in out
    (allies,) = [line for line in out.splitlines() if line.startswith("Allies")]
    assert allies.split()[1:4] == ["1", "Kari", "CFO"]
    assert "open problems priced at 10.00 EUR" in out
    assert out.index("Activities (1)") > out.index("6 Closed")  # after the checklists


def test_a_lost_deal_without_a_next_step_is_not_marked(run: Run) -> None:
    deal_id = add(run)
    ok(run("lost", str(deal_id), "--reason", "budget"))
    assert "Next step" not in ok(run("show", str(deal_id)))
    wide = ok(run("list", "--status", "all"))
    assert "no next step" not in wide


def test_the_list_table_shows_the_next_step_when_there_is_room(run: Run) -> None:
    planned = add(run, "Planned")
    bare = add(run, "Bare")
    activity(run, planned, due=PAST)
    out = ok(run("list"))
    assert "Next step" in out
    assert "⚠ meeting 2020-01-15" in lines_with(out, "Planned")[0]
    assert "⚠ no next step" in lines_with(out, "Bare")[0]
    narrow = ok(run("list", env={"COLUMNS": "80"}))
    assert "Next step" not in narrow and all(len(line) <= 80 for line in narrow.splitlines())
    assert bare


# ------------------------------------------------------------------ hostile text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_and_printed_literally(run: Run, text: str) -> None:
    deal_id = add(run, f"Deal {text}")
    hostile = f"A {text} Z"
    aid = int(
        ok(
            run(
                "activity", "add", str(deal_id), "--kind", "meeting", "--title", hostile,
                "--due", PAST, "--agenda", f"ag {text}\nline", "--notes", f"no {text}",
            )
        )
    )  # fmt: skip
    ok(
        run(
            "stakeholder", "add", str(deal_id), f"N {text}", "--stance", "ally",
            "--org", f"O {text}", "--role", f"R {text}", "--notes", f"sn {text}",
        )
    )  # fmt: skip
    ok(run("problem", "add", str(deal_id), f"P {text}", "--priority", "high"))
    data = show_json(run, deal_id)
    assert data["activities"][0]["title"] == _clean(hostile)
    assert data["activities"][0]["agenda"] == _clean(f"ag {text}\nline")
    assert data["stakeholders"][0]["organisation"] == _clean(f"O {text}")
    assert data["problems"][0]["description"] == _clean(f"P {text}")
    outputs = {
        "show": ok(run("show", str(deal_id))),
        "activities": ok(run("activity", "list", str(deal_id))),
        "stakeholders": ok(run("stakeholder", "list", str(deal_id))),
        "problems": ok(run("problem", "list", str(deal_id))),
        "agenda": ok(run("agenda")),
        "ics": ok(run("agenda", "--ics", "-")),
        "history": ok(run("history", str(deal_id))),
        "list": ok(run("list")),
        "edit": ok(run("activity", "edit", str(aid), "--title", f"B {text}")),
    }
    for name, out in outputs.items():
        assert "\x1b" not in out and "\x07" not in out and "\x00" not in out, name
    for name in ("show", "activities", "agenda"):
        assert _shown(hostile) in outputs[name], name
    for name in ("show", "stakeholders"):
        assert _shown(f"N {text}") in outputs[name] and _shown(f"R {text}") in outputs[name]
    for name in ("show", "problems"):
        assert _shown(f"P {text}") in outputs[name], name
    from icalendar import Calendar

    (event,) = Calendar.from_ical(outputs["ics"]).walk("VEVENT")
    assert _shown(hostile) in str(event["SUMMARY"])


def test_hostile_email_and_phone_are_refused_safely(run: Run) -> None:
    deal_id = add(run)
    for option in ("--email", "--phone"):
        result = run(
            "stakeholder", "add", str(deal_id), "Kari", "--stance", "ally", option, "a\x1b[2Jb"
        )
        err = failed(result, 2)
        assert "\x1b" not in err


def test_damaged_part_rows_are_warned_about_not_fatal(run: Run, sqlite_url: str) -> None:
    deal_id = add(run)
    activity(run, deal_id)
    with sqlite3.connect(sqlite_url) as conn:
        conn.execute("UPDATE activity SET kind = ? WHERE id = 1", ("lunch\x1b[2J",))
    result = run("activity", "list", str(deal_id))
    assert result.exit_code == 0
    assert "cannot be read" in result.stderr and "\x1b" not in result.stderr
    assert "no activities yet" in result.stdout
    assert "cannot be read" in ok(run("show", str(deal_id)))


# ------------------------------------------------------------------ the language


class _NorwegianChoices(gettext.NullTranslations):
    """Only the choices' Norwegian words, as the catalogue will give them."""

    WORDS: ClassVar[dict[str, str]] = {
        "meeting": "møte", "follow-up": "oppfølging", "ally": "alliert", "enemy": "motstander",
        "high": "høy", "low": "lav",
    }  # fmt: skip

    def pgettext(self, context: str, message: str) -> str:
        if context == "a choice typed on the command line":
            return self.WORDS.get(message, message)
        return message


def test_choices_take_the_words_of_the_language_in_force(run: Run) -> None:
    deal_id = add(run)
    i18n.use_translations(_NorwegianChoices())
    activity(run, deal_id, kind="Møte")
    activity(run, deal_id, kind="oppfølging")
    ok(run("stakeholder", "add", str(deal_id), "Kari", "--stance", "alliert", "--influence", "høy"))
    ok(run("problem", "add", str(deal_id), "Treg", "--priority", "lav"))
    refused = failed(run("stakeholder", "add", str(deal_id), "Ola", "--stance", "venn"), 2)
    assert "'alliert'" in refused and "'motstander'" in refused
    data = show_json(run, deal_id)
    assert [a["kind"] for a in data["activities"]] == ["meeting", "follow-up"]
    assert (data["stakeholders"][0]["stance"], data["stakeholders"][0]["influence"]) == (
        "ally",
        "high",
    )
    assert data["problems"][0]["priority"] == "low"
    assert "[møte|" in ok(run("activity", "add", "--help"))  # the help lists the words
    ok(run("activity", "add", str(deal_id), "--kind", "task", "--title", "T", "--due", PAST))
