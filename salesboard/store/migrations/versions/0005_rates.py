"""Money that adds up: the team's base currency and the exchange rates it keeps.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setting",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "exchange_rate",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("base", sa.String(), nullable=False),
        sa.Column("rate", sa.String(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rate_current", "exchange_rate", ["base", "currency", "id"])


def downgrade() -> None:
    op.drop_index("ix_rate_current", table_name="exchange_rate")
    op.drop_table("exchange_rate")
    op.drop_table("setting")
