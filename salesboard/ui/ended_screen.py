"""Won and lost: every finished and lost deal, to find, open and reopen (issue 12, point 2).

Finished and lost deals leave the board; this view is where they are found again. It
lists them newest first, narrows as the board's filter does (title, company or owner,
the same folded search), opens a deal in the same checklist dialog (its jobs cannot be
changed while it is not open: the service refuses, naming why) and reopens one after
asking: it returns to the stage it left, exactly as ``salesboard reopen``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from salesboard.i18n import _
from salesboard.service import DealSummary, DealView, EventView, Pipeline
from salesboard.service.filters import needle_of, search_key
from salesboard.ui import keymap
from salesboard.ui.context import BoardContext
from salesboard.ui.ended_list import EndedList
from salesboard.ui.footer import KeyHints
from salesboard.ui.keymap import bindings
from salesboard.workflow import Status

Reopen = Callable[[int, int, Callable[[DealView], None]], None]
"""Reopen deal ``id`` seen at ``version``, then call back with the deal as it is now."""


def ended_deals(pipeline: Pipeline) -> list[DealSummary]:
    """Every finished and lost deal that can be read, the most recently changed first."""
    found = [
        deal
        for status in (Status.FINISHED, Status.LOST)
        for deal in pipeline.list_deals(status=status)
        if deal.damage is None
    ]
    return sorted(found, key=lambda deal: (deal.updated_at, deal.id), reverse=True)


class EndedScreen(ModalScreen[None]):
    """The finished and lost deals, with their outcome or reason, satisfaction and date."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        keymap.ENDED_OPEN,
        keymap.REOPEN,
        keymap.ENDED_FILTER,
        keymap.ENDED_CLOSE,
        keymap.QUIT,
        keymap.ENDED_UP,
        keymap.ENDED_DOWN,
    )

    def __init__(
        self,
        context: BoardContext,
        *,
        reopen: Reopen,
        recent: Callable[[int], list[EventView]],
        select: int | None = None,
    ) -> None:
        super().__init__()
        self.ctx = context
        self.pipeline = context.pipeline
        self._reopen = reopen
        """The board's reopen (the rules, the busy database, the notice): handed down."""
        self._recent = recent
        """A deal's latest changes, for the checklist dialog (as on the board)."""
        self.select = select
        self.deals: list[DealSummary] = []
        self.shown: list[DealSummary] = []
        self._keys: list[str] = []  # each deal's folded search text, as the board's

    def compose(self) -> ComposeResult:
        """A heading, the filter box, the table, the key hints."""
        yield Static(Text(_("Won and lost deals"), style="bold"), id="ended-title")
        yield Input(
            placeholder=_("Filter by title, company or owner"),
            id="ended-filter",
            select_on_focus=False,  # a letter typed on the list is kept, not replaced
        )
        yield EndedList(id="ended")
        yield KeyHints()

    def on_mount(self) -> None:
        """Load the deals and put the cursor on the one asked for (or the newest)."""
        table = self.query_one(EndedList)
        self.deals = ended_deals(self.pipeline)
        self._keys = [search_key(d.title, d.company, d.owner) for d in self.deals]
        self._fill("", keep=self.select)
        self.set_focus(table)

    def _fill(self, text: str, *, keep: int | None = None) -> None:
        """Narrow the list to ``text`` (one pass over it; only a screenful is drawn)."""
        needle = needle_of(text)
        self.shown = [
            deal for deal, key in zip(self.deals, self._keys, strict=True) if needle in key
        ]
        table = self.query_one(EndedList)
        table.show(self.shown, keep=keep if keep is not None else self._current_id())
        count = len(self.shown)
        if needle:
            heading = _("Won and lost deals: {count} of {total}").format(
                count=count, total=len(self.deals)
            )
        else:
            heading = _("Won and lost deals: {count}").format(count=count)
        self.query_one("#ended-title", Static).update(Text(heading, style="bold"))

    def on_key(self, event: events.Key) -> None:
        """A letter typed on the list that is none of its keys starts the filter with it.

        Typing a title without ``/`` first used to run the keys hidden in it: the ``r`` of
        "Ivory" asked to reopen and the ``y`` said yes. Now the first letter that is not
        a key moves the typing into the filter, where the rest of the word goes too.
        """
        listing = self.query_one(EndedList)
        character = event.character
        if (
            self.focused is listing
            and event.is_printable
            and character is not None
            and character not in self._key_letters
        ):
            box = self.query_one("#ended-filter", Input)
            box.focus()
            box.insert_text_at_cursor(character)
            event.stop()
            event.prevent_default()

    @property
    def _key_letters(self) -> frozenset[str]:
        """The characters that are keys here (j, k, r, q, /), never taken as typing."""
        keys = (
            key.keys for key in (keymap.ENDED_UP, keymap.ENDED_DOWN, keymap.REOPEN, keymap.QUIT)
        )
        return frozenset({"/", *(k for group in keys for k in group.split(",") if len(k) == 1)})

    @on(Input.Changed, "#ended-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#ended-filter")
    def _filter_done(self) -> None:
        self.set_focus(self.query_one(EndedList))

    def action_filter(self) -> None:
        """Type to narrow the list."""
        self.set_focus(self.query_one("#ended-filter", Input))

    def action_cursor(self, delta: int) -> None:
        """Move the cursor with j and k, as on the board (the arrows work too)."""
        self.query_one(EndedList).move(delta)

    def current(self) -> DealSummary | None:
        """The deal under the cursor, if the list is not empty."""
        return self.query_one(EndedList).current

    def _current_id(self) -> int | None:
        deal = self.current() if self.is_mounted else None
        return deal.id if deal is not None else None

    @on(EndedList.Chosen)
    def action_open(self) -> None:
        """The deal in the checklist dialog: every job, who ticked it, and its history (H)."""
        from salesboard.ui.deal_screen import DealScreen

        deal = self.current()
        if deal is not None:
            view = self.pipeline.get_deal(deal.id)
            dialog = DealScreen(view, self.ctx.clock, focus_job=None, recent=self._recent)
            self.app.push_screen(dialog)

    def action_reopen(self) -> None:
        """Ask, then bring the deal back onto the board at the stage it left."""
        from salesboard.ui.confirm import Confirm

        deal = self.current()
        if deal is None:
            return
        ask = _("Reopen {title}?").format(title=deal.title)
        where = _(
            "It goes back onto the board in {stage}, as an open deal; its history keeps how "
            "it ended."
        ).format(stage=deal.stage.label)
        question = f"{ask}\n\n{where}"

        def answered(yes: bool | None) -> None:
            if yes:
                self._reopen(deal.id, deal.version, self._reopened)

        self.app.push_screen(Confirm(question, yes=_("Reopen"), no=_("Keep it")), answered)

    def _reopened(self, deal: DealView) -> None:
        """The deal is open again: it leaves this list."""
        kept = [n for n, d in enumerate(self.deals) if d.id != deal.id]
        self.deals = [self.deals[n] for n in kept]
        self._keys = [self._keys[n] for n in kept]
        self._fill(self.query_one("#ended-filter", Input).value)

    def action_close(self) -> None:
        """Clear the filter, or back to the board."""
        box = self.query_one("#ended-filter", Input)
        if box.value:
            box.value = ""
            self.set_focus(self.query_one(EndedList))
            return
        self.dismiss(None)
