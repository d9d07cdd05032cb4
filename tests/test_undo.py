"""Undo (issue 12, point 3): my last change taken back by a new change, same rules."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest
from click.testing import CliRunner

from salesboard.cli import cli
from salesboard.service import Pipeline
from salesboard.service.undo import UNDO_WINDOW, UndoRefused, undo_last
from salesboard.store import Database
from salesboard.workflow import GateRefusal, Stage, Status
from tests.conftest import FrozenClock
from tests.evidence import give_evidence
from tests.test_service import evidenced, tick_all, walk_to


def test_each_kind_of_change_is_taken_back(pipeline: Pipeline) -> None:
    deal = evidenced(
        pipeline, pipeline.create_deal("Deal", company="C", value="100", owner="alice")
    )
    pipeline.set_job(deal.id, 1, True)
    undone = undo_last(pipeline)
    assert undone.deal.checklist[0].done is False
    assert undone.what == "job ticked: Prospect job 1: Prospect found in the target market"
    assert undo_last(pipeline).deal.checklist[0].done is True  # undoing the undo redoes it

    pipeline.edit_deal(deal.id, title="Renamed", value="250", expected_close="2027-01-31")
    back = undo_last(pipeline).deal.summary
    assert (back.title, back.value_minor, back.expected_close) == ("Deal", 10_000, None)

    moved = walk_to(pipeline, pipeline.get_deal(deal.id), Stage.QUALIFIED)
    assert undo_last(pipeline).deal.stage is Stage.PROSPECT
    assert undo_last(pipeline).deal.stage is Stage.QUALIFIED  # the opposite: an advance
    assert moved.stage is Stage.QUALIFIED

    pipeline.mark_lost(deal.id, "Budget frozen")
    assert undo_last(pipeline).deal.status is Status.OPEN
    lost_again = undo_last(pipeline).deal  # undo the reopen: lost again, same reason
    assert (lost_again.status, lost_again.summary.lost_reason) == (Status.LOST, "Budget frozen")
    kinds = [event.kind for event in pipeline.history(deal.id)]
    assert kinds[:4] == ["lost", "reopened", "lost", "advanced"]  # history only grows


def test_a_finish_is_undone_by_a_reopen_and_back(pipeline: Pipeline) -> None:
    deal = evidenced(pipeline, pipeline.create_deal("Deal"))
    deal = tick_all(pipeline, walk_to(pipeline, deal, Stage.CLOSED))
    pipeline.finish(deal.id, "success", 4, comment="Live in May")
    assert undo_last(pipeline).deal.status is Status.OPEN
    again = undo_last(pipeline).deal
    assert (again.status, again.summary.satisfaction) == (Status.FINISHED, 4)
    # Seen: finishing again dropped the first finish's comment.
    finishes = [e.after for e in pipeline.history(deal.id) if e.kind == "finished"]
    assert (
        finishes
        == [
            {
                "status": "finished",
                "outcome": "success",
                "satisfaction": 4,
                "comment": "Live in May",
            }
        ]
        * 2
    )


def test_what_cannot_be_undone_says_why(pipeline: Pipeline, clock: FrozenClock) -> None:
    with pytest.raises(UndoRefused, match="have made no change to undo"):
        undo_last(pipeline)
    deal = evidenced(pipeline, pipeline.create_deal("Deal"))
    with pytest.raises(UndoRefused, match="a new deal is not undone"):
        undo_last(pipeline)
    pipeline.set_job(deal.id, 1, True)
    clock.advance(seconds=UNDO_WINDOW.total_seconds() + 1)
    with pytest.raises(UndoRefused, match="more than 15 minutes old"):
        undo_last(pipeline)
    pipeline.set_job(deal.id, 2, True)
    bob = Pipeline(pipeline.db, actor="bob", clock=clock)
    bob.set_job(deal.id, 3, True)
    with pytest.raises(UndoRefused, match="bob changed deal 1 after you"):
        undo_last(pipeline)
    assert pipeline.get_deal(deal.id).checklist[1].done is True  # my tick stays
    assert undo_last(bob).deal.checklist[2].done is False  # bob may undo his own
    with pytest.raises(UndoRefused, match="no change to deal 99 to undo"):
        undo_last(pipeline, 99)


def test_undo_never_bypasses_the_gate(sqlite_url: str, clock: FrozenClock) -> None:
    """Taking back a move back is an advance: with a job left open it is refused.

    Through the service the jobs of the stage a deal moved back to cannot change before the
    undo (any change would be a later change, and undo takes back only the last one), so
    the job is unticked behind the program's back here to prove the gate is still asked.
    """
    pipeline = Pipeline(Database.open(sqlite_url, create=True), actor="alice", clock=clock)
    deal = evidenced(pipeline, pipeline.create_deal("Deal"))
    deal = walk_to(pipeline, deal, Stage.QUALIFIED)
    pipeline.move_back(deal.id)
    with closing(sqlite3.connect(sqlite_url)) as raw, raw:
        raw.execute("UPDATE checklist_item SET done = 0 WHERE deal_id = ? AND stage = 1 "
                    "AND position = 2", (deal.id,))  # fmt: skip
    with pytest.raises(GateRefusal) as refused:
        undo_last(pipeline)
    assert [job.n for job in refused.value.missing] == [2]
    assert pipeline.get_deal(deal.id).stage is Stage.PROSPECT
    pipeline.db.close()


def test_salesboard_undo_on_the_command_line(sqlite_url: str) -> None:
    run = CliRunner(env={"COLUMNS": "200"})
    assert run.invoke(cli, ["--db", sqlite_url, "init"]).exit_code == 0
    assert run.invoke(cli, ["--db", sqlite_url, "add", "Deal", "--company", "C"]).exit_code == 0
    db = Database.open(sqlite_url)
    give_evidence(db, 1)
    db.close()
    refused = run.invoke(cli, ["--db", sqlite_url, "undo"])
    assert refused.exit_code == 3 and "a new deal is not undone" in refused.stderr
    assert run.invoke(cli, ["--db", sqlite_url, "check", "1", "2"]).exit_code == 0
    done = run.invoke(cli, ["--db", sqlite_url, "undo", "1"])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("deal 1: undid job ticked: Prospect job 2")
    shown = run.invoke(cli, ["--db", sqlite_url, "show", "1", "--json"]).stdout
    checklist = json.loads(shown)["checklist"]
    assert checklist and not any(job["done"] for job in checklist)
