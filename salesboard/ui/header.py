"""Column headers and the status line: small widgets fed with figures from the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from rich.cells import cell_len
from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from salesboard.definition import in_force
from salesboard.filled_text import filled
from salesboard.i18n import _, ngettext
from salesboard.money import short_amount, whole_amount
from salesboard.reports.facts import weighted as weigh
from salesboard.service.board import ColumnTotals
from salesboard.ui.literal import literal
from salesboard.ui.quiet import LaysOutQuietly
from salesboard.workflow import Stage

CONFIRMATION_SECONDS = 3.0
"""How long the status line shows a confirmation such as "Advanced to Qualified"."""


FULL_AMOUNTS_FROM = 18
"""Headers this wide (or wider) show whole amounts (``340 000``), narrower ones ``340k``."""


class ColumnHeader(LaysOutQuietly):
    """The stage name over ``12 · 340 000 EUR``; amounts shorten (``340k``) when narrow.

    The total is in the team's base currency. ``≈`` marks one that includes amounts
    converted from other currencies at the team's rates, and ``+2 no rate`` counts deals
    whose currency has no rate: they are listed apart, never added as if base money.

    The text is worked out when drawn, for the width it is drawn at, so neither a new
    total nor a resize (the first layout included) needs more than a repaint of the
    header itself.

    ``weighted`` shows the total times the stage's win probability (the pipeline in
    force) instead, with ``×20%`` after the stage's name where every stage's name and
    weight fit whole, in every header alike (the status line always says "weighted
    totals"). The header weighs its total once; the forecast weighs each deal and rounds
    it to the cent, so the two may differ by half a cent a deal, below what a header
    shows.
    """

    def __init__(self, stage: Stage, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stage = stage
        self._totals = ColumnTotals(stage, 0, 0)
        self._weighted = False

    @property
    def weighted(self) -> bool:
        """Whether the header shows the weighted value (else the value)."""
        return self._weighted

    @weighted.setter
    def weighted(self, weighted: bool) -> None:
        if weighted != self._weighted:
            self._weighted = weighted
            self.refresh()

    @property
    def shown_minor(self) -> int:
        """The amount shown now, in hundredths of the base currency."""
        total = self._totals.value_minor
        if not self._weighted:
            return total
        return weigh(total, self._probability())

    def _probability(self) -> int:
        return in_force().of(self.stage).win_probability

    @property
    def totals(self) -> ColumnTotals:
        """The figures shown now."""
        return self._totals

    @property
    def text(self) -> str:
        """What the header shows at its current width, as plain text."""
        return self._text(self._width()).plain

    def show(self, totals: ColumnTotals) -> None:
        """Display new figures."""
        if totals != self._totals:
            self._totals = totals
            self.refresh()

    def render(self) -> Text:
        """The name and figures, in the long or short form for the width drawn at."""
        return self._text(self._width())

    def _width(self) -> int:
        return self.size.width  # the content area: padding excluded

    def _text(self, width: int) -> Text:
        total = self._totals
        mark = "≈" if total.converted else ""
        apart = ""
        if total.unconverted:
            no_rate = ngettext("+{count} no rate", "+{count} no rate", total.unconverted)
            apart = " " + no_rate.format(count=total.unconverted)
        amount = self.shown_minor
        full = whole_amount(amount)
        short = short_amount(amount)
        few = f" +{total.unconverted}" if total.unconverted else ""
        # Every header has the same width, so choosing by width (not by amount) keeps the
        # columns alike: full amounts when the headers are wide, compact ones when narrow.
        wide = width >= FULL_AMOUNTS_FROM
        candidates = [
            f"{total.count} · {mark}{short} {total.base}{apart}",
            f"{total.count} · {mark}{short}{apart}",
            f"{total.count} · {mark}{short}{few}",
        ]
        if wide:
            candidates[:0] = [f"{total.count} · {mark}{full} {total.base}{apart}"]
        figures = next((c for c in candidates if cell_len(c) <= width), candidates[-1])
        label = self.stage.label
        suffix = ""
        if self._weighted and _weights_fit(width):  # in every header or in none: alike
            suffix = _weight(self.stage)
        # A name too long for the column ends in "…", so a cut name never reads as a word.
        name = label if cell_len(label) <= width else _first_cells(label, width - 1) + "…"
        return Text.assemble((name, "bold"), (suffix, "italic"), "\n", figures)


def _weight(stage: Stage) -> str:
    """`` ×20%``: the stage's win probability, as a weighted header names it."""
    return " ×" + _("{percent}%").format(percent=in_force().of(stage).win_probability)


def _weights_fit(width: int) -> bool:
    """Whether every stage's name and weight fit a header this wide (headers are alike)."""
    return all(cell_len(stage.label) + cell_len(_weight(stage)) <= width for stage in Stage)


def shorten_path(path: str, width: int) -> str:
    """A path to fit ``width`` cells: the home directory as ``~``, then cut in the middle.

    The start (which disk, which team) and the end (the file) are what tell databases
    apart, so the middle gives way.
    """
    home = str(Path.home())
    if home not in ("", "/") and (path == home or path.startswith(home + "/")):
        path = "~" + path[len(home) :]
    if cell_len(path) <= width:
        return path
    folder, _slash, name = path.rpartition("/")
    if cell_len(name) + 2 >= width:  # room for the file name at most
        return "…" + _last_cells(name, width - 1)
    room = width - 1 - cell_len(name) - 1  # "…" and "/" + name
    head = _first_cells(folder, room - room // 2)
    tail = _last_cells(folder, room - cell_len(head))
    return f"{head}…{tail}/{name}"


def _first_cells(text: str, width: int) -> str:
    while text and cell_len(text) > width:
        text = text[:-1]
    return text


def _last_cells(text: str, width: int) -> str:
    while text and cell_len(text) > width:
        text = text[1:]
    return text


FILTER_SHOWN: Final = 16
"""Cells of the filter text the status line shows (longer ones end in "…"): at 80
columns READ-ONLY, only my deals, the filter and who is online then all fit."""


class StatusLine(Static):
    """The state of the board at a glance: what it is narrowed to, who is here, where.

    Modes come first (read-only, only my deals, the filter, who is online), then the user
    and the database, whose path gives way in its middle so that an 80-column terminal
    still shows every mode; the key hint comes last and goes first. It also carries the
    short confirmation of a routine action ("Advanced to Qualified") for a few seconds:
    a toast would cover cards and lay out the whole screen on every move; this line
    repaints only itself.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._modes = Text()
        self._user = ""
        self._database = ""
        self._message: str = ""
        self._message_timer: Timer | None = None
        self._pending: list[str] = []

    @property
    def message(self) -> str:
        """The confirmation shown now, or ``""``."""
        return self._message

    def show(
        self,
        *,
        database: str,
        user: str,
        filter_text: str,
        owner: str | None = None,
        order: str = "",
        online: list[str] | None = None,
        read_only: bool = False,
        weighted: bool = False,
    ) -> None:
        """Redraw with the current facts; the filter text is user input, shown literally.

        ``owner`` is whose deals alone are shown (None: everyone's); ``order`` names the
        card order when it is not the board order.

        ``weighted``: the column headers show weighted values (said here too, where it
        always fits). ``online`` lists the other sessions' logins; this user is counted unless the
        board is read-only (it writes no heartbeat, so the other boards do not count it).
        """
        modes = Text()
        if read_only:
            modes.append(_("READ-ONLY") + "  ", "bold reverse")
        if owner is not None and owner == user:
            modes.append(_("only my deals") + "  ", "bold")
        elif owner is not None:
            modes.append_text(filled(_("only {owner}'s deals"), {"owner": _user_text(owner)}))
            modes.append("  ")
        if order:
            modes.append_text(filled(_("by {order}"), {"order": Text(order, "bold")}))
            modes.append("  ")
        if weighted:
            modes.append(_("weighted totals") + "  ", "bold")
        if filter_text:
            modes.append_text(filled(_("filter {text}"), {"text": _user_text(filter_text)}))
            modes.append("  ")
        others = online or []
        # A read-only board writes no heartbeat, so nobody counts it: neither does it.
        here = len(others) + (0 if read_only else 1)
        modes.append(ngettext("{count} online", "{count} online", here).format(count=here), "bold")
        if others:
            names = sorted(set(others))
            shown = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
            modes.append(" (")
            modes.append_text(literal(shown))
            modes.append(")")
        self._modes = modes
        self._user = user
        self._database = database
        self._draw()

    def tell(self, message: str, *, seconds: float = CONFIRMATION_SECONDS) -> None:
        """Show ``message`` (user text allowed: shown literally) for ``seconds``."""
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message = message
        self._message_timer = self.set_timer(seconds, self._forget_message)
        self._draw()

    def pending(self, changes: list[str]) -> None:
        """Show the changes waiting for another session's lock (none: the line as usual)."""
        self._pending = list(changes)
        self._draw()

    def _forget_message(self) -> None:
        self._message = ""
        self._message_timer = None
        self._draw()

    def on_resize(self) -> None:
        """Fit the line to the new width (the path is shortened for it)."""
        self._draw()

    def _draw(self) -> None:
        # The message comes first so that a narrow terminal cuts facts, not the message.
        width = self.size.width or self.app.size.width
        text = Text.assemble((" salesboard ", "bold reverse"), " ")
        if self._pending:
            waiting = ", ".join(self._pending)
            saving = _("saving {changes} (the database is busy)").format(changes=waiting)
            text.append_text(literal(f"⋯ {saving}", "bold"))
            text.append("  ")
        if self._message:
            text.append_text(literal(f"✓ {self._message}", "bold"))
            text.append("  ")
        text.append_text(self._modes)
        text.append("  " + _("user") + " ")
        text.append_text(literal(self._user, "bold"))
        text.append("  " + _("db") + " ")
        hint = "  " + _("? help · ctrl+p commands")
        room = width - text.cell_len
        path = literal(self._database).plain
        if cell_len(path) + cell_len(hint) <= room:
            text.append(path, "bold")
            text.append(hint, "dim")
        else:
            text.append(shorten_path(path, max(1, room)), "bold")
        text.no_wrap = True
        text.overflow = "ellipsis"
        # ``Static.update`` lays out the whole screen by default; this line has a fixed
        # height in the stylesheet, so repainting it is enough.
        self.update(text, layout=False)


def _user_text(text: str) -> Text:
    """Typed or stored text in the status line: literal, bold, cut so the modes after fit."""
    shown = literal(text, "bold")
    if shown.cell_len > FILTER_SHOWN:
        shown.truncate(FILTER_SHOWN, overflow="ellipsis")
    return shown
