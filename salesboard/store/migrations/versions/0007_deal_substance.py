"""A deal's substance: activities, stakeholders and problems, and jobs backed by evidence.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

- Three tables: ``activity``, ``stakeholder`` and ``problem``, each row belonging to a deal.
  Their ids are never reused (SQLite ``AUTOINCREMENT``): the history names parts by id, and
  a removed part's id must not come to mean another one.
- The pipeline in force gains the default evidence rules (``salesboard.evidence``) as a new
  version in its history, for each default job it still has that has no rule yet; a team
  that wants other rules imports its own. Ticks already made stay.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

EVIDENCE = {
    "meeting-scheduled": "meeting",
    "met-producers": "meeting-held",
    "agenda-written": "agenda",
    "follow-ups-scheduled": "follow-up",
    "problems-found": "problem",
    "prioritised-priced": "priced-problems",
    "allies-identified": "stakeholder",
    "customer-visits": "visit-held",
}
"""The default jobs' evidence as of this revision (frozen here: the code may change)."""


def _created(table: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _tables() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deal.id"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("done_by", sa.String()),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        *_created("activity"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_activity_deal", "activity", ["deal_id", "due_at"])
    op.create_index("ix_activity_owner", "activity", ["owner", "done_at", "due_at"])
    op.create_table(
        "stakeholder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deal.id"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("organisation", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("stance", sa.String(), nullable=False),
        sa.Column("influence", sa.String(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("phone", sa.String(), nullable=False),
        *_created("stakeholder"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_stakeholder_deal", "stakeholder", ["deal_id"])
    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deal.id"), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("priority", sa.String()),
        sa.Column("price_minor", sa.BigInteger()),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        *_created("problem"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_problem_deal", "problem", ["deal_id"])


def _evidence(now: datetime) -> None:
    bind = op.get_bind()
    row = bind.execute(
        sa.text("SELECT version, definition FROM pipeline_version ORDER BY version DESC LIMIT 1")
    ).first()
    if row is None:
        return
    try:
        definition = json.loads(row.definition)
        stages = definition["stages"]
    except (ValueError, TypeError, KeyError):
        return  # a damaged definition: doctor names it; nothing is guessed here
    changes = []
    for stage in stages if isinstance(stages, list) else []:
        for job in stage.get("jobs", []) if isinstance(stage, dict) else []:
            if not isinstance(job, dict) or "evidence" in job:
                continue
            evidence = EVIDENCE.get(job.get("key"))  # type: ignore[arg-type]
            if evidence is None:
                continue
            job["evidence"] = evidence
            changes.append(
                {
                    "kind": "evidence",
                    "stage": stage.get("key"),
                    "key": job["key"],
                    "before": "—",
                    "after": evidence,
                }
            )
    if not changes:
        return
    bind.execute(
        sa.text(
            "INSERT INTO pipeline_version (version, definition, changes, set_by, set_at) "
            "VALUES (:v, :d, :c, :b, :t)"
        ),
        {
            "v": row.version + 1,
            "d": json.dumps(definition, sort_keys=True, ensure_ascii=False),
            "c": json.dumps(changes, ensure_ascii=False),
            "b": "salesboard upgrade",
            "t": now,
        },
    )


def upgrade() -> None:
    _tables()
    _evidence(datetime.now(UTC))


def downgrade() -> None:
    raise NotImplementedError("salesboard does not downgrade: restore a backup instead")
