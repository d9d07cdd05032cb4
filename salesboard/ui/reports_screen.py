"""The reports screen: forecast, funnel and days in stage as charts; stuck deals, outcomes.

Opened from the board (``R``, or "Reports" in the palette). The facts (every deal and its
moves) are read once, in a worker thread, when the screen opens; choosing another report,
quarter or owner computes again from those facts, also in a worker, and never reads the
database again. Each answer remembers what it was computed for, so a late one that the
user has already moved past is dropped. Everything is driven by keys: Tab and 1–5 pick
the report, ``[`` and ``]`` the quarter (``t`` this one), ``o`` and ``m`` the owner, Esc
goes back to the board.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState
from textual_plotext import PlotextPlot

from salesboard.calendar_text import day_text
from salesboard.filled_text import filled
from salesboard.i18n import N_, _, ngettext
from salesboard.reports.facts import Facts, Period, add_months, local_day, quarter_key
from salesboard.reports.forecast import quarter_text
from salesboard.ui import keymap
from salesboard.ui.choice_screen import ChoiceScreen, owner_choices, owner_text
from salesboard.ui.context import BoardContext
from salesboard.ui.footer import KeyHints
from salesboard.ui.keymap import bindings
from salesboard.ui.report_charts import (
    Chart,
    days_chart,
    days_note,
    draw,
    forecast_chart,
    forecast_note,
    funnel_chart,
    funnel_note,
    legend,
    tables_renderable,
)
from salesboard.validation import display_safe

FORECAST, FUNNEL, DAYS, STUCK, OUTCOMES = "forecast", "funnel", "days", "stuck", "outcomes"
REPORTS: Final = (
    (FORECAST, N_("Forecast")),
    (FUNNEL, N_("Funnel")),
    (DAYS, N_("Days in stage")),
    (STUCK, N_("Stuck")),
    (OUTCOMES, N_("Outcomes")),
)
"""The reports in the order of their keys (1–5) and of Tab, with their names."""


@dataclass(frozen=True)
class Wanted:
    """What the screen shows: which report, for which quarter and whose deals."""

    report: str
    period: Period
    owner: str | None

    @property
    def computed(self) -> tuple[str, Period | None, str | None]:
        """What must be computed for it: the funnel serves two charts; stuck is about now."""
        source = FUNNEL if self.report == DAYS else self.report
        return source, None if source == STUCK else self.period, self.owner


def compute(facts: Facts, source: str, period: Period | None, owner: str | None) -> object:
    """One report from the loaded facts (no database): run in a worker thread."""
    narrowed = facts.of_owner(owner)
    if source == STUCK:
        from salesboard.reports import stuck

        return stuck.report(narrowed)
    assert period is not None
    if source == FORECAST:
        from salesboard.reports import forecast

        return forecast.report(narrowed, period)
    if source == FUNNEL:
        from salesboard.reports import funnel

        return funnel.report(narrowed, period)
    from salesboard.reports import outcomes

    return outcomes.report(narrowed, period)


class ReportsScreen(ModalScreen[None]):
    """Charts and tables of the pipeline, for a quarter and everyone or one owner."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.REPORT_NEXT,
        keymap.REPORT_PREVIOUS,
        *keymap.REPORT_PICKS,
        keymap.PERIOD_BEFORE,
        keymap.PERIOD_AFTER,
        keymap.PERIOD_NOW,
        keymap.REPORT_OWNER,
        keymap.REPORT_MINE,
        keymap.ENDED_CLOSE,
        keymap.HELP,
        keymap.QUIT,
    )

    def __init__(self, context: BoardContext, *, owner: str | None = None) -> None:
        super().__init__()
        self.ctx = context
        today = local_day(context.clock(), None)
        self.wanted = Wanted(FORECAST, Period.quarter_of(today), owner)
        self.facts: Facts | None = None
        self._computed: dict[tuple[str, Period | None, str | None], object] = {}
        self.shown: Wanted | None = None
        """What the screen draws now (None: still reading or computing)."""
        self.reads = 0
        """How many times the facts were read from the database (once per screen)."""

    @property
    def loaded(self) -> bool:
        """Whether the screen shows what is wanted (not still reading or computing)."""
        return self.shown == self.wanted

    def compose(self) -> ComposeResult:
        """The heading, the report picker, the chart or tables, the note, the key hints."""
        yield Static(id="reports-title")
        yield Static(id="reports-tabs")
        yield Static(id="reports-legend")
        yield Static(id="reports-empty")
        yield PlotextPlot(id="reports-chart")
        with VerticalScroll(id="reports-tables"):
            yield Static(id="reports-table")
        yield Static(id="reports-note")
        yield KeyHints()

    def on_mount(self) -> None:
        """Read the facts in a worker; the heading says so meanwhile."""
        for hidden in ("#reports-chart", "#reports-tables", "#reports-legend"):
            self.query_one(hidden).display = False
        self._heading()
        context = self.ctx
        now = context.clock()
        rates = context.rates.current()
        db = context.pipeline.db
        self.reads += 1

        def read() -> Facts:
            from salesboard.reports.source import load_facts

            return load_facts(db, now=now, rates=rates)

        self.run_worker(read, thread=True, group="reports-read", exit_on_error=False)

    def on_resize(self) -> None:
        """Fit a shown table to the new width (a chart fits itself)."""
        if self.facts is not None and self.query_one("#reports-tables").display:
            self._show()

    # ---------------------------------------------------------------- answers

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Take the facts or a computed report; say why when either failed."""
        worker = event.worker
        if worker.group not in ("reports-read", "reports-compute"):
            return
        if event.state is WorkerState.ERROR:
            self._failed(str(worker.error))
            return
        if event.state is not WorkerState.SUCCESS:
            return
        if worker.group == "reports-read" and isinstance(worker.result, Facts):
            self.facts = worker.result
            self._show()
        elif worker.group == "reports-compute" and isinstance(worker.result, tuple):
            key, found = worker.result
            self._computed[key] = found
            self._show()

    def _failed(self, why: str) -> None:
        self.shown = None
        self.query_one("#reports-chart").display = False
        self.query_one("#reports-tables").display = False
        empty = self.query_one("#reports-empty", Static)
        empty.update(Text(display_safe(why, multiline=True)))
        empty.display = True
        self.query_one("#reports-title", Static).update(
            Text(_("The report could not be made"), style="bold")
        )

    # ---------------------------------------------------------------- drawing

    def _show(self) -> None:
        """Draw what is wanted if it is computed; else compute it (in a worker)."""
        self._heading()
        if self.facts is None:
            return
        wanted = self.wanted
        key = wanted.computed
        found = self._computed.get(key)
        if found is None:
            facts = self.facts

            def work() -> tuple[tuple[str, Period | None, str | None], object]:
                return key, compute(facts, *key)

            self.run_worker(
                work, thread=True, exclusive=True, group="reports-compute", exit_on_error=False
            )
            return
        self._draw(wanted, found)
        self.shown = wanted
        self._heading()

    def _draw(self, wanted: Wanted, found: Any) -> None:
        chart: Chart | None = None
        note = ""
        if wanted.report == FORECAST:
            chart, note = forecast_chart(found), forecast_note(found)
        elif wanted.report == FUNNEL:
            chart, note = funnel_chart(found), funnel_note(found)
        elif wanted.report == DAYS:
            chart, note = days_chart(found), days_note(found)
        plot = self.query_one("#reports-chart", PlotextPlot)
        tables = self.query_one("#reports-tables", VerticalScroll)
        empty = self.query_one("#reports-empty", Static)
        if chart is not None:
            draw(plot.plt, chart)
            plot.refresh()
            self.query_one("#reports-legend", Static).update(legend(chart))
            empty.update(Text(_("Nothing to chart for this period and owner.")))
            empty.display = chart.empty
            plot.display = not chart.empty
            tables.display = False
            self.query_one("#reports-legend").display = not chart.empty
        else:
            room = max(20, self.size.width - 4)  # the tables' padding and scroll bar
            drawn = tables_renderable(found.tables(), room)
            self.query_one("#reports-table", Static).update(drawn)
            tables.scroll_home(animate=False)
            tables.display = True
            plot.display = False
            empty.display = False
            self.query_one("#reports-legend").display = False
        if self.facts is not None and self.facts.damaged:  # figures must not look complete
            count = len(self.facts.damaged)
            left_out = ngettext(
                "{count} damaged deal is left out of these figures; run 'salesboard doctor'.",
                "{count} damaged deals are left out of these figures; run 'salesboard doctor'.",
                count,
            ).format(count=count)
            note = f"{note}\n{left_out}" if note else left_out
        self.query_one("#reports-note", Static).update(Text(note, style="dim"))

    def _heading(self) -> None:
        """The title (report, period, owner) and the line of reports, current one lit."""
        wanted = self.wanted
        name = _(dict(REPORTS)[wanted.report])
        if wanted.report == STUCK:
            when = _("now")
        else:
            first, last = wanted.period.first, wanted.period.last
            when = _("{quarter} ({first} – {last})").format(
                quarter=quarter_text(quarter_key(first)),
                first=day_text(first),
                last=day_text(last),
            )
        if wanted.owner is None:
            whose = Text(_("everyone"))
        else:
            whose = filled(_("{owner}'s deals"), {"owner": owner_text(wanted.owner)})
        title = Text.assemble((name, "bold"), " · ", when, " · ", whose)
        if self.facts is None:
            title.append(" · " + _("reading…"), "italic")
        elif not self.loaded:
            title.append(" · " + _("working…"), "italic")
        title.no_wrap = True
        title.overflow = "ellipsis"
        self.query_one("#reports-title", Static).update(title)
        tabs = Text(no_wrap=True, overflow="ellipsis")
        for n, (report, label) in enumerate(REPORTS, start=1):
            style = "bold reverse" if report == wanted.report else ""
            tabs.append(f" {n} {_(label)} ", style)
            tabs.append(" ")
        self.query_one("#reports-tabs", Static).update(tabs)

    def _want(self, wanted: Wanted) -> None:
        if wanted != self.wanted:
            self.wanted = wanted
            self._show()

    # ---------------------------------------------------------------- keys

    def action_report(self, step: int) -> None:
        """The next (or previous) report."""
        names = [report for report, _label in REPORTS]
        index = (names.index(self.wanted.report) + step) % len(names)
        self.action_pick(index)

    def action_pick(self, index: int) -> None:
        """The report with this number (0: forecast)."""
        report = REPORTS[index][0]
        self._want(Wanted(report, self.wanted.period, self.wanted.owner))

    def action_period(self, step: int) -> None:
        """The quarter before or after the one shown."""
        try:
            quarter = Period.quarter_of(add_months(self.wanted.period.first, 3 * step))
        except ValueError:  # before 1900 or after 9998: where periods end
            self.app.bell()
            return
        self._want(Wanted(self.wanted.report, quarter, self.wanted.owner))

    def action_this_quarter(self) -> None:
        """Back to the quarter of today."""
        today = local_day(self.ctx.clock(), None)
        self._want(Wanted(self.wanted.report, Period.quarter_of(today), self.wanted.owner))

    def action_mine(self) -> None:
        """Only my deals, or everyone's again."""
        owner = None if self.wanted.owner is not None else self.ctx.user
        self._want(Wanted(self.wanted.report, self.wanted.period, owner))

    def action_owner(self) -> None:
        """Pick whose deals the reports count: everyone's, mine, or any colleague's."""
        counts: dict[str, int] = {}
        for deal in self.facts.deals if self.facts is not None else ():
            counts[deal.owner] = counts.get(deal.owner, 0) + 1
        total = sum(counts.values())
        everyone = ngettext("Everyone ({count} deals)", "Everyone ({count} deals)", total)
        owners, choices = owner_choices(self.ctx.user, counts, everyone.format(count=total))
        current = self.wanted.owner
        selected = owners.index(current) + 1 if current in owners else 0

        def chosen(index: int | None) -> None:
            if index is not None:
                owner = None if index == 0 else owners[index - 1]
                self._want(Wanted(self.wanted.report, self.wanted.period, owner))

        self.app.push_screen(ChoiceScreen(_("Reports on the deals of"), choices, selected), chosen)

    def action_close(self) -> None:
        """Back to the board, as it was."""
        self.dismiss(None)
