"""Commands that create, list, show and edit deals, and their history."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final

import click

from salesboard.cli.main import cli
from salesboard.cli.output import (
    _confirm,
    _console,
    _deal_table,
    _history_table,
    _print_json,
    _show_deal,
    _text,
    _total_line,
    _warn_damaged,
)
from salesboard.cli.params import (
    DEAL_ID,
    ORDER_CHOICES,
    STATUS_CHOICES,
    WordChoice,
    _if_version,
    _json_flag,
    _parse_stage,
)
from salesboard.cli.runtime import _session
from salesboard.i18n import N_, _, ngettext

WHOLE_WIDTH: Final = 10_000
"""The width ``list`` lays its table out in for a file or a pipe: nothing is ever cut."""

if TYPE_CHECKING:
    from salesboard.workflow import Stage


@cli.command(
    "add",
    short_help=N_("Create a deal in Prospect; print its id."),
    help=N_(
        "Create a deal in Prospect and print its id.\n\n"
        "Only the number goes to stdout, so a script can write: id=$(salesboard add …)"
    ),
)
@click.argument("title")
@click.option("--company", required=True, help=N_("The customer's company."))
@click.option("--value", default="0", show_default=True, help=N_("Deal value, e.g. 12500.50."))
@click.option("--currency", default="EUR", show_default=True, help=N_("Three-letter code."))
@click.option("--owner", default=None, help=N_("Login of the owner (default: you)."))
@click.option(
    "--close", "close", default=None, metavar=N_("YYYY-MM-DD"), help=N_("Expected close.")
)
@click.option("--notes", default="", help=N_("Free-form notes (newlines and tabs kept)."))
@click.pass_context
def add_command(
    ctx: click.Context,
    title: str,
    company: str,
    value: str,
    currency: str,
    owner: str | None,
    close: str | None,
    notes: str,
) -> None:
    """``salesboard add``: create a deal; only its id goes to stdout (for scripts)."""
    deal = (
        _session(ctx)
        .pipeline()
        .create_deal(
            title,
            company=company,
            value=value,
            currency=currency,
            owner=owner,
            expected_close=close,
            notes=notes,
        )
    )
    click.echo(str(deal.id))


@cli.command(
    "list",
    short_help=N_("The pipeline as a table (or JSON)."),
    help=N_("List deals by stage, each stage in board order (oldest first) or by --sort."),
)
@click.option(
    "--stage",
    "stage_text",
    metavar=N_("STAGE"),
    help=N_("Only this stage (name, prefix, key or 1-6)."),
)
@click.option(
    "--status",
    type=WordChoice(STATUS_CHOICES),
    default="open",
    show_default=True,
    help=N_("Which deals by status."),
)
@click.option("--owner", default=None, help=N_("Only deals owned by this login."))
@click.option(
    "--search", default=None, help=N_("Only deals whose title, company or owner has this.")
)
@click.option(
    "--sort",
    "order",
    type=WordChoice(ORDER_CHOICES),
    default="board",
    show_default=True,
    help=N_(
        "Order within each stage, as on the board: value (highest first), close (soonest), "
        "days (longest in stage), changed (newest)."
    ),
)
@_json_flag
@click.pass_context
def list_command(
    ctx: click.Context,
    stage_text: str | None = None,
    status: str = "open",
    owner: str | None = None,
    search: str | None = None,
    order: str = "board",
    as_json: bool = False,
) -> None:
    """``salesboard list``: the deals by stage, as a table or JSON."""
    from salesboard.service.rates import RateBook
    from salesboard.service.sorting import CardOrder, in_board_order
    from salesboard.workflow import Status

    wanted = None if status == "all" else Status(status)
    stage = _stage_named(ctx, stage_text)
    deals = (
        _session(ctx).pipeline().list_deals(stage=stage, status=wanted, owner=owner, text=search)
    )
    if order != CardOrder.BOARD.value:
        rates = RateBook(_session(ctx).database()).current()
        deals = in_board_order(deals, CardOrder(order), rates.convert)
    if as_json:
        _print_json([deal.to_json() for deal in deals])
        _warn_damaged(deals)
        return
    console = _console()
    if not deals:
        if stage is not None or owner is not None or search is not None:
            console.print(_("No deals match."))
        elif wanted is None:
            console.print(_("No deals yet."))
        else:
            none = {
                Status.OPEN: _("No open deals."),
                Status.FINISHED: _("No finished deals."),
                Status.LOST: _("No lost deals."),
            }
            console.print(none[wanted])
        return
    # A file or a pipe has no width: every column and every character, as the reports do.
    whole = not console.is_terminal and "COLUMNS" not in os.environ
    if whole:
        console.width = WHOLE_WIDTH
    with_status = wanted is not Status.OPEN
    console.print(_deal_table(deals, with_status=with_status, width=console.width, whole=whole))
    total = _total_line(_session(ctx).database(), deals)
    count = len(deals)
    console.print(
        ngettext("{count} deal; {total}", "{count} deals; {total}", count).format(
            count=count, total=total
        )
    )
    for deal in deals:
        if deal.damage is not None:
            damaged = _("⚠ deal {id} is damaged: {damage}").format(id=deal.id, damage=deal.damage)
            console.print(_text(damaged, "red"))
    _warn_damaged(deals)


def _stage_named(ctx: click.Context, text: str | None) -> Stage | None:
    """``--stage`` read against the names of the pipeline in force (the team's own)."""
    if text is None:
        return None
    from salesboard.service.definitions import PipelineDefinitions

    PipelineDefinitions(_session(ctx).database()).current()  # its names in force
    return _parse_stage(text)


@cli.command(
    "show",
    short_help=N_("One deal with every stage's checklist."),
    help=N_(
        "Show one deal with the checklist of every stage (who ticked each job and when), "
        "its next step, activities, stakeholders and problems."
    ),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@_json_flag
@click.pass_context
def show_command(ctx: click.Context, deal_id: int, as_json: bool) -> None:
    """``salesboard show``: one deal and its checklists, as text or JSON."""
    from salesboard.cli.part_output import show_parts

    pipeline = _session(ctx).pipeline()
    deal = pipeline.get_deal(deal_id)
    if as_json:
        _print_json(deal.to_json())
    else:
        console = _console()
        _show_deal(console, deal)
        show_parts(console, deal, pipeline.now())


@cli.command(
    "edit",
    short_help=N_("Change a deal's fields."),
    help=N_("Change a deal's fields; only the options given are changed."),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@click.option("--title", default=None, help=N_("New title."))
@click.option("--company", default=None, help=N_("New company."))
@click.option("--value", default=None, help=N_("New value, e.g. 12500.50."))
@click.option("--currency", default=None, help=N_("New three-letter currency code."))
@click.option("--owner", default=None, help=N_("New owner login."))
@click.option(
    "--close", default=None, metavar=N_("YYYY-MM-DD"), help=N_('Expected close ("" clears).')
)
@click.option("--notes", default=None, help=N_('New notes ("" clears).'))
@_if_version
@click.pass_context
def edit_command(
    ctx: click.Context,
    deal_id: int,
    title: str | None,
    company: str | None,
    value: str | None,
    currency: str | None,
    owner: str | None,
    close: str | None,
    notes: str | None,
    if_version: int | None,
) -> None:
    """``salesboard edit``: change the fields given as options."""
    given = {
        "title": title,
        "company": company,
        "value": value,
        "currency": currency,
        "owner": owner,
        "expected_close": close,
        "notes": notes,
    }
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    pipeline = _session(ctx).pipeline()
    seen = if_version if if_version is not None else pipeline.get_deal(deal_id).version
    deal = pipeline.edit_deal(deal_id, expected_version=if_version, **changes)
    if deal.version == seen:
        _confirm(deal, _("nothing to change, it already has those values"))
    else:
        _confirm(deal, _("saved"))


@cli.command(
    "history",
    short_help=N_("Every change of a deal, newest first."),
    help=N_("Every change of a deal, newest first: who, when (UTC), what, before and after."),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@_json_flag
@click.pass_context
def history_command(ctx: click.Context, deal_id: int, as_json: bool) -> None:
    """``salesboard history``: a deal's events, as a table or JSON."""
    events = _session(ctx).pipeline().history(deal_id)
    if as_json:
        _print_json([event.to_json() for event in events])
    else:
        _console().print(_history_table(events))
