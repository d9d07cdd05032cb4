"""Proofs of the storage rules that cannot pass by luck.

Races are made to happen at exactly the worst moment, deterministically, instead of being
hoped for under load:

- the gate is read inside the write transaction: a colleague's untick committed at the
  very moment the advance's transaction begins blocks the advance;
- a stale write fails even if a use case forgot its row lock: the UPDATE itself is
  guarded by the version it read (``version_id_col``), so it changes nothing and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlmodel import Session

from salesboard.errors import LostRace
from salesboard.service import Pipeline
from salesboard.store import Database
from salesboard.workflow import GateRefusal, Stage
from tests.evidence import give_evidence


def complete(pipeline: Pipeline, deal_id: int) -> None:
    for n in (1, 2, 3):
        pipeline.set_job(deal_id, n, True)


@contextmanager
def at_the_start_of_the_next_write(db: Database, competitor: Callable[[], Any]) -> Iterator[None]:
    """Run ``competitor`` (a commit of its own) just as ``db``'s next write begins."""
    original = db.write
    fired: list[bool] = []

    @contextmanager
    def write(**options: Any) -> Iterator[Session]:
        if not fired:
            fired.append(True)
            competitor()
        with original(**options) as session:
            yield session

    db.write = write  # type: ignore[method-assign]
    try:
        yield
    finally:
        db.write = original  # type: ignore[method-assign]
    assert fired, "the write never began"


def test_the_gate_is_read_inside_the_write_transaction(db_url: str) -> None:
    mine, theirs = Database.open(db_url, create=True), Database.open(db_url)
    alice, bob = Pipeline(mine, actor="alice"), Pipeline(theirs, actor="bob")
    deal = alice.create_deal("Gated", company="N")
    give_evidence(mine, deal.id)
    complete(alice, deal.id)
    ready = alice.get_deal(deal.id)  # alice sees a complete checklist
    with (
        at_the_start_of_the_next_write(mine, lambda: bob.set_job(deal.id, 2, False)),
        pytest.raises(GateRefusal) as refused,
    ):
        alice.advance(deal.id)
    assert [job.n for job in refused.value.missing] == [2]
    assert alice.get_deal(deal.id).stage is Stage.PROSPECT
    assert ready.stage is Stage.PROSPECT
    mine.close()
    theirs.close()


@pytest.mark.postgres
def test_a_stale_write_fails_even_without_its_row_lock(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = Database.open(pg_url, create=True), Database.open(pg_url)
    alice, bob = Pipeline(mine, actor="alice"), Pipeline(theirs, actor="bob")
    deal = alice.create_deal("Raced", company="N", value="100")
    original = Pipeline._lock

    def forgetful_lock(self: Pipeline, session: Session, deal_id: int, version: Any) -> Any:
        found = session.get(original.__globals__["Deal"], deal_id)  # no FOR UPDATE: forgotten
        if self.actor == "alice":
            bob.edit_deal(deal_id, value="200")  # commits while alice's transaction is open
        return found

    monkeypatch.setattr(Pipeline, "_lock", forgetful_lock)
    with pytest.raises(LostRace, match="changed by someone else at the same moment"):
        alice.edit_deal(deal.id, value="300")
    monkeypatch.undo()
    after = alice.get_deal(deal.id)
    assert (after.summary.value_minor, after.version) == (20_000, 2)  # bob's, not lost
    mine.close()
    theirs.close()


def test_a_change_waits_no_longer_than_asked(db_url: str) -> None:
    import time

    from sqlalchemy import text

    from salesboard.errors import Busy

    db = Database.open(db_url, create=True)
    pipeline = Pipeline(db, actor="alice")
    deal = pipeline.create_deal("Held", company="N")
    holder = Database.open(db_url)
    # Another session holds the lock: the SQLite write lock, or the deal's row lock.
    lock = "IMMEDIATE" if holder.is_sqlite else "DEFERRED"
    with holder.engine.execution_options(salesboard_begin=lock).connect() as other:
        if holder.is_sqlite:
            other.execute(text("SELECT 1"))
        else:
            other.execute(text("SELECT 1 FROM deal WHERE id = :i FOR UPDATE"), {"i": deal.id})
        started = time.monotonic()
        with pytest.raises(Busy, match="locked by another session"):
            pipeline.waiting_at_most(100).edit_deal(deal.id, title="Waited")
        waited = time.monotonic() - started
        other.rollback()
    assert 0.09 <= waited < 2.0  # about the wait asked for, not the 30 s busy timeout
    assert pipeline.edit_deal(deal.id, title="Free now").summary.title == "Free now"
    holder.close()
    db.close()
