"""The history's hash chain: every event carries a hash of its content and of the one before.

Each event's ``chain_hash`` is SHA-256 over the previous event's hash (``prev_hash``) and
the event's own content (deal, time, actor, kind, before, after) in a canonical JSON form.
Rewriting, deleting or reordering an event therefore breaks the chain at that point, and
``salesboard doctor`` finds it. The chain is unkeyed: someone who can write the file can
also recompute every hash after a rewrite. What makes such a rewrite detectable is the head
hash kept elsewhere (printed by ``doctor``, carried by a weekly digest): a history whose
event N no longer has the hash recorded for it has been rewritten.

Events are appended in one order only: on SQLite every write transaction holds the write
lock from its start, on PostgreSQL ``lock_chain`` takes an advisory lock, so no two
writers ever read the same head.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

GENESIS: Final = "0" * 64
_HEX: Final = frozenset("0123456789abcdef")
"""The ``prev_hash`` of the first event."""
CHAIN_LOCK: Final = 0x5A1E5B0B
"""PostgreSQL advisory lock key held while an event is appended."""


def time_text(moment: datetime | str) -> str:
    """A stored time in the one form hashed: UTC, ISO 8601, to the microsecond.

    Accepts what the drivers return (an aware or naive UTC ``datetime``, or SQLite's
    text); raises ``ValueError`` for anything else.
    """
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if not isinstance(moment, datetime):
        raise ValueError(f"not a time: {moment!r}")
    try:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"beyond the calendar in UTC: {moment!r}") from None
    return moment.isoformat(timespec="microseconds")


def content(
    deal_id: Any, at: datetime | str, actor: Any, kind: Any, before: Any, after: Any
) -> bytes:
    """The canonical bytes of one event's content (sorted keys, no spaces, UTF-8)."""
    try:
        when: Any = time_text(at)
    except ValueError:
        when = str(at)
    payload = {
        "deal": deal_id,
        "at": when,
        "actor": actor,
        "kind": kind,
        "before": before,
        "after": after,
    }
    try:
        encoded = json.dumps(
            payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr
        )
    except (ValueError, RecursionError):  # nested beyond reason: hashed as its text
        encoded = repr(payload)
    return encoded.encode("utf-8", "surrogatepass")


def event_hash(prev_hash: str, event_content: bytes) -> str:
    """The chain hash of an event: SHA-256 of the previous hash and the event's content."""
    return hashlib.sha256(prev_hash.encode("ascii", "replace") + b"\n" + event_content).hexdigest()


def lock_chain(session: Session) -> None:
    """Make this transaction the only one appending events until it ends (PostgreSQL).

    On SQLite the write transaction already holds the database's write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


def head(session: Session) -> str:
    """The hash of the newest sealed event (``GENESIS`` for an empty history).

    An event written behind the program's back without a hash is skipped (``doctor``
    names it), so the next real event still links to the chain as it stood.
    """
    found = session.execute(
        text("SELECT chain_hash FROM event WHERE chain_hash IS NOT NULL ORDER BY id DESC LIMIT 20")
    ).all()
    for (value,) in found:
        if isinstance(value, str) and len(value) == 64 and all(c in _HEX for c in value):
            return value
    return GENESIS


def seal(session: Session, event: Any) -> None:
    """Give a new ``Event`` its place in the chain, just before it is written.

    Call inside the write transaction, after its other changes are flushed.
    """
    lock_chain(session)
    previous = head(session)
    event.prev_hash = previous
    event.chain_hash = event_hash(
        previous,
        content(event.deal_id, event.at, event.actor, event.kind, event.before, event.after),
    )


def verify(prev_hash: Any, chain_hash: Any, event_content: bytes) -> bool:
    """Whether an event's stored hash still matches its content and stored predecessor."""
    if not isinstance(prev_hash, str) or not isinstance(chain_hash, str):
        return False
    return event_hash(prev_hash, event_content) == chain_hash
