"""Upgrading a database of the previous schema (0005) to keys and a stored pipeline.

The old database is made the honest way: Alembic builds the 0005 schema, and a deal
history made with today's service is copied into it the way 0005 stored it (checklist
rows with their English text, events with stage labels and job text, a sealed chain).
Upgrading must give back exactly today's rows and events, with a chain that verifies.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text

from salesboard.definition import DEFAULT
from salesboard.service import Pipeline
from salesboard.service.doctor import examine
from salesboard.store import Database
from salesboard.store.chain import GENESIS, content, event_hash
from salesboard.store.schema import HEAD_REVISION, _config
from tests.conftest import FrozenClock
from tests.evidence import give_evidence

LABELS = {s.key: s.label_in("en") for s in DEFAULT.stages}


def _history(db: Database) -> None:
    """Deals with ticks, moves both ways, a loss, a reopen, an edit and a finish.

    Today's jobs need their evidence to be ticked; 0005 had neither evidence nor its tables,
    so the arranged rows stay behind in the source and only ticks and events are copied."""
    pipeline = Pipeline(db, actor="alice", clock=FrozenClock())
    walked = pipeline.create_deal("Walked", company="Nordic", value="100")
    give_evidence(db, walked.id)
    for _ in range(5):
        for job in pipeline.get_deal(walked.id).jobs():
            pipeline.set_job(walked.id, job.n, True)
        pipeline.advance(walked.id)
    for job in pipeline.get_deal(walked.id).jobs():
        pipeline.set_job(walked.id, job.n, True)
    pipeline.finish(walked.id, "success", 5, comment="good")
    other = pipeline.create_deal("Other")
    give_evidence(db, other.id)
    pipeline.set_job(other.id, 2, True)
    pipeline.set_job(other.id, 2, False)
    pipeline.set_job(other.id, 1, True)
    pipeline.edit_deal(other.id, notes="called")
    lost = pipeline.create_deal("Lost")
    give_evidence(db, lost.id)
    for job in pipeline.get_deal(lost.id).jobs():
        pipeline.set_job(lost.id, job.n, True)
    pipeline.advance(lost.id)
    pipeline.move_back(lost.id)
    pipeline.mark_lost(lost.id, "no budget")
    pipeline.reopen(lost.id)


def _old(side: Any, kind: str) -> Any:
    """An event side as 0005 wrote it: stage labels, job text instead of key."""
    if not isinstance(side, dict):
        return side
    old = dict(side)
    if "stage" in old:
        old["stage"] = LABELS[old["stage"]]
    if kind in ("job_ticked", "job_unticked"):
        job = DEFAULT.job(old.pop("job"))
        assert job is not None
        old["text"] = job.text_in("en")
    return old


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


TIMES = ("created_at", "updated_at", "stage_entered_at", "done_at", "at")


def _utc(values: dict[str, Any]) -> dict[str, Any]:
    """SQLite's naive UTC text times, said to be UTC for whichever backend takes them."""
    return {k: v + "+00:00" if k in TIMES and isinstance(v, str) else v for k, v in values.items()}


def _rows(connection: Connection, query: str) -> list[Any]:
    return list(connection.execute(text(query)).all())


def _copy_as_0005(source: Database, target_url: str, *, tamper: bool = False) -> str:
    """Build ``target_url`` at 0005 holding ``source``'s data as 0005 stored it."""
    engine = create_engine(target_url)
    cast = "::text" if source.engine.dialect.name == "postgresql" else ""
    with source.engine.connect() as src:
        deals = _rows(src, "SELECT * FROM deal ORDER BY id")
        items = _rows(src, "SELECT * FROM checklist_item ORDER BY id")
        events = _rows(
            src,
            f"SELECT id, deal_id, at, actor, kind, before{cast} AS before, after{cast} AS after "
            "FROM event ORDER BY id",
        )
    with engine.begin() as conn:
        from alembic import command

        command.upgrade(_config(conn), "0005")
    with engine.begin() as conn:
        for deal in deals:
            values = _utc(dict(deal._mapping))
            names = ", ".join(values)
            conn.execute(
                text(f"INSERT INTO deal ({names}) VALUES ({', '.join(':' + k for k in values)})"),
                values,
            )
        for item in items:
            job = DEFAULT.job(item.job_key)
            assert job is not None
            conn.execute(
                text(
                    "INSERT INTO checklist_item (id, deal_id, stage, position, text, done, "
                    "done_by, done_at) VALUES (:id, :deal_id, :stage, :position, :text, :done, "
                    ":done_by, :done_at)"
                ),
                _utc({**dict(item._mapping), "text": job.text_in("en"), "done": bool(item.done)}),
            )
        previous = GENESIS
        for event in events:
            before = _old(_json(event.before), event.kind)
            after = _old(_json(event.after), event.kind)
            digest = event_hash(
                previous, content(event.deal_id, event.at, event.actor, event.kind, before, after)
            )
            if tamper and event.id == 3:
                after = {**after, "done": "forged"}
            conn.execute(
                text(
                    "INSERT INTO event (id, deal_id, at, actor, kind, before, after, prev_hash, "
                    "chain_hash) VALUES (:i, :d, :at, :a, :k, :b, :f, :p, :h)"
                ),
                {
                    "i": event.id,
                    "d": event.deal_id,
                    "at": _utc({"at": event.at})["at"],
                    "a": event.actor,
                    "k": event.kind,
                    "b": None if before is None else json.dumps(before),
                    "f": None if after is None else json.dumps(after),
                    "p": previous,
                    "h": digest,
                },
            )
            previous = digest
        if engine.dialect.name == "postgresql":
            for table in ("deal", "checklist_item", "event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    engine.dispose()
    return previous


def _snapshot(db: Database) -> dict[str, Any]:
    cast = "::text" if db.engine.dialect.name == "postgresql" else ""
    with db.engine.connect() as conn:
        return {
            "deals": _rows(conn, "SELECT id, stage, status, version FROM deal ORDER BY id"),
            "items": _rows(
                conn,
                "SELECT deal_id, stage, position, job_key, done, done_by FROM checklist_item "
                "ORDER BY deal_id, stage, position",
            ),
            "events": [
                (row.id, row.kind, _json(row.before), _json(row.after))
                for row in _rows(
                    conn,
                    f"SELECT id, kind, before{cast} AS before, after{cast} AS after FROM event "
                    "ORDER BY id",
                )
            ],
        }


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrading_0005_gives_back_todays_rows_and_a_sound_chain(
    backend: str, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    source = Database.open(str(tmp_path / "today.db"), create=True)
    _history(source)
    expected = _snapshot(source)
    target = (
        str(request.getfixturevalue("pg_url"))
        if backend == "postgresql"
        else f"sqlite:///{tmp_path / 'old.db'}"
    )
    old_head = _copy_as_0005(source, target)
    source.close()

    upgraded = Database.open(target)
    assert _snapshot(upgraded) == expected
    found = examine(upgraded)
    assert found.ok, [c.problems for c in found.checks]
    with upgraded.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        (note,) = conn.execute(
            text("SELECT value FROM setting WHERE key = 'history_rekeyed'")
        ).one()
        version = conn.execute(text("SELECT max(version) FROM pipeline_version")).scalar_one()
    assert (revision, version) == (HEAD_REVISION, 1)
    kept = json.loads(note)
    assert kept["verified"] is True and kept["old_head_hash"] == old_head
    assert kept["new_head_hash"] == found.head_hash
    # A head someone noted before the upgrade still checks out, and doctor says why.
    noted = (kept["old_head_event"], old_head)
    assert examine(upgraded, expect_head=noted).ok
    history = next(c for c in found.checks if c.name == "history")
    assert "sealed again when upgraded to stable keys" in history.summary
    # The upgraded history reads as before and the deals go on under the gate.
    pipeline = Pipeline(upgraded, actor="bob")
    assert pipeline.get_deal(2).jobs()[0].text == "Prospect found in the target market"
    assert pipeline.advance(3).stage.key == "qualified"
    upgraded.close()


def test_a_history_rewritten_before_the_upgrade_is_still_reported(tmp_path: Any) -> None:
    source = Database.open(str(tmp_path / "today.db"), create=True)
    _history(source)
    target = f"sqlite:///{tmp_path / 'old.db'}"
    _copy_as_0005(source, target, tamper=True)
    source.close()
    upgraded = Database.open(target)
    with upgraded.engine.connect() as conn:
        (note,) = conn.execute(
            text("SELECT value FROM setting WHERE key = 'history_rekeyed'")
        ).one()
    kept = json.loads(note)
    assert (kept["verified"], kept["broken_at_event"]) == (False, 3)
    history = next(c for c in examine(upgraded).checks if c.name == "history")
    assert history.problems == [
        f"before the upgrade to stable keys ({kept['at']}) the history was already broken "
        "at event 3: it had been rewritten"
    ]
    upgraded.close()
