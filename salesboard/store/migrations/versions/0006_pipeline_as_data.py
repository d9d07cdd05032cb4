"""The pipeline as data: a versioned definition, and keys instead of labels everywhere.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

- ``pipeline_version`` is created holding version 1, today's pipeline.
- Checklist rows get their job's key (from their stage and place, as every deal was made
  from the same fixed checklists) and lose their copied English text.
- Events hold keys: ``"stage": "Discovery"`` becomes ``"discovery"``; a job event holds
  ``"job": "<key>"`` instead of its text. Their hash chain is sealed again over the new
  content. The chain as it stood (its head, and whether it verified) is kept in the
  ``setting`` row ``history_rekeyed``, and ``salesboard doctor`` shows it, so a head hash
  someone noted before the upgrade can still be matched.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from salesboard.store.chain import GENESIS, content, event_hash, verify

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

STAGE_KEYS = ("prospect", "qualified", "discovery", "developed", "proposed", "closed")
JOB_KEYS = (
    ("target-market", "meeting-scheduled", "met-producers"),
    ("confirmed-real", "agenda-written", "creation-decided", "follow-ups-scheduled"),
    (
        "problems-found",
        "purchasing-reviewed",
        "prioritised-priced",
        "funding-secured",
        "allies-identified",
    ),
    ("product-plan", "customer-visits", "pricing-approved", "roi-approved", "resources-assessed"),
    ("proposal-delivered", "contracts-approved", "changes-agreed", "sent-to-legal"),
    (
        "implemented",
        "contracts-signed",
        "revenue-credited",
        "orders-completed",
        "satisfaction-tracked",
    ),
)
"""The fixed checklists every deal was made from before this revision, by place."""


def _job_key(stage: Any, position: Any) -> str:
    known = isinstance(stage, int) and isinstance(position, int) and 1 <= stage <= 6
    if known and 1 <= position <= len(JOB_KEYS[stage - 1]):
        return JOB_KEYS[stage - 1][position - 1]
    return f"unknown-{stage}-{position}"[:40]


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _stage(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in STAGE_KEYS:
        return value.strip().lower()
    return value


def _rekeyed(kind: Any, data: Any) -> Any:
    """One event side with keys for labels; anything unexpected is left as it is."""
    if not isinstance(data, dict):
        return data
    new = dict(data)
    if "stage" in new:
        new["stage"] = _stage(new["stage"])
    if kind in ("job_ticked", "job_unticked") and "text" in new:
        stage = new.get("stage")
        number = STAGE_KEYS.index(stage) + 1 if stage in STAGE_KEYS else None
        new["job"] = _job_key(number, new.get("n"))
        del new["text"]
    return new


def _checklist() -> None:
    with op.batch_alter_table("checklist_item") as batch:
        batch.add_column(sa.Column("job_key", sa.String(), nullable=True))
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT id, stage, position FROM checklist_item")).all()
    rows = [{"i": i, "k": _job_key(s, p)} for i, s, p in found]
    update = sa.text("UPDATE checklist_item SET job_key = :k WHERE id = :i")
    for start in range(0, len(rows), 20_000):
        bind.execute(update, rows[start : start + 20_000])
    with op.batch_alter_table("checklist_item") as batch:
        batch.drop_constraint("uq_item_place", type_="unique")
        batch.drop_column("text")
        batch.alter_column("job_key", existing_type=sa.String(), nullable=False)
        batch.create_unique_constraint("uq_item_job", ["deal_id", "job_key"])


def _events(now: datetime) -> None:
    bind = op.get_bind()
    raw = sa.text(
        "SELECT id, deal_id, at, actor, kind, before, after, prev_hash, chain_hash "
        "FROM event ORDER BY id"
    )
    if bind.dialect.name == "postgresql":
        raw = sa.text(
            "SELECT id, deal_id, at, actor, kind, before::text, after::text, prev_hash, "
            "chain_hash FROM event ORDER BY id"
        )
    old_previous = GENESIS
    new_previous = GENESIS
    broken_at: int | None = None
    old_head: tuple[int, str] | None = None
    updates: list[dict[str, Any]] = []
    for event_id, deal_id, at, actor, kind, before, after, prev, chain in bind.execute(raw):
        old_before, old_after = _json(before), _json(after)
        old = content(deal_id, at, actor, kind, old_before, old_after)
        if broken_at is None and (prev != old_previous or not verify(prev, chain, old)):
            broken_at = event_id
        if isinstance(chain, str):
            old_previous = chain
            old_head = (event_id, chain)
        new_before, new_after = _rekeyed(kind, old_before), _rekeyed(kind, old_after)
        digest = event_hash(new_previous, content(deal_id, at, actor, kind, new_before, new_after))
        updates.append(
            {"i": event_id, "b": new_before, "a": new_after, "p": new_previous, "h": digest}
        )
        new_previous = digest
    update = sa.text(
        "UPDATE event SET before = :b, after = :a, prev_hash = :p, chain_hash = :h WHERE id = :i"
    ).bindparams(sa.bindparam("b", type_=sa.JSON()), sa.bindparam("a", type_=sa.JSON()))
    for start in range(0, len(updates), 20_000):
        bind.execute(update, updates[start : start + 20_000])
    if old_head is None:
        return
    note = {
        "at": now.isoformat(timespec="seconds"),
        "old_head_event": old_head[0],
        "old_head_hash": old_head[1],
        "verified": broken_at is None,
        "broken_at_event": broken_at,
        "new_head_hash": new_previous,
    }
    bind.execute(
        sa.text("INSERT INTO setting (key, value, set_by, set_at) VALUES (:k, :v, :b, :t)"),
        {"k": "history_rekeyed", "v": json.dumps(note), "b": "salesboard upgrade", "t": now},
    )


def upgrade() -> None:
    from salesboard.definition import DEFAULT

    now = datetime.now(UTC)
    table = op.create_table(
        "pipeline_version",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    assert table is not None
    op.bulk_insert(
        table,
        [
            {
                "version": 1,
                "definition": DEFAULT.dumps(),
                "changes": "[]",
                "set_by": "salesboard",
                "set_at": now,
            }
        ],
    )
    _checklist()
    _events(now)


def downgrade() -> None:
    raise NotImplementedError("salesboard does not downgrade: restore a backup instead")
