"""Demo data: a realistic, deterministic pipeline to try the board on and to take screenshots.

A new user should see a board that looks like a real team's: a funnel of deals over six
stages, checklists partly worked through, a few deals lost or finished, and a history that
explains how each deal got where it is. The same arguments always give the same data
(ids, texts, amounts, times), so screenshots and tests are reproducible.

The data obeys every rule the use cases enforce, as if it had been typed in through
``Pipeline`` over the past months: earlier stages' checklists are complete, every change is
one event, each deal's ``version`` is one plus its number of changes, and the event
``before``/``after`` shapes are exactly those ``Pipeline`` writes. It is written directly
with bulk inserts in one write transaction, though, because replaying ten thousand deals
through the use cases one short transaction at a time would take minutes.

All amounts are in EUR: the board sums values per column, and a sum across currencies
would mean nothing. Activity falls on weekdays between 08:00 and 18:00 UTC, like a team's.

Each deal also has its substance (``demo_parts``): meetings, calls, visits, follow-ups and
tasks (most done, some open: the next step, now and then overdue; some open deals have
none), stakeholders of every stance, and problems, priced once Discovery has prioritised
them. Each is added by its own event, in the history's gaps, and every ticked job backed
by evidence has it, as the service would have insisted.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from salesboard import validation
from salesboard.definition import PipelineDefinition
from salesboard.errors import InvalidInput
from salesboard.folding import search_text
from salesboard.i18n import N_, _, ngettext
from salesboard.identity import current_login
from salesboard.service.definitions import definition_in
from salesboard.service.demo_parts import (
    PART_STEPS,
    DealContext,
    Part,
    PartEvents,
    PartWeaver,
    PartWords,
    assign_ids,
)
from salesboard.stage_clock import Visit, time_spent
from salesboard.store import Database
from salesboard.store.chain import GENESIS, content, event_hash, lock_chain
from salesboard.store.models import metadata
from salesboard.workflow import EventKind, Outcome, Stage, Status

MAX_DEALS: Final = 1_000_000
"""More than any real team has; a guard against a typo adding three zeros."""

CURRENCY: Final = "EUR"
TEAM: Final = ("alice", "bob", "chen", "dana", "emeka")
"""The colleagues of the demo team; the user running the command is the sixth member."""
SPARE: Final = "farah"
"""Stands in for a team member whose login is the same as the user's own."""

_WORK_START: Final = 8 * 3600
_WORK_DAY: Final = 10 * 3600
"""Demo activity happens on weekdays from 08:00 to 18:00 UTC: a European team's office day."""
_CHUNK: Final = 20_000
"""Rows per bulk insert: large enough to be fast, small enough to keep memory flat."""

# How often each outcome happens, and the funnel: most open deals sit in early stages.
_STATUSES: Final = (Status.OPEN, Status.LOST, Status.FINISHED)
_STATUS_WEIGHTS: Final = (78, 12, 10)
_STAGES: Final = tuple(Stage)
_OPEN_STAGE_WEIGHTS: Final = (30, 24, 18, 13, 9, 6)
_LOST_STAGE_WEIGHTS: Final = (30, 26, 20, 13, 9, 2)
_OWNER_WEIGHTS: Final = (17, 22, 18, 16, 15, 12)  # slot 0 is the user running the command

# Mean working days before each kind of step, before the deal's own pace is applied.
_MEAN_GAP_DAYS: Final = {
    "tick": 2.0,
    "untick": 1.0,
    "advance": 2.5,
    "back": 3.0,
    "again": 4.0,
    "edit": 3.0,
    "lost": 5.0,
    "reopen": 12.0,
    "finish": 6.0,
}

_COMPANY_WORDS: Final = (
    "Northwind",
    "Bluepeak",
    "Ironbridge",
    "Silverline",
    "Redwood",
    "Brightwater",
    "Kestrel",
    "Harborview",
    "Granite",
    "Evergreen",
    "Summit",
    "Lumen",
    "Cobalt",
    "Meridian",
    "Alder",
    "Fjordline",
    "Oakridge",
    "Copperfield",
    "Tidewater",
    "Stonegate",
    "Westbrook",
    "Aurora",
    "Helix",
    "Nimbus",
    "Polaris",
    "Saffron",
    "Juniper",
    "Falcon",
    "Larkspur",
    "Blackstone",
    "Clearwater",
    "Driftwood",
    "Eastgate",
    "Foxglove",
    "Greenfield",
    "Highmoor",
    "Ivory",
    "Keystone",
    "Lakeside",
    "Maplewood",
    "Nordlicht",
    "Orchard",
    "Pinecrest",
    "Quayside",
    "Riverbend",
    "Seabright",
    "Thornbury",
    "Upland",
    "Vantage",
    "Whitecliff",
    "Yellowpine",
    "Zenith",
    "Bergström",
    "Lumière",
    "Sørensen",
    "Vallée",
    "Köhler",
    "Castellano",
    "Andover",
    "Brookhaven",
)
_COMPANY_KINDS: Final = (
    "Logistics",
    "Analytics",
    "Foods",
    "Manufacturing",
    "Health",
    "Energy",
    "Retail",
    "Systems",
    "Pharma",
    "Insurance",
    "Freight",
    "Robotics",
    "Textiles",
    "Hotels",
    "Labs",
    "Telecom",
    "Bank",
    "Builders",
    "Media",
    "Dairy",
    "Shipping",
    "Software",
    "Motors",
    "Utilities",
    "Clinics",
    "Packaging",
    "Chemicals",
    "Furniture",
    "Mining",
    "Consulting",
)
_LEGAL_FORMS: Final = (
    "",
    "",
    "",
    "",
    "",
    " GmbH",
    " Ltd",
    " AG",
    " B.V.",
    " SA",
    " Oy",
    " AB",
    " Group",
    " & Co.",
)
_PRODUCTS: Final = (
    N_("Fleet telematics"),
    N_("ERP migration"),
    N_("CRM consolidation"),
    N_("Warehouse scanners"),
    N_("Data platform"),
    N_("Payroll outsourcing"),
    N_("Cloud backup"),
    N_("Security audit"),
    N_("Field service app"),
    N_("Predictive maintenance"),
    N_("Customer portal"),
    N_("E-invoicing"),
    N_("Call-centre assistant"),
    N_("HR onboarding suite"),
    N_("Energy monitoring"),
    N_("Cold-chain sensors"),
    N_("POS refresh"),
    N_("Network upgrade"),
    N_("Document archive"),
    N_("Sales training programme"),
    N_("Route planning"),
    N_("Quality inspection cameras"),
    N_("Supplier portal"),
    N_("BI dashboards"),
    N_("Mobile workforce devices"),
    N_("Identity management"),
    N_("Contact-centre telephony"),
    N_("Inventory optimisation"),
    N_("Shop-floor MES"),
    N_("Managed print"),
)
_TITLE_FORMS: Final = (
    N_("{product} rollout"),
    N_("{product} pilot"),
    N_("{product} renewal"),
    N_("{product} expansion"),
    N_("{product} — phase 2"),
    N_("{product} — phase 3"),
    N_("{product} proof of concept"),
    N_("{product} upgrade"),
    N_("{product}, 3-year contract"),
    N_("{product} for {sites} sites"),
    N_("{product} (Nordics)"),
    N_("{product} — EMEA"),
    N_("{product}"),
)
_SITES: Final = (3, 4, 6, 8, 12, 15, 20, 40, 120)
_NOTES: Final = (
    N_("Champion is the CFO; wants pricing before the next board meeting."),
    N_("Procurement insists on three quotes."),
    N_("Competing with an in-house build."),
    N_("Decision maker on leave until next month."),
    N_("Asked for references in the same industry."),
    N_("Security questionnaire pending."),
    N_("Budget approved for this fiscal year only."),
    N_("Pilot site chosen; IT lead is enthusiastic."),
    N_("Legal wants their own contract template."),
    N_("Met at the trade fair; follow up with the operations team."),
    N_("Needs integration with their existing ERP."),
    N_("Price-sensitive: lead with the ROI model."),
)
_LOST_REASONS: Final = (
    N_("Budget frozen"),
    N_("Chose a competitor"),
    N_("Price too high"),
    N_("No decision — project shelved"),
    N_("Champion left the company"),
    N_("Went with an in-house build"),
    N_("Timing: revisit next fiscal year"),
    N_("Failed the security review"),
    N_("Lost contact with the buyer"),
    N_("Acquired; the new owner has a group-wide supplier"),
)
_LOST_REASON_WEIGHTS: Final = (22, 24, 14, 12, 6, 7, 8, 3, 6, 2)


_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)
"""Where the plan's times (whole seconds, relative) meet ``stage_clock``'s datetimes."""


def _visit(offset: int, stage: Stage | None) -> Visit:
    """A plan's stage visit starting at ``offset`` seconds."""
    return Visit(_EPOCH + timedelta(seconds=offset), stage)


def _clock_start(visits: list[Visit], stage: Stage, offset: int) -> int:
    """``stage_clock.clock_start`` in the plan's seconds: days in stage as the board counts them."""
    return offset - int(
        time_spent(visits, stage, _EPOCH + timedelta(seconds=offset)).total_seconds()
    )


_STAGE_JSON: Final = {int(s): {"stage": s.key} for s in Stage}
_STATUS_OPEN: Final = {"status": Status.OPEN.value}


class _Payloads:
    """Event payloads that are the same for every deal, built once from the pipeline.

    They are only read (serialised to JSON), and sharing keeps memory flat for large
    boards. Jobs are those of the pipeline in force, so the demo follows a team's own.
    """

    def __init__(self, pipeline: PipelineDefinition) -> None:
        self.all_jobs = tuple(
            (int(s.stage), n, job.key)
            for s in pipeline.stages
            for n, job in enumerate(s.jobs, start=1)
        )
        self.counts = {int(s.stage): len(s.jobs) for s in pipeline.stages}
        self.evidence = {
            (int(s.stage), n): job.evidence
            for s in pipeline.stages
            for n, job in enumerate(s.jobs, start=1)
        }
        self.job_open = {
            (stage, n): {"stage": Stage(stage).key, "n": n, "job": key, "done": False}
            for stage, n, key in self.all_jobs
        }
        self.job_done = {place: {**value, "done": True} for place, value in self.job_open.items()}
        self.shared = (
            *_STAGE_JSON.values(),
            *self.job_open.values(),
            *self.job_done.values(),
            _STATUS_OPEN,
        )


# One recorded change of a deal: seconds relative to ``now``, actor, kind, before, after.
_EventRow = tuple[int, str, str, dict[str, Any] | None, dict[str, Any] | None]


@dataclass(slots=True)
class _Plan:
    """One generated deal before it gets its id: its row, events and ticked jobs."""

    created: int
    row: dict[str, Any]
    events: list[_EventRow] = field(default_factory=list)
    done: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    """Its activities, stakeholders and problems, as rows to insert."""


def seed_demo(
    db: Database,
    *,
    deals: int = 200,
    seed: int = 7,
    now: datetime | None = None,
    me: str | None = None,
) -> int:
    """Fill an empty database with ``deals`` demo deals and return how many were made.

    Exists so that anyone can see the board working on realistic data without typing it
    in, and so that screenshots and tests get the same board every time: the same
    ``deals``, ``seed``, ``now`` and ``me`` always give identical data. ``now`` (aware;
    default: the current UTC time) is the moment the history leads up to; every event
    happens before it. About one deal in six belongs to ``me`` (default: the OS login
    running the command), so "only my deals" shows something.

    Refuses a database that already holds deals (``InvalidInput``): demo data mixed into
    real data could never be told apart again.
    """
    if isinstance(deals, bool) or not isinstance(deals, int) or not 0 <= deals <= MAX_DEALS:
        raise InvalidInput(f"the number of demo deals must be from 0 to {MAX_DEALS}, not {deals!r}")
    if now is None:
        now = datetime.now(UTC)
    elif now.utcoffset() is None:
        raise InvalidInput("the demo's 'now' must be a timezone-aware time")
    now = now.astimezone(UTC).replace(microsecond=0)  # times in whole seconds, before now
    user = validation.clean_owner(me if me is not None else current_login())
    postgres = db.engine.dialect.name == "postgresql"
    with db.write() as session:
        if postgres:
            # Keep other sessions from adding deals between the check and the inserts.
            session.execute(text("LOCK TABLE deal IN SHARE ROW EXCLUSIVE MODE"))
            lock_chain(session)
        count = select(func.count()).select_from(metadata.tables["deal"])
        held = int(session.execute(count).scalar_one())
        if held:
            raise InvalidInput(
                ngettext(
                    "the database already holds {count} deal; demo data goes into an empty "
                    "database — pick a new file with --db",
                    "the database already holds {count} deals; demo data goes into an empty "
                    "database — pick a new file with --db",
                    held,
                ).format(count=held)
            )
        if deals == 0:
            return 0
        _version, pipeline = definition_in(session.connection())
        payloads = _Payloads(pipeline)
        # The deals' substance draws from a stream of its own: the rest of the data is
        # the same as it was before deals had activities, stakeholders and problems.
        parts_rng = random.Random(f"salesboard demo parts {seed}")
        plans = _Generator(random.Random(seed), now, user, payloads, parts_rng).plans(deals)
        if not postgres:
            # The fill is one transaction: with SQLite's default 2 MB page cache its pages
            # spill to the WAL and are read back again and again (at 100,000 deals, tens
            # of gigabytes read for a 1.7 GB file). A cache sized to the fill (at most
            # 2 GB, taken only as used) keeps them; it is handed back below, since the
            # connection goes back to the pool.
            cache_kib = min(2_000_000, max(2000, deals * 12))
            session.execute(text(f"PRAGMA cache_size = -{cache_kib}"))
        try:
            _insert_all(session, plans, now, payloads)
        finally:
            if not postgres:
                session.execute(text("PRAGMA cache_size = -2000"))
        if postgres:
            filled = ("deal", "checklist_item", "event", "activity", "stakeholder", "problem")
            for table in filled:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            # Statistics for the planner now, not when autovacuum comes round (if it is
            # on at all): without them the board's queries on a fresh 100,000-deal fill
            # are planned for empty tables and a tick takes seconds.
            session.execute(text("ANALYZE " + ", ".join(filled)))
    return deals


@dataclass(frozen=True)
class _Words:
    """The demo's made-up wording in the language in force when the demo is filled.

    A Norwegian team's demo board reads in Norwegian; the random choices between the
    texts are the same in every language, so the deals differ only in their words.
    """

    products: tuple[str, ...]
    title_forms: tuple[str, ...]
    notes: tuple[str, ...]
    lost_reasons: tuple[str, ...]

    @classmethod
    def in_force(cls) -> _Words:
        """The texts, translated once per fill (not once per deal)."""
        return cls(
            tuple(_(text) for text in _PRODUCTS),
            tuple(_(text) for text in _TITLE_FORMS),
            tuple(_(text) for text in _NOTES),
            tuple(_(text) for text in _LOST_REASONS),
        )


class _Generator:
    """Makes up deals and their histories from one seeded random stream."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        me: str,
        payloads: _Payloads,
        parts_rng: random.Random,
    ) -> None:
        self.rng = rng
        self.parts_rng = parts_rng
        self.payloads = payloads
        self.words = _Words.in_force()
        self.today = now.date()
        self.now = now
        self.clock = _OfficeHours(now)
        # Six distinct names, whoever runs the command: random choices are made between
        # slots, so the same seed gives the same data whatever the user's login is.
        self.names = [me, *(SPARE if name == me else name for name in TEAM)]
        self.companies: list[str] = []
        self.weaver = PartWeaver(
            parts_rng, PartWords.in_force(), payloads.evidence, lambda: self.companies
        )
        self.part_events = PartEvents(parts_rng, now)

    def plans(self, count: int) -> list[_Plan]:
        """``count`` deals, in the order they were created (the order of their ids)."""
        self.companies = self._companies(count)
        plans = [self._deal() for _number in range(count)]
        # Ids follow creation time, as they would have if the deals had been typed in.
        order = sorted(range(count), key=lambda i: (plans[i].created, i))
        return [plans[i] for i in order]

    # ------------------------------------------------------------ the words

    def _companies(self, count: int) -> list[str]:
        rng = self.rng
        pairs = [(a, b) for a in _COMPANY_WORDS for b in _COMPANY_KINDS]
        rng.shuffle(pairs)
        size = min(len(pairs), max(12, count // 3 + 5))
        return [f"{a} {b}{rng.choice(_LEGAL_FORMS)}" for a, b in pairs[:size]]

    def _title(self) -> str:
        rng = self.rng
        form = rng.choice(self.words.title_forms)
        product = rng.choice(self.words.products)
        if "{sites}" in form:
            return form.format(product=product, sites=rng.choice(_SITES))
        return form.format(product=product)

    def _notes(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return ""
        if roll < 0.9:
            return rng.choice(self.words.notes)
        return "\n".join(rng.sample(self.words.notes, 2))

    def _value(self) -> int:
        """A whole-euro amount, skewed: many modest deals, a few very large ones."""
        amount = self.rng.lognormvariate(10.2, 1.05)  # median about 27 000
        return _round_amount(min(max(amount, 1_500.0), 4_000_000.0))

    def _colleague(self, slot: int) -> int:
        return (slot + self.rng.randint(1, len(self.names) - 1)) % len(self.names)

    def _part_actor(self, owner: int) -> str:
        """Who records a deal's activity or stakeholder: mostly its owner (own stream)."""
        rng = self.parts_rng
        if rng.random() < 0.85:
            return self.names[owner]
        return self.names[(owner + rng.randint(1, len(self.names) - 1)) % len(self.names)]

    def _who(self, owner: int, likely: float = 0.85) -> str:
        """Mostly the owner works on a deal; now and then a colleague helps out."""
        if self.rng.random() < likely:
            return self.names[owner]
        return self.names[self._colleague(owner)]

    # ------------------------------------------------------------- the deal

    def _deal(self) -> _Plan:
        rng = self.rng
        status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
        if status is Status.OPEN:
            final = rng.choices(_STAGES, _OPEN_STAGE_WEIGHTS)[0]
        elif status is Status.LOST:
            final = rng.choices(_STAGES, _LOST_STAGE_WEIGHTS)[0]
        else:
            final = Stage.CLOSED
        no_close = status is Status.OPEN and rng.random() < 0.05
        steps = self.weaver.weave(self._steps(status, final, no_close), status)

        # When each step happened: gaps in working time, drawn per kind of step and scaled
        # by the deal's own pace, laid out backwards from its last activity, then placed
        # on the calendar's office hours. The work on the deal's parts happens within
        # those gaps (``_part_times``), so the deal's own timeline is as without parts.
        pace = rng.lognormvariate(0.0, 0.45)
        gaps = [
            300 + int(rng.expovariate(1.0) * _MEAN_GAP_DAYS[kind] * pace * _WORK_DAY)
            for kind, _when in steps
            if kind not in PART_STEPS
        ]
        if status is Status.OPEN:
            if rng.random() < 0.15:
                tail = rng.randint(15 * _WORK_DAY, 50 * _WORK_DAY)  # nobody touched it lately
            else:
                tail = 600 + int(rng.expovariate(1.0) * 2 * _WORK_DAY)
        else:
            tail = rng.randint(1 * _WORK_DAY, 110 * _WORK_DAY)
        work = -tail - sum(gaps)
        created = self.clock.real(work)
        times = [self.clock.real(at) for at in self._part_times(steps, work, gaps, tail)]
        main_times = [at for (kind, _arg), at in zip(steps, times, strict=True)
                      if kind not in PART_STEPS]  # fmt: skip

        # The expected close date: soon for open deals (sooner the further they are),
        # around the end for the others; each recorded slip pushed it later.
        last_day = self._day(main_times[-1] if main_times else created)
        if no_close:
            close: date | None = None
        elif (
            status is Status.OPEN
            and (self.today - self._day(created)).days > 40
            and (rng.random() < 0.08)
        ):  # a date that slipped by and nobody moved yet: the card marks it
            close = self.today - timedelta(days=rng.randint(1, 20))
        elif status is Status.OPEN:
            close = self.today + timedelta(days=rng.randint(7, 30 + 25 * (6 - int(final))))
        elif status is Status.LOST:
            close = last_day + timedelta(days=rng.randint(10, 90))
        else:
            close = last_day + timedelta(days=rng.randint(-21, 10))
        slips = [rng.randint(14, 45) for kind, arg in steps if kind == "edit" and arg == "close"]
        if close is not None and slips:
            # The first date promised must still lie after the deal was created.
            room = (close - self._day(created)).days - 7
            total = sum(slips)
            if total > room:
                slips = [max(1, slip * room // total) for slip in slips]
            close -= timedelta(days=sum(slips))

        owner = rng.choices(range(len(self.names)), _OWNER_WEIGHTS)[0]
        creator = self._who(owner, 0.75)
        value = self._value()
        fields: dict[str, Any] = {
            "title": self._title(),
            "company": self.companies[int(len(self.companies) * rng.random() ** 1.6)],
            "value_minor": value * 100,
            "currency": CURRENCY,
            "owner": self.names[owner],
            "expected_close": close,
            "notes": self._notes(),
        }
        created_json = {
            **fields,
            "expected_close": close.isoformat() if close else None,
            "stage": Stage.PROSPECT.key,
        }
        plan = _Plan(created=created, row=fields)
        events = plan.events
        events.append((created, creator, EventKind.CREATED.value, None, created_json))

        stage = int(Stage.PROSPECT)
        entered = created
        visits = [_visit(created, Stage.PROSPECT)]  # for days in stage (``stage_clock``)
        current = Status.OPEN.value
        outcome: str | None = None
        satisfaction: int | None = None
        lost_reason: str | None = None
        deal = DealContext(
            fields["company"],
            fields["value_minor"],
            CURRENCY,
            {
                id(arg): at
                for (kind, arg), at in zip(steps, times, strict=True)
                if kind == "act_done"
            },
        )
        for (kind, arg), at in zip(steps, times, strict=True):
            if kind in PART_STEPS:
                name = self.names[owner]
                events.append(
                    self.part_events.event(
                        kind, arg, at, self._part_actor(owner), name, deal, plan.parts
                    )
                )
            elif kind == "tick" or kind == "untick":
                assert isinstance(arg, tuple)
                actor = self._who(owner)
                if kind == "tick":
                    events.append(
                        (
                            at,
                            actor,
                            "job_ticked",
                            self.payloads.job_open[arg],
                            self.payloads.job_done[arg],
                        )
                    )
                    plan.done[arg] = (actor, at)
                else:
                    events.append(
                        (
                            at,
                            actor,
                            "job_unticked",
                            self.payloads.job_done[arg],
                            self.payloads.job_open[arg],
                        )
                    )
                    del plan.done[arg]
            elif kind in ("advance", "again"):
                events.append(
                    (
                        at,
                        self._who(owner, 0.9),
                        "advanced",
                        _STAGE_JSON[stage],
                        _STAGE_JSON[stage + 1],
                    )
                )
                stage += 1
                entered = _clock_start(visits, Stage(stage), at)
                visits.append(_visit(at, Stage(stage)))
            elif kind == "back":
                events.append(
                    (
                        at,
                        self._who(owner, 0.9),
                        "moved_back",
                        _STAGE_JSON[stage],
                        _STAGE_JSON[stage - 1],
                    )
                )
                stage -= 1
                entered = _clock_start(visits, Stage(stage), at)
                visits.append(_visit(at, Stage(stage)))
            elif kind == "lost":
                assert isinstance(arg, str)
                lost_reason = arg
                current = Status.LOST.value
                visits.append(_visit(at, None))
                events.append(
                    (
                        at,
                        self._who(owner, 0.9),
                        "lost",
                        _STATUS_OPEN,
                        {"status": current, "reason": arg},
                    )
                )
            elif kind == "reopen":
                events.append(
                    (
                        at,
                        self._who(owner, 0.9),
                        "reopened",
                        {"status": Status.LOST.value, "reason": lost_reason},
                        {"status": Status.OPEN.value, "stage": Stage(stage).key},
                    )
                )
                current = Status.OPEN.value
                lost_reason = None
                entered = _clock_start(visits, Stage(stage), at)
                visits.append(_visit(at, Stage(stage)))
            elif kind == "finish":
                outcome, satisfaction = self._outcome()
                current = Status.FINISHED.value
                visits.append(_visit(at, None))
                events.append(
                    (
                        at,
                        self._who(owner, 0.9),
                        "finished",
                        _STATUS_OPEN,
                        {"status": current, "outcome": outcome, "satisfaction": satisfaction},
                    )
                )
            else:  # an edit of one field
                events.append(self._edit(at, arg, fields, owner, slips))
                owner = self.names.index(fields["owner"])
        last_at, last_actor = events[-1][0], events[-1][1]
        fields.update(
            stage=stage,
            status=current,
            outcome=outcome,
            satisfaction=satisfaction,
            lost_reason=lost_reason,
            version=len(events),
            updated_at=last_at,
            updated_by=last_actor,
            stage_entered_at=entered,
        )
        return plan

    def _part_times(
        self, steps: list[tuple[str, Any]], work: int, gaps: list[int], tail: int
    ) -> list[int]:
        """Every step's moment in working seconds, from the deal's creation at ``work``.

        Each of the deal's own steps comes ``gaps`` after the one before; the part steps
        in front of it fall at random within that gap, in order, and those after the
        last one within the first two working days of the ``tail`` (its own stream).
        """
        rng = self.parts_rng
        moments: list[int] = []
        waiting = 0  # part steps waiting for the next of the deal's own steps
        own = iter(gaps)
        for kind, _arg in steps:
            if kind in PART_STEPS:
                waiting += 1
                continue
            gap = next(own)
            moments.extend(_spread(rng, work, gap, waiting))
            work += gap
            moments.append(work)
            waiting = 0
        room = max(waiting + 2, min(tail - 60, 2 * _WORK_DAY))
        moments.extend(_spread(rng, work, room, waiting))
        return moments

    def _steps(self, status: Status, final: Stage, no_close: bool) -> list[tuple[str, Any]]:
        """The deal's changes in order, before any times or actors are attached."""
        rng = self.rng
        steps: list[tuple[str, Any]] = []
        for s in range(1, int(final) + 1):
            n = self.payloads.counts[s]
            order = list(range(1, n + 1))
            for i in range(n - 1):  # people work roughly, not exactly, in list order
                if rng.random() < 0.2:
                    order[i], order[i + 1] = order[i + 1], order[i]
            if s < final or status is Status.FINISHED:
                k = n
            elif status is Status.OPEN:
                k = rng.randint(0, n)
            else:
                k = rng.randint(0, n - 1)
            here: list[tuple[str, Any]] = [("tick", (s, j)) for j in order[:k]]
            if rng.random() < 0.04:  # ticked by mistake, then unticked
                if k < n:
                    j, at = order[k], rng.randint(0, k)
                else:
                    at = rng.randrange(k)
                    j = order[at]
                here[at:at] = [("tick", (s, j)), ("untick", (s, j))]
            if s > 1 and rng.random() < 0.06:  # sent back to check something, then on again
                at = rng.randint(0, len(here))
                here[at:at] = [("back", s), ("again", s - 1)]
            if s == final and status is Status.OPEN and rng.random() < 0.03:
                at = rng.randint(0, len(here))  # given up once, then revived
                here[at:at] = [("lost", self._reason()), ("reopen", None)]
            steps.extend(here)
            if s < final:
                steps.append(("advance", s))
        for _edit in range(rng.choices((0, 1, 2), (75, 20, 5))[0]):
            what = rng.choices(("value", "close", "owner"), (45, 40, 15))[0]
            if what == "close" and no_close:
                what = "value"
            steps.insert(rng.randint(0, len(steps)), ("edit", what))
        if status is Status.LOST:
            steps.append(("lost", self._reason()))
        elif status is Status.FINISHED:
            steps.append(("finish", None))
        return steps

    def _edit(
        self, at: int, what: str, fields: dict[str, Any], owner: int, slips: list[int]
    ) -> _EventRow:
        """One field edit, applied to ``fields``, in the shape ``Pipeline.edit_deal`` records."""
        rng = self.rng
        if what == "value":
            old = fields["value_minor"] // 100
            new = _round_amount(old * rng.uniform(0.6, 1.35))
            if new == old:
                new = old + _step(old)
            fields["value_minor"] = new * 100
            before: dict[str, Any] = {"value_minor": old * 100}
            after: dict[str, Any] = {"value_minor": new * 100}
            actor = self._who(owner)
        elif what == "close":
            old_close: date = fields["expected_close"]
            new_close = old_close + timedelta(days=slips.pop(0))
            fields["expected_close"] = new_close
            before = {"expected_close": old_close.isoformat()}
            after = {"expected_close": new_close.isoformat()}
            actor = self._who(owner)
        else:  # handed over to a colleague
            new_owner = self.names[self._colleague(owner)]
            before = {"owner": fields["owner"]}
            after = {"owner": new_owner}
            fields["owner"] = new_owner
            actor = self._who(owner, 0.7)
        return (at, actor, EventKind.EDITED.value, before, after)

    def _reason(self) -> str:
        return self.rng.choices(self.words.lost_reasons, _LOST_REASON_WEIGHTS)[0]

    def _outcome(self) -> tuple[str, int]:
        rng = self.rng
        if rng.random() < 0.8:
            return Outcome.SUCCESS.value, rng.choices((2, 3, 4, 5), (1, 4, 8, 6))[0]
        return Outcome.FAILURE.value, rng.choices((1, 2, 3), (4, 3, 1))[0]

    def _day(self, offset: int) -> date:
        return (self.now + timedelta(seconds=offset)).date()


class _OfficeHours:
    """Turns working time before ``now`` into calendar time: weekdays, 08:00 to 18:00 UTC.

    The mapping is strictly increasing, so steps keep their order, and everything it
    returns is before ``now``.
    """

    def __init__(self, now: datetime) -> None:
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        since = int((now - midnight).total_seconds())
        self.midnight = -since  # offsets are whole seconds relative to ``now``
        weekday = now.weekday() < 5
        self.today = min(max(since - _WORK_START, 0), _WORK_DAY) if weekday else 0
        self.day = midnight.date()
        self.days: list[int] = []  # midnights of earlier weekdays, most recent first
        self._cursor = self.midnight

    def real(self, work: int) -> int:
        """Seconds from now (negative) of the moment ``-work`` working seconds before now."""
        back = -work
        if back <= self.today:  # today's office hours before now (``back`` is never 0)
            return self.midnight + _WORK_START + self.today - back
        back -= self.today
        index = (back - 1) // _WORK_DAY
        while len(self.days) <= index:
            self._add_day()
        return self.days[index] + _WORK_START + _WORK_DAY - (back - index * _WORK_DAY)

    def _add_day(self) -> None:
        """Step back to the previous weekday."""
        while True:
            self.day -= timedelta(days=1)
            self._cursor -= 86_400
            if self.day.weekday() < 5:
                self.days.append(self._cursor)
                return


def _spread(rng: random.Random, start: int, room: int, count: int) -> list[int]:
    """``count`` strictly increasing moments after ``start`` and before ``start + room``."""
    if not count:
        return []
    free = max(0, room - count - 1)
    shares = sorted(rng.random() for _n in range(count))
    return [start + 1 + index + int(share * free) for index, share in enumerate(shares)]


def _step(amount: float) -> int:
    """How finely a salesperson would round an amount of this size."""
    if amount < 10_000:
        return 250
    if amount < 100_000:
        return 1_000
    if amount < 1_000_000:
        return 5_000
    return 25_000


def _round_amount(amount: float) -> int:
    step = _step(amount)
    return max(step, round(amount / step) * step)


# ------------------------------------------------------------------ writing


_DEAL_COLUMNS: Final = (
    "id",
    "title",
    "company",
    "value_minor",
    "currency",
    "owner",
    "expected_close",
    "notes",
    "stage",
    "status",
    "outcome",
    "satisfaction",
    "lost_reason",
    "version",
    "created_at",
    "updated_at",
    "updated_by",
    "stage_entered_at",
    "search_text",
)
_JOB_COLUMNS: Final = (
    "id",
    "deal_id",
    "stage",
    "position",
    "job_key",
    "done",
    "done_by",
    "done_at",
)
_EVENT_COLUMNS: Final = (
    "id",
    "deal_id",
    "at",
    "actor",
    "kind",
    "before",
    "after",
    "prev_hash",
    "chain_hash",
)


def _insert_all(
    session: Session, plans: Sequence[_Plan], now: datetime, payloads: _Payloads
) -> None:
    """Write every deal, job and event with bulk inserts and ids given up front.

    Values are converted by each column type's own bind processor for this dialect, the
    same conversion SQLAlchemy applies, and handed to the driver's ``executemany``:
    building hundreds of thousands of Core parameter sets one by one would take longer
    than generating the data.
    """
    writer = _Writer(session)
    moment = writer.converter("event", "at")
    day = writer.converter("deal", "expected_close")
    flag = writer.converter("checklist_item", "done")
    payload = writer.converter("event", "before")
    no = flag(False)
    yes = flag(True)
    shared = {id(value): payload(value) for value in payloads.shared}

    converted: dict[int, Any] = {}

    def at(offset: int) -> Any:
        # Every time stored is some event's time (a tick's done_at is its event's), so
        # each is converted once.
        found = converted.get(offset)
        if found is None:
            found = converted[offset] = moment(now + timedelta(seconds=offset))
        return found

    def as_json(value: dict[str, Any] | None) -> Any:
        if value is None:
            return None
        found = shared.get(id(value))
        return payload(value) if found is None else found

    def deal_rows() -> Iterator[tuple[Any, ...]]:
        for deal_id, plan in enumerate(plans, start=1):
            row = plan.row
            close = row["expected_close"]
            yield (
                deal_id,
                row["title"],
                row["company"],
                row["value_minor"],
                row["currency"],
                row["owner"],
                None if close is None else day(close),
                row["notes"],
                row["stage"],
                row["status"],
                row["outcome"],
                row["satisfaction"],
                row["lost_reason"],
                row["version"],
                at(plan.created),
                at(row["updated_at"]),
                row["updated_by"],
                at(row["stage_entered_at"]),
                search_text(row["title"], row["company"], row["owner"]),
            )

    def job_rows() -> Iterator[tuple[Any, ...]]:
        item_id = 0
        for deal_id, plan in enumerate(plans, start=1):
            done = plan.done
            for stage, n, label in payloads.all_jobs:
                item_id += 1
                who = done.get((stage, n))
                if who is None:
                    yield (item_id, deal_id, stage, n, label, no, None, None)
                else:
                    yield (item_id, deal_id, stage, n, label, yes, who[0], at(who[1]))

    def event_rows() -> Iterator[tuple[Any, ...]]:
        # Event ids follow time across all deals, as they would in a real database.
        ordered = sorted(
            (e[0], deal_id, seq, e)
            for deal_id, plan in enumerate(plans, start=1)
            for seq, e in enumerate(plan.events)
        )
        previous = GENESIS
        for event_id, (_order, deal_id, _seq, (offset, actor, kind, before, after)) in enumerate(
            ordered, start=1
        ):
            when = now + timedelta(seconds=offset)
            sealed = event_hash(previous, content(deal_id, when, actor, kind, before, after))
            yield (
                event_id,
                deal_id,
                at(offset),
                actor,
                kind,
                as_json(before),
                as_json(after),
                previous,
                sealed,
            )
            previous = sealed

    # Part ids first: the events that name a part carry its id (and are hashed with it).
    tables = assign_ids([plan.parts for plan in plans])
    writer.insert("deal", _DEAL_COLUMNS, deal_rows())
    writer.insert("checklist_item", _JOB_COLUMNS, job_rows())
    writer.insert("event", _EVENT_COLUMNS, event_rows())
    _insert_parts(writer, tables, now)


_PART_COLUMNS: Final = {
    "activity": (
        "id",
        "deal_id",
        "kind",
        "title",
        "due_at",
        "owner",
        "agenda",
        "notes",
        "done_by",
        "done_at",
        "created_by",
        "created_at",
    ),
    "stakeholder": (
        "id",
        "deal_id",
        "name",
        "organisation",
        "role",
        "stance",
        "influence",
        "notes",
        "email",
        "phone",
        "created_by",
        "created_at",
    ),
    "problem": (
        "id",
        "deal_id",
        "description",
        "priority",
        "price_minor",
        "currency",
        "status",
        "created_by",
        "created_at",
    ),
}
_PART_TIMES: Final = frozenset(("due_at", "done_at", "created_at"))


def _insert_parts(
    writer: _Writer, tables: dict[str, list[tuple[int, Part]]], now: datetime
) -> None:
    """Write every activity, stakeholder and problem (times are seconds from ``now``)."""
    for table, parts in tables.items():
        moment = writer.converter(table, "created_at")
        times = {
            offset: moment(now + timedelta(seconds=offset))
            for offset in {
                part.row[name]
                for _deal, part in parts
                for name in _PART_TIMES
                if part.row.get(name) is not None
            }
        }
        writer.insert(table, _PART_COLUMNS[table], _part_rows(parts, _PART_COLUMNS[table], times))


def _part_rows(
    parts: list[tuple[int, Part]], columns: Sequence[str], times: dict[int, Any]
) -> Iterator[tuple[Any, ...]]:
    """Each part's values in ``columns`` order, its times converted (``times``)."""
    for deal_id, part in parts:
        row = part.row
        yield tuple(
            deal_id
            if name == "deal_id"
            else (None if row[name] is None else times[row[name]])
            if name in _PART_TIMES
            else row[name]
            for name in columns
        )


def _same(value: Any) -> Any:
    return value


class _Writer:
    """Chunked ``executemany`` of already converted rows on the session's connection."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.dialect = self.connection.dialect

    def converter(self, table: str, column: str) -> Callable[[Any], Any]:
        """How this dialect's driver wants a value of that column (as SQLAlchemy does it)."""
        kind = metadata.tables[table].c[column].type.dialect_impl(self.dialect)
        return kind.bind_processor(self.dialect) or _same

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (values in ``columns`` order) in chunks, one round trip each."""
        quote = self.dialect.identifier_preparer.quote
        names = ", ".join(quote(name) for name in columns)
        if self.dialect.name == "postgresql" and self.dialect.driver == "psycopg":
            # COPY is several times faster than executemany on PostgreSQL; it runs on
            # the session's own connection, so inside the same transaction.
            driver = self.connection.connection.driver_connection
            assert driver is not None
            statement = f"COPY {quote(table)} ({names}) FROM STDIN"
            dbapi = self.dialect.loaded_dbapi
            try:
                with driver.cursor() as cursor, cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            except dbapi.Error as error:
                # Bypassing SQLAlchemy here must not bypass its error types: the caller
                # turns an OperationalError (disk full, connection lost) into a message.
                raise DBAPIError.instance(statement, None, error, dbapi.Error) from error
            return
        style = self.dialect.paramstyle
        if style == "qmark":
            marks = ", ".join("?" for _column in columns)
        elif style in ("format", "pyformat"):
            marks = ", ".join("%s" for _column in columns)
        else:  # pragma: no cover - neither SQLite nor psycopg
            raise NotImplementedError(f"demo data cannot be written with paramstyle {style}")
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= _CHUNK:
                self.connection.exec_driver_sql(sql, chunk)
                chunk = []
        if chunk:
            self.connection.exec_driver_sql(sql, chunk)
