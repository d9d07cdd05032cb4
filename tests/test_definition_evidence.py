"""Jobs backed by evidence as part of the pipeline definition: export, import, diff, refusals."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from salesboard import definition_diff, definition_toml
from salesboard.definition import DEFAULT, DEFAULT_JSON, from_json
from salesboard.errors import InvalidInput
from salesboard.evidence import Evidence
from salesboard.service.definitions import PipelineDefinitions
from salesboard.store import Database
from salesboard.workflow import Stage
from tests.conftest import FrozenClock


def _evidence(definition: Any) -> dict[str, Evidence | None]:
    return {job.key: job.evidence for job in definition.all_jobs()}


def test_the_default_backs_eight_jobs_with_evidence() -> None:
    backed = {key: e for key, e in _evidence(DEFAULT).items() if e is not None}
    assert backed == {
        "meeting-scheduled": Evidence.MEETING,
        "met-producers": Evidence.MEETING_HELD,
        "agenda-written": Evidence.AGENDA,
        "follow-ups-scheduled": Evidence.FOLLOW_UP,
        "problems-found": Evidence.PROBLEM,
        "prioritised-priced": Evidence.PRICED_PROBLEMS,
        "allies-identified": Evidence.STAKEHOLDER,
        "customer-visits": Evidence.VISIT_HELD,
    }


def test_export_and_import_round_trip_the_evidence() -> None:
    text = definition_toml.dumps(DEFAULT, 3)
    assert 'evidence = "priced-problems"' in text
    assert "# problems recorded, each open one with a priority and a price" in text
    read, version = definition_toml.read(text)
    assert version == 3
    assert _evidence(read) == _evidence(DEFAULT)
    assert read.dumps() == DEFAULT.dumps()
    assert definition_diff.plan(DEFAULT, read).changes == ()


def test_json_round_trips_the_evidence() -> None:
    again = from_json(DEFAULT.to_json())
    assert _evidence(again) == _evidence(DEFAULT)
    assert from_json(DEFAULT_JSON).to_json() == DEFAULT.to_json()


def _with(change: Callable[[str], str]) -> str:
    """The default exported, changed by ``change`` on its TOML text."""
    return change(definition_toml.dumps(DEFAULT, 1))


def test_an_import_that_changes_or_drops_evidence_says_so() -> None:
    text = _with(
        lambda t: t.replace('evidence = "meeting" # a planned meeting', 'evidence = "meeting-held"')
    )
    text = re.sub(r'\nevidence = "stakeholder"[^\n]*', "", text)
    text = text.replace(
        'key = "funding-secured"\ntext = {en = "Funding secured", nb = "Finansiering sikret"}',
        'key = "funding-secured"\ntext = {en = "Funding secured", nb = "Finansiering sikret"}\n'
        'evidence = "problem"',
    )
    plan = definition_diff.plan(DEFAULT, definition_toml.loads(text))
    evidence = [c for c in plan.changes if c.kind == definition_diff.EVIDENCE]
    assert [(c.stage, c.key, c.before, c.after) for c in evidence] == [
        (Stage.PROSPECT, "meeting-scheduled", "meeting", "meeting-held"),
        (Stage.DISCOVERY, "funding-secured", "—", "problem"),
        (Stage.DISCOVERY, "allies-identified", "stakeholder", "—"),
    ]
    assert [definition_diff.describe_change(c) for c in evidence] == [
        "prospect job meeting-scheduled: evidence: meeting → meeting-held",
        "discovery job funding-secured: evidence: — → problem",
        "discovery job allies-identified: evidence: stakeholder → —",
    ]
    assert plan.added == () and plan.removed == ()  # nobody's ticks change


def test_an_unknown_evidence_key_is_refused_with_what_is_known() -> None:
    text = _with(lambda t: t.replace('evidence = "agenda"', 'evidence = "agendas"'))
    with pytest.raises(InvalidInput) as refused:
        definition_toml.loads(text)
    assert str(refused.value) == (
        "stages[2].jobs[2].evidence: unknown evidence 'agendas' (expected one of: meeting, "
        "meeting-held, agenda, follow-up, visit-held, problem, priced-problems, stakeholder)"
    )


@pytest.mark.parametrize("value", [7, "", "MEETING", ["meeting"], {"kind": "meeting"}])
def test_evidence_that_is_not_a_known_key_is_refused(value: Any) -> None:
    data = copy.deepcopy(DEFAULT_JSON)
    data["stages"][0]["jobs"][1]["evidence"] = value
    with pytest.raises(InvalidInput, match="unknown evidence"):
        from_json(data)


def test_an_import_through_the_service_keeps_evidence_and_its_history(db: Database) -> None:
    definitions = PipelineDefinitions(db, actor="alice", clock=FrozenClock())
    exported = definitions.export_toml()
    text = exported.replace('evidence = "visit-held"', 'evidence = "meeting-held"')
    planned = definitions.plan_import(text)
    assert [definition_diff.describe_change(c) for c in planned.changes] == [
        "developed job customer-visits: evidence: visit-held → meeting-held"
    ]
    version = definitions.apply(planned)
    assert version == 2
    _number, current = definitions.current()
    job = current.job("customer-visits")
    assert job is not None and job.evidence is Evidence.MEETING_HELD
    (latest, *_older) = definitions.history()
    assert latest.changes == (
        {
            "kind": "evidence",
            "stage": "developed",
            "key": "customer-visits",
            "before": "visit-held",
            "after": "meeting-held",
        },
    )
    again = definitions.export_toml()
    assert 'evidence = "meeting-held" # a meeting that took place (marked done)' in again
    assert definitions.plan_import(again).changes == ()
