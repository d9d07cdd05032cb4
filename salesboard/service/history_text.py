"""Events told in a few words, the same in the CLI's table and the board's history view."""

from __future__ import annotations

from datetime import date
from typing import Any

from salesboard.calendar_text import day_text
from salesboard.definition import in_force
from salesboard.i18n import N_, _
from salesboard.language import language
from salesboard.money import amount_text
from salesboard.validation import display_safe
from salesboard.workflow import Status, stage_by_key, status_word

EVENT_LABELS = {
    "created": N_("created"),
    "edited": N_("edited"),
    "job_ticked": N_("ticked"),
    "job_unticked": N_("unticked"),
    "advanced": N_("advanced"),
    "moved_back": N_("moved back"),
    "lost": N_("lost"),
    "reopened": N_("reopened"),
    "finished": N_("finished"),
    "checklist_changed": N_("checklist"),
}
PART_EVENT_LABELS = {
    "activity_added": N_("activity planned"),
    "activity_edited": N_("activity edited"),
    "activity_done": N_("activity done"),
    "activity_reopened": N_("activity reopened"),
    "activity_removed": N_("activity removed"),
    "stakeholder_added": N_("stakeholder added"),
    "stakeholder_edited": N_("stakeholder edited"),
    "stakeholder_removed": N_("stakeholder removed"),
    "problem_added": N_("problem added"),
    "problem_edited": N_("problem edited"),
    "problem_removed": N_("problem removed"),
}
"""The changes of a deal's parts as words: the history and undo both name them so."""
EVENT_LABELS.update(PART_EVENT_LABELS)
"""Each event kind as a word (marked for the catalogue; translated where it is shown)."""

FIELD_NAMES = {
    "title": N_("title"),
    "company": N_("company"),
    "value_minor": N_("value"),
    "currency": N_("currency"),
    "owner": N_("owner"),
    "expected_close": N_("close"),
    "notes": N_("notes"),
}
"""A deal's stored fields as an edit event names them."""

OUTCOME_WORDS = {"success": N_("success"), "failure": N_("failure")}

DAMAGED_LABEL = N_("⚠ damaged")


def event_label(kind: str, damage: str | None = None) -> str:
    """The word a person would use for an event kind (``job_ticked`` is "ticked").

    A stored kind is untrusted text: an unknown one is shown made safe, a damaged entry
    as "⚠ damaged". Callers still draw the result literally (never as markup).
    """
    if damage is not None:
        return _(DAMAGED_LABEL)
    word = EVENT_LABELS.get(kind)
    return display_safe(kind) if word is None else _(word)


def short_value(value: Any, key: str = "", limit: int = 60) -> str:
    """One event value as told: money as money, a date as a date, long text cut short.

    Control characters are removed; a damaged value is shown as stored, made safe.
    """
    if value is None:
        return "—"
    if value == "":
        return '""'
    if key == "value_minor" and isinstance(value, int) and not isinstance(value, bool):
        return amount_text(value)
    if key == "expected_close" and isinstance(value, str):
        try:
            return day_text(date.fromisoformat(value))  # stored ISO, told in the language
        except ValueError:
            pass  # damaged: shown as stored, made safe
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


def _status_name(value: Any) -> str:
    """A stored status told as a word of the reader's language (anything else made safe)."""
    known = next((status for status in Status if status.value == value), None)
    return short_value(value) if known is None else status_word(known)


def _outcome_name(value: Any) -> str:
    word = OUTCOME_WORDS.get(value) if isinstance(value, str) else None
    return short_value(value) if word is None else _(word)


def _checklist_change(new: dict[str, Any]) -> str:
    parts = [_("pipeline version {version}").format(version=short_value(new.get("pipeline")))]
    for sign, part in (("+", "added"), ("−", "removed")):
        keys = new.get(part)
        if isinstance(keys, list):
            parts.extend(f"{sign} {job_name(key)}" for key in keys[:20])
    if new.get("renumbered"):
        parts.append(_("jobs renumbered"))
    return "; ".join(parts)


def describe_event(kind: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """What an event changed, in a few words: "Prospect → Qualified", "value: 10 → 20".

    Every stored value and key goes through ``short_value`` (made safe, cut short).
    """
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    if kind == "created":
        return _("created in {stage}: {title}").format(
            stage=stage_name(new.get("stage", "?")), title=short_value(new.get("title"))
        )
    if kind in ("job_ticked", "job_unticked"):
        stage, n = new.get("stage", "?"), new.get("n", "?")
        return _("{stage} job {n}: {job}").format(
            stage=stage_name(stage), n=short_value(n), job=job_name(new.get("job"))
        )
    if kind == "checklist_changed":
        return _checklist_change(new)
    if kind in ("advanced", "moved_back"):
        return f"{stage_name(old.get('stage'))} → {stage_name(new.get('stage'))}"
    if kind == "lost":
        return _("lost: {reason}").format(reason=short_value(new.get("reason")))
    if kind == "reopened":
        told = _("reopened in {stage} (was {status})").format(
            stage=stage_name(new.get("stage")), status=_status_name(old.get("status"))
        )
        removed = new.get("removed")
        if isinstance(removed, list):
            told += "".join(f"; − {job_name(key)}" for key in removed[:20])
        return told
    if kind == "finished":
        outcome = _outcome_name(new.get("outcome"))
        score = short_value(new.get("satisfaction"))
        if new.get("comment"):
            return _("{outcome}, satisfaction {score}/5: {comment}").format(
                outcome=outcome, score=score, comment=short_value(new["comment"])
            )
        return _("{outcome}, satisfaction {score}/5").format(outcome=outcome, score=score)
    from salesboard.service.history_parts import describe_part  # it builds on short_value

    part = describe_part(kind, old, new)
    if part is not None:
        return part
    keys = list(dict.fromkeys([*old, *new]))
    return "; ".join(
        f"{_field_name(k)}: {short_value(old.get(k), k, 30)} → {short_value(new.get(k), k, 30)}"
        for k in keys
    )


def _field_name(key: Any) -> str:
    """A stored field's name as an edit line tells it (an unknown one made safe)."""
    word = FIELD_NAMES.get(key) if isinstance(key, str) else None
    return short_value(key, limit=30) if word is None else _(word)


def describe_entry(kind: str, before: Any, after: Any, damage: str | None) -> str:
    """``describe_event`` for a history entry, or what is wrong with a damaged one."""
    if damage is not None:
        return f"{display_safe(kind)}: {display_safe(damage)}"
    return describe_event(kind, before, after)
