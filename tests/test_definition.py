"""The pipeline definition as data: checking a team's file, and what an import changes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from salesboard import definition_diff, definition_toml
from salesboard.definition import DEFAULT, DEFAULT_JSON, from_json
from salesboard.errors import InvalidInput
from salesboard.workflow import Stage


def edited(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(DEFAULT_JSON)
    change(data)
    return data


def test_the_default_is_the_seed_in_english_and_norwegian() -> None:
    assert [s.label_in("nb") for s in DEFAULT.stages] == [
        "Prospekt",
        "Kvalifisert",
        "Oppdagelse",
        "Utviklet",
        "Foreslått",
        "Lukket",
    ]
    assert [len(s.jobs) for s in DEFAULT.stages] == [3, 4, 5, 5, 4, 5]
    assert DEFAULT.jobs_of(Stage.DISCOVERY)[4].text_in("en") == (
        "Allies, enemies and neutral companies identified"
    )
    assert all("nb" in job.text for job in DEFAULT.all_jobs())
    assert DEFAULT.jobs_of(Stage.PROSPECT)[0].text_in("nb") == "Prospekt funnet i målmarkedet"
    assert len({job.key for job in DEFAULT.all_jobs()}) == 26


def test_toml_export_reads_back_as_the_same_definition() -> None:
    text = definition_toml.dumps(DEFAULT, 7)
    assert "# salesboard pipeline definition (version 7)." in text
    assert definition_toml.loads(text) == DEFAULT


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["stages"].pop(), "exactly six stages"),
        (lambda d: d["stages"].reverse(), "stage 1 is 'prospect', not 'closed'"),
        (lambda d: d["stages"][0].update(win_probabilty=5), "unknown field 'win_probabilty'"),
        (lambda d: d["stages"][1].update(win_probability=101), "from 0 to 100, not 101"),
        (lambda d: d["stages"][1].update(win_probability=True), "not true"),
        (lambda d: d["stages"][2].update(stuck_after_days=0), "from 1 to 3650"),
        (lambda d: d["stages"][3].update(jobs=[]), "1 to 20 jobs"),
        (lambda d: d["stages"][0]["jobs"][0].update(key="Bad Key"), "lowercase letters"),
        (
            lambda d: d["stages"][1]["jobs"][0].update(key="target-market"),
            "'target-market' is already used at stages[1].jobs[1]",
        ),
        (lambda d: d["stages"][0]["jobs"][0].update(text={"nb": "bare norsk"}), "English"),
        (lambda d: d["stages"][0]["jobs"][0].update(text={"en": "x", "de": "y"}), "'de'"),
        (lambda d: d["stages"][0].update(label={"en": "x" * 41}), "the limit is 40"),
        (
            lambda d: d["stages"][1].update(label={"en": "prospect"}),
            "stages[2].label.en: 'prospect' already names stage 1",
        ),
        (
            lambda d: d["stages"][1].update(label={"en": "Qualified\u200b"}),
            "invisible character U+200B",
        ),
        (
            lambda d: d["stages"][0]["jobs"][1].update(
                text={"en": "Prospect found in the target market"}
            ),
            "the same as job 'target-market'",
        ),
    ],
)
def test_a_bad_definition_is_refused_saying_where(change: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=None) as caught:
        from_json(edited(change))
    assert message in str(caught.value)


def test_labels_are_stored_without_terminal_controls() -> None:
    found = from_json(
        edited(lambda d: d["stages"][0]["jobs"][0].update(text={"en": "a\x1b[31mb\x07"}))
    )
    assert found.jobs_of(Stage.PROSPECT)[0].text_in("en") == "ab"


def test_bad_toml_is_one_line_naming_the_place() -> None:
    with pytest.raises(
        InvalidInput,
        match="not valid TOML at line 2, column 16: a text without its closing quote on its line",
    ):
        definition_toml.loads('[[stages]]\nkey = "prospect\n')
    with pytest.raises(InvalidInput, match="'retired' is kept by the database"):
        definition_toml.loads("retired = []\n" + definition_toml.dumps(DEFAULT, 1))


def _plan(change: Any) -> definition_diff.Plan:
    return definition_diff.plan(DEFAULT, from_json(edited(change)))


def test_the_same_definition_changes_nothing() -> None:
    assert _plan(lambda d: None).changes == ()


def test_a_new_key_is_an_added_job_and_a_missing_one_is_retired() -> None:
    def change(d: dict[str, Any]) -> None:
        jobs = d["stages"][2]["jobs"]
        jobs.insert(1, {"key": "budget-known", "text": {"en": "Budget known"}})
        jobs.pop()  # allies-identified

    plan = _plan(change)
    kinds = [(c.kind, c.key) for c in plan.changes]
    assert ("added", "budget-known") in kinds
    assert ("removed", "allies-identified") in kinds
    assert [j.key for j in plan.added] == ["budget-known"]
    assert [j.key for j in plan.removed] == ["allies-identified"]
    retired = plan.wanted.job("allies-identified")
    assert retired is not None and not plan.wanted.is_current("allies-identified")
    assert retired.text_in("en") == "Allies, enemies and neutral companies identified"


def test_new_wording_under_the_same_key_is_a_rename() -> None:
    plan = _plan(
        lambda d: d["stages"][1]["jobs"][1].update(text={"en": "Agenda sent", "nb": "Agenda sendt"})
    )
    assert [(c.kind, c.key) for c in plan.changes] == [("renamed", "agenda-written")]
    assert plan.added == () and plan.removed == ()


def test_a_job_never_moves_to_another_stage() -> None:
    def change(d: dict[str, Any]) -> None:
        job = d["stages"][0]["jobs"].pop(0)
        d["stages"][1]["jobs"].append(job)

    with pytest.raises(InvalidInput, match="'target-market' belongs to prospect"):
        _plan(change)


def test_a_retired_key_comes_back_only_in_its_own_stage() -> None:
    first = _plan(lambda d: d["stages"][0]["jobs"].pop())  # met-producers retired
    again = copy.deepcopy(DEFAULT_JSON)
    back = definition_diff.plan(first.wanted, from_json(again))
    assert [(c.kind, c.key) for c in back.changes] == [("brought back", "met-producers")]
    assert [j.key for j in back.added] == ["met-producers"]
    assert back.wanted.retired == ()
    moved = copy.deepcopy(DEFAULT_JSON)
    moved["stages"][0]["jobs"].pop()
    moved["stages"][1]["jobs"].append({"key": "met-producers", "text": "Met them"})
    with pytest.raises(InvalidInput, match="belongs to prospect"):
        definition_diff.plan(first.wanted, from_json(moved))


def test_stage_figures_and_order_are_changes_too() -> None:
    def change(d: dict[str, Any]) -> None:
        d["stages"][4]["win_probability"] = 70
        d["stages"][4]["stuck_after_days"] = 10
        d["stages"][4]["label"] = {"en": "Offered", "nb": "Tilbudt"}
        d["stages"][4]["jobs"].reverse()

    kinds = [c.kind for c in _plan(change).changes]
    assert kinds == ["stage label", "win probability", "stuck after", "reordered"]


@pytest.mark.parametrize("hidden", ["\u034f", "\u3164", "\u115f", "\u17b4", "\ufe0f", "\u2800"])
def test_a_job_text_with_an_invisible_character_is_refused(hidden: str) -> None:
    data = edited(lambda d: d["stages"][1]["jobs"][0]["text"].update(nb=f"Agenda{hidden} skrevet"))
    with pytest.raises(InvalidInput, match=f"invisible character U\\+{ord(hidden):04X}"):
        from_json(data)


def test_two_jobs_that_differ_only_in_case_or_form_read_the_same() -> None:
    def same(d: dict[str, Any]) -> None:
        jobs = d["stages"][0]["jobs"]
        jobs[1]["text"]["nb"] = jobs[0]["text"]["nb"].upper()

    with pytest.raises(InvalidInput, match="two jobs that read the same"):
        from_json(edited(same))


def test_a_stage_label_cannot_be_another_stages_key() -> None:
    data = edited(lambda d: d["stages"][0]["label"].update(nb="qualified"))
    with pytest.raises(InvalidInput, match="the key of stage 'qualified'"):
        from_json(data)
