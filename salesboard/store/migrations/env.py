"""Alembic environment: runs on the connection handed over by ``ensure_schema``."""

from __future__ import annotations

from alembic import context

from salesboard.store.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only for ad-hoc `alembic` use
    raise RuntimeError("salesboard migrations run through salesboard.store.schema")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
