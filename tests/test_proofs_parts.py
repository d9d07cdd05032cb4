"""Proofs that a deal's parts follow the storage rules, made to race deterministically.

- a job's evidence is read inside the tick's write transaction: a colleague removing the
  only meeting at the very moment the tick's transaction begins makes the tick refused;
- a change to a deal's parts made from a stale view of the deal is a conflict, even when
  the colleague's change committed at the very moment this one's transaction began.
"""

from __future__ import annotations

import pytest

from salesboard.errors import Conflict
from salesboard.evidence import EvidenceRefusal
from salesboard.service import Pipeline
from salesboard.service.substance import Substance
from salesboard.store import Database
from tests.test_proofs import at_the_start_of_the_next_write


def test_the_evidence_is_read_inside_the_ticks_write_transaction(db_url: str) -> None:
    mine, theirs = Database.open(db_url, create=True), Database.open(db_url)
    alice, bob = Pipeline(mine, actor="alice"), Pipeline(theirs, actor="bob")
    deal = alice.create_deal("Evidenced", company="N")
    meeting = Substance(alice).add_activity(
        deal.id, kind="meeting", title="Check", due="2027-01-05 10:00"
    )
    seen = alice.get_deal(deal.id)
    assert seen.parts.activities  # alice sees the meeting
    with (
        at_the_start_of_the_next_write(
            mine, lambda: Substance(bob).remove_activity(meeting.part_id)
        ),
        pytest.raises(EvidenceRefusal, match="no meeting is planned"),
    ):
        alice.set_job(deal.id, 2, True)
    assert alice.get_deal(deal.id).jobs()[1].done is False
    mine.close()
    theirs.close()


def test_a_part_change_from_a_stale_view_loses_to_the_one_that_committed(db_url: str) -> None:
    mine, theirs = Database.open(db_url, create=True), Database.open(db_url)
    alice, bob = Pipeline(mine, actor="alice"), Pipeline(theirs, actor="bob")
    deal = alice.create_deal("Raced", company="N")
    problem = Substance(alice).add_problem(deal.id, "Cost", priority="low", price="10")
    seen = problem.deal.version
    with (
        at_the_start_of_the_next_write(
            mine,
            lambda: Substance(bob).edit_problem(
                problem.part_id, priority="high", expected_version=seen
            ),
        ),
        pytest.raises(Conflict),
    ):
        Substance(alice).edit_problem(problem.part_id, price="99", expected_version=seen)
    (kept,) = alice.get_deal(deal.id).parts.problems
    assert (kept.priority.value if kept.priority else None, kept.price_minor) == ("high", 1000)
    mine.close()
    theirs.close()
