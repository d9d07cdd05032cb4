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

import re
from dataclasses import dataclass
from typing import Any, Final

from salesboard.definition import (
    JobDefinition,
    PipelineDefinition,
    StageDefinition,
)
from salesboard.errors import InvalidInput
from salesboard.i18n import N_, _, ngettext
from salesboard.language import LANGUAGES
from salesboard.validation import display_safe
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
EVIDENCE: Final = "evidence"
"""A job's evidence rule set, changed or dropped (``salesboard.evidence``)."""
KIND_WORDS: Final = {
    ADDED: N_("added"),
    BROUGHT_BACK: N_("brought back"),
    REMOVED: N_("removed"),
    RENAMED: N_("renamed"),
    REORDERED: N_("reordered"),
    STAGE_LABEL: N_("stage label"),
    WIN_PROBABILITY: N_("win probability"),
    STUCK_AFTER: N_("stuck after"),
    EVIDENCE: N_("evidence"),
}
"""Each kind of change as a person reads it; the kinds themselves are stored as they are."""
_DAYS: Final = re.compile(r"(\d{1,9}) days", re.ASCII)


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


def kind_word(kind: str) -> str:
    """A kind of change in the language in force (an unknown stored kind as it is)."""
    word = KIND_WORDS.get(kind)
    return kind if word is None else _(word)


def _value(kind: str, text: str) -> str:
    """A change's before or after as shown, made safe for a terminal.

    Stored in English ("14 days"); told in the reader's language.
    """
    days = _DAYS.fullmatch(text) if kind == STUCK_AFTER else None
    if days is not None:
        count = int(days.group(1))
        return ngettext("{count} days", "{count} days", count).format(count=count)
    return display_safe(text)


def describe_change(change: Change) -> str:
    """One line of an import's plan: "prospect job x: renamed: en: A → en: B".

    Stage keys, job keys and wording are shown as they are (made safe), around them the
    words of the language in force.
    """
    what = kind_word(change.kind)
    if change.before is not None and change.after is not None:
        before, after = _value(change.kind, change.before), _value(change.kind, change.after)
        what += f": {before} → {after}"
    elif change.after is not None or change.before is not None:
        what += f": {_value(change.kind, change.after or change.before or '')}"
    if change.key:
        return _("{stage} job {job}: {change}").format(
            stage=change.stage.key, job=change.key, change=what
        )
    return f"{change.stage.key}: {what}"


def describe_stored_change(change: dict[str, Any]) -> str:
    """One change as the pipeline's history keeps it (untrusted JSON), told in one line."""
    parts = [str(change.get(k)) for k in ("stage", "key") if change.get(k)]
    kind = str(change.get("kind"))
    after = str(change.get("after") or change.get("before") or "")
    return f"{display_safe(' '.join(parts))}: {display_safe(kind_word(kind))} {_value(kind, after)}"


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
        # Stored in English, as the pipeline's history keeps it; ``_value`` tells it.
        before, after = f"{old.stuck_after_days} days", f"{new.stuck_after_days} days"
        found.append(Change(STUCK_AFTER, new.stage, None, before, after))
    return found


def plan(current: PipelineDefinition, imported: PipelineDefinition) -> Plan:
    """Compare an imported definition with the current one, or refuse a forbidden change."""
    for job in imported.all_jobs():
        known = current.job(job.key)
        if known is not None and known.stage is not job.stage:
            raise InvalidInput(
                _(
                    "job {job} belongs to {stage}, and a job never moves to another stage "
                    "({here} here): that would change its ticks behind the gate. Give it a "
                    "new key in its new stage instead"
                ).format(job=repr(job.key), stage=known.stage.key, here=job.stage.key)
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
            if before.evidence != job.evidence:
                changes.append(
                    Change(
                        EVIDENCE,
                        new.stage,
                        job.key,
                        before.evidence.value if before.evidence else "—",
                        job.evidence.value if job.evidence else "—",
                    )
                )
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
                _(
                    "job {job} now reads {text}, which was the wording of job {owner}: ticks "
                    "stay with the key, so deals that ticked {owner} do not have {job} ticked "
                    "— swap the keys back if the work itself did not change"
                ).format(job=job.key, text=repr(job.text_in("en")), owner=owner)
            )
    return found
