"""Upgrading a 0008 database makes PostgreSQL notify running boards of every change."""

from __future__ import annotations

import select

from sqlalchemy import text

from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.store.schema import HEAD_REVISION
from salesboard.store.watch import NotificationListener
from tests.conftest import FrozenClock

TRIGGERS = {
    "event_notify",
    "exchange_rate_notify",
    "setting_notify",
    "pipeline_version_notify",
    "presence_notify_join",
    "presence_notify_look",
}


def _triggers(db: Database) -> set[str]:
    if db.is_sqlite:
        return set()
    query = text(
        "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
    )
    with db.engine.connect() as conn:
        return {str(name) for name in conn.execute(query).scalars()}


def test_upgrading_0008_adds_the_notify_triggers_and_keeps_every_deal(db_url: str) -> None:
    db = Database.open(db_url, create=True)
    deal = Pipeline(db, actor="alice", clock=FrozenClock()).create_deal("Kept", value="100")
    assert _triggers(db) == (set() if db.is_sqlite else TRIGGERS)  # a new database has them
    with db.engine.begin() as conn:  # the database as 0008 left it
        if not db.is_sqlite:
            for name in TRIGGERS:
                table = name.removesuffix("_notify").removesuffix("_notify_join")
                table = table.removesuffix("_notify_look")
                conn.execute(text(f"DROP TRIGGER {name} ON {table}"))
            conn.execute(text("DROP FUNCTION salesboard_notify_change()"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    assert _triggers(db) == set()
    db.close()

    upgraded = Database.open(db_url)
    with upgraded.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert revision == HEAD_REVISION == "0009"
    assert _triggers(upgraded) == (set() if upgraded.is_sqlite else TRIGGERS)
    assert Pipeline(upgraded, actor="alice").get_deal(deal.id).summary.title == "Kept"
    upgraded.close()


def test_a_change_is_notified_once_at_commit_and_never_for_a_rollback(pg_url: str) -> None:
    db = Database.open(pg_url, create=True)
    listener = NotificationListener(db)
    listener.connect()
    try:
        with db.engine.connect() as conn:  # a write that is rolled back tells nobody
            conn.execute(
                text(
                    "INSERT INTO setting (key, value, set_by, set_at) "
                    "VALUES ('x', 'y', 'sql', now())"
                )
            )
            conn.rollback()
        Pipeline(db, actor="alice").create_deal("Told", value="100")  # deal and event rows
        assert select.select([listener.fileno()], [], [], 10)[0], "nothing was notified"
        assert listener.drain() == {"event"}
    finally:
        listener.close()
        db.close()
