"""Demo data for a deal's substance: its activities, stakeholders and problems.

The demo (``salesboard.service.demo``) makes up each deal's history as a list of steps
(ticks, moves, edits). ``PartWeaver`` weaves the work around those steps into it: the
meetings, calls, visits, follow-ups and tasks of each stage, the people met, the
problems found and priced. Every tick of a job backed by evidence comes after its
evidence, as the service demands (a meeting before "meeting scheduled", priced problems
before "everything prioritised and priced"), and the evidence stays: a ticked job on a
demo deal always has what it claims. Open deals end with a next step (sometimes
overdue, when nobody has touched the deal for a while) or, now and then, with none.

``PartEvents`` then turns each step into the event the service would have written, with
the same ``before``/``after`` shapes, and keeps the rows to insert. Every choice comes
from a random stream of its own, so the deals' other data is the same as without parts.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from salesboard.evidence import Evidence
from salesboard.i18n import N_, _
from salesboard.substance import ActivityKind, Influence, Priority, ProblemStatus, Stance
from salesboard.workflow import Status

PART_STEPS: Final = frozenset(("act", "act_done", "holder", "problem", "price", "solve"))
"""The kinds of step this module weaves into a deal's history."""

_TITLES: Final[dict[ActivityKind, tuple[tuple[str, int, int], ...]]] = {
    # Each title with the first and last stage it belongs to.
    ActivityKind.MEETING: (
        (N_("Kick-off meeting"), 1, 2),
        (N_("Meeting with the producers"), 1, 2),
        (N_("Requirements meeting"), 1, 3),
        (N_("Discovery workshop"), 2, 3),
        (N_("Demo for the project team"), 2, 4),
        (N_("Steering group meeting"), 4, 6),
        (N_("Pricing review"), 4, 5),
        (N_("Contract walkthrough"), 5, 6),
    ),
    ActivityKind.CALL: (
        (N_("Intro call"), 1, 1),
        (N_("Call about the budget"), 1, 4),
        (N_("Call with their IT lead"), 2, 4),
        (N_("Reference call"), 3, 5),
        (N_("Check-in call"), 1, 6),
        (N_("Call to confirm the timeline"), 4, 6),
    ),
    ActivityKind.VISIT: (
        (N_("Site visit"), 1, 6),
        (N_("Visit the pilot site"), 3, 6),
        (N_("Visit at head office"), 1, 6),
        (N_("Reference customer visit"), 3, 5),
    ),
    ActivityKind.FOLLOW_UP: (
        (N_("Follow-up meeting"), 1, 6),
        (N_("Follow up on open questions"), 1, 4),
        (N_("Follow up after the demo"), 3, 5),
        (N_("Follow up on the proposal"), 5, 6),
    ),
    ActivityKind.TASK: (
        (N_("Send meeting notes"), 1, 6),
        (N_("Answer the security questionnaire"), 2, 4),
        (N_("Prepare the ROI model"), 3, 5),
        (N_("Send the proposal"), 4, 5),
        (N_("Update the quote"), 5, 6),
        (N_("Draft the contract"), 5, 6),
    ),
}
_AGENDA_ITEMS: Final = (
    N_("Introductions"),
    N_("Their goals for the year"),
    N_("How they work today"),
    N_("Demo of the product"),
    N_("Budget and timeline"),
    N_("Who decides, and how"),
    N_("Open questions from last time"),
    N_("Pricing options"),
    N_("Contract terms"),
    N_("Next steps"),
)
_ACTIVITY_NOTES: Final = (
    N_("Bring the reference case."),
    N_("Ask about the budget cycle."),
    N_("They want the slides beforehand."),
    N_("Check who else is invited."),
)
_ROLES: Final = (
    N_("CFO"),
    N_("CEO"),
    N_("Head of IT"),
    N_("Procurement manager"),
    N_("Operations director"),
    N_("Project manager"),
    N_("Security officer"),
    N_("Finance controller"),
    N_("Warehouse manager"),
    N_("HR director"),
)
_OUTSIDE_ROLES: Final = (
    N_("External consultant"),
    N_("Incumbent supplier"),
    N_("Implementation partner"),
)
_HOLDER_NOTES: Final = (
    N_("Signs off anything above the budget line."),
    N_("Prefers the supplier they have today."),
    N_("Worried about the migration effort."),
    N_("Champions the project internally."),
    N_("Wants to see references first."),
)
_PROBLEMS: Final = (
    N_("Invoices are typed in twice"),
    N_("No overview of stock across warehouses"),
    N_("Month-end close takes two weeks"),
    N_("Field staff work from paper forms"),
    N_("Unplanned downtime on the production line"),
    N_("Customer complaints are not tracked"),
    N_("Reports are built by hand in spreadsheets"),
    N_("Customer data is spread over five systems"),
    N_("Audit findings on access control"),
    N_("New staff take weeks to get started"),
    N_("Deliveries are late without warning"),
    N_("Energy costs are not measured per site"),
)
_FIRST_NAMES: Final = (
    "Kari",
    "Ola",
    "Ingrid",
    "Lars",
    "Sofia",
    "Mikael",
    "Anna",
    "Pierre",
    "Jonas",
    "Eva",
    "Henrik",
    "Maja",
    "Thomas",
    "Leila",
    "Sander",
    "Nora",
    "Ahmed",
    "Camille",
    "Erik",
    "Hanna",
    "Marco",
    "Siri",
    "Jan",
    "Astrid",
)
_LAST_NAMES: Final = (
    "Nordmann",
    "Hansen",
    "Berg",
    "Johansen",
    "Lindqvist",
    "Virtanen",
    "Schmidt",
    "Dubois",
    "Haugen",
    "Larsen",
    "Nilsen",
    "Østby",
    "Sørlie",
    "Bakke",
    "Rossi",
    "Andersson",
    "Khan",
    "Martin",
    "Dahl",
    "Moen",
)
_COUNTRY_CODES: Final = ("+47", "+47", "+47", "+46", "+45", "+49")

_STANCE_WEIGHTS: Final = ((Stance.ALLY, 45), (Stance.NEUTRAL, 35), (Stance.ENEMY, 20))
_INFLUENCE_WEIGHTS: Final = ((Influence.LOW, 30), (Influence.MEDIUM, 45), (Influence.HIGH, 25))
_PRIORITY_WEIGHTS: Final = ((Priority.HIGH, 35), (Priority.MEDIUM, 40), (Priority.LOW, 25))

_NO_NEXT_STEP: Final = 0.12
"""The share of open deals nobody has planned anything for (the card marks them)."""


@dataclass(frozen=True)
class PartWords:
    """The demo's wording of parts in the language in force, translated once per fill."""

    titles: Mapping[tuple[ActivityKind, int], tuple[str, ...]]
    """The titles of each kind of activity that fit a stage (1 to 6)."""
    agenda_items: tuple[str, ...]
    activity_notes: tuple[str, ...]
    roles: tuple[str, ...]
    outside_roles: tuple[str, ...]
    holder_notes: tuple[str, ...]
    problems: tuple[str, ...]

    @classmethod
    def in_force(cls) -> PartWords:
        """The texts in the language in force."""

        def words(texts: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(_(text) for text in texts)

        return cls(
            {
                (kind, stage): tuple(
                    _(text) for text, first, last in titles if first <= stage <= last
                )
                for kind, titles in _TITLES.items()
                for stage in range(1, 7)
            },
            words(_AGENDA_ITEMS),
            words(_ACTIVITY_NOTES),
            words(_ROLES),
            words(_OUTSIDE_ROLES),
            words(_HOLDER_NOTES),
            words(_PROBLEMS),
        )


# ------------------------------------------------------------ what is planned


@dataclass(eq=False, slots=True)
class Part:
    """One row to insert, and the event payloads that name it (its id is given later)."""

    table: str
    created: int
    row: dict[str, Any]
    named_in: list[dict[str, Any]] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class ActivitySpec:
    """An activity as planned: its words now, its times when the history has times."""

    kind: ActivityKind
    title: str
    agenda: str
    notes: str
    done: bool = False
    part: Part | None = None


@dataclass(eq=False, slots=True)
class HolderSpec:
    """A stakeholder as planned (``organisation`` None: someone at the customer)."""

    name: str
    organisation: str | None
    role: str
    stance: Stance
    influence: Influence
    notes: str
    email: bool
    phone: str


@dataclass(eq=False, slots=True)
class ProblemSpec:
    """A problem as planned: priced and prioritised when Discovery gets that far."""

    description: str
    priority: Priority
    share: float
    """Its price as a share of the deal's value."""
    priced: bool = False
    """Priced and prioritised by now (as the weaving goes)."""
    found_priced: bool = False
    """Priced and prioritised when it was found (after Discovery's pricing)."""
    open: bool = True
    part: Part | None = None


Step = tuple[str, Any]


@dataclass
class _State:
    """What the deal's history has so far, as the evidence rules see it."""

    activities: list[ActivitySpec] = field(default_factory=list)
    problems: list[ProblemSpec] = field(default_factory=list)
    holders: int = 0
    priced_ticks: set[tuple[int, int]] = field(default_factory=set)

    def has(self, kind: ActivityKind, *, done: bool = False) -> bool:
        return any(a.kind is kind and (a.done or not done) for a in self.activities)


class PartWeaver:
    """Weaves a deal's activities, stakeholders and problems into its steps."""

    def __init__(
        self,
        rng: random.Random,
        words: PartWords,
        evidence: Mapping[tuple[int, int], Evidence | None],
        companies: Callable[[], list[str]],
    ) -> None:
        self.rng = rng
        self.words = words
        self.evidence = evidence
        self.companies = companies
        self._stage = 1
        self._out: list[Step] = []
        self._pending: list[list[Any]] = []
        self._state = _State()

    # ------------------------------------------------------------ weaving

    def weave(self, steps: list[Step], status: Status) -> list[Step]:
        """``steps`` with the deal's parts woven in, each tick after its evidence."""
        rng = self.rng
        self._out, self._pending, self._state = [], [], _State()
        stage, entered = 1, {1}
        self._stage = 1
        self._enter(1)
        last = len(steps) - 1
        for index, step in enumerate(steps):
            kind, arg = step
            if index == last and status is not Status.OPEN:
                self._flush()  # everything of a closed deal is done before it closes
                for activity in self._state.activities:
                    if not activity.done:
                        self._emit(("act_done", activity))
            else:
                self._due()
            if kind == "tick":
                self._ensure(self.evidence.get(arg))
            self._emit(step)
            if kind in ("advance", "again"):
                stage += 1
                self._stage = stage
                if stage not in entered:
                    entered.add(stage)
                    self._enter(stage)
            elif kind == "back":
                stage -= 1
                self._stage = stage
        if status is Status.OPEN:
            self._end_open(rng.random() < _NO_NEXT_STEP)
        return self._out

    def _end_open(self, nothing_next: bool) -> None:
        """An open deal's last steps: its next step, or none planned at all."""
        rng = self.rng
        if nothing_next:
            self._flush()
            for activity in self._state.activities:
                if not activity.done:
                    self._emit(("act_done", activity))
            return
        while self._pending:  # what was still to happen: some of it is still open
            _count, step = self._pending.pop(0)
            if step[0] != "act_done" or rng.random() < 0.85:
                self._emit(step)
        still_open = any(not a.done for a in self._state.activities)
        if not still_open or rng.random() < 0.3:
            kind = rng.choices(
                (
                    ActivityKind.MEETING,
                    ActivityKind.CALL,
                    ActivityKind.FOLLOW_UP,
                    ActivityKind.TASK,
                ),
                (35, 25, 25, 15),
            )[0]
            self._emit(("act", self._activity(kind)))  # the next step: open

    def _emit(self, step: Step) -> None:
        """Add one step to the history and to what the rules see."""
        kind, arg = step
        if kind == "act_done":
            if arg.done:
                return  # already done, to give a tick its evidence
            arg.done = True
        self._out.append(step)
        state = self._state
        if kind == "act":
            state.activities.append(arg)
        elif kind == "holder":
            state.holders += 1
        elif kind == "problem":
            if state.priced_ticks:  # found after pricing: priced when it is found
                arg.priced = arg.found_priced = True
            state.problems.append(arg)
        elif kind == "price":
            arg.priced = True
        elif kind == "solve":
            arg.open = False
        elif kind in ("tick", "untick") and self.evidence.get(arg) is Evidence.PRICED_PROBLEMS:
            if kind == "tick":
                state.priced_ticks.add(arg)
            else:
                state.priced_ticks.discard(arg)

    def _later(self, step: Step, soon: int = 1, late: int = 4) -> None:
        """Have ``step`` happen a few steps from now."""
        self._pending.append([self.rng.randint(soon, late), step])

    def _due(self) -> None:
        """Take the steps whose time has come (in the order they were planned)."""
        waiting: list[list[Any]] = []
        ready: list[list[Any]] = []
        for item in self._pending:
            item[0] -= 1
            (ready if item[0] <= 0 else waiting).append(item)
        self._pending = waiting
        for _count, step in ready:
            self._happen(step)

    def _flush(self) -> None:
        while self._pending:
            _count, step = self._pending.pop(0)
            self._happen(step)

    def _happen(self, step: Step) -> None:
        """Emit a planned step; an activity added now is done some steps later."""
        self._emit(step)
        if step[0] == "act":
            self._later(("act_done", step[1]))

    # ----------------------------------------------------------- evidence

    def _ensure(self, evidence: Evidence | None) -> None:
        """Emit what a tick needs, right before it, if the history lacks it."""
        state = self._state
        if evidence is None:
            return
        if evidence is Evidence.MEETING and not state.has(ActivityKind.MEETING):
            self._happen(("act", self._activity(ActivityKind.MEETING, agenda=True)))
        elif evidence is Evidence.MEETING_HELD:
            self._held(ActivityKind.MEETING)
        elif evidence is Evidence.AGENDA and not any(a.agenda for a in state.activities):
            self._happen(("act", self._activity(ActivityKind.MEETING, agenda=True)))
        elif evidence is Evidence.FOLLOW_UP and not state.has(ActivityKind.FOLLOW_UP):
            self._happen(("act", self._activity(ActivityKind.FOLLOW_UP)))
        elif evidence is Evidence.VISIT_HELD:
            self._held(ActivityKind.VISIT)
        elif evidence is Evidence.PROBLEM and not state.problems:
            self._emit(("problem", self._problem()))
        elif evidence is Evidence.PRICED_PROBLEMS:
            if not state.problems:
                self._emit(("problem", self._problem()))
            for problem in state.problems:
                if problem.open and not problem.priced:
                    self._emit(("price", problem))
        elif evidence is Evidence.STAKEHOLDER and not state.holders:
            self._emit(("holder", self._holder(0)))

    def _held(self, kind: ActivityKind) -> None:
        """A meeting or visit marked done: one already planned, or a new one."""
        if self._state.has(kind, done=True):
            return
        planned = next((a for a in self._state.activities if a.kind is kind and not a.done), None)
        if planned is None:
            planned = self._activity(kind, agenda=kind is ActivityKind.MEETING)
            self._emit(("act", planned))
        self._emit(("act_done", planned))

    # ------------------------------------------------------------ flavour

    def _enter(self, stage: int) -> None:
        """The work a stage brings besides its evidence, each some steps later."""
        rng = self.rng
        plan: list[Step] = []

        def maybe(chance: float, step: Callable[[], Step]) -> None:
            if rng.random() < chance:
                plan.append(step())

        def act(kind: ActivityKind, agenda: bool = False) -> Callable[[], Step]:
            return lambda: ("act", self._activity(kind, agenda=agenda))

        holder = lambda: ("holder", self._holder(self._state.holders))  # noqa: E731
        problem = lambda: ("problem", self._problem())  # noqa: E731
        if stage == 1:
            maybe(0.8, act(ActivityKind.CALL))
            maybe(0.3, act(ActivityKind.TASK))
            maybe(1.0, holder)
            maybe(0.4, holder)
            maybe(0.3, problem)
        elif stage == 2:
            maybe(0.5, act(ActivityKind.MEETING, agenda=True))
            maybe(0.5, act(ActivityKind.CALL))
            maybe(0.6, holder)
            maybe(0.7, problem)
            maybe(0.3, problem)
        elif stage == 3:
            maybe(0.8, act(ActivityKind.MEETING, agenda=True))
            maybe(0.4, act(ActivityKind.CALL))
            maybe(1.0, holder)
            maybe(0.5, holder)
            maybe(0.9, problem)
            maybe(0.5, problem)
            maybe(0.2, problem)
        elif stage == 4:
            maybe(0.7, act(ActivityKind.TASK))
            maybe(0.4, act(ActivityKind.MEETING, agenda=True))
            maybe(0.4, holder)
            maybe(0.3, problem)
            for found in self._state.problems:
                if found.open and rng.random() < 0.25:
                    plan.append(("solve", found))
        elif stage == 5:
            maybe(0.8, act(ActivityKind.TASK))
            maybe(0.5, act(ActivityKind.FOLLOW_UP))
            maybe(0.3, act(ActivityKind.MEETING, agenda=True))
            maybe(0.3, holder)
            maybe(0.2, problem)
        else:
            maybe(0.6, act(ActivityKind.MEETING, agenda=True))
            maybe(0.6, act(ActivityKind.TASK))
            maybe(0.2, holder)
        for step in plan:
            self._later(step, 0, 5)

    def _activity(self, kind: ActivityKind, *, agenda: bool = False) -> ActivitySpec:
        rng = self.rng
        items = ""
        if agenda or (kind is ActivityKind.MEETING and rng.random() < 0.6):
            chosen = rng.sample(self.words.agenda_items, rng.randint(2, 4))
            items = "\n".join(f"{n}. {item}" for n, item in enumerate(chosen, start=1))
        notes = rng.choice(self.words.activity_notes) if rng.random() < 0.2 else ""
        stage = min(max(self._stage, 1), 6)
        return ActivitySpec(kind, rng.choice(self.words.titles[kind, stage]), items, notes)

    def _holder(self, already: int) -> HolderSpec:
        rng = self.rng
        stance = (
            _weighted(rng, _STANCE_WEIGHTS)
            if already
            else rng.choice((Stance.ALLY, Stance.NEUTRAL))
        )  # the first person met is the contact: rarely an enemy
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        if stance is not Stance.ALLY and rng.random() < 0.3:
            organisation: str | None = rng.choice(self.companies())
            role = rng.choice(self.words.outside_roles)
        else:
            organisation, role = None, rng.choice(self.words.roles)
        notes = rng.choice(self.words.holder_notes) if rng.random() < 0.3 else ""
        phone = ""
        if rng.random() < 0.5:
            groups = " ".join(f"{rng.randint(10, 99)}" for _group in range(4))
            phone = f"{rng.choice(_COUNTRY_CODES)} {groups}"
        return HolderSpec(
            name,
            organisation,
            role,
            stance,
            _weighted(rng, _INFLUENCE_WEIGHTS),
            notes,
            rng.random() < 0.6,
            phone,
        )

    def _problem(self) -> ProblemSpec:
        rng = self.rng
        return ProblemSpec(
            rng.choice(self.words.problems),
            _weighted(rng, _PRIORITY_WEIGHTS),
            rng.uniform(0.04, 0.35),
        )


def _weighted(rng: random.Random, choices: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([c for c, _w in choices], [w for _c, w in choices])[0]


# ---------------------------------------------------------------- events


@dataclass
class DealContext:
    """What the events of one deal's parts need to know of the deal."""

    company: str
    value_minor: int
    currency: str
    done_times: dict[int, int]
    """When each planned activity is marked done (by ``id`` of its spec), if it is."""


class PartEvents:
    """Turns part steps into the events ``Substance`` writes, and keeps the rows."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now

    def event(
        self,
        kind: str,
        spec: Any,
        at: int,
        actor: str,
        owner: str,
        deal: DealContext,
        parts: list[Part],
    ) -> tuple[int, str, str, dict[str, Any] | None, dict[str, Any] | None]:
        """The event of one part step at ``at`` (seconds from now) by ``actor``."""
        if kind == "act":
            return self._added_activity(spec, at, actor, owner, deal, parts)
        if kind == "act_done":
            part = spec.part
            assert part is not None
            part.row.update(done_by=actor, done_at=at)
            before = {"activity": 0, "title": part.row["title"], "done": False}
            after = {**before, "done": True}
            part.named_in += (before, after)
            return (at, actor, "activity_done", before, after)
        if kind == "holder":
            return self._added_holder(spec, at, actor, deal, parts)
        if kind == "problem":
            return self._added_problem(spec, at, actor, deal, parts)
        part = spec.part
        assert part is not None
        if kind == "price":
            price = _price(deal.value_minor, spec.share)
            before = {"problem": 0, "priority": None, "price_minor": None}
            after = {"problem": 0, "priority": spec.priority.value, "price_minor": price}
            part.row.update(priority=spec.priority.value, price_minor=price)
        else:  # solved
            before = {"problem": 0, "status": ProblemStatus.OPEN.value}
            after = {"problem": 0, "status": ProblemStatus.SOLVED.value}
            part.row["status"] = ProblemStatus.SOLVED.value
        part.named_in += (before, after)
        return (at, actor, "problem_edited", before, after)

    def _added_activity(
        self,
        spec: ActivitySpec,
        at: int,
        actor: str,
        owner: str,
        deal: DealContext,
        parts: list[Part],
    ) -> tuple[int, str, str, None, dict[str, Any]]:
        done_at = deal.done_times.get(id(spec))
        due = self._due_when_done(at, done_at) if done_at is not None else self._due_open(at)
        values = {
            "kind": spec.kind.value,
            "title": spec.title,
            "due_at": (self.now + timedelta(seconds=due)).isoformat(),
            "owner": owner,
            "agenda": spec.agenda,
            "notes": spec.notes,
        }
        after = {"activity": 0, **values}
        row = {
            **values,
            "due_at": due,
            "done_by": None,
            "done_at": None,
            "created_by": actor,
            "created_at": at,
        }
        spec.part = Part("activity", at, row, [after])
        parts.append(spec.part)
        return (at, actor, "activity_added", None, after)

    def _added_holder(
        self, spec: HolderSpec, at: int, actor: str, deal: DealContext, parts: list[Part]
    ) -> tuple[int, str, str, None, dict[str, Any]]:
        organisation = deal.company if spec.organisation is None else spec.organisation
        email = _email(spec.name, organisation) if spec.email else ""
        values = {
            "name": spec.name,
            "organisation": organisation,
            "role": spec.role,
            "stance": spec.stance.value,
            "influence": spec.influence.value,
            "notes": spec.notes,
            "email": email,
            "phone": spec.phone,
        }
        after = {"stakeholder": 0, **values}
        row = {**values, "created_by": actor, "created_at": at}
        parts.append(Part("stakeholder", at, row, [after]))
        return (at, actor, "stakeholder_added", None, after)

    def _added_problem(
        self, spec: ProblemSpec, at: int, actor: str, deal: DealContext, parts: list[Part]
    ) -> tuple[int, str, str, None, dict[str, Any]]:
        priority = spec.priority.value if spec.found_priced else None
        price = _price(deal.value_minor, spec.share) if spec.found_priced else None
        values = {
            "description": spec.description,
            "priority": priority,
            "status": ProblemStatus.OPEN.value,
            "currency": deal.currency,
            "price_minor": price,
        }
        after = {"problem": 0, **values}
        row = {**values, "created_by": actor, "created_at": at}
        spec.part = Part("problem", at, row, [after])
        parts.append(spec.part)
        return (at, actor, "problem_added", None, after)

    # -------------------------------------------------------------- times

    def _moment(self, offset: int) -> datetime:
        return self.now + timedelta(seconds=offset)

    def _offset(self, moment: datetime) -> int:
        return int((moment - self.now).total_seconds())

    def _due_when_done(self, added: int, done: int) -> int:
        """Due shortly before it was marked done, on the quarter hour."""
        due = self._moment(done - self.rng.randint(0, max(0, min(3600, done - added))))
        return self._offset(due.replace(minute=due.minute - due.minute % 15, second=0))

    def _due_open(self, added: int) -> int:
        """Due a few working days after it was planned: overdue if that has passed."""
        rng = self.rng
        day = self._moment(added).date() + timedelta(days=rng.randint(1, 21))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        hour, minute = rng.randint(8, 15), rng.choice((0, 15, 30, 45))
        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.now.tzinfo)
        return self._offset(moment)


def _price(value_minor: int, share: float) -> int:
    """A problem's price: a share of the deal's value, rounded as a salesperson would."""
    amount = max(500.0, value_minor / 100 * share)
    step = 500 if amount < 20_000 else 1_000 if amount < 200_000 else 5_000
    return max(step, round(amount / step) * step) * 100


_ASCII: Final = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "å": "a"})


def _email(name: str, organisation: str) -> str:
    """``kari.nordmann@northwind.example``: an address of the reserved example domain."""

    def plain(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text.translate(_ASCII))
        return "".join(c for c in folded.lower() if c.isascii() and (c.isalnum() or c == " "))

    person = ".".join(plain(name).split())
    domain = "-".join(plain(organisation).split()[:2]) or "customer"
    return f"{person}@{domain}.example"


def assign_ids(parts_by_deal: list[list[Part]]) -> dict[str, list[tuple[int, Part]]]:
    """Give every part its id, in the order they were made across all deals (as typed in).

    Returns, per table, ``(deal_id, part)`` in id order; the events that name a part get
    its id.
    """
    ordered = sorted(
        (part.created, deal_id, seq, part)
        for deal_id, parts in enumerate(parts_by_deal, start=1)
        for seq, part in enumerate(parts)
    )
    tables: dict[str, list[tuple[int, Part]]] = {"activity": [], "stakeholder": [], "problem": []}
    for _created, deal_id, _seq, part in ordered:
        rows = tables[part.table]
        rows.append((deal_id, part))
        part_id = len(rows)
        part.row["id"] = part_id
        for payload in part.named_in:
            payload[part.table] = part_id
    return tables
