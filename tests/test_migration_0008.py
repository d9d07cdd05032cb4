"""Upgrading a 0007 database gives its event log the index the reports read moves by."""

from __future__ import annotations

from sqlalchemy import inspect, text

from salesboard.reports.source import load_facts
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.store.schema import HEAD_REVISION
from tests.conftest import FrozenClock


def _event_indexes(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return {str(index["name"]) for index in inspect(conn).get_indexes("event")}


def test_upgrading_0007_adds_the_event_kind_index_and_keeps_every_event(db_url: str) -> None:
    db = Database.open(db_url, create=True)
    pipeline = Pipeline(db, actor="alice", clock=FrozenClock())
    deal = pipeline.create_deal("Kept", value="100")
    pipeline.mark_lost(deal.id, "No budget")
    with db.engine.begin() as conn:  # the database as 0007 left it
        conn.execute(text("DROP INDEX ix_event_kind"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    assert "ix_event_kind" not in _event_indexes(db)
    db.close()

    upgraded = Database.open(db_url)
    with upgraded.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert revision == HEAD_REVISION  # 0008 and every later revision applied
    assert "ix_event_kind" in _event_indexes(upgraded)
    moves = load_facts(upgraded).moves_of(deal.id)
    assert [move.kind.value for move in moves] == ["created", "lost"]
    upgraded.close()
