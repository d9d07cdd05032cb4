"""The reports screen's drawings: a report's figures as a plotext chart, or as tables.

Pure drawing, no data access: the screen hands in a report computed from the loaded
facts. Each chart uses two bar markers as well as two colours (``█`` and ``▒``), so its
two series read apart in monochrome too, and its amounts are written as the board writes
them (``12.5k``). Text that comes from the team's data (stage names, titles, logins) is
made safe before it is drawn: plotext's output is read back as ANSI, and tables are built
of ``Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual_plotext.plot import Plot

from salesboard.calendar_text import close_month_text
from salesboard.i18n import _, ngettext
from salesboard.money import money_text, short_amount
from salesboard.reports.facts import Table, shown_days
from salesboard.reports.layout import table_lines
from salesboard.reports.words import percent_text
from salesboard.validation import display_safe

if TYPE_CHECKING:
    from salesboard.reports.forecast import ForecastReport
    from salesboard.reports.funnel import FunnelReport

MARKERS = ("█", "▒")
"""The two series' bar markers: told apart without colour."""
COLORS = ((0, 130, 200), (245, 130, 48))
"""The two series' colours (Textual's plot colours: read on dark and light themes)."""


KEEP_WHOLE = 12
"""A table column whose cells are all this narrow (figures, dates, stage names) is never
wrapped: at 80 columns the titles and reasons wrap instead."""


@dataclass(frozen=True)
class Chart:
    """What one chart needs: categories, two named series of figures, how to write them.

    ``money`` writes the axis as amounts (hundredths in, ``12.5k`` out), else as counts
    or days. ``across`` draws the categories along the bottom, the two series side by
    side; else the categories are rows (long stage names stay readable at 80 columns)
    and the second series, never larger than the first (advanced of entered, median of
    80th percentile), is drawn over the first: two bars a row would not fit 24 lines.
    """

    categories: tuple[str, ...]
    names: tuple[str, str]
    series: tuple[tuple[float, ...], tuple[float, ...]]
    money: bool
    across: bool

    @property
    def looks(self) -> tuple[tuple[str, tuple[int, int, int]], ...]:
        """Each series' marker and colour: drawn over, the second is the solid one."""
        pairs = tuple(zip(MARKERS, COLORS, strict=True))
        return pairs if self.across else pairs[::-1]

    @property
    def empty(self) -> bool:
        """Whether every bar is zero (nothing to draw: the screen says so instead)."""
        return not any(value for values in self.series for value in values)


def forecast_chart(report: ForecastReport) -> Chart:
    """Value and weighted value of the open deals expected to close in each month."""
    months = tuple(close_month_text(m.month) for m in report.months)
    values = tuple(float(m.figures.value_minor) for m in report.months)
    weighted = tuple(float(m.figures.weighted_minor) for m in report.months)
    names = (_("value"), _("weighted"))
    return Chart(months, names, (values, weighted), money=True, across=True)


def forecast_note(report: ForecastReport) -> str:
    """The totals under the forecast chart, and the deals listed apart."""
    total = report.total
    deals = ngettext("{count} deal", "{count} deals", total.deals).format(count=total.deals)
    line = _("Period: {deals} · value {value} · weighted {weighted}").format(
        deals=deals,
        value=money_text(total.value_minor, report.base),
        weighted=money_text(total.weighted_minor, report.base),
    )
    apart = _(
        "Apart: no close date {undated} · date passed {overdue} · outside the period {outside}"
    )
    shown = apart.format(
        undated=report.undated.deals, overdue=report.overdue.deals, outside=report.outside.deals
    )
    unconverted = (total + report.undated + report.overdue + report.outside).unconverted
    if unconverted:
        no_rate = ngettext(
            "{count} without a rate, counted apart",
            "{count} without a rate, counted apart",
            unconverted,
        )
        shown += " · " + no_rate.format(count=unconverted)
    return f"{line}\n{shown}"


def _percent(value: Decimal | None) -> str:
    """A conversion as a whole percentage, ``–`` when nothing entered."""
    if value is None:
        return "–"
    return _("{percent}%").format(percent=int((value * 100).to_integral_value()))


def funnel_chart(report: FunnelReport) -> Chart:
    """How many deals entered each stage in the period, and how many of them advanced."""
    names = tuple(
        f"{display_safe(flow.stage.label)} {_percent(flow.conversion)}" for flow in report.stages
    )
    entered = tuple(float(flow.entered) for flow in report.stages)
    advanced = tuple(float(flow.advanced) for flow in report.stages)
    labels = (_("entered"), _("advanced"))
    return Chart(names, labels, (entered, advanced), money=False, across=False)


def funnel_note(report: FunnelReport) -> str:
    """Under the funnel: what the percentages are, and how the created deals ended."""
    won = ngettext(
        "Won so far: {won} of the {created} deal created in the period ({rate}).",
        "Won so far: {won} of the {created} deals created in the period ({rate}).",
        report.created,
    ).format(created=report.created, won=report.won, rate=percent_text(report.win_conversion))
    return won + "\n" + _("By each stage: how many of the deals that entered it advanced.")


def days_chart(report: FunnelReport) -> Chart:
    """Median and 80th percentile of the days spent in each stage."""
    names = tuple(display_safe(flow.stage.label) for flow in report.stages)
    median = tuple(_days(flow.median_days) for flow in report.stages)  # never above p80
    p80 = tuple(_days(flow.p80_days) for flow in report.stages)
    labels = (_("80th percentile"), _("median"))
    return Chart(names, labels, (p80, median), money=False, across=False)


def days_note(report: FunnelReport) -> str:
    """Under the days chart: what was measured, and on how many deals."""
    samples = sum(flow.samples for flow in report.stages)
    counted = ngettext("{count} deal", "{count} deals", samples).format(count=samples)
    return _(
        "Days in each stage of the deals that entered it in the period and have left it "
        "({counted})."
    ).format(counted=counted)


def _days(value: Decimal | None) -> float:
    return 0.0 if value is None else float(shown_days(value))


def legend(chart: Chart) -> Text:
    """The chart's key, said above it (plotext's own would cover the first bars)."""
    found = Text(no_wrap=True, overflow="ellipsis")
    for name, (marker, color) in zip(chart.names, chart.looks, strict=True):
        found.append(marker * 2, style=f"rgb({color[0]},{color[1]},{color[2]})")
        found.append(f" {name}   ")
    found.rstrip()
    return found


def draw(plt: Plot, chart: Chart) -> None:
    """Draw ``chart`` on a plotext figure (its earlier drawing cleared)."""
    plt.clear_figure()
    top = max((value for values in chart.series for value in values), default=0.0)
    ticks = nice_ticks(top)
    labels = [_axis_text(tick, money=chart.money) for tick in ticks]
    count = len(chart.categories)
    names = list(chart.categories)
    if chart.across:
        places = [float(n) for n in range(1, count + 1)]
        # plotext takes a marker and a colour per series (its type hints say one).
        markers: Any = [marker for marker, _color in chart.looks]
        colors: Any = [color for _marker, color in chart.looks]
        plt.multiple_bar(
            places,
            [list(values) for values in chart.series],
            marker=markers,
            color=colors,
            width=0.6,
        )
        plt.xticks(places, names)
        plt.xlim(0.5, count + 0.5)  # the last bar clear of the frame
        plt.yticks(ticks, labels)
        plt.ylim(0, ticks[-1])
        return
    # plotext puts the first place at the bottom: top down, the first stage goes highest.
    places = [float(n) for n in range(count, 0, -1)]
    for values, (marker, color) in zip(chart.series, chart.looks, strict=True):
        plt.bar(
            places, list(values), marker=marker, color=color, orientation="horizontal", width=0.6
        )
    plt.yticks(places, names)
    plt.xticks(ticks, labels)
    plt.xlim(0, ticks[-1])


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round axis marks from 0 to at least ``top`` (1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** max(0, len(str(int(raw))) - 1)
    step = next((power * factor for factor in (1, 2, 5, 10) if power * factor >= raw), power * 10)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def _axis_text(value: float, *, money: bool) -> str:
    """An axis mark: an amount as the board writes it (hundredths in), or a count."""
    if money:
        return short_amount(int(value))
    whole = int(value)
    return str(whole) if whole == value else f"{value:g}"


def tables_renderable(tables: Sequence[Table], width: int) -> RenderableType:
    """A report's tables of words, drawn literally and fitted to ``width`` cells.

    The same lines as ``salesboard report`` prints (``reports.layout``): figures whole and
    aligned right, the widest text cut with "…" rather than wrapped, so a row stays a line.
    """
    parts: list[RenderableType] = []
    for table in tables:
        parts.append(Text(display_safe(table.title), "bold", no_wrap=True, overflow="ellipsis"))
        if table.columns:
            heading, lines = table_lines(table, width)
            parts.append(Text("\n".join(heading), "bold", no_wrap=True, overflow="ellipsis"))
            if lines:
                parts.append(Text("\n".join(lines), no_wrap=True, overflow="ellipsis"))
        for note in table.notes:
            parts.append(Text(display_safe(note, multiline=True), style="dim"))
        parts.append(Text(""))
    return Group(*parts)
