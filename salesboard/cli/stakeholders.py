"""``salesboard stakeholder``: the people and organisations around a deal, and their stance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _confirm, _console, _print_json
from salesboard.cli.params import DEAL_ID, WordChoice, _if_version, _json_flag
from salesboard.cli.part_output import saved_text
from salesboard.cli.part_params import (
    INFLUENCE_CHOICES,
    STAKEHOLDER_ID,
    STANCE_CHOICES,
    PartGroup,
    changed_by,
    given,
    substance,
)
from salesboard.i18n import N_, _


@cli.group(
    "stakeholder",
    cls=PartGroup,
    short_help=N_("A deal's allies, enemies and neutrals."),
    help=N_(
        "Name the people and organisations around a deal: where each stands (ally, enemy "
        "or neutral), how much their view weighs, and how to reach them."
    ),
)
def stakeholder_group() -> None:
    """``salesboard stakeholder``: its subcommands add, change and list stakeholders."""


def _fields(*, adding: bool) -> Callable[[Any], Any]:
    """The options ``add`` and ``edit`` share (on ``edit`` each is optional)."""
    options = [
        click.option(
            "--stance",
            required=adding,
            type=WordChoice(STANCE_CHOICES),
            help=N_("Where they stand on the deal: ally, enemy or neutral."),
        ),
        click.option("--org", "organisation", metavar=N_("ORG"), help=N_("Their organisation.")),
        click.option("--role", metavar=N_("ROLE"), help=N_("Their role, e.g. CFO.")),
        click.option(
            "--influence",
            default=None,
            type=WordChoice(INFLUENCE_CHOICES),
            help=N_("How much their view weighs (default: medium)."),
        ),
        click.option("--notes", metavar=N_("TEXT"), help=N_("Notes (newlines kept).")),
        click.option("--email", metavar=N_("E-MAIL"), help=N_("E-mail address.")),
        click.option(
            "--phone", metavar=N_("PHONE"), help=N_("Phone number, e.g. +47 22 33 44 55.")
        ),
    ]

    def decorate(function: Any) -> Any:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


@stakeholder_group.command(
    "add",
    short_help=N_("Name a stakeholder; print their id."),
    help=N_("Name a stakeholder of deal ID and print their id (with --json, the stakeholder)."),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@click.argument("name", metavar=N_("NAME"))
@_fields(adding=True)
@_if_version
@click.option("--json", "as_json", is_flag=True, help=N_("Print the new stakeholder as JSON."))
@click.pass_context
def stakeholder_add_command(
    ctx: click.Context,
    deal_id: int,
    name: str,
    stance: str,
    organisation: str | None,
    role: str | None,
    influence: str | None,
    notes: str | None,
    email: str | None,
    phone: str | None,
    if_version: int | None,
    as_json: bool,
) -> None:
    """``salesboard stakeholder add``: only the new id goes to stdout (for scripts)."""
    fields = given(
        organisation=organisation,
        role=role,
        influence=influence,
        notes=notes,
        email=email,
        phone=phone,
    )
    added = substance(ctx).add_stakeholder(
        deal_id, name, stance=stance, expected_version=if_version, **fields
    )
    if as_json:
        found = next(s for s in added.deal.parts.stakeholders if s.id == added.part_id)
        _print_json(found.to_json())
    else:
        click.echo(str(added.part_id))


@stakeholder_group.command(
    "edit",
    short_help=N_("Change a stakeholder's fields."),
    help=N_(
        'Change stakeholder STAKEHOLDER_ID; only the options given are changed ("" clears a text).'
    ),
)
@click.argument("stakeholder_id", metavar=N_("STAKEHOLDER_ID"), type=STAKEHOLDER_ID)
@click.option("--name", default=None, metavar=N_("NAME"), help=N_("New name."))
@_fields(adding=False)
@_if_version
@click.pass_context
def stakeholder_edit_command(
    ctx: click.Context,
    stakeholder_id: int,
    name: str | None,
    stance: str | None,
    organisation: str | None,
    role: str | None,
    influence: str | None,
    notes: str | None,
    email: str | None,
    phone: str | None,
    if_version: int | None,
) -> None:
    """``salesboard stakeholder edit``: change the fields given as options."""
    work = substance(ctx)
    changes = given(
        name=name,
        stance=stance,
        organisation=organisation,
        role=role,
        influence=influence,
        notes=notes,
        email=email,
        phone=phone,
    )
    edited, recorded = changed_by(
        work.pipeline,
        lambda: work.edit_stakeholder(stakeholder_id, expected_version=if_version, **changes),
    )
    what = _("stakeholder {id}").format(id=stakeholder_id)
    _confirm(edited.deal, saved_text(what, recorded))


@stakeholder_group.command(
    "remove",
    short_help=N_("Take a stakeholder off their deal."),
    help=N_(
        "Take stakeholder STAKEHOLDER_ID off their deal.\n\n"
        "Nothing is deleted silently: the removal is a change in the deal's history, "
        "which keeps everything the stakeholder held."
    ),
)
@click.argument("stakeholder_id", metavar=N_("STAKEHOLDER_ID"), type=STAKEHOLDER_ID)
@_if_version
@click.pass_context
def stakeholder_remove_command(
    ctx: click.Context, stakeholder_id: int, if_version: int | None
) -> None:
    """``salesboard stakeholder remove``: the removal is an event of the deal."""
    removed = substance(ctx).remove_stakeholder(stakeholder_id, expected_version=if_version)
    what = _("stakeholder {id} removed (kept in the history)").format(id=stakeholder_id)
    _confirm(removed.deal, what)


@stakeholder_group.command(
    "list",
    short_help=N_("A deal's stakeholders by stance."),
    help=N_("List deal ID's stakeholders grouped by stance: allies, enemies, neutral."),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@_json_flag
@click.pass_context
def stakeholder_list_command(ctx: click.Context, deal_id: int, as_json: bool) -> None:
    """``salesboard stakeholder list``: a table or JSON."""
    from salesboard.cli.part_hints import add_stakeholder
    from salesboard.cli.part_output import stakeholder_table, warn_damaged

    parts = substance(ctx).parts(deal_id)
    warn_damaged(parts)
    if as_json:
        _print_json([person.to_json() for person in parts.stakeholders])
        return
    console = _console()
    if not parts.stakeholders:
        console.print(
            _("no stakeholders yet; name one with {command}").format(
                command=add_stakeholder(deal_id)
            )
        )
        return
    console.print(stakeholder_table(parts))
