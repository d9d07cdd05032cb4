"""The pane's sections under the checklist: a deal's activities, stakeholders and problems.

Each section is a heading and a list. A list shows only what it is given (``show``) and
reports what the user asked for (add, edit, mark done, remove) as an ``Asked`` message,
which the pane turns into a request about its deal: the lists hold no session. Every
stored text is drawn literally (Rich ``Text``, ``display_safe``), never as markup.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import ClassVar, Literal

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.widgets.option_list import Option

from salesboard.calendar_text import moment_text
from salesboard.evidence import Remedy
from salesboard.filled_text import filled
from salesboard.i18n import _, ngettext
from salesboard.money import money_text
from salesboard.service.part_views import ActivityView, DealParts, ProblemView, StakeholderView
from salesboard.substance import ProblemStatus, kind_word, level_word, problem_status_word
from salesboard.substance import stance_group as stance_heading
from salesboard.ui import keymap
from salesboard.ui.keymap import bindings
from salesboard.ui.literal import literal
from salesboard.ui.quiet import SteadyOptionList, text_key, update_static

PartAction = Literal["add", "edit", "toggle", "remove"]
"""What a key in a section asks for: add one, edit, mark done (or solved) again, remove."""

Row = tuple[Text, int | None]
"""One line of a list and the id of the part it shows (None: a heading, not choosable)."""

_GAP = " · "


class PartList(SteadyOptionList):
    """One section's parts; ``n`` adds, ``e`` edits, ``d`` removes the highlighted one.

    Enter does nothing (as in the checklist), and the cursor stops at the first and last
    part instead of wrapping round; headings inside the list are passed over.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"part-list--overdue"}
    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.PART_ADD, keymap.PART_EDIT, keymap.PART_REMOVE,
        keymap.JOB_DOWN, keymap.JOB_UP, keymap.NO_TICK,
    )  # fmt: skip
    kind: ClassVar[Remedy]

    class Asked(Message):
        """The user asked to ``action`` part ``part_id`` (None: a new one) of this kind."""

        def __init__(self, kind: Remedy, action: PartAction, part_id: int | None) -> None:
            self.kind = kind
            self.action = action
            self.part_id = part_id
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="part-list")
        self._ids: list[int | None] = []
        self._shown: list[tuple[Hashable, int | None]] = []

    def heading(self, parts: DealParts) -> Text:
        """The section's title line."""
        raise NotImplementedError

    def rows(self, parts: DealParts, now: datetime) -> list[Row]:
        """The lines of the list, in the order the service gives the parts."""
        raise NotImplementedError

    def show(self, parts: DealParts, now: datetime) -> None:
        """Show ``parts``; the highlighted part stays highlighted while it is there."""
        keep = self.current_part
        rows = self.rows(parts, now)
        if not rows:
            rows = [(Text(_("none yet (n adds one)"), "dim"), None)]
        shown = [(text_key(prompt), part_id) for prompt, part_id in rows]
        if shown != self._shown:  # the same rows again (a tick elsewhere): no repaint
            self._shown = shown
            self._ids = [part_id for _prompt, part_id in rows]
            self.set_options(Option(prompt, disabled=part_id is None) for prompt, part_id in rows)
        if keep is None or not self.select_part(keep):
            self.highlighted = self._next(-1, 1)

    @property
    def current_part(self) -> int | None:
        """The id of the highlighted part, if any."""
        index = self.highlighted
        return None if index is None or index >= len(self._ids) else self._ids[index]

    def select_part(self, part_id: int) -> bool:
        """Highlight the part with this id (False: it is not in the list)."""
        if part_id not in self._ids:
            return False
        self.highlighted = self._ids.index(part_id)
        return True

    def on_option_list_option_highlighted(self) -> None:
        """Keep the list in view in the pane as its cursor moves (the pane scrolls)."""
        if self.has_focus:
            self.scroll_visible(animate=False)

    def _next(self, start: int, step: int) -> int | None:
        """The first choosable line after ``start`` going ``step``, or None."""
        index = start + step
        while 0 <= index < len(self._ids):
            if self._ids[index] is not None:
                return index
            index += step
        return None

    def action_down(self) -> None:
        """The next part; the last one stays highlighted at the end."""
        start = -1 if self.highlighted is None else self.highlighted
        found = self._next(start, 1)
        if found is not None:
            self.highlighted = found

    def action_up(self) -> None:
        """The previous part; the first one stays highlighted at the top."""
        if self.highlighted is not None:
            found = self._next(self.highlighted, -1)
            if found is not None:
                self.highlighted = found

    def action_nothing(self) -> None:
        """Enter in a section: changes nothing (the keys are named for what they do)."""

    def _ask(self, action: PartAction, *, needs_part: bool = True) -> None:
        part = self.current_part
        if part is not None or not needs_part:
            self.post_message(self.Asked(self.kind, action, part if needs_part else None))

    def action_add_part(self) -> None:
        """Ask for a form to add a part to this section."""
        self._ask("add", needs_part=False)

    def action_edit_part(self) -> None:
        """Ask for the highlighted part's form."""
        self._ask("edit")

    def action_remove_part(self) -> None:
        """Ask to remove the highlighted part (the screen asks the user first)."""
        self._ask("remove")

    def action_toggle_part(self) -> None:
        """Ask to mark the highlighted part done (or solved), or open again."""
        self._ask("toggle")


def _count(text: str, count_line: str) -> Text:
    heading = Text(text, "bold")
    heading.append(_GAP + count_line, "dim")
    return heading


class ActivityList(PartList):
    """Open activities by due time (overdue ones marked), then the done ones."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(keymap.ACTIVITY_DONE)
    kind = Remedy.ACTIVITY

    def heading(self, parts: DealParts) -> Text:
        """``Activities · 2 open``."""
        still = sum(not a.done for a in parts.activities)
        return _count(_("Activities"), ngettext("{count} open", "{count} open", still).format(
            count=still))  # fmt: skip

    def rows(self, parts: DealParts, now: datetime) -> list[Row]:
        """Two lines each: kind, due time (local) and owner; then the title."""
        overdue = self.get_component_rich_style("part-list--overdue", partial=True)
        return [(self._line(a, now, overdue), a.id) for a in parts.activities]

    @staticmethod
    def _line(activity: ActivityView, now: datetime, overdue_style: Style) -> Text:
        done = activity.done
        line = Text("☑ " if done else "☐ ", style="bold" if done else "")
        line.append(kind_word(activity.kind), "bold")
        line.append("  ")
        due = moment_text(activity.due_at.astimezone())
        if activity.overdue(now):
            line.append(f"⚠ {due}", overdue_style)
        else:
            line.append(due)
        if not done:
            line.append(_GAP, "dim")
            line.append_text(literal(activity.owner, "dim"))
        line.append("\n  ")
        line.append_text(literal(activity.title, "dim" if done else ""))
        if activity.agenda.strip():
            line.append(_GAP + _("agenda written"), "dim")
        if done and activity.done_by is not None:
            line.append("\n  ✓ ", "dim")
            who = {"name": literal(activity.done_by, "dim")}
            line.append_text(filled(_("done by {name}"), who, style="dim"))
            if activity.done_at is not None:
                line.append(", " + moment_text(activity.done_at.astimezone()), "dim")
        return line


class StakeholderList(PartList):
    """Allies, enemies and neutral ones, each under its heading, by name."""

    kind = Remedy.STAKEHOLDER

    def heading(self, parts: DealParts) -> Text:
        """``Stakeholders · 3``."""
        return _count(_("Stakeholders"), str(len(parts.stakeholders)))

    def rows(self, parts: DealParts, now: datetime) -> list[Row]:
        """A heading per stance, then each one's name, role, organisation and contacts."""
        found: list[Row] = []
        for stance, group in parts.by_stance():
            found.append((Text(stance_heading(stance), "bold underline"), None))
            found.extend((self._line(person), person.id) for person in group)
        return found

    @staticmethod
    def _line(person: StakeholderView) -> Text:
        line = Text("  ")
        line.append_text(literal(person.name, "bold"))
        where = ", ".join(p for p in (person.role, person.organisation) if p)
        if where:
            line.append(_GAP)
            line.append_text(literal(where))
        line.append("\n  " + _("influence: {level}").format(level=level_word(person.influence)),
                    "dim")  # fmt: skip
        contacts = [contact for contact in (person.email, person.phone) if contact]
        if contacts:
            line.append("\n  ")
            line.append_text(literal(_GAP.join(contacts), "dim"))
        return line


class ProblemList(PartList):
    """Open problems by priority, then the solved ones; the heading totals the open ones."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(keymap.PROBLEM_SOLVED)
    kind = Remedy.PROBLEM

    def heading(self, parts: DealParts) -> Text:
        """``Problems · open 12 500.00 EUR + 3 000 NOK`` (never added across currencies)."""
        totals = parts.problem_totals()
        still = sum(p.open for p in parts.problems)
        if not totals:
            return _count(_("Problems"), ngettext("{count} open", "{count} open", still).format(
                count=still))  # fmt: skip
        money = " + ".join(money_text(totals[code], code) for code in sorted(totals))
        heading = Text(_("Problems"), "bold")
        heading.append(_GAP, "dim")
        heading.append_text(
            filled(_("open: {total}"), {"total": literal(money, "bold")}, style="dim")
        )
        return heading

    def rows(self, parts: DealParts, now: datetime) -> list[Row]:
        """Two lines each: priority and price (or that they are missing); the description."""
        return [(self._line(problem), problem.id) for problem in parts.problems]

    @staticmethod
    def _line(problem: ProblemView) -> Text:
        solved = problem.status is ProblemStatus.SOLVED
        line = Text("☑ " if solved else "☐ ", style="bold" if solved else "")
        priority = level_word(problem.priority) if problem.priority else _("no priority")
        line.append(priority, "bold" if problem.priority else "dim")
        line.append(_GAP)
        if problem.price_minor is None:
            line.append(_("no price"), "dim")
        else:
            line.append_text(literal(money_text(problem.price_minor, problem.currency)))
        if solved:
            line.append(_GAP + problem_status_word(problem.status), "dim")
        line.append("\n  ")
        line.append_text(literal(problem.description, "dim" if solved else ""))
        return line


class PartSection(Vertical, can_focus=False):
    """A heading and its list, shown together."""

    def __init__(self, parts_list: PartList, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="part-section")
        self.list = parts_list

    def compose(self) -> ComposeResult:
        """The heading line above the list."""
        yield Static(classes="part-heading")
        yield self.list

    def show(self, parts: DealParts, now: datetime) -> None:
        """Show the section's parts of one deal."""
        update_static(self.query_one(".part-heading", Static), self.list.heading(parts))
        self.list.show(parts, now)
