"""One search definition: each deal stores its title, company and owner folded for search.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from salesboard.folding import search_text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def upgrade() -> None:
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT id, title, company, owner FROM deal")).all()
    rows = [
        {"i": deal_id, "s": search_text(_text(title), _text(company), _text(owner))}
        for deal_id, title, company, owner in found
    ]
    update = sa.text("UPDATE deal SET search_text = :s WHERE id = :i")
    for start in range(0, len(rows), 20_000):
        bind.execute(update, rows[start : start + 20_000])


def downgrade() -> None:
    with op.batch_alter_table("deal") as batch:
        batch.drop_column("search_text")
