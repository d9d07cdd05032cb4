"""Undo: take back my own last change, as a new change through the same rules.

History is never rewritten. Undoing is making the opposite change, written as any change
is (with its own event, version and place in the hash chain) and checked by the same
rules: the opposite of a move back is an advance, so it passes the gate or is refused.

It takes back only **my own last change**, only while it is **recent** (``UNDO_WINDOW``)
and only if **nobody changed that deal since**. So it never overwrites a colleague's
work, and the deal is still as my change left it: a tick is undone in the stage it was
made in, because any later move of the deal would itself be a later change. Undoing an
undo makes the change again. A new deal is not undone (deals are never deleted: mark it
lost if it was a mistake).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final

from salesboard.i18n import N_, _, ngettext
from salesboard.money import STORED_DECIMALS
from salesboard.service.history_parts import is_part_kind
from salesboard.service.history_text import PART_EVENT_LABELS, describe_event
from salesboard.service.pipeline import Pipeline
from salesboard.service.substance import Substance
from salesboard.service.undo_parts import opposite_part
from salesboard.service.views import DealView, EventView
from salesboard.validation import display_safe
from salesboard.workflow import WorkflowRefusal, stage_by_key

UNDO_WINDOW: Final = timedelta(minutes=15)
"""How long a change can be undone: long enough to notice a slip during a review, short
enough that nobody undoes a change the team has already acted on."""

_EDITABLE: Final = ("title", "company", "value_minor", "currency", "owner", "expected_close")

_KIND_NAMES: Final = {
    "created": N_("created"),
    "edited": N_("edited"),
    "job_ticked": N_("job ticked"),
    "job_unticked": N_("job unticked"),
    "advanced": N_("advanced"),
    "moved_back": N_("moved back"),
    "lost": N_("lost"),
    "reopened": N_("reopened"),
    "finished": N_("finished"),
    "checklist_changed": N_("checklist changed"),
    **PART_EVENT_LABELS,
}
"""What each kind of change is called when undo names it (the kind itself is a key)."""


def _kind_name(kind: str) -> str:
    """An event kind in words; one salesboard does not write is shown as stored."""
    name = _KIND_NAMES.get(kind)
    return kind.replace("_", " ") if name is None else _(name)


class UndoRefused(WorkflowRefusal):
    """Undo cannot take the change back; the message says why, in user terms."""


@dataclass(frozen=True)
class Undone:
    """The deal after the undo, and what was taken back (for the confirmation)."""

    deal: DealView
    what: str


def undo_last(
    pipeline: Pipeline, deal_id: int | None = None, *, window: timedelta = UNDO_WINDOW
) -> Undone:
    """Take back this actor's last change (of ``deal_id``), or say why it cannot."""
    mine = pipeline.last_change(deal_id)
    if mine is None:
        if deal_id is None:
            none = _("you ({actor}) have made no change to undo")
        else:
            none = _("you ({actor}) have made no change to deal {deal_id} to undo")
        raise UndoRefused(none.format(actor=pipeline.actor, deal_id=deal_id))
    if mine.damage is not None:
        what = _("{kind} of deal {deal_id}").format(
            kind=_kind_name(mine.kind), deal_id=mine.deal_id
        )
        raise UndoRefused(
            _("your last change ({what}) is damaged in the database: {damage}").format(
                what=what, damage=mine.damage
            )
        )
    what = describe_event(mine.kind, mine.before, mine.after)
    minutes = int(window.total_seconds() // 60)
    if pipeline.now() - mine.at > window:
        if deal_id is None:
            old = ngettext(
                "your last change ({what}, at {time} UTC) is more than "
                "{minutes} minute old; undo takes back only recent changes",
                "your last change ({what}, at {time} UTC) is more than "
                "{minutes} minutes old; undo takes back only recent changes",
                minutes,
            )
        else:
            old = ngettext(
                "your last change to deal {deal_id} ({what}, at {time} UTC) is more than "
                "{minutes} minute old; undo takes back only recent changes",
                "your last change to deal {deal_id} ({what}, at {time} UTC) is more than "
                "{minutes} minutes old; undo takes back only recent changes",
                minutes,
            )
        raise UndoRefused(
            old.format(what=what, time=f"{mine.at:%H:%M}", minutes=minutes, deal_id=deal_id)
        )
    latest = pipeline.history(mine.deal_id)[0]
    if latest.id != mine.id:
        raise UndoRefused(
            _(
                "{actor} changed deal {deal_id} after you (at "
                "{time} UTC); undo would overwrite that, so change it by hand"
            ).format(
                actor=display_safe(latest.actor), deal_id=mine.deal_id, time=f"{latest.at:%H:%M}"
            )
        )
    version = pipeline.get_deal(mine.deal_id).version
    deal = _opposite(pipeline, mine, version)
    return Undone(deal, f"{_kind_name(mine.kind)}: {what}")


def _opposite(pipeline: Pipeline, event: EventView, version: int) -> DealView:
    """Make the change that takes ``event`` back, through the service's own rules."""
    before, after = event.before or {}, event.after or {}
    deal_id, kind = event.deal_id, event.kind
    if is_part_kind(kind):
        return opposite_part(Substance(pipeline), event, version)
    if kind in ("job_ticked", "job_unticked"):
        stage = stage_by_key(after.get("stage"))
        done = kind == "job_unticked"
        n = after.get("n")
        if not isinstance(n, int) or stage is None:
            raise UndoRefused(
                _("your last change to deal {deal_id} names no job").format(deal_id=deal_id)
            )
        return pipeline.set_job(deal_id, n, done, expected_version=version, stage=stage)
    if kind == "advanced":
        return pipeline.move_back(deal_id, expected_version=version)
    if kind == "moved_back":
        return pipeline.advance(deal_id, expected_version=version)  # gated, like any advance
    if kind in ("lost", "finished"):
        return pipeline.reopen(deal_id, expected_version=version)
    if kind == "reopened":
        if before.get("status") == "lost":
            reason = str(before.get("reason") or _("lost again (undo)"))
            return pipeline.mark_lost(deal_id, reason, expected_version=version)
        outcome, score = before.get("outcome"), before.get("satisfaction")
        if not isinstance(score, int):
            raise UndoRefused(
                _("the reopen of deal {deal_id} does not say how it was finished").format(
                    deal_id=deal_id
                )
            )
        comment = _last_finish_comment(pipeline, deal_id)
        return pipeline.finish(
            deal_id, str(outcome), score, comment=comment, expected_version=version
        )
    if kind == "edited":
        return pipeline.edit_deal(deal_id, expected_version=version, **_fields_before(before))
    if kind == "checklist_changed":
        raise UndoRefused(
            _(
                "a pipeline import is not undone deal by deal; import the earlier pipeline "
                "again (salesboard pipeline import)"
            )
        )
    raise UndoRefused(
        _("a new deal is not undone (deals are never deleted); mark it lost if it was a mistake")
        if kind == "created"
        else _("a change of kind {kind} cannot be undone").format(kind=repr(display_safe(kind)))
    )


def _last_finish_comment(pipeline: Pipeline, deal_id: int) -> str | None:
    """The comment of the finish a reopen took back, so that finishing again keeps it."""
    for event in pipeline.history(deal_id, limit=50):  # newest first
        if event.kind == "finished" and event.after is not None:
            comment = event.after.get("comment")
            return comment if isinstance(comment, str) else None
    return None


def _fields_before(before: dict[str, Any]) -> dict[str, Any]:
    """The edited fields as they were, in the terms ``edit_deal`` takes them."""
    fields: dict[str, Any] = {}
    for name, value in before.items():
        if name == "value_minor" and isinstance(value, int):
            fields["value"] = Decimal(value).scaleb(-STORED_DECIMALS)
        elif name == "notes":
            fields["notes"] = value if isinstance(value, str) else ""
        elif name in _EDITABLE:
            fields[name] = value
    return fields
