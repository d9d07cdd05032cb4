"""A tiny pipeline whose every number is known, for tests that check exact effects.

Prospect:  #1 Alpha rollout   (Acme,  1 000 EUR, alice)  jobs 1/3: job 1 done
           #2 Bravo pilot     (Bolt,  2 500 EUR, bob)    jobs 3/3: ready to advance
Qualified: #3 Charlie renewal (Crane, 4 000 EUR, alice)  jobs 0/4

Bravo and Charlie hold every kind of evidence (``tests/evidence.py``: rows, no events), so
their jobs can be ticked; Alpha holds none, as a new deal.
"""

from __future__ import annotations

from salesboard.service import Pipeline
from salesboard.workflow import Stage
from tests.checklists import DEFAULT_CHECKLISTS
from tests.evidence import give_evidence

ALPHA, BRAVO, CHARLIE = 1, 2, 3
PROSPECT_JOBS = DEFAULT_CHECKLISTS[Stage.PROSPECT]


def build_scenario(pipeline: Pipeline) -> None:
    """Create the three deals through the service, as a user would have."""
    alpha = pipeline.create_deal("Alpha rollout", company="Acme", value="1000", owner="alice")
    pipeline.set_job(alpha.id, 1, True)
    bravo = pipeline.create_deal("Bravo pilot", company="Bolt", value="2500", owner="bob")
    give_evidence(pipeline.db, bravo.id)
    for n in range(1, len(PROSPECT_JOBS) + 1):
        pipeline.set_job(bravo.id, n, True)
    charlie = pipeline.create_deal("Charlie renewal", company="Crane", value="4000", owner="alice")
    give_evidence(pipeline.db, charlie.id)
    for n in range(1, len(PROSPECT_JOBS) + 1):
        pipeline.set_job(charlie.id, n, True)
    pipeline.advance(charlie.id)
    assert (alpha.id, bravo.id, charlie.id) == (ALPHA, BRAVO, CHARLIE)
