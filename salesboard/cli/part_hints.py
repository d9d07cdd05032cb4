"""The command lines that add what a deal lacks, as hints under a refusal or an empty list.

The words a user fills in (``TITLE``, ``NAME``) are in the language in force, as in
``--help``; the command, its options and the choices are typed the same in every language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salesboard.cli.params import PROG
from salesboard.i18n import N_, _

if TYPE_CHECKING:
    from salesboard.evidence import EvidenceRefusal

DUE_METAVAR = N_('"YYYY-MM-DD HH:MM"')


def add_activity(deal_id: int, kind: str = "meeting", *, agenda: bool = False) -> str:
    """``salesboard activity add 7 --kind meeting --title TITLE --due "YYYY-MM-DD HH:MM"``."""
    line = (
        f"{PROG} activity add {deal_id} --kind {kind} --title {_('TITLE')} --due {_(DUE_METAVAR)}"
    )
    return f"{line} --agenda {_('TEXT')}" if agenda else line


def add_stakeholder(deal_id: int) -> str:
    """``salesboard stakeholder add 7 NAME --stance ally``."""
    return f"{PROG} stakeholder add {deal_id} {_('NAME')} --stance ally"


def add_problem(deal_id: int) -> str:
    """``salesboard problem add 7 TEXT --priority high --price VALUE``."""
    return f"{PROG} problem add {deal_id} {_('TEXT')} --priority high --price {_('VALUE')}"


def evidence_hint(refusal: EvidenceRefusal, deal_id: int) -> str:
    """The line under a refused tick: the command that gives the job its evidence."""
    from salesboard.evidence import Evidence, Remedy

    remedy, kind = refusal.remedy
    evidence = refusal.evidence
    if evidence in (Evidence.MEETING_HELD, Evidence.VISIT_HELD):
        return _("hint: plan it with {add}, then mark it done with {done}").format(
            add=add_activity(deal_id, kind or "meeting"),
            done=f"{PROG} activity done {_('ACTIVITY_ID')}",
        )
    if evidence is Evidence.PRICED_PROBLEMS:
        return _("hint: add a problem with {add}, or price an open one with {edit}").format(
            add=add_problem(deal_id),
            edit=f"{PROG} problem edit {_('PROBLEM_ID')} --priority high --price {_('VALUE')}",
        )
    if remedy is Remedy.PROBLEM:
        command = add_problem(deal_id)
    elif remedy is Remedy.STAKEHOLDER:
        command = add_stakeholder(deal_id)
    else:
        command = add_activity(deal_id, kind or "meeting", agenda=evidence is Evidence.AGENDA)
    return _("hint: add it with {command}").format(command=command)
