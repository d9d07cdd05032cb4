"""Presence: which boards are running now, and which deal each has open.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("session_id", sa.String(), primary_key=True),
        sa.Column("login", sa.String(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_presence_seen", "presence", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_presence_seen", table_name="presence")
    op.drop_table("presence")
