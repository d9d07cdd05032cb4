"""Arranging a deal's evidence in tests about other rules (the gate, concurrency, undo…).

The default pipeline lets eight jobs be ticked only once their evidence exists
(``salesboard.evidence``). Tests whose subject is something else tick those jobs too, so
they give their deals every kind of evidence first, as plain rows: no event and no version
bump, so what such a test counts (versions, events) is unchanged. The evidence rules
themselves are tested through the service in ``tests/test_substance.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert

from salesboard.store import ACTIVITY, PROBLEM, STAKEHOLDER, Database

if TYPE_CHECKING:
    from salesboard.service.doctor import Checkup

ARRANGED_AT = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def give_evidence(db: Database, *deal_ids: int) -> None:
    """Give each deal a held meeting with an agenda, a follow-up, a held visit, a priced
    problem and an ally, so that every default job can be ticked."""
    activity = {
        "owner": "tester",
        "notes": "",
        "created_by": "tester",
        "created_at": ARRANGED_AT,
        "due_at": ARRANGED_AT,
    }
    held = {"done_by": "tester", "done_at": ARRANGED_AT}
    with db.engine.begin() as connection:
        for deal_id in deal_ids:
            connection.execute(
                insert(ACTIVITY),
                [
                    {**activity, **held, "deal_id": deal_id, "kind": "meeting",
                     "title": "Arranged meeting", "agenda": "Arranged agenda"},
                    {**activity, **held, "deal_id": deal_id, "kind": "visit",
                     "title": "Arranged visit", "agenda": ""},
                    {**activity, **held, "deal_id": deal_id, "kind": "follow-up",
                     "title": "Arranged follow-up", "agenda": ""},
                ],
            )  # fmt: skip
            connection.execute(
                insert(PROBLEM),
                {
                    "deal_id": deal_id,
                    "description": "Arranged problem",
                    "priority": "high",
                    "price_minor": 100,
                    "currency": "EUR",
                    "status": "open",
                    "created_by": "tester",
                    "created_at": ARRANGED_AT,
                },
            )
            connection.execute(
                insert(STAKEHOLDER),
                {
                    "deal_id": deal_id,
                    "name": "Arranged ally",
                    "organisation": "",
                    "role": "",
                    "stance": "ally",
                    "influence": "medium",
                    "notes": "",
                    "email": "",
                    "phone": "",
                    "created_by": "tester",
                    "created_at": ARRANGED_AT,
                },
            )


def examined_but_parts(db: Database) -> Checkup:
    """``doctor``'s check-up without its parts check, for tests whose deals got their
    evidence from ``give_evidence``: plain rows that no history wrote, which the parts
    check rightly names (``tests/test_doctor_parts.py`` tests that check itself)."""
    from salesboard.service.doctor import examine

    checkup = examine(db)
    checkup.checks = [check for check in checkup.checks if check.name != "parts"]
    return checkup
