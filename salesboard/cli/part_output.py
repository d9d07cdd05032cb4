"""How the commands print a deal's activities, stakeholders, problems and next step.

Every stored value is put in as ``Text`` (``output._text``): shown literally, terminal
control bytes removed. Due times are stored in UTC and shown in the user's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from salesboard.calendar_text import day_text, moment_text, numeric_moment_text
from salesboard.cli.output import _money, _text
from salesboard.filled_text import filled
from salesboard.i18n import _, ngettext

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from salesboard.service import DealView
    from salesboard.service.part_rows import AgendaEntry
    from salesboard.service.part_views import (
        ActivityView,
        DealParts,
        NextStep,
        ProblemView,
    )

OVERDUE_STYLE = "bold red"


def local_moment(moment: datetime, *, numeric: bool = True) -> str:
    """A stored (UTC) time in the user's zone: digits for a table column, else in words."""
    shown = moment.astimezone()
    return numeric_moment_text(shown) if numeric else moment_text(shown)


def _table() -> Table:
    from rich import box
    from rich.table import Table

    return Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)


def _first_line(text: str) -> Text:
    """A block (agenda, notes) as one cut line: its first line, with an ellipsis if more."""
    lines = text.strip().splitlines()
    shown = lines[0] + (" …" if len(lines) > 1 else "") if lines else ""
    return _text(shown, cut=True)


def due_text(activity: ActivityView, now: datetime) -> Text:
    """When an activity is due, in the user's zone; overdue ones marked and in red."""
    when = local_moment(activity.due_at)
    if activity.overdue(now):
        return _text(_("{when} ⚠ overdue").format(when=when), OVERDUE_STYLE)
    return _text(when)


def _state(activity: ActivityView) -> Text:
    """``✓ done by alice 2027-01-15 10:30`` for a done activity, else nothing."""
    if activity.done_at is None:
        return _text("")
    return filled(
        _("✓ done by {who} {when}"),
        {"who": _text(activity.done_by or "?"), "when": local_moment(activity.done_at)},
        style="green",
    )


def activity_table(activities: Sequence[ActivityView], now: datetime) -> Table:
    """A deal's activities: open ones by due time (overdue marked), then done ones."""
    from salesboard.substance import kind_word

    table = _table()
    table.add_column(_("ID"), justify="right", no_wrap=True)
    table.add_column(_("Due"), no_wrap=True)
    table.add_column(_("Kind"), no_wrap=True)
    table.add_column(_("Title"), max_width=50)
    table.add_column(_("Owner"), max_width=16)
    table.add_column(_("Agenda"), max_width=40)
    table.add_column(_("Done"), no_wrap=True)
    for activity in activities:
        table.add_row(
            str(activity.id),
            due_text(activity, now),
            kind_word(activity.kind),
            _text(activity.title, cut=True),
            _text(activity.owner, cut=True),
            _first_line(activity.agenda),
            _state(activity),
        )
    return table


def stakeholder_table(parts: DealParts) -> Table:
    """A deal's stakeholders grouped by stance (allies, enemies, neutral)."""
    from salesboard.substance import level_word, stance_group

    table = _table()
    table.add_column(_("Stance"), no_wrap=True)
    table.add_column(_("ID"), justify="right", no_wrap=True)
    table.add_column(_("Name"), max_width=30)
    table.add_column(_("Organisation"), max_width=30)
    table.add_column(_("Role"), max_width=24)
    table.add_column(_("Influence"), no_wrap=True)
    table.add_column(_("E-mail"), max_width=30)
    table.add_column(_("Phone"), no_wrap=True)
    table.add_column(_("Notes"), max_width=30)
    for stance, group in parts.by_stance():
        for n, person in enumerate(group):
            table.add_row(
                _text(stance_group(stance), "bold") if n == 0 else "",
                str(person.id),
                _text(person.name, cut=True),
                _text(person.organisation, cut=True),
                _text(person.role, cut=True),
                level_word(person.influence),
                _text(person.email, cut=True),
                _text(person.phone, cut=True),
                _first_line(person.notes),
                end_section=n == len(group) - 1,
            )
    return table


def problem_table(problems: Sequence[ProblemView]) -> Table:
    """A deal's problems: open ones by priority (unset last), then solved ones."""
    from salesboard.substance import level_word, problem_status_word

    table = _table()
    table.add_column(_("ID"), justify="right", no_wrap=True)
    table.add_column(_("Priority"), no_wrap=True)
    table.add_column(_("Problem"), max_width=60)
    table.add_column(_("Price"), justify="right", no_wrap=True)
    table.add_column(_("Status"), no_wrap=True)
    for problem in problems:
        price = (
            "—" if problem.price_minor is None else _money(problem.price_minor, problem.currency)
        )
        table.add_row(
            str(problem.id),
            "—" if problem.priority is None else level_word(problem.priority),
            _text(problem.description, "" if problem.open else "dim", cut=True),
            price,
            problem_status_word(problem.status),
        )
    return table


def problem_total_line(parts: DealParts) -> str:
    """What the open problems are priced at together, per currency (never added across)."""
    from salesboard.cli.output import _safe

    totals = parts.problem_totals()
    if not totals:
        return _("no open problem is priced yet")
    amounts = ", ".join(_money(value, code) for code, value in sorted(totals.items()))
    return _("open problems priced at {amounts}").format(amounts=_safe(amounts))


def next_step_text(step: NextStep | None, now: datetime, *, is_open: bool, full: bool) -> Text:
    """A deal's next step: kind and due time (``full``: and its title), overdue in red.

    An open deal without one is marked, as on its card; a closed one shows a dash.
    """
    from salesboard.substance import kind_word

    if step is None:
        return _text(_("⚠ no next step"), "yellow") if is_open else _text("—")
    style = OVERDUE_STYLE if step.overdue(now) else ""
    mark = "⚠ " if step.overdue(now) else ""
    if not full:
        when = day_text(step.due_at.astimezone().date())
        return _text(f"{mark}{kind_word(step.kind)} {when}", style, cut=True)
    return filled(
        _("{mark}{kind} {when}: {title}"),
        {
            "mark": mark,
            "kind": kind_word(step.kind),
            "when": local_moment(step.due_at, numeric=False),
            "title": _text(step.title),
        },
        style=style,
    )


def show_parts(console: Console, deal: DealView, now: datetime) -> None:
    """The sections ``show`` prints after the checklists: activities, stakeholders, problems."""
    parts = deal.parts
    sections: list[tuple[str, int, Any]] = [
        (_("Activities"), len(parts.activities), lambda: activity_table(parts.activities, now)),
        (_("Stakeholders"), len(parts.stakeholders), lambda: stakeholder_table(parts)),
        (_("Problems"), len(parts.problems), lambda: problem_table(parts.problems)),
    ]
    for title, count, table in sections:
        console.print()
        heading = _("{section} ({count})").format(section=title, count=count)
        console.print(_text(heading, "bold"))
        if count:
            console.print(table())
        else:
            console.print(_text(_("none yet"), "dim"))
    if parts.problems:
        console.print(problem_total_line(parts))
    for damage in parts.damaged:
        console.print(_text(f"⚠ {damage}", "red"))


def agenda_table(entries: Sequence[AgendaEntry], now: datetime, *, with_owner: bool) -> Table:
    """Open activities by due time, overdue (first) marked, each with its deal."""
    from salesboard.substance import kind_word
    from salesboard.validation import display_safe

    table = _table()
    table.add_column(_("Due"), no_wrap=True)
    table.add_column(_("Kind"), no_wrap=True)
    table.add_column(_("Title"), max_width=50)
    table.add_column(_("Deal"), max_width=50)
    if with_owner:
        table.add_column(_("Owner"), max_width=16)
    for entry in entries:
        activity = entry.activity
        deal = _text(f"{activity.deal_id} {display_safe(entry.deal_title)}", cut=True)
        row: list[Any] = [
            due_text(activity, now),
            kind_word(activity.kind),
            _text(activity.title, cut=True),
            deal,
        ]
        if with_owner:
            row.append(_text(activity.owner, cut=True))
        table.add_row(*row)
    return table


def saved_text(what: str, recorded: bool) -> str:
    """``activity 3 saved``, or that it already had those values (``what`` is translated)."""
    if recorded:
        return _("{what} saved").format(what=what)
    return _("{what}: nothing to change, it already has those values").format(what=what)


def count_line(count: int, overdue: int) -> str:
    """``3 open activities, 1 overdue`` under the agenda."""
    line = ngettext("{count} open activity", "{count} open activities", count).format(count=count)
    if overdue:
        line = _("{line}, {overdue} overdue").format(line=line, overdue=overdue)
    return line


def warn_damaged(parts: DealParts) -> None:
    """One stderr line per part that cannot be read (the command still succeeds)."""
    import click

    from salesboard.cli.params import PROG
    from salesboard.validation import display_safe

    for damage in parts.damaged:
        warning = _("warning: {damage}").format(damage=display_safe(damage))
        click.echo(f"{PROG}: {warning}", err=True)
