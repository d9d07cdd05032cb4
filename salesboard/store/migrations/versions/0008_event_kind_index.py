"""Reports read a deal's stage moves by kind: index the event log by kind and deal.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_event_kind", "event", ["kind", "deal_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_event_kind", table_name="event")
