"""``doctor`` reads every activity, stakeholder and problem and compares it with its history.

Found by an attacker: rows written behind salesboard's back (a forged meeting that lets a
job be ticked, a price changed by hand, a stance nobody writes) passed unnoticed.
"""

from __future__ import annotations

from sqlalchemy import text

from salesboard.service import Pipeline
from salesboard.service.doctor import examine
from salesboard.service.substance import Substance


def _parts_check(db):  # type: ignore[no-untyped-def]
    return next(check for check in examine(db).checks if check.name == "parts")


def test_parts_written_by_salesboard_are_sound_and_tampering_is_named(db, pipeline: Pipeline):
    work = Substance(pipeline)
    deal = pipeline.create_deal("Deal", value="100")
    meeting = work.add_activity(deal.id, kind="meeting", title="Kick-off", due="2027-01-01 10:00")
    work.edit_activity(meeting.part_id, title="Kick-off 2")
    work.set_activity_done(meeting.part_id)
    ally = work.add_stakeholder(deal.id, "Anne", stance="ally")
    gone = work.add_stakeholder(deal.id, "Bent", stance="enemy")
    work.remove_stakeholder(gone.part_id)
    problem = work.add_problem(deal.id, "Cost", priority="high", price="500")
    work.edit_problem(problem.part_id, solved=True)
    check = _parts_check(db)
    assert check.ok, check.problems
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO activity (deal_id, kind, title, due_at, owner, agenda, notes, "
                "created_by, created_at) VALUES (:d, 'meeting', 'forged', :t, 'm', '', '', "
                "'mallory', :t)"
            ),
            {"d": deal.id, "t": "2027-01-01 10:00:00"},
        )
        connection.execute(
            text("UPDATE problem SET price_minor = 1 WHERE id = :i"), {"i": problem.part_id}
        )
        connection.execute(
            text("UPDATE stakeholder SET influence = 'huge' WHERE id = :i"), {"i": ally.part_id}
        )
        connection.execute(
            text("UPDATE activity SET done_at = NULL WHERE id = :i"), {"i": meeting.part_id}
        )
    problems = _parts_check(db).problems
    assert any("no history wrote it" in p and "forged" not in p for p in problems), problems
    assert any(f"problem {problem.part_id}" in p and "price_minor" in p for p in problems)
    assert any(f"stakeholder {ally.part_id}" in p and "'huge'" in p for p in problems)
    assert any(f"activity {meeting.part_id}" in p and "done" in p for p in problems)
    assert len(problems) == 4
