"""Events told in a few words, the same in the CLI's table and the board's history view."""

from __future__ import annotations

from typing import Any

from salesboard.definition import in_force
from salesboard.language import language
from salesboard.money import amount_text
from salesboard.validation import display_safe
from salesboard.workflow import stage_by_key

EVENT_LABELS = {
    "job_ticked": "ticked",
    "job_unticked": "unticked",
    "moved_back": "moved back",
    "checklist_changed": "checklist",
}


DAMAGED_LABEL = "⚠ damaged"


def event_label(kind: str, damage: str | None = None) -> str:
    """The word a person would use for an event kind (``job_ticked`` is "ticked").

    A stored kind is untrusted text: an unknown one is shown made safe, a damaged entry
    as "⚠ damaged". Callers still draw the result literally (never as markup).
    """
    if damage is not None:
        return DAMAGED_LABEL
    return EVENT_LABELS.get(kind, display_safe(kind))


def short_value(value: Any, key: str = "", limit: int = 60) -> str:
    """One event value: money as money, control characters removed, long text cut short."""
    if value is None:
        return "—"
    if value == "":
        return '""'
    if key == "value_minor" and isinstance(value, int) and not isinstance(value, bool):
        return amount_text(value)
    text = display_safe(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stage_name(key: Any) -> str:
    """A stored stage key told as the pipeline in force names it (anything else made safe)."""
    stage = stage_by_key(key)
    return short_value(key) if stage is None else stage.label


def job_name(key: Any) -> str:
    """A stored job key told in the pipeline's words, retired jobs included."""
    job = in_force().job(key) if isinstance(key, str) else None
    return short_value(key) if job is None else short_value(job.text_in(language()))


def _checklist_change(new: dict[str, Any]) -> str:
    parts = [f"pipeline version {short_value(new.get('pipeline'))}"]
    for sign, part in (("+", "added"), ("−", "removed")):
        keys = new.get(part)
        if isinstance(keys, list):
            parts.extend(f"{sign} {job_name(key)}" for key in keys[:20])
    if new.get("renumbered"):
        parts.append("jobs renumbered")
    return "; ".join(parts)


def describe_event(kind: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """What an event changed, in a few words: "Prospect → Qualified", "value: 10 → 20".

    Every stored value and key goes through ``short_value`` (made safe, cut short).
    """
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    if kind == "created":
        return f"created in {stage_name(new.get('stage', '?'))}: {short_value(new.get('title'))}"
    if kind in ("job_ticked", "job_unticked"):
        stage, n = new.get("stage", "?"), new.get("n", "?")
        return f"{stage_name(stage)} job {short_value(n)}: {job_name(new.get('job'))}"
    if kind == "checklist_changed":
        return _checklist_change(new)
    if kind in ("advanced", "moved_back"):
        return f"{stage_name(old.get('stage'))} → {stage_name(new.get('stage'))}"
    if kind == "lost":
        return f"lost: {short_value(new.get('reason'))}"
    if kind == "reopened":
        told = f"reopened in {stage_name(new.get('stage'))} (was {short_value(old.get('status'))})"
        removed = new.get("removed")
        if isinstance(removed, list):
            told += "".join(f"; − {job_name(key)}" for key in removed[:20])
        return told
    if kind == "finished":
        outcome, score = new.get("outcome"), new.get("satisfaction")
        said = f": {short_value(new['comment'])}" if new.get("comment") else ""
        return f"{short_value(outcome)}, satisfaction {short_value(score)}/5{said}"
    keys = list(dict.fromkeys([*old, *new]))
    names = {"value_minor": "value", "expected_close": "close"}
    return "; ".join(
        f"{names.get(k) or short_value(k, limit=30)}: {short_value(old.get(k), k, 30)} → "
        f"{short_value(new.get(k), k, 30)}"
        for k in keys
    )


def describe_entry(kind: str, before: Any, after: Any, damage: str | None) -> str:
    """``describe_event`` for a history entry, or what is wrong with a damaged one."""
    if damage is not None:
        return f"{display_safe(kind)}: {display_safe(damage)}"
    return describe_event(kind, before, after)
