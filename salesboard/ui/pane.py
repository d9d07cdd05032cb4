"""The checklist pane: a deal's fields and its jobs, where jobs are ticked.

Below the checklist, its sections: the deal's activities, stakeholders and problems
(``part_lists``), then its notes (``pane_notes``); Tab moves between the jobs and the
sections. The pane only shows what
it is given (``show``) and reports what the user asked for with messages; the board
screen does the work through the service and pushes the result back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Self

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static
from textual.widgets.option_list import Option

from salesboard.calendar_text import day_text
from salesboard.evidence import Remedy
from salesboard.filled_text import filled
from salesboard.i18n import _, ngettext
from salesboard.money import money_text
from salesboard.service import DealView, EventView
from salesboard.service.history_text import describe_entry
from salesboard.ui import keymap
from salesboard.ui.keymap import bindings
from salesboard.ui.literal import days_since, literal
from salesboard.ui.pane_notes import NotesSection
from salesboard.ui.part_lists import (
    ActivityList,
    PartAction,
    PartList,
    PartSection,
    ProblemList,
    StakeholderList,
)
from salesboard.ui.quiet import SteadyOptionList, text_key, update_static
from salesboard.workflow import Outcome, Stage, Status, status_word

RecentChanges = Callable[[int], list[EventView]]
"""Hands the pane a deal's newest changes (the pane holds no session: messages up,
attributes and callbacks down)."""


class JobList(SteadyOptionList):
    """The current stage's jobs; Space, and only Space, ticks or unticks the highlighted one.

    Enter does nothing here (an Enter pressed out of habit, say after a refused move, must
    not tick a job unnoticed), and the cursor stops at the first and last job instead of
    wrapping round.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.TICK, keymap.NO_TICK, keymap.JOB_DOWN, keymap.JOB_UP
    )

    def action_nothing(self) -> None:
        """Enter in the checklist: changes nothing (Space ticks)."""

    def show_lines(self, lines: list[Text]) -> None:
        """Show one line per job, replacing only the jobs whose line changed.

        Rebuilding the list for a tick repainted every job (and, through the pane's
        layout, everything under the list) where one job's line had changed.
        """
        options = self.options
        if len(options) != len(lines):
            self.set_options(Option(line) for line in lines)
            return
        replaced = False
        for index, (option, line) in enumerate(zip(options, lines, strict=True)):
            if text_key(option.prompt) != text_key(line):
                self.replace_option_prompt_at_index(index, line)
                replaced = True
        if replaced:  # a long job's who and when may wrap to a new line: lay out in this
            self.refresh(layout=True)  # frame, not in a second one once drawing finds it taller

    def action_down(self) -> None:
        """The next job; the last one stays highlighted at the end."""
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            self.action_cursor_down()

    def action_up(self) -> None:
        """The previous job; the first one stays highlighted at the top."""
        if self.highlighted is None or self.highlighted > 0:
            self.action_cursor_up()

    class Toggle(Message):
        """The user asked to flip job ``n`` of the shown deal."""

        def __init__(self, n: int) -> None:
            self.n = n
            super().__init__()

    def action_toggle_job(self) -> None:
        """Ask for the highlighted job to be ticked or unticked."""
        if self.highlighted is not None:
            self.post_message(self.Toggle(self.highlighted + 1))


def _when(moment: datetime, now: datetime) -> str:
    days = days_since(moment, now)
    if days == 0:
        return _("today")
    return ngettext("{days}d ago", "{days}d ago", days).format(days=days)


def outcome_word(outcome: Outcome) -> str:
    """How a finished deal turned out, as a word in the language in force."""
    return {Outcome.SUCCESS: _("success"), Outcome.FAILURE: _("failure")}[outcome]


class DealPane(VerticalScroll, can_focus=False):
    """Fields, the current stage's jobs with who ticked them, and the other stages."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.CLOSE, keymap.ALL_STAGES, keymap.SECTION_NEXT, keymap.SECTION_PREVIOUS
    )

    class Closed(Message):
        """The user closed the pane."""

    class ToggleJob(Message):
        """Tick or untick job ``n`` of ``deal`` (the view the user was looking at)."""

        def __init__(self, deal: DealView, n: int) -> None:
            self.deal = deal
            self.n = n
            super().__init__()

    class NotesAsked(Message):
        """Write or edit the notes of ``deal`` (the view the user was looking at)."""

        def __init__(self, deal: DealView) -> None:
            self.deal = deal
            super().__init__()

    class PartAsked(Message):
        """Add, edit, mark or remove one of ``deal``'s parts (as the user saw the deal)."""

        def __init__(
            self, deal: DealView, kind: Remedy, action: PartAction, part_id: int | None
        ) -> None:
            self.deal = deal
            self.kind = kind
            self.action = action
            self.part_id = part_id
            super().__init__()

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        recent: RecentChanges | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._recent = recent
        self.deal: DealView | None = None
        self.all_stages = False
        """Whether every other stage lists its jobs too (``a``), not only its count."""

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Lay out again without repainting the whole pane, which its sections do.

        The pane is a scrolling container: when a section grows (a section gains a
        line) Textual lays it out again and repaints all of it, on
        top of the sections that moved, which repaint themselves. That sent the whole
        pane to the terminal twice for one tick.
        """
        if layout and not regions:
            repaint = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def compose(self) -> ComposeResult:
        """Fields on top, jobs in the middle, other stages below."""
        yield Static(id="pane-fields")
        yield Static(id="pane-viewers")
        yield Static(id="pane-stage-title")
        yield JobList(id="pane-jobs")
        yield Static(id="pane-stages")
        yield PartSection(ActivityList(id="pane-activities"))
        yield PartSection(StakeholderList(id="pane-stakeholders"))
        yield PartSection(ProblemList(id="pane-problems"))
        yield Static(id="pane-damaged")
        yield NotesSection(id="pane-notes")
        yield Static(id="pane-recent")

    def show(self, deal: DealView, *, focus_job: int | None = None) -> None:
        """Display ``deal``; keep the highlighted job unless told which to highlight."""
        previous = self.deal
        self.deal = deal
        update_static(self.query_one("#pane-fields", Static), self._fields(deal))
        jobs = deal.jobs()
        done = _("{done}/{total} jobs done").format(done=sum(j.done for j in jobs), total=len(jobs))
        title = Text.assemble((f"{deal.stage.label}", "bold"), f" — {done}")
        update_static(self.query_one("#pane-stage-title", Static), title)
        job_list = self.query_one("#pane-jobs", JobList)
        keep = job_list.highlighted
        now = self._clock()
        lines = []
        for job in jobs:
            line = Text("☑ " if job.done else "☐ ", style="bold" if job.done else "")
            line.append_text(literal(job.text))
            if job.done and job.done_by and job.done_at:
                # Who and when on the job's own line, not a line of their own: a tick
                # that made the checklist a line longer moved every section below it,
                # and the terminal got the whole pane again (16 KB over SSH).
                line.append("  ·  ", "dim")
                line.append_text(literal(job.done_by, "dim"))
                line.append(f", {_when(job.done_at, now)}", "dim")
            lines.append(line)
        job_list.show_lines(lines)
        same_deal = previous is not None and previous.id == deal.id
        if focus_job is not None:
            job_list.highlighted = max(0, min(focus_job - 1, len(jobs) - 1))
        elif same_deal and keep is not None:
            job_list.highlighted = min(keep, len(jobs) - 1)
        elif jobs:
            job_list.highlighted = 0
        update_static(self.query_one("#pane-stages", Static), self._stages(deal))
        self._show_parts(deal, now)
        self.query_one(NotesSection).show(deal)
        recent = self._recent(deal.id) if self._recent is not None else []
        shown = self.query_one("#pane-recent", Static)
        shown.display = bool(recent)
        if recent:
            update_static(shown, self._latest(recent))

    def _show_parts(self, deal: DealView, now: datetime) -> None:
        """The sections, and the rows too damaged to show (named, not hidden)."""
        for section in self.query(PartSection):
            section.show(deal.parts, now)
        damaged = self.query_one("#pane-damaged", Static)
        damaged.display = bool(deal.parts.damaged)
        if deal.parts.damaged:
            text = Text(_("Not shown (damaged):"), "bold red")
            for why in deal.parts.damaged:
                text.append("\n")
                text.append_text(literal(why))
            update_static(damaged, text)

    def _part_list(self, kind: Remedy) -> PartList:
        return next(part_list for part_list in self.query(PartList) if part_list.kind is kind)

    def select_part(self, kind: Remedy, part_id: int) -> None:
        """Highlight one part of the deal shown (one just saved)."""
        self._part_list(kind).select_part(part_id)

    def action_section(self, step: int) -> None:
        """Tab: from the jobs to the activities, stakeholders, problems, notes and round."""
        order: list[Widget] = [
            self.query_one("#pane-jobs", JobList),
            *self.query(PartList),
            self.query_one(NotesSection),
        ]
        focused = self.screen.focused
        here = order.index(focused) if focused in order else 0
        order[(here + step) % len(order)].focus()

    def on_part_list_asked(self, message: PartList.Asked) -> None:
        """Turn a section's request into one about this deal, for the screen."""
        message.stop()
        if self.deal is not None:
            self.post_message(
                self.PartAsked(self.deal, message.kind, message.action, message.part_id)
            )

    def on_notes_section_asked(self, message: NotesSection.Asked) -> None:
        """Turn the notes' request into one about this deal, for the screen."""
        message.stop()
        if self.deal is not None:
            self.post_message(self.NotesAsked(self.deal))

    def action_all_stages(self) -> None:
        """Show every other stage's jobs (who ticked them), or only their counts again."""
        self.all_stages = not self.all_stages
        if self.deal is not None:
            update_static(self.query_one("#pane-stages", Static), self._stages(self.deal))

    def _latest(self, events: list[EventView]) -> Text:
        """The newest changes, one line each: when, who, what (all stored text literal).

        One screen line each, cut with an ellipsis (the history screen has them whole),
        and always as many lines (the stylesheet's height): a tick adds a change, and a
        section that grew made the whole pane go to the terminal again.
        """
        text = Text(_("Latest changes"), style="dim", no_wrap=True, overflow="ellipsis")
        now = self._clock()
        for event in events:
            text.append(f"\n{_when(event.at, now)}  ", "dim")
            text.append_text(literal(event.actor, "bold"))
            text.append(" ")
            text.append_text(literal(describe_entry(event.kind, event.before, event.after,
                                                    event.damage)))  # fmt: skip
        return text

    def show_viewers(self, logins: list[str]) -> None:
        """Name the colleagues who have this deal open too (hidden when nobody has)."""
        viewers = self.query_one("#pane-viewers", Static)
        viewers.display = bool(logins)
        if logins:
            names = Text()
            for i, login in enumerate(logins):
                names.append_text(literal(login, "bold"))
                if i < len(logins) - 1:
                    names.append(", ")
            viewers.update(filled(_("Also open by {names}"), {"names": names}, base="bold"))

    def focus_jobs(self) -> None:
        """Put keyboard focus on the job list."""
        self.query_one("#pane-jobs", JobList).focus()

    @property
    def highlighted_job(self) -> int | None:
        """1-based number of the highlighted job."""
        index = self.query_one("#pane-jobs", JobList).highlighted
        return None if index is None else index + 1

    def on_job_list_toggle(self, message: JobList.Toggle) -> None:
        """Turn the list's request into one about this deal, for the screen."""
        message.stop()
        if self.deal is not None:
            self.post_message(self.ToggleJob(self.deal, message.n))

    def action_close(self) -> None:
        """Close the pane."""
        self.post_message(self.Closed())

    def _close_by(self, deal: DealView) -> Text:
        """The expected close date, marked when it has passed on a deal still open."""
        close = deal.summary.expected_close
        if close is None:
            return Text("—")
        passed = deal.status is Status.OPEN and close < self._clock().astimezone().date()
        if passed:
            return Text(_("{date} ⚠ passed").format(date=day_text(close)), "bold red")
        return Text(day_text(close))

    def _fields(self, deal: DealView) -> Text:
        s = deal.summary
        text = literal(s.title, "bold")
        text.no_wrap = False
        days = days_since(s.stage_entered_at, self._clock())
        in_stage = ngettext("{stage}, {days}d", "{stage}, {days}d", days)
        rows: list[tuple[str, Text]] = [
            (_("Company"), literal(s.company or "—")),
            (_("Value"), literal(money_text(s.value_minor, s.currency))),
            (_("Owner"), literal(s.owner)),
            (_("Close by"), self._close_by(deal)),
            (_("Stage"), Text(in_stage.format(stage=s.stage.label, days=days))),
            (_("Status"), Text(status_word(s.status))),
        ]
        if s.lost_reason:
            rows.append((_("Lost"), literal(s.lost_reason)))
        if s.outcome is not None:
            score = "—" if s.satisfaction is None else f"{s.satisfaction}/5"
            outcome = _("{outcome}, satisfaction {score}")
            rows.append(
                (_("Outcome"), Text(outcome.format(outcome=outcome_word(s.outcome), score=score)))
            )
        # The labels in one column, one cell past the longest (9 wide in English).
        width = max(9, *(cell_len(label) + 1 for label, _value in rows))
        for label, value in rows:
            text.append("\n" + label + " " * (width - cell_len(label)), "dim")
            text.append_text(value)
        return text  # the notes have their own section, the last (``NotesSection``)

    def _stages(self, deal: DealView) -> Text:
        text = Text()
        # The names in one column: 10 cells, or the longest name's up to 16 (Kvalifisert).
        width = max(10, min(16, max(cell_len(stage.label) for stage in Stage)))
        for stage in Stage:
            if stage == deal.stage:
                continue
            jobs = deal.jobs(stage)
            done = sum(j.done for j in jobs)
            mark = "✓" if done == len(jobs) else "·"
            style = "dim" if stage > deal.stage else ""
            name = stage.label + " " * max(0, width - cell_len(stage.label))
            text.append(f"{mark} {name} {done}/{len(jobs)}\n", style)
            if self.all_stages:
                for job in jobs:
                    text.append("   ☑ " if job.done else "   ☐ ", style)
                    text.append_text(literal(job.text, style))
                    if job.done and job.done_by:
                        text.append(" — ", "dim")
                        text.append_text(literal(job.done_by, "dim"))
                    text.append("\n")
        if not self.all_stages:
            text.append(_("(a: every stage's jobs)"), "dim")
        text.rstrip()
        return text
