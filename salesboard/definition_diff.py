"""What changes between two pipeline definitions, and the rules for changing jobs.

The rules (README, "Changing the pipeline"):
- a job is known by its key: new wording under the same key is a rename and keeps ticks;
- a job never moves to another stage (that would tick or untick it behind the gate's
  back); to move one, retire it and add a new key;
- a job taken out is retired: kept with its wording so history stays readable; putting the
  key back in the same stage brings it back (unticked where it is added again).

Pure Python: the service turns a ``Plan`` into rows, and counts what it does to open deals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from salesboard.definition import (
    JobDefinition,
    PipelineDefinition,
    StageDefinition,
)
from salesboard.errors import InvalidInput
from salesboard.language import LANGUAGES
from salesboard.workflow import Stage

ADDED: Final = "added"
BROUGHT_BACK: Final = "brought back"
"""A retired key put back in its stage: on checklists again, unticked where added."""
REMOVED: Final = "removed"
RENAMED: Final = "renamed"
REORDERED: Final = "reordered"
STAGE_LABEL: Final = "stage label"
WIN_PROBABILITY: Final = "win probability"
STUCK_AFTER: Final = "stuck after"


@dataclass(frozen=True)
class Change:
    """One difference, in terms a person reviewing an import understands."""

    kind: str
    stage: Stage
    key: str | None = None
    before: str | None = None
    after: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """As kept with the pipeline version that made it (the pipeline's history)."""
        return {
            "kind": self.kind,
            "stage": self.stage.key,
            "key": self.key,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Plan:
    """An import checked against the current definition: what it changes, ready to apply."""

    current: PipelineDefinition
    wanted: PipelineDefinition
    """The imported definition with the retired jobs carried over."""
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = ()
    """Changes the rules allow but a person may not mean (wording moved between keys)."""

    @property
    def added(self) -> tuple[JobDefinition, ...]:
        """Jobs that appear on checklists (new keys, or retired keys brought back)."""
        return tuple(
            job
            for c in self.changes
            if c.kind in (ADDED, BROUGHT_BACK) and c.key is not None
            for job in (self.wanted.job(c.key),)
            if job is not None
        )

    @property
    def removed(self) -> tuple[JobDefinition, ...]:
        """Jobs that leave checklists (retired)."""
        return tuple(
            job
            for c in self.changes
            if c.kind == REMOVED and c.key is not None
            for job in (self.current.job(c.key),)
            if job is not None
        )


def _texts(labels: dict[str, str] | object) -> str:
    assert isinstance(labels, dict)
    return " / ".join(f"{lang}: {labels[lang]}" for lang in LANGUAGES if lang in labels)


def _stage_changes(old: StageDefinition, new: StageDefinition) -> list[Change]:
    found: list[Change] = []
    if dict(old.label) != dict(new.label):
        found.append(
            Change(STAGE_LABEL, new.stage, None, _texts(dict(old.label)), _texts(dict(new.label)))
        )
    if old.win_probability != new.win_probability:
        before, after = f"{old.win_probability} %", f"{new.win_probability} %"
        found.append(Change(WIN_PROBABILITY, new.stage, None, before, after))
    if old.stuck_after_days != new.stuck_after_days:
        before, after = f"{old.stuck_after_days} days", f"{new.stuck_after_days} days"
        found.append(Change(STUCK_AFTER, new.stage, None, before, after))
    return found


def plan(current: PipelineDefinition, imported: PipelineDefinition) -> Plan:
    """Compare an imported definition with the current one, or refuse a forbidden change."""
    for job in imported.all_jobs():
        known = current.job(job.key)
        if known is not None and known.stage is not job.stage:
            raise InvalidInput(
                f"job {job.key!r} belongs to {known.stage.key}, and a job never moves "
                f"to another stage ({job.stage.key} here): that would change its ticks "
                "behind the gate. Give it a new key in its new stage instead"
            )
    changes: list[Change] = []
    for old, new in zip(current.stages, imported.stages, strict=True):
        changes.extend(_stage_changes(old, new))
        old_keys = [j.key for j in old.jobs]
        new_keys = [j.key for j in new.jobs]
        for job in new.jobs:
            if job.key not in old_keys:
                kind = BROUGHT_BACK if current.job(job.key) is not None else ADDED
                changes.append(Change(kind, new.stage, job.key, None, job.text_in("en")))
                continue
            before = current.job(job.key)
            assert before is not None
            if dict(before.text) != dict(job.text):
                changes.append(
                    Change(
                        RENAMED,
                        new.stage,
                        job.key,
                        _texts(dict(before.text)),
                        _texts(dict(job.text)),
                    )
                )
        for job in old.jobs:
            if job.key not in new_keys:
                changes.append(Change(REMOVED, old.stage, job.key, job.text_in("en"), None))
        kept_old = [k for k in old_keys if k in new_keys]
        kept_new = [k for k in new_keys if k in old_keys]
        if kept_old != kept_new:
            changes.append(
                Change(REORDERED, new.stage, None, ", ".join(kept_old), ", ".join(kept_new))
            )
    live = {job.key for job in imported.all_jobs()}
    retired = [job for job in current.retired if job.key not in live]
    retired += [
        job for c in changes if c.kind == REMOVED and c.key for job in (current.job(c.key),) if job
    ]
    wanted = PipelineDefinition(imported.stages, tuple(retired))
    return Plan(current, wanted, tuple(changes), tuple(_moved_wording(current, imported)))


def _moved_wording(current: PipelineDefinition, imported: PipelineDefinition) -> list[str]:
    """Jobs whose new wording was another job's: ticks stay with keys, not with words."""
    was = {job.text_in("en"): job.key for job in current.all_jobs()}
    found = []
    for job in imported.all_jobs():
        owner = was.get(job.text_in("en"))
        if owner is not None and owner != job.key:
            found.append(
                f"job {job.key} now reads {job.text_in('en')!r}, which was the wording of job "
                f"{owner}: ticks stay with the key, so deals that ticked {owner} do not have "
                f"{job.key} ticked — swap the keys back if the work itself did not change"
            )
    return found
