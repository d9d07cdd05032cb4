"""The weekly digest: a short plain-text summary for people who do not open the board.

``salesboard report digest [--owner LOGIN]`` prints it; a cron job mails it. It covers the
week ending now (now − 7 days up to now) in four parts:

- **What moved**: how many deals were created, advanced, moved back, won (finished), lost
  and reopened in the week (events counted: a deal advanced twice counts twice), then up
  to 10 deals that moved, the most recently moved first, each as where it stood a week
  ago → where it stands now (``new`` if it was created in the week, ``won``/``lost`` if
  it is off the board).
- **What is stuck**: how many open deals are stuck now and the 5 worst (the stuck
  report's rule and order).
- **What is due**: open activities due in the next 7 days or overdue, earliest first, up
  to 10.
- **Forecast change**: this quarter's weighted total (the forecast report's total for the
  current calendar quarter) now, and as the pipeline stood 7 days ago: the deals taken
  back through the week's events (``salesboard.reports.week``) and the forecast's rule
  applied with the "today" of a week ago, so a deal whose close date slipped into the past
  this week leaves the total.

With ``--owner`` the deals are the ones that owner has now (a week ago: had then) and the
activities the ones they own. Money is in the base currency at today's rates, for both
totals (a new rate is not a change of the pipeline); the footer says so, and how many
deals have no rate and are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, NamedTuple

from salesboard.calendar_text import day_text, numeric_moment_text
from salesboard.i18n import _, ngettext
from salesboard.money import money_text
from salesboard.reports import forecast
from salesboard.reports.facts import DealFact, Facts, Period, quarter_key
from salesboard.reports.stuck import StuckDeal
from salesboard.reports.stuck import report as stuck_report
from salesboard.reports.week import Change, as_they_stood
from salesboard.reports.words import days_text
from salesboard.validation import display_safe
from salesboard.workflow import EventKind, Stage, Status

if TYPE_CHECKING:
    from salesboard.service.part_rows import AgendaEntry
    from salesboard.store import Database

WEEK: Final = timedelta(days=7)
MOVED_LINES: Final = 10
STUCK_LINES: Final = 5
DUE_LINES: Final = 10
MOVE_KINDS: Final = (
    EventKind.CREATED,
    EventKind.ADVANCED,
    EventKind.MOVED_BACK,
    EventKind.FINISHED,
    EventKind.LOST,
    EventKind.REOPENED,
)
"""The moves the digest counts, in the order it names them."""


class Standing(NamedTuple):
    """Where a deal is: its status and stage (a finished or lost deal keeps its stage)."""

    status: Status
    stage: Stage

    @classmethod
    def of(cls, deal: DealFact) -> Standing:
        """Where ``deal`` stands."""
        return cls(deal.status, deal.stage)

    def word(self) -> str:
        """The stage's name while open, else ``won`` or ``lost``, in the language in force."""
        if self.status is Status.FINISHED:
            return _("won")
        if self.status is Status.LOST:
            return _("lost")
        return self.stage.label


@dataclass(frozen=True)
class Moved:
    """A deal that moved in the week: where it stood a week ago (None: new) and now."""

    id: int
    title: str
    owner: str
    was: Standing | None
    now: Standing


@dataclass(frozen=True)
class Digest:
    """The week's summary; ``text()`` writes it for a mail."""

    since: datetime
    now: datetime
    first_day: str
    """The first day of the week, as people read it (the user's calendar)."""
    last_day: str
    owner: str | None
    base: str
    counts: dict[EventKind, int]
    moved: tuple[Moved, ...]
    """Every deal that moved, most recently moved first."""
    stuck: tuple[StuckDeal, ...]
    due: tuple[tuple[str, AgendaEntry, bool], ...]
    """Each open activity due: when (local, as text), the entry, and whether it is overdue."""
    quarter: str
    forecast_now: forecast.Figures
    forecast_before: forecast.Figures
    damaged: tuple[int, ...] = ()
    """Deals whose rows could not be read: left out of every line, and said so."""

    @property
    def forecast_change(self) -> int:
        """The change of this quarter's weighted total over the week, in hundredths of the base."""
        return self.forecast_now.weighted_minor - self.forecast_before.weighted_minor

    def lines(self) -> list[str]:
        """The digest, line by line, in the language in force."""
        lines = [self._heading(), ""]
        lines += self._moved_lines()
        lines.append("")
        lines += self._stuck_lines()
        lines.append("")
        lines += self._due_lines()
        lines.append("")
        lines += self._forecast_lines()
        lines.append("")
        lines.append(self._footer())
        return lines

    def text(self) -> str:
        """The digest as plain text, ending with a newline."""
        return "\n".join(self.lines()) + "\n"

    def _heading(self) -> str:
        if self.owner is None:
            return _("Weekly digest for the team, {first} to {last}").format(
                first=self.first_day, last=self.last_day
            )
        return _("Weekly digest for {owner}, {first} to {last}").format(
            owner=display_safe(self.owner), first=self.first_day, last=self.last_day
        )

    def _moved_lines(self) -> list[str]:
        count = self.counts.get
        lines = [
            _("What moved"),
            "  "
            + _(
                "new: {new} · advanced: {advanced} · moved back: {back} · won: {won} · "
                "lost: {lost} · reopened: {reopened}"
            ).format(
                new=count(EventKind.CREATED, 0),
                advanced=count(EventKind.ADVANCED, 0),
                back=count(EventKind.MOVED_BACK, 0),
                won=count(EventKind.FINISHED, 0),
                lost=count(EventKind.LOST, 0),
                reopened=count(EventKind.REOPENED, 0),
            ),
        ]
        if not self.moved:
            return [*lines, "  " + _("Nothing moved.")]
        for deal in self.moved[:MOVED_LINES]:
            was = _("new") if deal.was is None else deal.was.word()
            if was == deal.now.word():  # it moved in the week and came back
                lines.append(
                    "  "
                    + _("#{id} {title}: {now}, moved and back again").format(
                        id=deal.id, title=self._deal_name(deal.title, deal.owner), now=was
                    )
                )
                continue
            lines.append(
                "  "
                + _("#{id} {title}: {was} → {now}").format(
                    id=deal.id,
                    title=self._deal_name(deal.title, deal.owner),
                    was=was,
                    now=deal.now.word(),
                )
            )
        lines += _more(len(self.moved) - MOVED_LINES)
        return lines

    def _stuck_lines(self) -> list[str]:
        count = len(self.stuck)
        if not count:
            return [_("Stuck"), "  " + _("No deal is stuck.")]
        lines = [ngettext("Stuck: {count} deal", "Stuck: {count} deals", count).format(count=count)]
        for deal in self.stuck[:STUCK_LINES]:
            lines.append(
                "  "
                + _("#{id} {title}: {stage}, {days} days in stage (limit {limit}); {why}").format(
                    id=deal.id,
                    title=self._deal_name(deal.title, deal.owner),
                    stage=deal.stage.label,
                    days=days_text(deal.days_in_stage),
                    limit=deal.limit_days,
                    why=", ".join(reason.word for reason in deal.reasons),
                )
            )
        lines += _more(count - STUCK_LINES)
        return lines

    def _due_lines(self) -> list[str]:
        from salesboard.substance import kind_word

        count = len(self.due)
        if not count:
            return [_("Due"), "  " + _("Nothing is due within 7 days, nothing is overdue.")]
        overdue = sum(late for _when, _entry, late in self.due)
        heading = ngettext(
            "Due within 7 days or overdue: {count} activity",
            "Due within 7 days or overdue: {count} activities",
            count,
        ).format(count=count)
        if overdue:
            heading = _("{heading}, {overdue} overdue").format(heading=heading, overdue=overdue)
        lines = [heading]
        for when, entry, late in self.due[:DUE_LINES]:
            activity = entry.activity
            line = _("{when} {kind}: {title} (#{id} {deal})").format(
                when=when,
                kind=kind_word(activity.kind),
                title=display_safe(activity.title),
                id=activity.deal_id,
                deal=display_safe(entry.deal_title),
            )
            if late:
                line = _("{line} — overdue").format(line=line)
            if self.owner is None:
                line = f"{line} [{display_safe(activity.owner)}]"
            lines.append("  " + line)
        lines += _more(count - DUE_LINES)
        return lines

    def _forecast_lines(self) -> list[str]:
        now = money_text(self.forecast_now.weighted_minor, self.base)
        before = money_text(self.forecast_before.weighted_minor, self.base)
        change = self.forecast_change
        if change > 0:
            line = _("{now} now, {before} a week ago: up {change}")
        elif change < 0:
            line = _("{now} now, {before} a week ago: down {change}")
        else:
            line = _("{now} now, unchanged since a week ago")
        said = line.format(now=now, before=before, change=money_text(abs(change), self.base))
        heading = _("Weighted forecast for {quarter}").format(quarter=self.quarter)
        return [heading, "  " + said]

    def _footer(self) -> str:
        footer = _("Money in {currency} at today's exchange rates.").format(currency=self.base)
        apart = self.forecast_now.unconverted
        if apart:
            footer += " " + ngettext(
                "{count} deal in a currency without a rate is left out.",
                "{count} deals in currencies without a rate are left out.",
                apart,
            ).format(count=apart)
        if self.damaged:  # a mail must not read as complete when it is not
            footer += " " + ngettext(
                "{count} damaged deal ({ids}) is left out; run 'salesboard doctor'.",
                "{count} damaged deals ({ids}) are left out; run 'salesboard doctor'.",
                len(self.damaged),
            ).format(
                count=len(self.damaged),
                ids=", ".join(f"#{i}" for i in self.damaged[:10])
                + (", …" if len(self.damaged) > 10 else ""),
            )
        return footer

    def _deal_name(self, title: str, owner: str) -> str:
        """A deal's title, with its owner when the digest is the team's."""
        shown = display_safe(title)
        if self.owner is None:
            return f"{shown} ({display_safe(owner)})"
        return shown


def _more(count: int) -> list[str]:
    """``… and 3 more`` under a cut list (nothing when nothing was cut)."""
    if count <= 0:
        return []
    more = ngettext("… and {count} more", "… and {count} more", count)  # as doctor says it
    return ["  " + more.format(count=count)]


def build(
    facts: Facts,
    changes: Iterable[Change],
    due: Sequence[AgendaEntry],
    convert: Callable[[int, str], int | None],
    owner: str | None = None,
) -> Digest:
    """The digest of the week ending ``facts.now``, from the facts of every deal.

    ``changes`` are the deals' events (at least those of the week; earlier ones are
    ignored), ``due`` the open activities (already narrowed to the owner's),
    ``convert`` today's conversion to the base currency (``Rates.convert``).
    """
    now = facts.now
    since = now - WEEK
    week = sorted((c for c in changes if since <= c.at), key=lambda change: change.id)
    mine = facts.of_owner(owner)
    mine_ids = {deal.id for deal in mine.deals}
    counts: dict[EventKind, int] = dict.fromkeys(MOVE_KINDS, 0)
    last_move: dict[int, int] = {}
    for change in week:
        if change.deal_id in mine_ids and change.kind in counts:
            counts[change.kind] += 1
            last_move[change.deal_id] = change.id
    stood = as_they_stood(facts.deals, week, convert)
    was = {deal.id: deal for deal in stood}
    moved = tuple(
        Moved(
            deal.id,
            deal.title,
            deal.owner,
            Standing.of(was[deal.id]) if deal.id in was else None,
            Standing.of(deal),
        )
        for deal in sorted(
            (deal for deal in mine.deals if deal.id in last_move),
            key=lambda deal: -last_move[deal.id],
        )
    )
    quarter = Period.quarter_of(facts.today)
    then = Facts(stood, {}, facts.pipeline, facts.base, since, facts.zone).of_owner(owner)
    until = now + WEEK
    shown_due = tuple(
        (_local_moment(entry.activity.due_at, facts), entry, entry.activity.overdue(now))
        for entry in due
        if entry.activity.due_at < until and not entry.activity.done
    )
    return Digest(
        since=since,
        now=now,
        first_day=day_text(facts.local_day(since)),
        last_day=day_text(facts.today),
        owner=owner,
        base=facts.base,
        counts=counts,
        moved=moved,
        stuck=stuck_report(mine).deals,
        due=shown_due,
        quarter=forecast.quarter_text(quarter_key(quarter.first)),
        forecast_now=forecast.report(mine, quarter).total,
        forecast_before=forecast.report(then, quarter).total,
        damaged=tuple(deal_id for deal_id, _why in facts.damaged),
    )


def _local_moment(moment: datetime, facts: Facts) -> str:
    """A due time in the user's time zone, to the minute, in digits."""
    local = moment.astimezone(facts.zone) if facts.zone is not None else moment.astimezone()
    return numeric_moment_text(local)


def load_digest(db: Database, *, now: datetime | None = None, owner: str | None = None) -> Digest:
    """The digest of the week ending ``now`` (default: the current time), read from ``db``.

    Read-only: the facts of every deal, the week's events and the open activities due.
    """
    from salesboard.reports.source import load_facts
    from salesboard.reports.week import read_changes
    from salesboard.service.part_rows import agenda
    from salesboard.service.rates import RateBook

    rates = RateBook(db).current()
    facts = load_facts(db, now=now, moves=False, rates=rates)
    facts.check_owner(owner)
    changes = read_changes(db, facts.now - WEEK)
    with db.read() as session:
        due = agenda(session.connection(), owner, facts.now + WEEK)
    return build(facts, changes, due, rates.convert, owner)
