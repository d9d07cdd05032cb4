"""The demo pipeline: deterministic, realistic, and obeying every rule the service keeps."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from salesboard import definition, workflow
from salesboard.errors import InvalidInput
from salesboard.evidence import Evidence, missing
from salesboard.identity import current_login
from salesboard.part_fields import clean_email, clean_phone
from salesboard.service import DealView, EventView, Pipeline, demo
from salesboard.service.demo import TEAM, seed_demo
from salesboard.service.doctor import examine
from salesboard.service.history_parts import is_part_kind
from salesboard.service.substance import Substance
from salesboard.stage_clock import Visit, clock_start
from salesboard.store import ChecklistItem, Database, Deal, Event
from salesboard.substance import ActivityKind, Influence, Priority, ProblemStatus, Stance
from salesboard.workflow import EventKind, Outcome, Stage, Status
from tests.checklists import DEFAULT_CHECKLISTS, DEFAULT_KEYS

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ME = "zoe"
PART_KINDS = frozenset(kind.value for kind in EventKind if is_part_kind(kind.value))


def _open(tmp_path: Path, name: str) -> Database:
    return Database.open(str(tmp_path / name), create=True)


def _everything(db: Database) -> list[tuple[DealView, list[EventView]]]:
    pipeline = Pipeline(db, actor="reader")
    return [
        (pipeline.get_deal(deal.id), pipeline.history(deal.id))
        for deal in pipeline.list_deals(status=None)
    ]


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return (
            session.exec(select(func.count()).select_from(Deal)).one(),
            session.exec(select(func.count()).select_from(ChecklistItem)).one(),
            session.exec(select(func.count()).select_from(Event)).one(),
        )


# ----------------------------------------------------------------- determinism


def test_same_arguments_give_identical_data(tmp_path: Path) -> None:
    first, second, other = (_open(tmp_path, f"{n}.db") for n in ("a", "b", "c"))
    assert seed_demo(first, deals=120, seed=3, now=NOW, me=ME) == 120
    assert seed_demo(second, deals=120, seed=3, now=NOW, me=ME) == 120
    assert seed_demo(other, deals=120, seed=4, now=NOW, me=ME) == 120
    one, two = _everything(first), _everything(second)
    assert len(one) == 120
    assert one == two  # ids, texts, values, times, checklists, histories, parts
    assert sum(len(view.parts.activities) for view, _ in one) > 300
    assert [v.summary for v, _ in _everything(other)] != [v.summary for v, _ in one]


def test_the_login_does_not_change_the_rest_of_the_data(tmp_path: Path) -> None:
    mine, yours = _open(tmp_path, "a.db"), _open(tmp_path, "b.db")
    seed_demo(mine, deals=60, now=NOW, me="zoe")
    seed_demo(yours, deals=60, now=NOW, me="alice")  # a login that is also a team name
    a, b = _everything(mine), _everything(yours)
    assert [(v.summary.title, v.summary.value_minor) for v, _ in a] == [
        (v.summary.title, v.summary.value_minor) for v, _ in b
    ]
    assert [len(h) for _, h in a] == [len(h) for _, h in b]
    owners = {v.summary.owner for v, _ in b}
    assert "alice" in owners and len(owners) == 6  # still six distinct people


# ------------------------------------------------------------------ realism


def test_a_funnel_over_every_stage_and_status(db: Database) -> None:
    seed_demo(db, deals=300, now=NOW, me=ME)
    deals = Pipeline(db, actor=ME).list_deals(status=None)
    assert len(deals) == 300
    statuses = Counter(d.status for d in deals)
    assert set(statuses) == set(Status)
    assert statuses[Status.OPEN] > statuses[Status.LOST] + statuses[Status.FINISHED]
    open_stages = Counter(d.stage for d in deals if d.status is Status.OPEN)
    assert set(open_stages) == set(Stage)
    assert open_stages[Stage.PROSPECT] > open_stages[Stage.DEVELOPED] > open_stages[Stage.CLOSED]
    owners = Counter(d.owner for d in deals)
    assert set(owners) == {ME, *TEAM}
    assert 0.08 < owners[ME] / len(deals) < 0.3  # "only my deals" shows something
    assert {d.currency for d in deals} == {"EUR"}
    values = sorted(d.value_minor for d in deals)
    assert all(v > 0 and v % 100 == 0 for v in values)  # whole euros
    assert values[-1] > 5 * values[len(values) // 2]  # a skewed, long-tailed spread
    assert len({d.title for d in deals}) > 100 and len({d.company for d in deals}) > 40
    for deal in deals:
        if deal.status is Status.OPEN and deal.expected_close is not None:
            # Soon, or a few weeks past (a slipped date nobody moved yet, marked on the card).
            assert NOW.date() - timedelta(days=20) <= deal.expected_close
            assert deal.expected_close < NOW.date() + timedelta(days=200)
        assert deal.jobs_total == len(DEFAULT_CHECKLISTS[deal.stage])
    slipped = [
        d
        for d in deals
        if d.status is Status.OPEN and (d.expected_close or NOW.date()) < NOW.date()
    ]
    assert 0 < len(slipped) < 0.1 * statuses[Status.OPEN]


# ---------------------------------------------------------- rules and history


def _replay(view: DealView, history: list[EventView]) -> None:
    """Re-run a deal's history under the workflow rules; it must end where the deal is."""
    events = list(reversed(history))  # history() is newest first
    created, changes = events[0], events[1:]
    assert created.kind == "created" and created.before is None and created.after is not None
    assert all(e.kind != "created" for e in changes)
    fields: dict[str, Any] = dict(created.after)
    assert Stage.parse(fields.pop("stage")) is Stage.PROSPECT
    stage, status = Stage.PROSPECT, Status.OPEN
    done = {(job.stage, job.n): False for job in view.checklist}
    ticked: dict[tuple[Stage, int], EventView] = {}
    reason: str | None = None
    entered = created.at
    visits = [Visit(created.at, Stage.PROSPECT)]  # days in stage count over every visit
    outcome: dict[str, Any] = {}
    for event in changes:
        if event.kind in PART_KINDS:
            continue  # the deal's parts: replayed by test_the_parts_are_their_history
        before, after = event.before, event.after
        assert before is not None and after is not None
        if event.kind in ("job_ticked", "job_unticked"):
            place = (Stage.parse(after["stage"]), after["n"])
            workflow.check_set_job(stage, status, place[0])
            assert before == {**after, "done": not after["done"]}
            assert after["done"] is (event.kind == "job_ticked") and done[place] is before["done"]
            assert after["job"] == DEFAULT_KEYS[place[0]][place[1] - 1]
            done[place] = after["done"]
            ticked[place] = event
        elif event.kind == "advanced":
            jobs = [workflow.Job(s, n, "", d) for (s, n), d in done.items()]
            target = workflow.check_advance(stage, status, jobs)
            assert before == {"stage": stage.key} and after == {"stage": target.key}
            stage, entered = target, clock_start(visits, target, event.at)
            visits.append(Visit(event.at, target))
        elif event.kind == "moved_back":
            target = workflow.check_back(stage, status)
            assert before == {"stage": stage.key} and after == {"stage": target.key}
            stage, entered = target, clock_start(visits, target, event.at)
            visits.append(Visit(event.at, target))
        elif event.kind == "lost":
            workflow.check_lost(status, after["reason"])
            assert before == {"status": "open"} and set(after) == {"status", "reason"}
            status, reason = Status.LOST, after["reason"]
            visits.append(Visit(event.at, None))
        elif event.kind == "reopened":
            workflow.check_reopen(status)
            assert before == {"status": "lost", "reason": reason}
            assert after == {"status": "open", "stage": stage.key}
            status, reason = Status.OPEN, None
            entered = clock_start(visits, stage, event.at)
            visits.append(Visit(event.at, stage))
        elif event.kind == "finished":
            jobs = [workflow.Job(s, n, "", d) for (s, n), d in done.items()]
            workflow.check_finish(stage, status, jobs, after["satisfaction"])
            assert before == {"status": "open"} and after["status"] == "finished"
            status, outcome = Status.FINISHED, after
            visits.append(Visit(event.at, None))
        else:
            assert event.kind == "edited"
            assert set(before) == set(after) and before != after
            assert all(fields[key] == value for key, value in before.items())
            fields.update(after)
    deal = view.summary
    assert (deal.stage, deal.status, deal.lost_reason) == (stage, status, reason)
    assert deal.stage_entered_at == entered
    assert deal.version == 1 + len(changes)
    assert (deal.updated_at, deal.updated_by) == (events[-1].at, events[-1].actor)
    close = deal.expected_close.isoformat() if deal.expected_close else None
    assert fields == {
        "title": deal.title,
        "company": deal.company,
        "value_minor": deal.value_minor,
        "currency": deal.currency,
        "owner": deal.owner,
        "expected_close": close,
        "notes": deal.notes,
    }
    for job in view.checklist:
        assert job.done is done[(job.stage, job.n)]
        if job.done:
            tick = ticked[(job.stage, job.n)]
            assert (job.done_by, job.done_at) == (tick.actor, tick.at)
        else:
            assert job.done_by is None and job.done_at is None
    if status is Status.FINISHED:
        assert deal.outcome is Outcome(outcome["outcome"])
        assert deal.satisfaction == outcome["satisfaction"]
    else:
        assert deal.outcome is None and deal.satisfaction is None


def test_every_deal_is_its_history_replayed_under_the_rules(db: Database) -> None:
    seed_demo(db, deals=300, now=NOW, me=ME)
    everything = _everything(db)
    kinds: Counter[str] = Counter()
    for view, history in everything:
        _replay(view, history)
        kinds.update(e.kind for e in history)
    # The history is believable: every kind of change happens somewhere.
    assert set(kinds) >= {
        "created",
        "job_ticked",
        "job_unticked",
        "advanced",
        "moved_back",
        "edited",
        "lost",
        "finished",
        "activity_added",
        "activity_done",
        "stakeholder_added",
        "problem_added",
        "problem_edited",
    }


def test_gate_holds_and_end_states_are_complete(db: Database) -> None:
    seed_demo(db, deals=300, now=NOW, me=ME)
    for view, _ in _everything(db):
        deal = view.summary
        jobs = [job.as_job() for job in view.checklist]
        assert workflow.gate_violations(deal.stage, jobs) == []
        current = view.jobs()
        if deal.status is Status.FINISHED:
            assert deal.stage is Stage.CLOSED and all(j.done for j in view.checklist)
            assert deal.outcome in set(Outcome) and deal.satisfaction in range(1, 6)
        elif deal.status is Status.LOST:
            assert deal.lost_reason and deal.lost_reason.strip()
            assert not all(j.done for j in current)  # given up before its stage was done
        else:
            assert not any(j.done for j in view.checklist if j.stage > deal.stage)


def test_events_are_ordered_in_time_and_in_the_past(db: Database) -> None:
    seed_demo(db, deals=300, now=NOW, me=ME)
    with db.read() as session:
        rows = session.exec(select(Event).order_by(col(Event.id))).all()
        times = [(e.id, e.deal_id, e.at) for e in rows]
        firsts = {e.id for e in rows if e.kind == "created"}
    assert [i for i, _, _ in times] == list(range(1, len(times) + 1))
    ats = [at for _, _, at in times]
    assert ats == sorted(ats)  # ids follow time across all deals
    assert NOW - timedelta(days=400) < ats[0] and ats[-1] < NOW
    assert ats[0] < NOW - timedelta(days=60)  # spread over the past months
    created = [at for _, _, at in sorted((d, i, at) for i, d, at in times if i in firsts)]
    assert created == sorted(created)  # deal ids follow creation, as the board's order expects
    for _, history in _everything(db):
        moments = [e.at for e in reversed(history)]
        assert all(a < b for a, b in pairwise(moments))
        # A team's working week: weekdays in office hours (UTC).
        assert all(m.weekday() < 5 and 8 <= m.hour < 18 for m in moments)


# ---------------------------------------------------------------- boundaries


def test_refuses_a_database_that_holds_deals(db: Database) -> None:
    Pipeline(db, actor="alice").create_deal("Real deal", company="Real customer")
    with pytest.raises(InvalidInput, match="already holds 1 deal; demo data goes into an empty"):
        seed_demo(db, deals=5, now=NOW)
    assert _counts(db) == (1, 26, 1)  # nothing added


def test_refuses_a_second_seeding(db: Database) -> None:
    seed_demo(db, deals=10, now=NOW, me=ME)
    with pytest.raises(InvalidInput, match=r"already holds 10 deals.*--db"):
        seed_demo(db, deals=10, now=NOW, me=ME)
    assert _counts(db)[0] == 10


@pytest.mark.parametrize("deals", [-1, 1_000_001])
def test_refuses_an_impossible_number_of_deals(sqlite_url: str, deals: int) -> None:
    db = Database.open(sqlite_url, create=True)
    with pytest.raises(InvalidInput, match="from 0 to 1000000"):
        seed_demo(db, deals=deals, now=NOW)


def test_refuses_a_naive_now(sqlite_url: str) -> None:
    db = Database.open(sqlite_url, create=True)
    with pytest.raises(InvalidInput, match="timezone-aware"):
        seed_demo(db, deals=3, now=datetime(2026, 11, 2, 9, 30))


def test_a_failure_halfway_leaves_the_database_empty(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_insert = demo._Writer.insert

    def failing(self: Any, table: str, *args: Any) -> None:
        if table == "event":
            raise RuntimeError("disk gone")
        real_insert(self, table, *args)

    monkeypatch.setattr(demo._Writer, "insert", failing)
    with pytest.raises(RuntimeError, match="disk gone"):
        seed_demo(db, deals=20, now=NOW, me=ME)
    assert _counts(db) == (0, 0, 0)  # one transaction: all or nothing
    monkeypatch.undo()
    assert seed_demo(db, deals=20, now=NOW, me=ME) == 20


def test_zero_deals_adds_nothing(db: Database) -> None:
    assert seed_demo(db, deals=0, now=NOW) == 0
    assert _counts(db) == (0, 0, 0)


def test_defaults_use_the_clock_and_the_login(sqlite_url: str) -> None:
    db = Database.open(sqlite_url, create=True)
    before = datetime.now(UTC)
    assert seed_demo(db, deals=30) == 30
    deals = Pipeline(db).list_deals(status=None)
    assert max(d.updated_at for d in deals) < before + timedelta(seconds=1)
    assert current_login() in {d.owner for d in Pipeline(db).list_deals(status=None)} | {
        e.actor for d in deals for e in Pipeline(db).history(d.id)
    }


def test_the_service_carries_on_after_seeding(db: Database) -> None:
    seed_demo(db, deals=40, now=NOW, me=ME)
    pipeline = Pipeline(db, actor=ME)
    deal = pipeline.create_deal("After the demo", company="Newco", value="1000")
    assert deal.id == 41  # sequences moved past the demo's ids (PostgreSQL)
    deal = pipeline.set_job(deal.id, 1, True)
    assert deal.version == 2
    assert [e.kind for e in pipeline.history(deal.id)] == ["job_ticked", "created"]
    open_one = next(d for d in pipeline.list_deals() if d.jobs_done < d.jobs_total)
    undone = next(j for j in pipeline.get_deal(open_one.id).jobs() if not j.done)
    ticked = pipeline.set_job(open_one.id, undone.n, True, expected_version=open_one.version)
    assert ticked.version == open_one.version + 1
    assert pipeline.history(open_one.id)[0].kind == "job_ticked"
    assert _counts(db)[0] == 41


def test_a_few_thousand_deals(sqlite_url: str) -> None:
    db = Database.open(sqlite_url, create=True)
    assert seed_demo(db, deals=2_000, seed=11, now=NOW) == 2_000
    deals, items, events = _counts(db)
    assert (deals, items) == (2_000, 2_000 * 26)
    assert events > 2_000 * 5


# ------------------------------------------------------------ the substance


def _open_deals(db: Database) -> list[DealView]:
    pipeline = Pipeline(db, actor=ME)
    return [pipeline.get_deal(d.id) for d in pipeline.list_deals(status=None)]


def test_every_ticked_job_has_its_evidence(db: Database) -> None:
    seed_demo(db, deals=300, now=NOW, me=ME)
    backed: Counter[Evidence] = Counter()
    for view in _open_deals(db):
        facts = view.parts.facts()
        for job in view.checklist:
            known = definition.in_force().job(job.key)
            evidence = None if known is None else known.evidence
            if job.done and evidence is not None:
                backed[evidence] += 1
                assert missing(evidence, facts) is None, (view.summary.id, job.key)
    jobs = [job for stage in definition.in_force().stages for job in stage.jobs]
    assert set(backed) == {job.evidence for job in jobs if job.evidence}  # all 8 kinds


def test_deals_have_believable_substance(db: Database) -> None:
    seed_demo(db, deals=300, now=NOW, me=ME)
    views = _open_deals(db)
    activities = [a for v in views for a in v.parts.activities]
    stakeholders = [s for v in views for s in v.parts.stakeholders]
    problems = [p for v in views for p in v.parts.problems]
    # About five activities, three stakeholders and two problems a deal.
    assert 4 <= len(activities) / len(views) <= 7
    assert 2 <= len(stakeholders) / len(views) <= 4
    assert 1.3 <= len(problems) / len(views) <= 3
    assert {a.kind for a in activities} == set(ActivityKind)
    assert {s.stance for s in stakeholders} == set(Stance)
    assert {s.influence for s in stakeholders} == set(Influence)
    assert {p.priority for p in problems} == {*Priority, None}
    assert {p.status for p in problems} == set(ProblemStatus)
    assert any(a.agenda for a in activities if a.kind is ActivityKind.MEETING)
    emails = [s.email for s in stakeholders if s.email]
    phones = [s.phone for s in stakeholders if s.phone]
    assert len(emails) > len(stakeholders) / 3 and len(phones) > len(stakeholders) / 4
    assert all(clean_email(e) == e for e in emails) and all(clean_phone(p) == p for p in phones)
    for activity in activities:
        assert activity.due_at.minute % 15 == 0 and activity.created_at < NOW
        if activity.done:
            assert activity.done_by and activity.done_at is not None
            assert activity.due_at <= activity.done_at < NOW
    for view in views:
        if view.summary.status is not Status.OPEN:  # nothing left on anyone's agenda
            assert all(a.done for a in view.parts.activities)
            assert view.summary.next_step is None
        if view.summary.stage > Stage.DISCOVERY:  # Discovery prioritised and priced them
            assert all(p.priority and p.price_minor for p in view.parts.problems if p.open)
    early = [p for v in views if v.summary.stage < Stage.DISCOVERY for p in v.parts.problems]
    assert any(p.price_minor is None for p in early)  # found, not priced yet


def test_next_steps_some_overdue_and_some_deals_with_none(db: Database) -> None:
    seed_demo(db, deals=300, now=NOW, me=ME)
    listed = Pipeline(db, actor=ME).list_deals()  # the open deals, as the board shows them
    steps = [d.next_step for d in listed]
    planned = [s for s in steps if s is not None]
    overdue = [s for s in planned if s.overdue(NOW)]
    assert 0.05 * len(listed) < steps.count(None) < 0.25 * len(listed)
    assert 0.1 * len(planned) < len(overdue) < 0.5 * len(planned)
    assert any(s.due_at > NOW for s in planned)
    mine = Substance(Pipeline(db, actor=ME, clock=lambda: NOW)).agenda(ME)
    assert mine and mine[0].activity.due_at < NOW  # my agenda starts with what is overdue
    assert all(entry.activity.owner == ME and not entry.activity.done for entry in mine)


def _replay_parts(history: list[EventView]) -> dict[tuple[str, int], dict[str, Any]]:
    """The deal's parts as its part events tell them (newest-first history)."""
    parts: dict[tuple[str, int], dict[str, Any]] = {}
    for event in reversed(history):
        if event.kind not in PART_KINDS:
            continue
        what, _sep, action = event.kind.rpartition("_")
        after = event.after or {}
        key = (what, after[what])
        if action == "added":
            assert event.before is None and key not in parts
            parts[key] = {k: v for k, v in after.items() if k != what}
        elif action == "edited":
            assert {k: parts[key][k] for k in event.before or {} if k != what} == {
                k: v for k, v in (event.before or {}).items() if k != what
            }
            parts[key].update({k: v for k, v in after.items() if k != what})
        elif action in ("done", "reopened"):
            assert parts[key]["title"] == after["title"]
            assert after["done"] is (action == "done")
            parts[key]["done"] = after["done"]
        else:
            del parts[key]
    return parts


def test_the_parts_are_their_history(db: Database) -> None:
    seed_demo(db, deals=200, now=NOW, me=ME)
    for view, history in _everything(db):
        told = _replay_parts(history)
        held: dict[tuple[str, int], dict[str, Any]] = {}
        for a in view.parts.activities:
            held[("activity", a.id)] = {
                "kind": a.kind.value,
                "title": a.title,
                "due_at": a.due_at.isoformat(),
                "owner": a.owner,
                "agenda": a.agenda,
                "notes": a.notes,
                **({"done": a.done} if a.done else {}),
            }
        for s in view.parts.stakeholders:
            held[("stakeholder", s.id)] = {
                "name": s.name,
                "organisation": s.organisation,
                "role": s.role,
                "stance": s.stance.value,
                "influence": s.influence.value,
                "notes": s.notes,
                "email": s.email,
                "phone": s.phone,
            }
        for p in view.parts.problems:
            held[("problem", p.id)] = {
                "description": p.description,
                "priority": p.priority.value if p.priority else None,
                "status": p.status.value,
                "currency": p.currency,
                "price_minor": p.price_minor,
            }
        assert told == held, view.summary.id
        for a in view.parts.activities:
            added = next(
                e
                for e in history
                if e.kind == "activity_added" and (e.after or {})["activity"] == a.id
            )
            assert (a.created_by, a.created_at) == (added.actor, added.at)
            if a.done:
                done = next(
                    e
                    for e in history
                    if e.kind == "activity_done" and (e.after or {})["activity"] == a.id
                )
                assert (a.done_by, a.done_at) == (done.actor, done.at)


def test_part_ids_follow_the_time_they_were_made(db: Database) -> None:
    seed_demo(db, deals=100, now=NOW, me=ME)
    activities = sorted(
        (a for v in _open_deals(db) for a in v.parts.activities), key=lambda a: a.id
    )
    assert [a.id for a in activities] == list(range(1, len(activities) + 1))
    created = [a.created_at for a in activities]
    assert created == sorted(created)


def test_a_demo_database_is_healthy(db: Database) -> None:
    seed_demo(db, deals=150, now=NOW, me=ME)
    checkup = examine(db)
    assert checkup.ok, [p for check in checkup.checks for p in check.problems]


def test_the_parts_are_written_in_the_language_in_force(tmp_path: Path) -> None:
    from tests.pseudo import english_words, install_pseudo

    install_pseudo()
    db = _open(tmp_path, "pseudo.db")
    seed_demo(db, deals=80, now=NOW, me=ME)
    for view in _open_deals(db):
        parts = view.parts
        texts = [
            *(f"{a.title} {a.agenda} {a.notes}" for a in parts.activities),
            *(f"{s.role} {s.notes}" for s in parts.stakeholders),  # names are names
            *(p.description for p in parts.problems),
        ]
        for text in texts:
            assert english_words(text, frozenset({"roi", "cfo", "ceo", "hr"})) == [], text


@pytest.mark.postgres
def test_a_demo_on_postgresql_leaves_the_planner_statistics(pg_url: str) -> None:
    from sqlalchemy import text

    db = Database.open(pg_url, create=True)
    try:
        seed_demo(db, deals=12, now=datetime(2026, 11, 2, tzinfo=UTC), me="alice")
        with db.read() as session:
            estimate = session.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = to_regclass('deal')")
            ).scalar_one()
    finally:
        db.close()
    # -1 means never analysed: the board's queries would be planned for an empty table.
    assert estimate == 12
