"""``salesboard problem``: what Discovery finds, prioritised and priced."""

from __future__ import annotations

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _confirm, _console, _print_json
from salesboard.cli.params import DEAL_ID, WordChoice, _if_version, _json_flag
from salesboard.cli.part_output import saved_text
from salesboard.cli.part_params import (
    PRIORITY_CHOICES,
    PROBLEM_ID,
    PartGroup,
    changed_by,
    given,
    substance,
)
from salesboard.i18n import N_, _


@cli.group(
    "problem",
    cls=PartGroup,
    short_help=N_("A deal's problems, prioritised and priced."),
    help=N_(
        "Record the customer's problems a deal is to solve, each with a priority and a "
        "price once known, and mark them solved."
    ),
)
def problem_group() -> None:
    """``salesboard problem``: its subcommands add, change and list problems."""


_PRIORITY_HELP = N_(
    "How much it matters: high, medium or low; needed before 'Everything prioritised and "
    "priced' can be ticked."
)
_PRICE_HELP = N_(
    "What solving it is worth, e.g. 12500.50; needed before 'Everything prioritised and "
    "priced' can be ticked."
)


@problem_group.command(
    "add",
    short_help=N_("Record a problem; print its id."),
    help=N_(
        "Record a problem of deal ID and print its id (with --json, the problem).\n\n"
        "A problem is often found before it is priced: the priority and the price can "
        "follow with 'problem edit'."
    ),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@click.argument("text", metavar=N_("TEXT"))
@click.option("--priority", default=None, type=WordChoice(PRIORITY_CHOICES), help=_PRIORITY_HELP)
@click.option("--price", default=None, metavar=N_("VALUE"), help=_PRICE_HELP)
@click.option(
    "--currency",
    default=None,
    metavar=N_("CURRENCY"),
    help=N_("Three-letter code of the price (default: the deal's)."),
)
@_if_version
@click.option("--json", "as_json", is_flag=True, help=N_("Print the new problem as JSON."))
@click.pass_context
def problem_add_command(
    ctx: click.Context,
    deal_id: int,
    text: str,
    priority: str | None,
    price: str | None,
    currency: str | None,
    if_version: int | None,
    as_json: bool,
) -> None:
    """``salesboard problem add``: only the new id goes to stdout (for scripts)."""
    added = substance(ctx).add_problem(
        deal_id,
        text,
        priority=priority,
        price=price,
        currency=currency,
        expected_version=if_version,
    )
    if as_json:
        found = next(p for p in added.deal.parts.problems if p.id == added.part_id)
        _print_json(found.to_json())
    else:
        click.echo(str(added.part_id))


@problem_group.command(
    "edit",
    short_help=N_("Change, price or solve a problem."),
    help=N_("Change problem PROBLEM_ID; only the options given are changed."),
)
@click.argument("problem_id", metavar=N_("PROBLEM_ID"), type=PROBLEM_ID)
@click.option("--text", default=None, metavar=N_("TEXT"), help=N_("New description."))
@click.option("--priority", default=None, type=WordChoice(PRIORITY_CHOICES), help=_PRIORITY_HELP)
@click.option("--price", default=None, metavar=N_("VALUE"), help=N_('New price ("" clears).'))
@click.option(
    "--currency", default=None, metavar=N_("CURRENCY"), help=N_("New three-letter currency code.")
)
@click.option("--solved/--open", "solved", default=None, help=N_("Solved, or open again."))
@_if_version
@click.pass_context
def problem_edit_command(
    ctx: click.Context,
    problem_id: int,
    text: str | None,
    priority: str | None,
    price: str | None,
    currency: str | None,
    solved: bool | None,
    if_version: int | None,
) -> None:
    """``salesboard problem edit``: change the fields given as options."""
    work = substance(ctx)
    changes = given(
        description=text, priority=priority, price=price, currency=currency, solved=solved
    )
    edited, recorded = changed_by(
        work.pipeline,
        lambda: work.edit_problem(problem_id, expected_version=if_version, **changes),
    )
    _confirm(edited.deal, saved_text(_("problem {id}").format(id=problem_id), recorded))


@problem_group.command(
    "remove",
    short_help=N_("Take a problem off its deal."),
    help=N_(
        "Take problem PROBLEM_ID off its deal.\n\n"
        "Nothing is deleted silently: the removal is a change in the deal's history, "
        "which keeps everything the problem held."
    ),
)
@click.argument("problem_id", metavar=N_("PROBLEM_ID"), type=PROBLEM_ID)
@_if_version
@click.pass_context
def problem_remove_command(ctx: click.Context, problem_id: int, if_version: int | None) -> None:
    """``salesboard problem remove``: the removal is an event of the deal."""
    removed = substance(ctx).remove_problem(problem_id, expected_version=if_version)
    what = _("problem {id} removed (kept in the history)").format(id=problem_id)
    _confirm(removed.deal, what)


@problem_group.command(
    "list",
    short_help=N_("A deal's problems by priority."),
    help=N_(
        "List deal ID's problems: open ones by priority (unset last), then solved ones, "
        "with what the open ones are priced at together."
    ),
)
@click.argument("deal_id", metavar=N_("ID"), type=DEAL_ID)
@_json_flag
@click.pass_context
def problem_list_command(ctx: click.Context, deal_id: int, as_json: bool) -> None:
    """``salesboard problem list``: a table with the open problems' total, or JSON."""
    from salesboard.cli.part_hints import add_problem
    from salesboard.cli.part_output import problem_table, problem_total_line, warn_damaged

    parts = substance(ctx).parts(deal_id)
    warn_damaged(parts)
    if as_json:
        _print_json([problem.to_json() for problem in parts.problems])
        return
    console = _console()
    if not parts.problems:
        console.print(
            _("no problems yet; record one with {command}").format(command=add_problem(deal_id))
        )
        return
    console.print(problem_table(parts.problems))
    console.print(problem_total_line(parts))
