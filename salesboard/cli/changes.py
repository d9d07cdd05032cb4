"""Commands that change where a deal is: jobs, moves, lost, reopen, finish and undo."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _confirm
from salesboard.cli.params import DEAL_ID, JOB_NUMBER, SATISFACTION, _if_version
from salesboard.cli.runtime import _session

if TYPE_CHECKING:
    pass


@cli.command("check", short_help="Tick (untick) job N of the current stage.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.argument("n", metavar="N", type=JOB_NUMBER)
@click.option("--undo", is_flag=True, help="Untick the job instead.")
@_if_version
@click.pass_context
def check_command(
    ctx: click.Context, deal_id: int, n: int, undo: bool, if_version: int | None
) -> None:
    """Tick (or with --undo untick) job N, counted from 1, of the deal's current stage."""
    from salesboard.workflow import LAST_STAGE

    deal = _session(ctx).pipeline().set_job(deal_id, n, not undo, expected_version=if_version)
    s = deal.summary
    verb = "unticked" if undo else "ticked"
    _confirm(deal, f"{s.stage.label} job {n} {verb}, {s.jobs_done}/{s.jobs_total} done")
    if not undo and s.jobs_done == s.jobs_total and s.stage is not LAST_STAGE:
        click.echo(f"all jobs of {s.stage.label} are done: salesboard move {deal.id} next")


@cli.command("move", short_help="Advance (gated) or move back one stage.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.argument("direction", type=click.Choice(["next", "back"]))
@_if_version
@click.pass_context
def move_command(ctx: click.Context, deal_id: int, direction: str, if_version: int | None) -> None:
    """Move a deal one stage right (only with a complete checklist) or left.

    A refused move lists every unfinished job of the current stage (exit 3).
    """
    pipeline = _session(ctx).pipeline()
    if direction == "next":
        deal = pipeline.advance(deal_id, expected_version=if_version)
    else:
        deal = pipeline.move_back(deal_id, expected_version=if_version)
    _confirm(deal, f"moved to {deal.stage.label}")


@cli.command("lost", short_help="Give a deal up, with a reason.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.option("--reason", required=True, help="Why the deal was lost.")
@_if_version
@click.pass_context
def lost_command(ctx: click.Context, deal_id: int, reason: str, if_version: int | None) -> None:
    """Mark an open deal lost, with a reason; it keeps its stage for a later reopen."""
    deal = _session(ctx).pipeline().mark_lost(deal_id, reason, expected_version=if_version)
    _confirm(deal, f"lost in {deal.stage.label}")


@cli.command("reopen", short_help="Bring a lost or finished deal back.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@_if_version
@click.pass_context
def reopen_command(ctx: click.Context, deal_id: int, if_version: int | None) -> None:
    """Bring a lost or finished deal back onto the board, at the stage it left."""
    deal = _session(ctx).pipeline().reopen(deal_id, expected_version=if_version)
    _confirm(deal, f"reopened in {deal.stage.label}")


@cli.command("finish", short_help="Finish a complete Closed deal.")
@click.argument("deal_id", metavar="ID", type=DEAL_ID)
@click.option("--outcome", required=True, type=click.Choice(["success", "failure"]))
@click.option("--satisfaction", required=True, type=SATISFACTION, help="Score 1-5.")
@click.option("--comment", default=None, help="How it went, in a few words (optional).")
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
    """Finish a Closed deal whose checklist is complete, with its outcome and score."""
    deal = (
        _session(ctx)
        .pipeline()
        .finish(deal_id, outcome, satisfaction, comment=comment, expected_version=if_version)
    )
    _confirm(deal, f"finished: {outcome}, satisfaction {satisfaction}/5")


@cli.command("undo", short_help="Take back your own last change.")
@click.argument("deal_id", metavar="[ID]", type=DEAL_ID, required=False)
@click.pass_context
def undo_command(ctx: click.Context, deal_id: int | None) -> None:
    """Take back your last change (to deal ID), if it is recent and nobody changed it since.

    The change is taken back by its opposite, recorded as a new change under the same
    rules (the opposite of a move back is a gated advance); history is never rewritten.
    """
    from salesboard.service.undo import undo_last

    undone = undo_last(_session(ctx).pipeline(), deal_id)
    _confirm(undone.deal, f"undid {undone.what}")
