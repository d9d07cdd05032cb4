"""The tables. Money is whole minor units; times are aware UTC; stages are 1–6.

Rows and events hold keys, never display labels: a stage is its number (1–6) in rows and
its key (``"discovery"``) in events, a job is its key; the words come from the pipeline
definition (``PIPELINE_VERSION``) in the reader's language.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel


class Deal(SQLModel, table=True):
    """One opportunity. ``version`` grows with every change, for optimistic concurrency."""

    __tablename__ = "deal"
    __table_args__ = (
        Index("ix_deal_board", "status", "stage", "id"),
        Index("ix_deal_owner", "owner", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str
    company: str = ""
    value_minor: int = Field(default=0, sa_type=BigInteger)
    currency: str = "EUR"
    owner: str
    expected_close: date | None = None
    notes: str = Field(default="", sa_type=Text)
    stage: int = 1
    status: str = "open"
    outcome: str | None = None
    satisfaction: int | None = None
    lost_reason: str | None = Field(default=None, sa_type=Text)
    version: int = 1
    search_text: str = Field(default="", sa_type=Text)
    """Title, company and owner folded for searching (``salesboard.folding``)."""
    created_at: datetime
    updated_at: datetime
    updated_by: str
    stage_entered_at: datetime

    # Every UPDATE of a deal is guarded by the version it was read at ("... WHERE id = ?
    # AND version = ?"): a stale write changes no row and fails, even in a use case that
    # forgot to lock the row first. The service sets each new version itself.
    @declared_attr  # type: ignore[arg-type]
    def __mapper_args__(cls) -> dict[str, Any]:
        """The version guard described above, given to SQLAlchemy's mapper."""
        table: Any = cls.__table__  # type: ignore[attr-defined]
        return {"version_id_col": table.c.version, "version_id_generator": False}


class ChecklistItem(SQLModel, table=True):
    """One job of one deal, made from the pipeline definition when the deal needs it.

    ``stage`` and ``position`` repeat the definition's (kept in step by every pipeline
    import) so the board counts progress with one aggregate query.
    """

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("deal_id", "job_key", name="uq_item_job"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    stage: int
    position: int
    job_key: str
    done: bool = False
    done_by: str | None = None
    done_at: datetime | None = None


class Event(SQLModel, table=True):
    """An append-only record of one change: who, when (UTC), what, before and after.

    Each event is sealed into the history's hash chain when it is written, so a later
    rewrite of any event is detectable (``salesboard doctor``).
    """

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_deal", "deal_id", "id"),
        Index("ix_event_kind", "kind", "deal_id", "id"),
    )
    """``ix_event_kind`` lets the reports read the stage moves without scanning the log."""

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    at: datetime
    actor: str
    kind: str
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    prev_hash: str | None = None
    chain_hash: str | None = None
    """The hash chain (``store/chain.py``): the previous event's hash and this one's."""


class Presence(SQLModel, table=True):
    """One running board, kept alive by heartbeats, so colleagues see who is here.

    A row is not history: it is replaced by every heartbeat and deleted when the board
    quits; rows of crashed boards stop being counted once ``seen_at`` is too old and are
    swept by the next heartbeat of anyone.
    """

    __tablename__ = "presence"
    __table_args__ = (Index("ix_presence_seen", "seen_at"),)

    session_id: str = Field(primary_key=True)
    login: str
    deal_id: int | None = None
    started_at: datetime
    seen_at: datetime


metadata = SQLModel.metadata

# The team's settings and exchange rates are plain tables (no ORM class): only the rates
# service reads and writes them, with core statements, and an ORM class would cost the
# board's start-up several milliseconds each.

SETTING = Table(
    "setting",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", String, nullable=False),
    Column("set_by", String, nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)
"""One team-wide setting (the base currency), with who set it last and when."""

EXCHANGE_RATE = Table(
    "exchange_rate",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("currency", String, nullable=False),
    Column("base", String, nullable=False),
    Column("rate", String, nullable=False),
    Column("set_by", String, nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
    Index("ix_rate_current", "base", "currency", "id"),
)
"""One rate the team set: one unit of ``currency`` is ``rate`` units of ``base``.

Rows are never changed or deleted: a new rate is a new row, so the history of rates stays.
``rate`` is an exact decimal kept as text (SQLite has no exact decimal type)."""

PIPELINE_VERSION = Table(
    "pipeline_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("definition", Text, nullable=False),
    Column("changes", Text, nullable=False),
    Column("set_by", String, nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)
"""Every pipeline definition the team has had: the newest row is the one in force.

Rows are never changed or deleted: an import adds a version with who, when and what it
changed (a JSON list), so the pipeline has its own history. ``definition`` is canonical
JSON (``salesboard.definition``)."""

# A deal's substance (``salesboard.substance``): plain tables like the ones above, read and
# written by the service with core statements. Each row belongs to one deal, and every
# change to one goes through that deal's versioned write path and writes a deal event.

ACTIVITY = Table(
    "activity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("deal_id", Integer, ForeignKey("deal.id"), nullable=False),
    Column("kind", String, nullable=False),
    Column("title", String, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("owner", String, nullable=False),
    Column("agenda", Text, nullable=False, default=""),
    Column("notes", Text, nullable=False, default=""),
    Column("done_by", String),
    Column("done_at", DateTime(timezone=True)),
    Column("created_by", String, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_activity_deal", "deal_id", "due_at"),
    Index("ix_activity_owner", "owner", "done_at", "due_at"),
    sqlite_autoincrement=True,
)
"""A meeting, call, visit, follow-up or task of a deal: due (UTC), owned, done or not.

The earliest open one is the deal's next step."""

STAKEHOLDER = Table(
    "stakeholder",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("deal_id", Integer, ForeignKey("deal.id"), nullable=False),
    Column("name", String, nullable=False),
    Column("organisation", String, nullable=False, default=""),
    Column("role", String, nullable=False, default=""),
    Column("stance", String, nullable=False),
    Column("influence", String, nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("email", String, nullable=False, default=""),
    Column("phone", String, nullable=False, default=""),
    Column("created_by", String, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_stakeholder_deal", "deal_id"),
    sqlite_autoincrement=True,
)
"""A person or organisation around a deal: ally, enemy or neutral, and how much they weigh."""

PROBLEM = Table(
    "problem",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("deal_id", Integer, ForeignKey("deal.id"), nullable=False),
    Column("description", Text, nullable=False),
    Column("priority", String),
    Column("price_minor", BigInteger),
    Column("currency", String, nullable=False),
    Column("status", String, nullable=False),
    Column("created_by", String, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_problem_deal", "deal_id"),
    sqlite_autoincrement=True,
)
"""A problem Discovery found: its priority and price (unset until known), open or solved."""
