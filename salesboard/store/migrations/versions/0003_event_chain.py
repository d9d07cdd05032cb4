"""The history's hash chain: every event sealed with its own and the previous hash.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Existing events are sealed in id order, as they stand: the chain proves that nothing
changes from now on, not that nothing changed before the upgrade.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from salesboard.store.chain import GENESIS, content, event_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(), nullable=True))
        batch.add_column(sa.Column("chain_hash", sa.String(), nullable=True))
    bind = op.get_bind()
    raw = sa.text("SELECT id, deal_id, at, actor, kind, before, after FROM event ORDER BY id")
    if bind.dialect.name == "postgresql":
        raw = sa.text(
            "SELECT id, deal_id, at, actor, kind, before::text, after::text FROM event ORDER BY id"
        )
    previous = GENESIS
    sealed: list[dict[str, Any]] = []
    for event_id, deal_id, at, actor, kind, before, after in bind.execute(raw):
        digest = event_hash(
            previous, content(deal_id, at, actor, kind, _json(before), _json(after))
        )
        sealed.append({"i": event_id, "p": previous, "h": digest})
        previous = digest
    update = sa.text("UPDATE event SET prev_hash = :p, chain_hash = :h WHERE id = :i")
    for start in range(0, len(sealed), 20_000):
        bind.execute(update, sealed[start : start + 20_000])


def downgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.drop_column("chain_hash")
        batch.drop_column("prev_hash")
