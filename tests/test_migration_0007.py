"""Upgrading a database of the previous schema (0006) to a deal's substance (0007).

The old database is made the honest way: Alembic builds the 0006 schema, its pipeline is
the default as 0006 stored it (no evidence), and a deal history made with today's service
under that pipeline (ticks of jobs that are now backed by evidence, moves, an edit, a
loss) is copied into it row for row, sealed chain included. Upgrading must add the three
tables, keep every row and event, and give the pipeline the default evidence rules as a
new version of its own, without unticking anything.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, inspect, text

from salesboard.definition import DEFAULT, from_json
from salesboard.evidence import Evidence, EvidenceRefusal
from salesboard.service import Pipeline
from salesboard.service.definitions import PipelineDefinitions
from salesboard.service.doctor import examine
from salesboard.service.substance import Substance
from salesboard.store import Database
from salesboard.store.schema import HEAD_REVISION, _config
from tests.conftest import FrozenClock

TIMES = ("created_at", "updated_at", "stage_entered_at", "done_at", "at")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _utc(values: dict[str, Any]) -> dict[str, Any]:
    """SQLite's naive UTC text times, said to be UTC for whichever backend takes them."""
    return {k: v + "+00:00" if k in TIMES and isinstance(v, str) else v for k, v in values.items()}


def _rows(connection: Connection, query: str) -> list[Any]:
    return list(connection.execute(text(query)).all())


BACKED = {job.key: job.evidence for job in DEFAULT.all_jobs() if job.evidence is not None}
"""The eight default jobs the upgrade backs with evidence."""


def _without_evidence(definition: dict[str, Any]) -> dict[str, Any]:
    for stage in definition["stages"]:
        for job in stage["jobs"]:
            job.pop("evidence", None)
    return definition


OLD_DEFINITION = json.dumps(_without_evidence(DEFAULT.to_json()), sort_keys=True)
"""The default pipeline as 0006 stored it: no job names evidence."""


def _history(db: Database) -> None:
    """Deals whose jobs were ticked before evidence existed, under a pipeline without it."""
    definitions = PipelineDefinitions(db, actor="alice", clock=FrozenClock())
    exported = definitions.export_toml()
    plain = re.sub(r'\nevidence = "[^"]+"[^\n]*', "", exported)
    definitions.apply(definitions.plan_import(plain))
    pipeline = Pipeline(db, actor="alice", clock=FrozenClock())
    ticked = pipeline.create_deal("Ticked", company="Nordic", value="1200")
    for job in pipeline.get_deal(ticked.id).jobs():  # meeting scheduled and held: no meeting
        pipeline.set_job(ticked.id, job.n, True)
    pipeline.advance(ticked.id)
    pipeline.set_job(ticked.id, 2, True)  # agenda written: no agenda
    pipeline.set_job(ticked.id, 4, True)  # follow-ups scheduled: none
    other = pipeline.create_deal("Other")
    pipeline.set_job(other.id, 2, True)
    pipeline.set_job(other.id, 2, False)
    pipeline.edit_deal(other.id, notes="called")
    lost = pipeline.create_deal("Lost")
    pipeline.set_job(lost.id, 1, True)
    pipeline.mark_lost(lost.id, "no budget")


def _copy_as_0006(source: Database, target_url: str, definition: str) -> None:
    """Build ``target_url`` at 0006 holding ``source``'s rows, its pipeline ``definition``."""
    cast = "::text" if source.engine.dialect.name == "postgresql" else ""
    with source.engine.connect() as src:
        tables = {
            "deal": _rows(src, "SELECT * FROM deal ORDER BY id"),
            "checklist_item": _rows(src, "SELECT * FROM checklist_item ORDER BY id"),
            "event": _rows(
                src,
                f"SELECT id, deal_id, at, actor, kind, before{cast} AS before, "
                f"after{cast} AS after, prev_hash, chain_hash FROM event ORDER BY id",
            ),
        }
    engine = create_engine(target_url)
    with engine.begin() as conn:
        from alembic import command

        command.upgrade(_config(conn), "0006")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE pipeline_version SET definition = :d WHERE version = 1"),
            {"d": definition},
        )
        for table, rows in tables.items():
            for row in rows:
                values = _utc(dict(row._mapping))
                if table == "checklist_item":
                    values["done"] = bool(values["done"])
                if table == "event":
                    for side in ("before", "after"):
                        found = _json(values[side])
                        values[side] = None if found is None else json.dumps(found)
                names = ", ".join(values)
                marks = ", ".join(":" + name for name in values)
                conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)
        if engine.dialect.name == "postgresql":
            for table in tables:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    engine.dispose()


def _snapshot(db: Database) -> dict[str, Any]:
    cast = "::text" if db.engine.dialect.name == "postgresql" else ""
    with db.engine.connect() as conn:
        return {
            "deals": _rows(
                conn, "SELECT id, title, stage, status, version, notes FROM deal ORDER BY id"
            ),
            "items": _rows(
                conn,
                "SELECT deal_id, stage, position, job_key, done, done_by FROM checklist_item "
                "ORDER BY deal_id, stage, position",
            ),
            "events": [
                (row.id, row.kind, _json(row.before), _json(row.after), row.chain_hash)
                for row in _rows(
                    conn,
                    f"SELECT id, kind, before{cast} AS before, after{cast} AS after, chain_hash "
                    "FROM event ORDER BY id",
                )
            ],
        }


def _old_database(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, definition: str
) -> tuple[str, dict[str, Any]]:
    """A 0006 database with the history above, and what it held (as today reads it)."""
    source = Database.open(str(tmp_path / "today.db"), create=True)
    _history(source)
    expected = _snapshot(source)
    source.close()
    target = (
        str(request.getfixturevalue("pg_url"))
        if backend == "postgresql"
        else f"sqlite:///{tmp_path / 'old.db'}"
    )
    source = Database.open(str(tmp_path / "today.db"))
    _copy_as_0006(source, target, definition)
    source.close()
    return target, expected


def _versions(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        return _rows(
            conn, "SELECT version, definition, changes, set_by FROM pipeline_version ORDER BY 1"
        )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrading_0006_adds_the_tables_and_the_evidence_rules(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    target, expected = _old_database(backend, tmp_path, request, OLD_DEFINITION)
    with create_engine(target).connect() as conn:
        assert not {"activity", "stakeholder", "problem"} & set(inspect(conn).get_table_names())

    upgraded = Database.open(target)
    with upgraded.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        tables = set(inspect(conn).get_table_names())
        counts = [
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("activity", "stakeholder", "problem")
        ]
    assert revision == HEAD_REVISION
    assert {"activity", "stakeholder", "problem"} <= tables and counts == [0, 0, 0]
    assert _snapshot(upgraded) == expected  # every deal, tick and event as it was

    # The pipeline gains a version with the default evidence, each change recorded.
    first, second = _versions(upgraded)
    assert (first.version, first.set_by, json.loads(first.changes)) == (1, "salesboard", [])
    assert (second.version, second.set_by) == (2, "salesboard upgrade")
    changes = json.loads(second.changes)
    assert {c["key"]: c["after"] for c in changes} == {k: e.value for k, e in BACKED.items()}
    assert all(c["kind"] == "evidence" and c["before"] == "—" for c in changes)
    assert {
        job.key: job.evidence for job in from_json(json.loads(second.definition)).all_jobs()
    } == {job.key: job.evidence for job in DEFAULT.all_jobs()}
    history = PipelineDefinitions(upgraded).history()
    assert [(v.version, v.set_by) for v in history] == [
        (2, "salesboard upgrade"),
        (1, "salesboard"),
    ]

    # Jobs ticked before evidence existed stay ticked; doctor finds nothing wrong.
    pipeline = Pipeline(upgraded, actor="bob", clock=FrozenClock())
    ticked = pipeline.get_deal(1)
    done = {job.key for job in ticked.checklist if job.done}
    assert {"meeting-scheduled", "met-producers", "agenda-written", "follow-ups-scheduled"} <= done
    found = examine(upgraded)
    assert found.ok, [c.problems for c in found.checks]

    # From now on the rules hold: a new tick needs its evidence, and the tables take it.
    with pytest.raises(EvidenceRefusal) as refused:
        pipeline.set_job(2, 2, True)
    assert refused.value.evidence is Evidence.MEETING
    work = Substance(pipeline)
    work.add_activity(2, kind="meeting", title="Kick-off", due="2027-01-15 10:00")
    work.add_stakeholder(2, "Kari Nordmann", stance="ally")
    work.add_problem(2, "Slow invoicing", priority="high", price="100")
    assert pipeline.set_job(2, 2, True).checklist[1].done
    assert examine(upgraded).ok
    upgraded.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_pipeline_that_already_names_evidence_gains_no_version(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    target, expected = _old_database(backend, tmp_path, request, DEFAULT.dumps())
    upgraded = Database.open(target)
    (only,) = _versions(upgraded)
    assert (only.version, only.set_by) == (1, "salesboard")
    assert _snapshot(upgraded) == expected
    assert examine(upgraded).ok
    upgraded.close()


def test_a_teams_own_pipeline_gets_evidence_only_where_it_has_the_default_jobs(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    team = _without_evidence(DEFAULT.to_json())
    discovery = team["stages"][2]["jobs"]
    discovery[:] = [job for job in discovery if job["key"] != "allies-identified"]
    discovery.append({"key": "allies-named", "text": {"en": "Allies named"}})
    team["stages"][0]["jobs"][1]["evidence"] = "meeting-held"  # the team's own rule stays
    target, _expected = _old_database("sqlite", tmp_path, request, json.dumps(team))
    upgraded = Database.open(target)
    _first, second = _versions(upgraded)
    changed = {c["key"]: c["after"] for c in json.loads(second.changes)}
    assert set(changed) == set(BACKED) - {"allies-identified", "meeting-scheduled"}
    definition = from_json(json.loads(second.definition))
    own = definition.job("meeting-scheduled")
    custom = definition.job("allies-named")
    assert own is not None and own.evidence is Evidence.MEETING_HELD
    assert custom is not None and custom.evidence is None
    upgraded.close()
