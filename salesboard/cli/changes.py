"""Commands that change where a deal is: jobs, moves, lost, reopen, finish and undo."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _confirm, _finished_text
from salesboard.cli.params import DEAL_ID, JOB_NUMBER, SATISFACTION, WordChoice, _if_version
from salesboard.cli.runtime import _session
from salesboard.i18n import N_, _

if TYPE_CHECKING:
    pass


@cli.command(
    "check",
    short_help=N_("Tick (untick) job N of the current stage."),
    help=N_(
        "Tick (or with --undo untick) job N, counted from 1, of the deal's current stage.\n\n"
        "A job backed by evidence (a meeting, a problem, a stakeholder) is ticked only once "
        "that evidence exists; a refusal (exit 3) says what is missing and the command that "
        "adds it."
    ),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@click.argument("n", metavar=N_("N"), type=JOB_NUMBER)
@click.option("--undo", is_flag=True, help=N_("Untick the job instead."))
@_if_version
@click.pass_context
def check_command(
    ctx: click.Context, deal_id: int, n: int, undo: bool, if_version: int | None
) -> None:
    """``salesboard check``: tick or untick one job of the current stage."""
    from salesboard.evidence import EvidenceRefusal
    from salesboard.workflow import LAST_STAGE

    try:
        deal = _session(ctx).pipeline().set_job(deal_id, n, not undo, expected_version=if_version)
    except EvidenceRefusal as refusal:
        from salesboard.cli.part_hints import evidence_hint
        from salesboard.cli.runtime import CommandFailed

        raise CommandFailed(f"{refusal}\n{evidence_hint(refusal, deal_id)}", 3) from None
    s = deal.summary
    if undo:
        done = _("{stage} job {n} unticked, {done}/{total} done")
    else:
        done = _("{stage} job {n} ticked, {done}/{total} done")
    _confirm(deal, done.format(stage=s.stage.label, n=n, done=s.jobs_done, total=s.jobs_total))
    if not undo and s.jobs_done == s.jobs_total and s.stage is not LAST_STAGE:
        click.echo(
            _("all jobs of {stage} are done: salesboard move {id} next").format(
                stage=s.stage.label, id=deal.id
            )
        )


@cli.command(
    "move",
    short_help=N_("Advance (gated) or move back one stage."),
    help=N_(
        "Move a deal one stage right (only with a complete checklist) or left.\n\n"
        "A refused move lists every unfinished job of the current stage (exit 3)."
    ),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@click.argument("direction", type=WordChoice(("next", "back")))
@_if_version
@click.pass_context
def move_command(ctx: click.Context, deal_id: int, direction: str, if_version: int | None) -> None:
    """``salesboard move``: advance through the gate, or move back."""
    pipeline = _session(ctx).pipeline()
    if direction == "next":
        deal = pipeline.advance(deal_id, expected_version=if_version)
    else:
        deal = pipeline.move_back(deal_id, expected_version=if_version)
    _confirm(deal, _("moved to {stage}").format(stage=deal.stage.label))


@cli.command(
    "lost",
    short_help=N_("Give a deal up, with a reason."),
    help=N_("Mark an open deal lost, with a reason; it keeps its stage for a later reopen."),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@click.option("--reason", required=True, help=N_("Why the deal was lost."))
@_if_version
@click.pass_context
def lost_command(ctx: click.Context, deal_id: int, reason: str, if_version: int | None) -> None:
    """``salesboard lost``: mark an open deal lost."""
    deal = _session(ctx).pipeline().mark_lost(deal_id, reason, expected_version=if_version)
    _confirm(deal, _("lost in {stage}").format(stage=deal.stage.label))


@cli.command(
    "reopen",
    short_help=N_("Bring a lost or finished deal back."),
    help=N_("Bring a lost or finished deal back onto the board, at the stage it left."),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@_if_version
@click.pass_context
def reopen_command(ctx: click.Context, deal_id: int, if_version: int | None) -> None:
    """``salesboard reopen``: a lost or finished deal back on the board."""
    deal = _session(ctx).pipeline().reopen(deal_id, expected_version=if_version)
    _confirm(deal, _("reopened in {stage}").format(stage=deal.stage.label))


@cli.command(
    "finish",
    short_help=N_("Finish a complete Closed deal."),
    help=N_("Finish a Closed deal whose checklist is complete, with its outcome and score."),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@click.option(
    "--outcome",
    required=True,
    type=WordChoice(("success", "failure")),
    help=N_("How it ended: success or failure."),
)
@click.option("--satisfaction", required=True, type=SATISFACTION, help=N_("Score 1-5."))
@click.option("--comment", default=None, help=N_("How it went, in a few words (optional)."))
@_if_version
@click.pass_context
def finish_command(
    ctx: click.Context,
    deal_id: int,
    outcome: str,
    satisfaction: int,
    comment: str | None,
    if_version: int | None,
) -> None:
    """``salesboard finish``: finish a complete Closed deal."""
    deal = (
        _session(ctx)
        .pipeline()
        .finish(deal_id, outcome, satisfaction, comment=comment, expected_version=if_version)
    )
    _confirm(deal, _finished_text(outcome, satisfaction))


@cli.command(
    "undo",
    short_help=N_("Take back your own last change."),
    help=N_(
        "Take back your last change (to deal ID), if it is recent and nobody changed it "
        "since.\n\n"
        "The change is taken back by its opposite, recorded as a new change under the same "
        "rules (the opposite of a move back is a gated advance); history is never rewritten."
    ),
)
@click.argument("deal_id", metavar=N_("[ID]"), type=DEAL_ID, required=False)
@click.pass_context
def undo_command(ctx: click.Context, deal_id: int | None) -> None:
    """``salesboard undo``: take back the user's own last change."""
    from salesboard.service.undo import undo_last

    undone = undo_last(_session(ctx).pipeline(), deal_id)
    _confirm(undone.deal, _("undid {what}").format(what=undone.what))
