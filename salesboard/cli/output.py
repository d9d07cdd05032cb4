"""What the commands print: literal text, money, dates, tables and exact JSON."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from salesboard.calendar_text import day_text, moment_text
from salesboard.cli.params import PROG
from salesboard.filled_text import filled
from salesboard.i18n import N_, _, ngettext, pgettext

if TYPE_CHECKING:
    from datetime import date, datetime

    from rich.console import Console
    from rich.text import Text

    from salesboard.service import DealSummary, DealView, EventView, JobView
    from salesboard.store import Database


def _console() -> Console:
    """A Rich console for stdout that never interprets markup, emoji codes or numbers.

    User text is passed as ``Text`` anyway; these switches make sure no plain string is
    ever styled either. Rich drops colour by itself when stdout is not a terminal.
    """
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # Rich would exit with 1, the code for "the database cannot be used".
            raise BrokenPipeError

    return _Console(highlight=False, markup=False, emoji=False)


def _text(value: str, style: str = "", *, multiline: bool = False, cut: bool = False) -> Text:
    """User text as a Rich ``Text``: shown literally, terminal control bytes removed.

    ``cut`` keeps it on one line, ending in an ellipsis where the column is too narrow.
    """
    from rich.text import Text

    from salesboard.validation import display_safe

    if cut:
        return Text(display_safe(value), style=style, no_wrap=True, overflow="ellipsis")
    return Text(display_safe(value, multiline=multiline), style=style)


def _money(value_minor: int, currency: str) -> str:
    """An amount as ``12 500.00 EUR``: the one way money is written, which input takes back."""
    from salesboard.money import money_text
    from salesboard.validation import display_safe

    return display_safe(money_text(value_minor, currency))


def _when(moment: datetime) -> str:
    """A stored (UTC) time to the minute, as shown in tables ("time unknown" if damaged)."""
    from salesboard.service.views import UNKNOWN_TIME

    if moment == UNKNOWN_TIME:
        return _("time unknown")
    return moment_text(moment)


def _day(value: date | None) -> str:
    """A date, or a dash for none."""
    return day_text(value) if value else "—"


def _safe(text: str) -> str:
    """A path or name for a message line, with terminal control characters removed."""
    from salesboard.validation import display_safe

    return display_safe(text)


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Characters a terminal (or a JavaScript reader) could act on, besides the C0 controls
that ``json.dumps`` escapes itself: DEL and C1 controls, line and paragraph separators,
direction overrides, and lone surrogates (which could not even be encoded)."""


def json_text(data: Any, *, indent: int | None = None) -> str:
    """Exact JSON whose strings can never drive a terminal.

    Non-ASCII text stays readable; every character in ``_UNSAFE_IN_JSON`` is written as
    a JSON ``u``-escape (backslash, u, four hex digits), so a script reading the JSON gets
    the stored text back exactly while a person looking at it sees only plain characters.
    """
    encoded = json.dumps(data, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", encoded)


def _print_json(data: Any) -> None:
    """JSON for scripts: text kept as is (non-ASCII unescaped, controls escaped).

    Indented for a person at a terminal; one line when piped, because only the compact
    form uses the json module's C encoder (four times faster on 10,000 deals).
    """
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json_text(data, indent=indent))


def _deal_table(
    deals: Sequence[DealSummary], *, with_status: bool, width: int, whole: bool = False
) -> Any:
    """The pipeline as a table: one row per deal, long text cut with an ellipsis.

    Figures never shrink; the text columns give way first (their cells are cut with an
    ellipsis rather than wrapped, so every deal stays one line). Below 100 columns the
    expected close date is left out so that titles stay readable in an 80-column terminal,
    below 120 the next step (kind and day, overdue in red, "no next step" marked).
    ``whole`` (written to a file or a pipe, which has no width): every column and every
    character, as the reports do.
    """
    from rich import box
    from rich.table import Table

    from salesboard.workflow import status_word

    with_close = whole or width >= 100
    with_next = whole or width >= 120
    cut = not whole
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)
    table.add_column(_("ID"), justify="right", no_wrap=True)
    table.add_column(_("Title"), max_width=None if whole else 60)
    table.add_column(_("Company"), max_width=None if whole else 40)
    table.add_column(_("Stage"), no_wrap=True)
    table.add_column(_("Jobs"), justify="right", no_wrap=True)
    table.add_column(_("Value"), justify="right", no_wrap=True)
    table.add_column(_("Owner"), max_width=None if whole else 16)
    if with_close:
        table.add_column(pgettext("close date", "Close"), no_wrap=True)
    if with_status:
        table.add_column(_("Status"), no_wrap=True)
    if with_next:
        from datetime import UTC, datetime

        from salesboard.cli.part_output import next_step_text
        from salesboard.workflow import Status

        now = datetime.now(UTC)
        table.add_column(_("Next step"), max_width=None if whole else 30)
    for deal in deals:
        if deal.damage is not None:
            damaged = _damaged_row(deal, with_close=with_close, with_status=with_status)
            table.add_row(*damaged, *(["?"] if with_next else []))
            continue
        row: list[Any] = [
            str(deal.id),
            _text(deal.title, cut=cut),
            _text(deal.company, cut=cut),
            deal.stage.label,
            f"{deal.jobs_done}/{deal.jobs_total}",
            _money(deal.value_minor, deal.currency),
            _text(deal.owner, cut=cut),
        ]
        if with_close:
            row.append(_day(deal.expected_close))
        if with_status:
            row.append(status_word(deal.status))
        if with_next:
            is_open = deal.status is Status.OPEN
            row.append(next_step_text(deal.next_step, now, is_open=is_open, full=False))
        table.add_row(*row)
    return table


def _total_line(db: Database, deals: Sequence[DealSummary]) -> str:
    """What the listed deals are worth together, in the base currency, never mixed."""
    from salesboard.money import money_text
    from salesboard.service.rates import RateBook

    rates = RateBook(db).current()
    total, converted = 0, False
    apart: dict[str, int] = {}
    for deal in deals:
        if deal.damage is not None:
            continue
        value = rates.convert(deal.value_minor, deal.currency)
        if value is None:
            apart[deal.currency] = apart.get(deal.currency, 0) + deal.value_minor
        else:
            total += value
            converted = converted or deal.currency != rates.base
    amount = money_text(total, rates.base)
    if converted:
        line = _("total ≈{amount} (converted at the team's rates)").format(amount=amount)
    else:
        line = _("total {amount}").format(amount=amount)
    if apart:
        amounts = ", ".join(money_text(value, code) for code, value in sorted(apart.items()))
        line = _("{total}; without a rate, not added: {amounts}").format(
            total=line, amounts=_safe(amounts)
        )
    return line


def _damaged_row(deal: DealSummary, *, with_close: bool, with_status: bool) -> list[Any]:
    """A table row for a deal that cannot be read: its id, title and what is wrong."""
    row: list[Any] = [
        str(deal.id),
        _text(deal.title, cut=True),
        _text(_("⚠ damaged (below)"), "bold red", cut=True),
        "?",
        "?",
        "?",
        "?",
    ]
    if with_close:
        row.append("?")
    if with_status:
        row.append(_("damaged"))
    return row


def _warn_damaged(deals: Sequence[DealSummary]) -> None:
    """One line on stderr when some rows could not be read (the command still succeeds)."""
    damaged = [deal for deal in deals if deal.damage is not None]
    if damaged:
        ids = ", ".join(str(deal.id) for deal in damaged[:10]) + (
            ", …" if len(damaged) > 10 else ""
        )
        warning = ngettext(
            "warning: {count} damaged deal ({ids}) could not be read; "
            "run 'salesboard doctor' to see every problem",
            "warning: {count} damaged deals ({ids}) could not be read; "
            "run 'salesboard doctor' to see every problem",
            len(damaged),
        ).format(count=len(damaged), ids=ids)
        click.echo(f"{PROG}: {warning}", err=True)


def _show_deal(console: Console, deal: DealView) -> None:
    """The human form of one deal: its fields, then every stage's checklist."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    from salesboard.validation import display_safe
    from salesboard.workflow import Stage, Status, status_word

    s = deal.summary
    console.print(
        filled(
            _("Deal {id}: {title}"), {"id": str(s.id), "title": _text(s.title, "bold")}, base="bold"
        )
    )
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="dim", no_wrap=True)
    fields.add_column(overflow="fold")
    fields.add_row(_("Company"), _text(s.company))
    fields.add_row(_("Value"), _money(s.value_minor, s.currency))
    fields.add_row(_("Owner"), _text(s.owner))
    from datetime import UTC
    from datetime import datetime as clock

    days = max(0, (clock.now(UTC) - s.stage_entered_at).days)  # as the card counts them
    where = ngettext(
        "{stage} ({n} of {total}), {days} day in stage",
        "{stage} ({n} of {total}), {days} days in stage",
        days,
    ).format(stage=s.stage.label, n=int(s.stage), total=len(Stage), days=days)
    fields.add_row(_("Stage"), where)
    if s.status is Status.LOST:
        fields.add_row(
            _("Status"), filled(_("lost — {reason}"), {"reason": _text(s.lost_reason or "")})
        )
    elif s.status is Status.FINISHED:
        fields.add_row(_("Status"), _finished_text(s.outcome, s.satisfaction))
    else:
        fields.add_row(_("Status"), status_word(s.status))
    fields.add_row(pgettext("close date", "Close"), _day(s.expected_close))
    if deal.parts.next_step is not None or s.status is Status.OPEN:
        from salesboard.cli.part_output import next_step_text

        step = next_step_text(deal.parts.next_step, clock.now(UTC), is_open=True, full=True)
        fields.add_row(_("Next step"), step)
    updated = filled(
        _("{when} UTC by {who}"), {"when": _when(s.updated_at), "who": _text(s.updated_by)}
    )
    fields.add_row(_("Updated"), updated)
    fields.add_row(_("Version"), str(s.version))
    if s.notes:
        fields.add_row(_("Notes"), _text(s.notes, multiline=True))
    console.print(fields)
    console.print()

    # One width for the job texts of every stage, so that "who and when" lines up down the
    # page; on a narrow terminal the texts wrap and the rest keeps its place.
    def who_ticked(job: JobView) -> Text:
        if not job.done:
            return Text()
        who = Text.assemble(" ", _text(job.done_by or "?"))
        if job.done_at is not None:
            who.append(f" {_when(job.done_at)}")
        return who

    who_width = max((who_ticked(job).cell_len for job in deal.checklist), default=0)
    text_width = max((cell_len(display_safe(job.text)) for job in deal.checklist), default=1)
    text_width = max(10, min(text_width, console.width - who_width - 10))
    for stage in Stage:
        jobs = deal.jobs(stage)
        done = sum(job.done for job in jobs)
        current = stage is s.stage
        marker = "▶" if current else " "
        heading = f"{marker} {int(stage)} {stage.label}  {done}/{len(jobs)}"
        if current:
            heading = _("{heading}  (current stage)").format(heading=heading)
        console.print(Text(heading, style="bold reverse" if current else "bold"))
        rows = Table.grid(padding=(0, 1))
        rows.add_column(no_wrap=True)  # indent and mark
        rows.add_column(justify="right", no_wrap=True)
        rows.add_column(overflow="fold", width=text_width)
        rows.add_column(no_wrap=True, style="dim")
        for job in jobs:
            mark = Text("  ✓", style="green") if job.done else Text("  ·", style="dim")
            rows.add_row(mark, f"{job.n}.", _text(job.text), who_ticked(job))
        console.print(rows)


def _history_table(events: Sequence[EventView]) -> Any:
    """A deal's history, newest first: when, who, what kind, and what changed."""
    from rich import box
    from rich.table import Table

    from salesboard.service.history_text import describe_entry, event_label

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column(_("When (UTC)"), no_wrap=True)
    table.add_column(_("Who"), no_wrap=True, overflow="ellipsis", max_width=16)
    table.add_column(_("Event"), no_wrap=True)
    table.add_column(_("Change"), overflow="fold", ratio=1)
    for event in events:
        style = "bold red" if event.damage else ""
        table.add_row(
            _when(event.at),
            _text(event.actor),
            _text(event_label(event.kind, event.damage), style),
            _text(describe_entry(event.kind, event.before, event.after, event.damage), style),
        )
    return table


_OUTCOME_WORDS = {"success": N_("success"), "failure": N_("failure")}
"""A finished deal's outcome as a word (the stored values are ``Outcome``'s)."""


def _finished_text(outcome: object, satisfaction: object) -> str:
    """``finished: success, satisfaction 4/5`` in the language in force."""
    value = getattr(outcome, "value", outcome)
    word = _OUTCOME_WORDS.get(value) if isinstance(value, str) else None
    shown = (value if isinstance(value, str) else "?") if word is None else _(word)
    return _("finished: {outcome}, satisfaction {score}/5").format(
        outcome=shown, score=satisfaction
    )


def _confirm(deal: DealView, what: str) -> None:
    """The one-line answer to a change: what happened and the version to chain on.

    ``what`` is already in the language in force (a whole clause of its own).
    """
    click.echo(
        _("deal {id}: {what} (version {version})").format(
            id=deal.id, what=what, version=deal.version
        )
    )


# -------------------------------------------------------------------------- options
