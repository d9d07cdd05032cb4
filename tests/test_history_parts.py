"""Changes to activities, stakeholders and problems as the history tells them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from salesboard.service.history_parts import describe_part, due_text, is_part_kind
from salesboard.service.history_text import (
    EVENT_LABELS,
    describe_entry,
    describe_event,
    event_label,
)
from salesboard.service.pipeline import Pipeline
from salesboard.service.substance import Substance
from salesboard.workflow import EventKind

HOSTILE = "[red]x[/] [@click=app.quit]\x1b[2J\u202eevil"
"""Markup, a terminal escape and a right-to-left override, as a hostile client stores them."""

PART_KINDS = [kind.value for kind in EventKind if is_part_kind(kind.value)]


@pytest.fixture
def oslo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The user's zone is Oslo (UTC+1 in January, UTC+2 in July)."""
    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _safe(told: str) -> None:
    assert "\x1b" not in told and "\u202e" not in told


# ------------------------------------------------------------------- words


def test_every_part_kind_has_a_label_and_a_description() -> None:
    assert len(PART_KINDS) == 11
    for kind in PART_KINDS:
        assert kind in EVENT_LABELS
        assert event_label(kind) != kind
        assert describe_part(kind, {}, {}) is not None  # even with nothing kept


def test_labels_are_words() -> None:
    assert event_label("activity_added") == "activity planned"
    assert event_label("activity_done") == "activity done"
    assert event_label("stakeholder_removed") == "stakeholder removed"
    assert event_label("problem_edited") == "problem edited"


def test_other_kinds_are_not_parts() -> None:
    assert not is_part_kind("job_ticked") and not is_part_kind("reopened")
    assert describe_part("reopened", {}, {}) is None
    assert describe_part("activity_exploded", {}, {}) is None


# --------------------------------------------------------------- activities


def test_a_planned_meeting_with_its_time_in_the_users_zone(oslo: None) -> None:
    after = {
        "activity": 4,
        "kind": "meeting",
        "title": "Kick-off",
        "due_at": "2027-01-15T09:30:00+00:00",
        "owner": "alice",
        "agenda": "Goals",
        "notes": "",
    }
    assert describe_event("activity_added", None, after) == (
        "meeting planned: Kick-off, 2027-01-15 10:30"
    )


def test_summer_time_is_the_users_too(oslo: None) -> None:
    assert due_text("2027-07-01T08:00:00+00:00") == "2027-07-01 10:00"


def test_a_naive_stored_time_is_read_as_utc(oslo: None) -> None:
    assert due_text("2027-01-15T09:30:00") == "2027-01-15 10:30"


def test_done_reopened_and_removed() -> None:
    kept = {"activity": 4, "title": "Kick-off"}
    assert describe_event("activity_done", {**kept, "done": False}, {**kept, "done": True}) == (
        "activity done: Kick-off"
    )
    assert describe_event("activity_reopened", {**kept, "done": True}, {**kept, "done": False}) == (
        "activity open again: Kick-off"
    )
    before = {
        **kept,
        "kind": "follow-up",
        "due_at": "2027-01-15T09:30:00+00:00",
        "done_at": None,
    }
    told = describe_event("activity_removed", before, {"activity": 4})
    assert told.startswith("follow-up removed: Kick-off, 2027-01-15 ")


def test_an_edited_activity_names_each_field_with_its_words(oslo: None) -> None:
    told = describe_event(
        "activity_edited",
        {"activity": 4, "kind": "call", "due_at": "2027-01-15T09:30:00+00:00"},
        {"activity": 4, "kind": "visit", "due_at": "2027-01-16T12:00:00+00:00"},
    )
    assert told == "activity: kind: call → visit; due: 2027-01-15 10:30 → 2027-01-16 13:00"


def test_an_edited_agenda_is_cut_short() -> None:
    told = describe_event(
        "activity_edited", {"activity": 1, "agenda": ""}, {"activity": 1, "agenda": "x" * 200}
    )
    assert told.startswith('activity: agenda: "" → xxx') and told.endswith("…")
    assert len(told) < 80


# ------------------------------------------------------------- stakeholders


def test_stakeholders_added_removed_and_edited() -> None:
    kari = {"stakeholder": 2, "name": "Kari Nordmann", "organisation": "", "stance": "ally"}
    assert describe_event("stakeholder_added", None, kari) == (
        "stakeholder added: Kari Nordmann (ally)"
    )
    assert describe_event("stakeholder_removed", kari, {"stakeholder": 2}) == (
        "stakeholder removed: Kari Nordmann (ally)"
    )
    with_org = {**kari, "organisation": "Fjord AS", "stance": "enemy"}
    assert describe_event("stakeholder_added", None, with_org) == (
        "stakeholder added: Kari Nordmann, Fjord AS (enemy)"
    )
    told = describe_event(
        "stakeholder_edited",
        {"stakeholder": 2, "stance": "neutral", "influence": "low", "email": ""},
        {"stakeholder": 2, "stance": "ally", "influence": "high", "email": "kari@fjord.no"},
    )
    assert told == (
        'stakeholder: stance: neutral → ally; influence: low → high; e-mail: "" → kari@fjord.no'
    )


# ----------------------------------------------------------------- problems


def test_problems_added_with_priority_and_price() -> None:
    after = {
        "problem": 3,
        "description": "Invoices typed twice",
        "priority": "high",
        "status": "open",
        "currency": "EUR",
        "price_minor": 1_250_000,
    }
    assert describe_event("problem_added", None, after) == (
        "problem added: Invoices typed twice (high, 12 500.00 EUR)"
    )
    unpriced = {**after, "priority": None, "price_minor": None}
    assert describe_event("problem_added", None, unpriced) == (
        "problem added: Invoices typed twice"
    )
    assert describe_event("problem_removed", after, {"problem": 3}) == (
        "problem removed: Invoices typed twice"
    )


def test_a_problem_edit_tells_priority_price_and_status() -> None:
    assert describe_event(
        "problem_edited", {"problem": 3, "priority": None}, {"problem": 3, "priority": "high"}
    ) == ("problem: priority: — → high")
    assert describe_event(
        "problem_edited",
        {"problem": 3, "price_minor": None, "status": "open"},
        {"problem": 3, "price_minor": 50_000, "status": "solved"},
    ) == ("problem: price: — → 500.00; status: open → solved")


# ------------------------------------------------------- hostile and damaged


@pytest.mark.parametrize("kind", PART_KINDS)
def test_hostile_text_in_every_field_is_made_safe(kind: str) -> None:
    names = "kind title due_at owner agenda notes name organisation role stance influence"
    more = "email phone description priority currency status price_minor"
    fields: dict[str, Any] = dict.fromkeys([*names.split(), *more.split()], HOSTILE)
    what = kind.rpartition("_")[0]
    told = describe_event(kind, {what: 1, **fields}, {what: 1, **fields})
    _safe(told)
    assert "[red]x[/]" in told  # shown literally, never as markup
    _safe(event_label(kind))


@pytest.mark.parametrize("kind", PART_KINDS)
@pytest.mark.parametrize(
    "damaged",
    [
        None,
        [],
        "text",
        {"kind": 7, "due_at": "yesterday", "title": None, "stance": "frenemy"},
        {"due_at": 12, "price_minor": "ten", "currency": 5, "priority": ["high"]},
        {"due_at": "0001-01-01T00:00:00+00:00", "price_minor": True, "name": {"a": 1}},
        {"due_at": "9999-12-31T23:59:59-14:00", "price_minor": 2**80, "currency": "ZZZ"},
    ],
)
def test_damaged_values_are_told_as_stored(kind: str, damaged: Any, oslo: None) -> None:
    told = describe_event(kind, damaged, damaged)
    assert isinstance(told, str)
    _safe(told)
    assert describe_entry(kind, damaged, damaged, None) == told


def test_damaged_values_show_what_they_hold(oslo: None) -> None:
    after = {"kind": "party", "title": None, "due_at": "next tuesday"}
    assert describe_event("activity_added", None, after) == "party planned: —, next tuesday"
    priced = {"description": "X", "priority": "urgent", "price_minor": 100, "currency": "ZZZ"}
    assert describe_event("problem_added", None, priced) == "problem added: X (urgent, 1.00 ZZZ)"


def test_a_damaged_entry_is_told_as_damaged() -> None:
    assert describe_entry("activity_added", None, None, "not JSON") == ("activity_added: not JSON")


# ------------------------------------------------------- through the service


def test_what_the_service_writes_reads_well(pipeline: Pipeline, oslo: None) -> None:
    work = Substance(pipeline)
    deal = pipeline.create_deal("Fjord ERP", company="Fjord AS")
    meeting = work.add_activity(deal.id, kind="meeting", title="Kick-off", due="2027-01-15 10:30")
    work.edit_activity(meeting.part_id, title="Kick-off [b]2[/b]")
    work.set_activity_done(meeting.part_id)
    work.remove_activity(meeting.part_id)
    kari = work.add_stakeholder(deal.id, "Kari Nordmann", stance="ally", organisation="Fjord")
    work.edit_stakeholder(kari.part_id, stance="enemy")
    work.remove_stakeholder(kari.part_id)
    problem = work.add_problem(deal.id, "Slow invoicing", priority="high", price="12500")
    work.edit_problem(problem.part_id, priority="low", price=None, solved=True)
    work.remove_problem(problem.part_id)
    told = [describe_event(e.kind, e.before, e.after) for e in pipeline.history(deal.id)]
    assert told[::-1][1:] == [
        "meeting planned: Kick-off, 2027-01-15 10:30",
        "activity Kick-off: title: Kick-off → Kick-off [b]2[/b]",
        "activity done: Kick-off [b]2[/b]",
        "meeting removed: Kick-off [b]2[/b], 2027-01-15 10:30",
        "stakeholder added: Kari Nordmann, Fjord (ally)",
        "stakeholder Kari Nordmann: stance: ally → enemy",
        "stakeholder removed: Kari Nordmann, Fjord (enemy)",
        "problem added: Slow invoicing (high, 12 500.00 EUR)",
        "problem Slow invoicing: priority: high → low; status: open → solved; price: 12 500.00 → —",
        "problem removed: Slow invoicing",
    ]


def test_in_norwegian_choices_and_times_follow_the_language(oslo: None) -> None:
    from salesboard.i18n import install

    install("nb")
    told = describe_event(
        "activity_edited",
        {"activity": 1, "due_at": "2027-01-15T09:30:00+00:00"},
        {"activity": 1, "due_at": "2027-01-16T09:30:00+00:00"},
    )
    assert "15. jan. 2027 10:30" in told and "16. jan. 2027 10:30" in told
    priced = {"description": "X", "price_minor": 1_250_000, "currency": "NOK"}
    assert describe_event("problem_added", None, priced).endswith("(12\u00a0500,00\u00a0kr)")


def test_labels_in_a_table_are_made_safe() -> None:
    assert event_label(HOSTILE) == event_label(HOSTILE)
    _safe(event_label(HOSTILE))
