"""Every key of the board, defined once: binding, key hint, help line and palette entry.

The screens take their ``BINDINGS`` from here, the help screen lists these same
definitions and the command palette offers the ones with a palette name, so a key added,
changed or renamed shows the same everywhere and the help cannot drift from what the keys
do (``tests/ui/test_keymap.py`` checks that every binding of every screen is listed).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from salesboard.i18n import N_, _


@dataclass(frozen=True)
class Key:
    """One key (or several keys for one action) and everything the user is told about it.

    ``keys`` and ``action`` make the Textual binding; ``hint`` is its word in the key hints
    (``show``: whether the hints carry it); ``shown_as`` and ``meaning`` are its line in the
    help; ``palette`` names it in the command palette (None: not offered there), with
    ``palette_help`` under the name. A key with no ``action`` is told about only (ctrl+p,
    Enter in a form): Textual or another widget handles it.
    """

    keys: str
    action: str
    hint: str
    shown_as: str
    meaning: str
    show: bool = True
    palette: str | None = None
    palette_help: str = ""

    def binding(self) -> Binding:
        """The Textual binding of this key.

        Its description is the English msgid: the key hints translate it where they draw
        it, so the language can be chosen after the board's modules are imported.
        """
        return Binding(self.keys, self.action, self.hint, show=self.show)


def bindings(*keys: Key) -> list[BindingType]:
    """The Textual bindings of ``keys`` (those that have an action)."""
    return [key.binding() for key in keys if key.action]


# The cursor keys of the board's columns (``BoardGrid``) and the column moves.
_MOVES = (N_("← → ↑ ↓  h l k j"), N_("move between columns and cards"))
_UPDOWN = _MOVES
_JUMPS = ("Home End  g G", N_("first / last card"))
_PAGES = ("PgUp PgDn", N_("a screenful up / down"))
UP = Key("up,k", "cursor(-1)", N_("Up"), *_MOVES, show=False)
DOWN = Key("down,j", "cursor(1)", N_("Down"), *_MOVES, show=False)
LEFT = Key("left,h", "column(-1)", N_("Column left"), *_MOVES, show=False)
RIGHT = Key("right,l", "column(1)", N_("Column right"), *_MOVES, show=False)
FIRST = Key("home,g", "jump('first')", N_("First"), *_JUMPS, show=False)
LAST = Key("end,G", "jump('last')", N_("Last"), *_JUMPS, show=False)
PAGE_UP = Key("pageup", "page(-1)", N_("Page up"), *_PAGES, show=False)
PAGE_DOWN = Key("pagedown", "page(1)", N_("Page down"), *_PAGES, show=False)

# The board's actions on the lit card, and its modes.
OPEN = Key(
    "enter", "open_pane", N_("Open"), "Enter", N_("open the checklist (in it: nothing)"),
    palette=N_("Open checklist"), palette_help=N_("Show the highlighted deal's jobs"),
)  # fmt: skip
ADVANCE = Key(
    "greater_than_sign,shift+right", "advance", N_("Advance"), N_("> or shift+→"),
    N_("advance one stage (checklist complete)"),
    palette=N_("Advance deal"), palette_help=N_("Move the highlighted deal one stage right"),
)  # fmt: skip
BACK = Key(
    "less_than_sign,shift+left", "back", N_("Back"), N_("< or shift+←"), N_("move back one stage"),
    palette=N_("Move deal back"), palette_help=N_("Move the highlighted deal one stage left"),
)  # fmt: skip
NEW = Key(
    "n", "new_deal", N_("New"), "n / e", N_("new deal / edit deal"),
    palette=N_("New deal"), palette_help=N_("Add a deal in Prospect"),
)  # fmt: skip
EDIT = Key(
    "e", "edit_deal", N_("Edit"), "n / e", N_("new deal / edit deal"),
    palette=N_("Edit deal"), palette_help=N_("Edit the highlighted deal"),
)  # fmt: skip
LOST = Key(
    "x", "lost", N_("Lost"), "x", N_("mark lost (asks for a reason)"),
    palette=N_("Mark deal lost"), palette_help=N_("Give the highlighted deal up, with a reason"),
)  # fmt: skip
FINISH = Key(
    "f", "finish", N_("Finish"), "f", N_("finish a complete Closed deal"),
    palette=N_("Finish deal"),
    palette_help=N_("Finish the highlighted Closed deal with its outcome"),
)  # fmt: skip
"""Shown in the key hints only on a Closed deal whose checklist is complete; pressed
elsewhere, it says why not (as ``>`` does)."""
UNDO = Key(
    "u", "undo", N_("Undo"), "u", N_("undo my own last change (if recent)"),
    show=False, palette=N_("Undo my last change"),
    palette_help=N_("Take back your own last change, if it is recent and still yours"),
)  # fmt: skip
HISTORY = Key(
    "H", "history", N_("History"), "H", N_("the deal's history: who changed what, when"),
    show=False, palette=N_("History"),
    palette_help=N_("Every change of the highlighted deal, with who and when"),
)  # fmt: skip
FILTER = Key(
    "slash", "filter", N_("Find"), "/", N_("filter title, company, owner; Esc clears"),
    palette=N_("Filter"), palette_help=N_("Filter the board by text"),
)  # fmt: skip
_OWNERS = ("m / o", N_("only my deals / pick a person; m again: all"))
MINE = Key(
    "m", "mine", N_("Mine"), *_OWNERS,
    palette=N_("Only my deals"), palette_help=N_("Toggle showing only my deals"),
)  # fmt: skip
SORT = Key(
    "s", "sort", N_("Sort"), "s", N_("sort: value, close, days in stage, change"),
    show=False, palette=N_("Sort cards"),
    palette_help=N_("Order every column by value, close date, days in stage or last change"),
)  # fmt: skip
OWNER = Key(
    "o", "owner", N_("Owner"), *_OWNERS,
    show=False, palette=N_("Show one owner's deals"),
    palette_help=N_("Pick whose deals the board shows"),
)  # fmt: skip
HELP = Key(
    "question_mark,f1", "app.help", N_("Help"), N_("? or F1"), N_("this help"),
    palette=N_("Help"), palette_help=N_("Show every key"),
)  # fmt: skip
QUIT = Key("q", "app.quit_board", N_("Quit"), "q", N_("quit (while typing, q is a letter)"))
CLEAR = Key(
    "escape",
    "escape",
    N_("Clear"),
    "Esc",
    N_("close what is open; clear the filter"),
    show=False,
)

ENDED = Key(
    "w", "ended", N_("Ended"), "w", N_("won and lost deals (r reopens one)"),
    palette=N_("Won and lost deals"), palette_help=N_("Every finished and lost deal; reopen one"),
)  # fmt: skip

# The won and lost view.
ENDED_UP = Key("k", "cursor(-1)", N_("Up"), *_UPDOWN, show=False)
ENDED_DOWN = Key("j", "cursor(1)", N_("Down"), *_UPDOWN, show=False)
LIST_UP = Key("up", "move(-1)", N_("Up"), *_MOVES, show=False)
LIST_DOWN = Key("down", "move(1)", N_("Down"), *_MOVES, show=False)
LIST_PAGE_UP = Key("pageup", "page(-1)", N_("Page up"), *_PAGES, show=False)
LIST_PAGE_DOWN = Key("pagedown", "page(1)", N_("Page down"), *_PAGES, show=False)
LIST_FIRST = Key("home", "jump('first')", N_("First"), *_JUMPS, show=False)
LIST_LAST = Key("end", "jump('last')", N_("Last"), *_JUMPS, show=False)
LIST_CHOOSE = Key(
    "enter",
    "choose",
    N_("Open"),
    "Enter",
    N_("open the checklist (in it: nothing)"),
    show=False,
)
ENDED_OPEN = Key("enter", "open", N_("Open"), OPEN.shown_as, OPEN.meaning)
REOPEN = Key("r", "reopen", N_("Reopen"), ENDED.shown_as, ENDED.meaning)
ENDED_FILTER = Key("slash", "filter", N_("Find"), FILTER.shown_as, FILTER.meaning)
ENDED_CLOSE = Key("escape", "close", N_("Close"), "Esc", N_("close what is open; clear the filter"))

# The agenda: my open activities by due time (everyone's with m); Enter goes to the deal.
_AGENDA = (N_("A / Enter / m"), N_("my agenda / go to the deal / everyone's"))
AGENDA = Key(
    "A", "agenda", N_("Agenda"), *_AGENDA,
    show=False, palette=N_("Agenda"),
    palette_help=N_("My open activities by due time, overdue first; Enter goes to the deal"),
)  # fmt: skip
AGENDA_GO = Key("enter", "go", N_("Go to deal"), *_AGENDA)
AGENDA_MINE = Key("m", "mine", N_("Mine/all"), *_AGENDA)

# The column totals: value, or value × the stage's win probability.
WEIGHTED = Key(
    "v", "weighted", N_("Weighted"), "v", N_("column totals: value / weighted value"),
    show=False, palette=N_("Weighted totals"),
    palette_help=N_("Switch the column totals between value and value × win probability"),
)  # fmt: skip

# The reports: charts and tables of the pipeline, from the event log (``reports_screen``).
REPORTS = Key(
    "R", "reports", N_("Reports"), "R",
    N_("reports: forecast, funnel, stuck, outcomes"),
    show=False, palette=N_("Reports"),
    palette_help=N_("Forecast, funnel, days in stage, stuck deals and outcomes, as charts"),
)  # fmt: skip
_REPORT_PICK = (N_("Tab 1–5"), N_("reports: next report; or pick one by number"))
REPORT_NEXT = Key("tab", "report(1)", N_("Report"), *_REPORT_PICK)
REPORT_PREVIOUS = Key("shift+tab", "report(-1)", N_("Report"), *_REPORT_PICK, show=False)
REPORT_PICKS = tuple(
    Key(str(n), f"pick({n - 1})", N_("Report"), *_REPORT_PICK, show=False) for n in range(1, 6)
)
_PERIOD = ("[ ] t", N_("reports: quarter before / after; this one"))
PERIOD_BEFORE = Key("left_square_bracket", "period(-1)", N_("Earlier"), *_PERIOD)
PERIOD_AFTER = Key("right_square_bracket", "period(1)", N_("Later"), *_PERIOD)
PERIOD_NOW = Key("t", "this_quarter", N_("This quarter"), *_PERIOD, show=False)
REPORT_OWNER = Key("o", "owner", N_("Owner"), *_OWNERS)
REPORT_MINE = Key("m", "mine", N_("Mine"), *_OWNERS, show=False)

# A short list to pick from (the card order, whose deals).
CHOICE_UP = Key("k", "cursor(-1)", N_("Up"), *_UPDOWN, show=False)
CHOICE_DOWN = Key("j", "cursor(1)", N_("Down"), *_UPDOWN, show=False)
CHOICE_CLOSE = Key(
    "escape", "close", N_("Close"), "Esc", N_("close what is open; clear the filter")
)

# The checklist (side pane or dialog).
_CHECKLIST = (N_("Space / a"), N_("checklist: tick / untick; all stages"))
TICK = Key("space", "toggle_job", N_("Tick/untick"), *_CHECKLIST)
JOB_UP = Key("k,up", "up", N_("Up"), *_UPDOWN, show=False)
JOB_DOWN = Key("j,down", "down", N_("Down"), *_UPDOWN, show=False)
NO_TICK = Key("enter", "nothing", "", OPEN.shown_as, OPEN.meaning, show=False)
CLOSE = Key("escape", "close", N_("Close"), CLEAR.shown_as, CLEAR.meaning)
ALL_STAGES = Key("a", "all_stages", N_("All stages"), *_CHECKLIST)
DIALOG_HISTORY = Key("H", "history", N_("History"), HISTORY.shown_as, HISTORY.meaning)

# The checklist's sections: activities, stakeholders, problems, notes (below the jobs).
_SECTIONS = (N_("Tab / shift+Tab"), N_("checklist: next / previous section"))
SECTION_NEXT = Key("tab", "section(1)", N_("Sections"), *_SECTIONS)
SECTION_PREVIOUS = Key("shift+tab", "section(-1)", N_("Sections"), *_SECTIONS, show=False)
_PART_KEYS = (N_("n / e / d"), N_("section: add / edit / remove (asks first)"))
PART_ADD = Key("n", "add_part", N_("Add"), *_PART_KEYS)
PART_EDIT = Key("e", "edit_part", N_("Edit"), *_PART_KEYS)
PART_REMOVE = Key("d", "remove_part", N_("Remove"), *_PART_KEYS)
_PART_DONE = (N_("Space"), N_("section: done / solved, or open again"))
ACTIVITY_DONE = Key("space", "toggle_part", N_("Done/undone"), *_PART_DONE)
PROBLEM_SOLVED = Key("space", "toggle_part", N_("Solved/open"), *_PART_DONE)

# The checklist's last section, the deal's notes: e (or n) opens their editor.
_NOTES = (N_("e or n"), N_("notes section: write or edit the notes"))
NOTES_EDIT = Key("e", "edit_notes", N_("Edit notes"), *_NOTES)
NOTES_WRITE = Key("n", "edit_notes", N_("Edit notes"), *_NOTES, show=False)

# Told about only: handled by Textual (the palette) and by the forms' own widgets.
PALETTE = Key("ctrl+p", "", "", "ctrl+p", N_("palette: jump to a deal, run an action"))
SAVE = Key("enter,ctrl+s", "", "", N_("Enter / ctrl+s"), N_("in a form: save (Tab: next field)"))

HELP_KEYS: tuple[Key, ...] = (
    LEFT, RIGHT, UP, DOWN, JOB_UP, JOB_DOWN, FIRST, LAST, PAGE_UP, PAGE_DOWN,
    OPEN, NO_TICK, TICK, ALL_STAGES, HISTORY, DIALOG_HISTORY, ADVANCE, BACK, FINISH, NEW,
    EDIT, LOST, UNDO, ENDED, REOPEN, ENDED_OPEN, ENDED_UP, ENDED_DOWN, ENDED_FILTER,
    ENDED_CLOSE, LIST_UP, LIST_DOWN, LIST_PAGE_UP, LIST_PAGE_DOWN, LIST_FIRST, LIST_LAST,
    LIST_CHOOSE, AGENDA, AGENDA_GO, AGENDA_MINE, FILTER, MINE, OWNER, SORT, WEIGHTED,
    REPORTS, REPORT_NEXT, REPORT_PREVIOUS, *REPORT_PICKS, PERIOD_BEFORE, PERIOD_AFTER,
    PERIOD_NOW, REPORT_OWNER, REPORT_MINE, CHOICE_UP,
    CHOICE_DOWN, CHOICE_CLOSE, SECTION_NEXT, SECTION_PREVIOUS, PART_ADD, PART_EDIT,
    PART_REMOVE, ACTIVITY_DONE, PROBLEM_SOLVED, NOTES_EDIT, NOTES_WRITE, HELP,
    PALETTE, CLEAR, CLOSE, SAVE, QUIT,
)  # fmt: skip
"""The keys the help lists, in its order (keys that share a line are merged)."""

PALETTE_KEYS: tuple[Key, ...] = tuple(key for key in HELP_KEYS if key.palette)
"""The actions the command palette offers, in the help's order."""


def help_rows(keys: tuple[Key, ...] = HELP_KEYS) -> list[tuple[str, str]]:
    """The help's lines: how the keys are written and what they do, each line once."""
    rows: list[tuple[str, str]] = []
    for key in keys:
        row = (_(key.shown_as), _(key.meaning))
        if row not in rows:
            rows.append(row)
    return rows
