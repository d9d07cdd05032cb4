"""The sales process itself: stages, their default checklists and the rules between them.

Pure Python on purpose: no SQL, no Textual, no IO. The service layer asks these functions
for a verdict inside its write transaction, so a rule holds the same in the CLI, the board
and any future client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from salesboard.folding import fold
from salesboard.i18n import _, ngettext


class Stage(IntEnum):
    """The six pipeline columns, numbered left to right so that order is arithmetic."""

    PROSPECT = 1
    QUALIFIED = 2
    DISCOVERY = 3
    DEVELOPED = 4
    PROPOSED = 5
    CLOSED = 6

    @property
    def label(self) -> str:
        """The name users see: the pipeline definition's, set by ``use_labels``."""
        return _LABELS.get(self) or self.name.capitalize()

    @property
    def key(self) -> str:
        """The stable key events and files hold (``"discovery"``), never shown as a label."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Stage:
        """Accept a stage by key, name (any case or Unicode form, unique prefix) or number.

        For CLI input: a key means the same stage whatever the language.
        """
        cleaned = fold(text.strip())
        if cleaned.isascii() and cleaned.isdigit() and int(cleaned) in {s.value for s in cls}:
            return cls(int(cleaned))
        by_key = [s for s in cls if cleaned == s.key]  # a key means the same in every language
        exact = by_key or [s for s in cls if cleaned == fold(s.label)]
        if exact:
            return exact[0]
        matches = (
            [s for s in cls if fold(s.label).startswith(cleaned) or s.key.startswith(cleaned)]
            if cleaned
            else []
        )
        if len(matches) > 1:
            which = _(" or ").join(s.label for s in matches)
            raise ValueError(
                _("stage {text} could be {which}; type more of the name").format(
                    text=repr(text), which=which
                )
            )
        if not matches:
            names = ", ".join(s.label for s in cls)
            raise ValueError(
                _("unknown stage {text}; expected one of {names}").format(
                    text=repr(text), names=names
                )
            )
        return matches[0]


_LABELS: dict[Stage, str] = {}


def use_labels(labels: Mapping[Stage, str]) -> None:
    """Show stages by the names of the pipeline in force (one database per process).

    The service calls this whenever it reads the definition, so every message, column and
    refusal names a stage as the team does; until then the English defaults stand.
    """
    _LABELS.clear()
    _LABELS.update(labels)


def stage_by_key(key: object) -> Stage | None:
    """The stage a stored key names (None if it names none)."""
    if not isinstance(key, str):
        return None
    return _BY_KEY.get(key)


FIRST_STAGE = Stage.PROSPECT
LAST_STAGE = Stage.CLOSED


_BY_KEY: dict[str, Stage] = {stage.key: stage for stage in Stage}


class Status(StrEnum):
    """Where a deal stands, independent of its column: still worked, done, or given up."""

    OPEN = "open"
    FINISHED = "finished"
    LOST = "lost"


def status_word(status: Status) -> str:
    """A status as a word in the language in force (``open``, ``finished``, ``lost``)."""
    return {Status.OPEN: _("open"), Status.FINISHED: _("finished"), Status.LOST: _("lost")}[status]


class Outcome(StrEnum):
    """How a finished deal turned out for the customer."""

    SUCCESS = "success"
    FAILURE = "failure"


SATISFACTION_RANGE = range(1, 6)


@dataclass(frozen=True)
class Job:
    """One checklist entry as the rules see it: its place, wording and whether it is done."""

    stage: Stage
    n: int
    text: str
    done: bool
    key: str = ""


class WorkflowRefusal(Exception):
    """A change the sales process does not allow; the message says why in user terms."""


class GateRefusal(WorkflowRefusal):
    """An advance refused because jobs of the current stage are still open."""

    def __init__(self, stage: Stage, missing: Sequence[Job]) -> None:
        self.stage = stage
        self.missing = tuple(missing)
        lines = "\n".join(f"  {job.n}. {job.text}" for job in self.missing)
        count = len(self.missing)
        told = ngettext(
            "cannot leave {stage}: {count} unfinished job:",
            "cannot leave {stage}: {count} unfinished jobs:",
            count,
        )
        super().__init__(told.format(stage=stage.label, count=count) + "\n" + lines)


def unfinished(jobs: Sequence[Job], stage: Stage) -> list[Job]:
    """The jobs of ``stage`` that are not done yet, in checklist order."""
    return sorted((j for j in jobs if j.stage == stage and not j.done), key=lambda j: j.n)


def _require_open(status: Status, action: str) -> None:
    if status is not Status.OPEN:
        raise WorkflowRefusal(
            _("cannot {action}: the deal is {status}").format(
                action=action, status=status_word(status)
            )
        )


def check_advance(stage: Stage, status: Status, jobs: Sequence[Job]) -> Stage:
    """Return the next stage, or refuse: one step right, only with a complete checklist."""
    _require_open(status, _("advance"))
    if stage is LAST_STAGE:
        raise WorkflowRefusal(
            _("{stage} is the last stage; finish the deal with an outcome instead").format(
                stage=stage.label
            )
        )
    missing = unfinished(jobs, stage)
    if missing:
        raise GateRefusal(stage, missing)
    return Stage(stage + 1)


def check_back(stage: Stage, status: Status) -> Stage:
    """Return the previous stage; moving left never depends on the checklist."""
    _require_open(status, _("move back"))
    if stage is FIRST_STAGE:
        raise WorkflowRefusal(
            _("{stage} is the first stage; there is nothing to its left").format(stage=stage.label)
        )
    return Stage(stage - 1)


def check_set_job(stage: Stage, status: Status, job_stage: Stage) -> None:
    """Allow ticking or unticking only the current stage's jobs of an open deal.

    Earlier stages were complete when the deal left them; letting them be unticked would
    leave an open deal past an unfinished stage. To change one, move the deal back first.
    """
    _require_open(status, _("change a job"))
    if job_stage != stage:
        raise WorkflowRefusal(
            _(
                "only jobs of the current stage ({stage}) can change; "
                "move the deal to {other} first"
            ).format(stage=stage.label, other=job_stage.label)
        )


def check_lost(status: Status, reason: str) -> None:
    """Allow giving up an open deal from any stage, but only with a reason."""
    _require_open(status, _("mark lost"))
    if not reason.strip():
        raise WorkflowRefusal(_("a reason is required to mark a deal lost"))


def check_reopen(status: Status) -> None:
    """Allow bringing back a lost or finished deal, at the stage it left."""
    if status is Status.OPEN:
        raise WorkflowRefusal(_("the deal is already open"))


def check_finish(stage: Stage, status: Status, jobs: Sequence[Job], satisfaction: int) -> None:
    """Allow finishing only a Closed deal whose checklist is complete, with a 1–5 score."""
    _require_open(status, _("finish"))
    if stage is not LAST_STAGE:
        raise WorkflowRefusal(
            _("only a deal in {last} can be finished; this one is in {stage}").format(
                last=LAST_STAGE.label, stage=stage.label
            )
        )
    missing = unfinished(jobs, stage)
    if missing:
        raise GateRefusal(stage, missing)
    if satisfaction not in SATISFACTION_RANGE:
        raise WorkflowRefusal(_("customer satisfaction must be a whole number from 1 to 5"))


def gate_violations(stage: Stage, jobs: Sequence[Job]) -> list[Job]:
    """Jobs of stages before ``stage`` that are not done: always empty for a sound deal."""
    return [j for j in jobs if j.stage < stage and not j.done]


class EventKind(StrEnum):
    """The kinds of change the history records."""

    CREATED = "created"
    EDITED = "edited"
    JOB_TICKED = "job_ticked"
    JOB_UNTICKED = "job_unticked"
    ADVANCED = "advanced"
    MOVED_BACK = "moved_back"
    LOST = "lost"
    REOPENED = "reopened"
    FINISHED = "finished"
    CHECKLIST_CHANGED = "checklist_changed"
    """A pipeline import added, retired or renumbered jobs on this deal's checklist."""
    ACTIVITY_ADDED = "activity_added"
    ACTIVITY_EDITED = "activity_edited"
    ACTIVITY_DONE = "activity_done"
    ACTIVITY_REOPENED = "activity_reopened"
    ACTIVITY_REMOVED = "activity_removed"
    STAKEHOLDER_ADDED = "stakeholder_added"
    STAKEHOLDER_EDITED = "stakeholder_edited"
    STAKEHOLDER_REMOVED = "stakeholder_removed"
    PROBLEM_ADDED = "problem_added"
    PROBLEM_EDITED = "problem_edited"
    PROBLEM_REMOVED = "problem_removed"


STAGE_MOVES = (
    EventKind.CREATED,
    EventKind.ADVANCED,
    EventKind.MOVED_BACK,
    EventKind.LOST,
    EventKind.FINISHED,
    EventKind.REOPENED,
)
"""The events that put a deal into a stage or take it off the board: what the stage clock
and the reports follow."""
