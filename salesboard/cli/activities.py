"""``salesboard activity``: a deal's meetings, calls, visits, follow-ups and tasks."""

from __future__ import annotations

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _confirm, _console, _print_json
from salesboard.cli.params import DEAL_ID, _if_version, _json_flag
from salesboard.cli.part_hints import DUE_METAVAR
from salesboard.cli.part_output import saved_text
from salesboard.cli.part_params import (
    ACTIVITY_ID,
    PartGroup,
    changed_by,
    given,
    kind_option,
    substance,
)
from salesboard.i18n import N_, _


@cli.group(
    "activity",
    cls=PartGroup,
    short_help=N_("A deal's meetings, calls, visits and tasks."),
    help=N_(
        "Plan a deal's meetings, calls, visits, follow-ups and tasks, and mark them done.\n\n"
        "The earliest open activity is the deal's next step. Due times are typed and shown "
        "in your time zone and kept in UTC."
    ),
)
def activity_group() -> None:
    """``salesboard activity``: its subcommands add, change and list activities."""


@activity_group.command(
    "add",
    short_help=N_("Plan an activity; print its id."),
    help=N_(
        "Plan an activity on deal ID and print its id (with --json, the activity).\n\n"
        'A due date alone ("2027-01-15") means 09:00 that day.'
    ),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@kind_option(required=True)
@click.option("--title", required=True, metavar=N_("TEXT"), help=N_("What it is about."))
@click.option("--due", required=True, metavar=DUE_METAVAR, help=N_("When, in your time zone."))
@click.option("--agenda", default="", metavar=N_("TEXT"), help=N_("The agenda (newlines kept)."))
@click.option("--notes", default="", metavar=N_("TEXT"), help=N_("Notes (newlines kept)."))
@click.option(
    "--owner", default=None, metavar=N_("LOGIN"), help=N_("Login of who does it (default: you).")
)
@_if_version
@click.option("--json", "as_json", is_flag=True, help=N_("Print the new activity as JSON."))
@click.pass_context
def activity_add_command(
    ctx: click.Context,
    deal_id: int,
    kind: str,
    title: str,
    due: str,
    agenda: str,
    notes: str,
    owner: str | None,
    if_version: int | None,
    as_json: bool,
) -> None:
    """``salesboard activity add``: only the new id goes to stdout (for scripts)."""
    added = substance(ctx).add_activity(
        deal_id,
        kind=kind,
        title=title,
        due=due,
        agenda=agenda,
        notes=notes,
        owner=owner,
        expected_version=if_version,
    )
    if as_json:
        found = next(a for a in added.deal.parts.activities if a.id == added.part_id)
        _print_json(found.to_json())
    else:
        click.echo(str(added.part_id))


@activity_group.command(
    "done",
    short_help=N_("Mark an activity done (or open again)."),
    help=N_("Mark activity ACTIVITY_ID done, by you and now (or with --undo open again)."),
)
@click.argument("activity_id", metavar=N_("ACTIVITY_ID"), type=ACTIVITY_ID)
@click.option("--undo", is_flag=True, help=N_("Open it again instead."))
@_if_version
@click.pass_context
def activity_done_command(
    ctx: click.Context, activity_id: int, undo: bool, if_version: int | None
) -> None:
    """``salesboard activity done``: done or open again; asking twice changes nothing."""
    work = substance(ctx)
    done, recorded = changed_by(
        work.pipeline,
        lambda: work.set_activity_done(activity_id, not undo, expected_version=if_version),
    )
    if undo:
        what = _("activity {id} open again") if recorded else _("activity {id} is already open")
    else:
        what = _("activity {id} done") if recorded else _("activity {id} is already done")
    _confirm(done.deal, what.format(id=activity_id))


@activity_group.command(
    "edit",
    short_help=N_("Change an activity's fields."),
    help=N_("Change activity ACTIVITY_ID; only the options given are changed."),
)
@click.argument("activity_id", metavar=N_("ACTIVITY_ID"), type=ACTIVITY_ID)
@kind_option(required=False)
@click.option("--title", default=None, metavar=N_("TEXT"), help=N_("New title."))
@click.option("--due", default=None, metavar=DUE_METAVAR, help=N_("When, in your time zone."))
@click.option("--agenda", default=None, metavar=N_("TEXT"), help=N_('New agenda ("" clears).'))
@click.option("--notes", default=None, metavar=N_("TEXT"), help=N_('New notes ("" clears).'))
@click.option("--owner", default=None, metavar=N_("LOGIN"), help=N_("New owner login."))
@_if_version
@click.pass_context
def activity_edit_command(
    ctx: click.Context,
    activity_id: int,
    kind: str | None,
    title: str | None,
    due: str | None,
    agenda: str | None,
    notes: str | None,
    owner: str | None,
    if_version: int | None,
) -> None:
    """``salesboard activity edit``: change the fields given as options."""
    work = substance(ctx)
    changes = given(kind=kind, title=title, due=due, agenda=agenda, notes=notes, owner=owner)
    edited, recorded = changed_by(
        work.pipeline,
        lambda: work.edit_activity(activity_id, expected_version=if_version, **changes),
    )
    _confirm(edited.deal, saved_text(_("activity {id}").format(id=activity_id), recorded))


@activity_group.command(
    "remove",
    short_help=N_("Take an activity off its deal."),
    help=N_(
        "Take activity ACTIVITY_ID off its deal.\n\n"
        "Nothing is deleted silently: the removal is a change in the deal's history, "
        "which keeps everything the activity held."
    ),
)
@click.argument("activity_id", metavar=N_("ACTIVITY_ID"), type=ACTIVITY_ID)
@_if_version
@click.pass_context
def activity_remove_command(ctx: click.Context, activity_id: int, if_version: int | None) -> None:
    """``salesboard activity remove``: the removal is an event of the deal."""
    removed = substance(ctx).remove_activity(activity_id, expected_version=if_version)
    _confirm(removed.deal, _("activity {id} removed (kept in the history)").format(id=activity_id))


@activity_group.command(
    "list",
    short_help=N_("A deal's activities."),
    help=N_("List deal ID's activities: open ones by due time (overdue marked), then done ones."),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@_json_flag
@click.pass_context
def activity_list_command(ctx: click.Context, deal_id: int, as_json: bool) -> None:
    """``salesboard activity list``: a table or JSON."""
    from salesboard.cli.part_hints import add_activity
    from salesboard.cli.part_output import activity_table, warn_damaged

    work = substance(ctx)
    parts = work.parts(deal_id)
    warn_damaged(parts)
    if as_json:
        _print_json([activity.to_json() for activity in parts.activities])
        return
    console = _console()
    if not parts.activities:
        console.print(
            _("no activities yet; plan one with {command}").format(command=add_activity(deal_id))
        )
        return
    console.print(activity_table(parts.activities, work.pipeline.now()))
