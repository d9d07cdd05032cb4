"""PostgreSQL tells running boards about changes: NOTIFY salesboard_changes from triggers.

Boards on PostgreSQL LISTEN instead of polling (``store.watch.NotificationListener``).
Triggers, rather than a NOTIFY in salesboard's own write path, cover every writer: the
board, the CLI, an older or newer salesboard, a script or plain SQL. The payload names
the table written, so a board re-reads only what moved. NOTIFY is sent at commit, once
per distinct payload per transaction, and never for a rolled-back one. The channel is
database-wide, so the payload is ``schema.table``: boards of a team in another schema of
the same database ignore it.

Presence is notified per row and only when a board joins or leaves or opens another
deal: a heartbeat that only refreshes ``seen_at`` (every board, every 15 s) wakes nobody.
The sweep of dead sessions is a per-row DELETE, so it notifies only when it removes one.

SQLite has no NOTIFY: its boards watch the file (nothing to do here).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FUNCTION = "salesboard_notify_change"
STATEMENT_TABLES = ("event", "exchange_rate", "setting", "pipeline_version")
"""Every write to these changes what a board shows: one NOTIFY per statement."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('salesboard_changes', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    _drop_triggers()  # a database stamped back to an older revision may still have them
    for table in STATEMENT_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
    op.execute(
        "CREATE TRIGGER presence_notify_join AFTER INSERT OR DELETE ON presence "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )
    op.execute(
        "CREATE TRIGGER presence_notify_look AFTER UPDATE ON presence FOR EACH ROW "
        "WHEN (OLD.deal_id IS DISTINCT FROM NEW.deal_id OR OLD.login IS DISTINCT FROM "
        f"NEW.login) EXECUTE FUNCTION {FUNCTION}()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _drop_triggers()
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def _drop_triggers() -> None:
    op.execute("DROP TRIGGER IF EXISTS presence_notify_look ON presence")
    op.execute("DROP TRIGGER IF EXISTS presence_notify_join ON presence")
    for table in STATEMENT_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
