"""The board model under random use: the lit card is always on screen and always the one
every key acts on, whatever is inserted, removed, moved, re-sorted, filtered or resized.

Cards carry sort keys as a sorted board gives them (``(rank, id)``; the rank stands for a
value or a date, shared by several deals), so a card's place can change under the cursor.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from salesboard.ui.board_model import BoardModel, ColumnCursor
from salesboard.workflow import Stage

STAGES = st.sampled_from(list(Stage))
IDS = st.integers(min_value=1, max_value=60)
RANKS = st.integers(min_value=0, max_value=8)


class Board(RuleBasedStateMachine):
    """Random operations on a board model; the rules of its docstring checked after each."""

    def __init__(self) -> None:
        super().__init__()
        self.model = BoardModel()
        self.where: dict[int, Stage] = {}  # every deal on the board, and its column

    @rule(deal_id=IDS, stage=STAGES, select=st.booleans(), rank=RANKS)
    def insert(self, deal_id: int, stage: Stage, select: bool, rank: int) -> None:
        """A card arrives, or changes so that its key does (a re-sort under the cursor)."""
        old = self.where.get(deal_id)
        if old is not None and old is not stage:
            self.model.columns[old].remove(deal_id)
        lit_before = self.model.columns[stage].current_id
        self.model.columns[stage].insert(deal_id, select=select, key=(rank, deal_id))
        self.where[deal_id] = stage
        if select:
            assert self.model.columns[stage].current_id == deal_id
        elif lit_before is not None:
            assert self.model.columns[stage].current_id == lit_before  # a remote change
        assert self.model.columns[stage].key_of(deal_id) == (rank, deal_id)

    @rule(deal_id=IDS)
    def remove(self, deal_id: int) -> None:
        stage = self.where.pop(deal_id, None)
        if stage is not None:
            column = self.model.columns[stage]
            lit_before = column.current_id
            assert column.remove(deal_id)
            if lit_before != deal_id:
                assert column.current_id == lit_before  # the lit card stays the lit card

    @rule(stage=STAGES, keep=IDS, data=st.data())
    def filter(self, stage: Stage, keep: int, data: st.DataObject) -> None:
        column = self.model.columns[stage]
        keys = {i: column.key_of(i) for i in column.ids}
        chosen = data.draw(st.sets(st.sampled_from(column.ids))) if column.ids else set()
        kept = sorted(chosen, key=keys.__getitem__)
        for gone in set(column.ids) - set(kept):
            self.where.pop(gone)
        column.set_ids(kept, keep, [keys[i] for i in kept])
        if keep in kept:
            assert column.current_id == keep

    @rule(delta=st.integers(-8, 8))
    def cursor(self, delta: int) -> None:
        column = self.model.columns[self.model.active]
        column.move_to(column.cursor + delta)

    @rule(stage=STAGES)
    def activate(self, stage: Stage) -> None:
        self.model.active = stage

    @rule(stage=STAGES, per_page=st.integers(0, 12))
    def resize(self, stage: Stage, per_page: int) -> None:
        self.model.columns[stage].resize(per_page)

    @rule(stage=STAGES, cards=st.integers(-5, 5))
    def wheel(self, stage: Stage, cards: int) -> None:
        self.model.columns[stage].scroll(cards)

    @invariant()
    def every_column_is_sound(self) -> None:
        for stage, column in self.model.columns.items():
            assert column.keys == sorted(column.keys)
            assert column.ids == [key[-1] for key in column.keys]
            assert all(column.position(i) == n for n, i in enumerate(column.ids))
            assert sorted(column.ids) == sorted(i for i, s in self.where.items() if s is stage)
            check(column)

    @invariant()
    def the_lit_card_is_the_one_acted_on(self) -> None:
        active = self.model.columns[self.model.active]
        assert self.model.current_id() == active.current_id
        if active.ids:
            assert active.top <= active.cursor < active.top + active.per_page
            assert self.model.stage_of(active.ids[active.cursor]) is self.model.active


def check(column: ColumnCursor) -> None:
    if not column.ids:
        assert (column.cursor, column.top) == (0, 0)
        return
    assert 0 <= column.cursor < len(column.ids)
    assert column.top <= column.cursor < column.top + column.per_page  # on screen
    assert 0 <= column.top <= max(0, len(column.ids) - column.per_page)  # no blank rows


TestBoardModel = Board.TestCase
TestBoardModel.settings = settings(max_examples=300, stateful_step_count=60, deadline=None)


def test_a_cursor_leaving_the_view_turns_the_page_keeping_one_card_of_context() -> None:
    """Issue 16: scrolling a card a key redrew the whole column at every key once the
    cursor reached the edge; a page turn redraws it once a page."""
    column = ColumnCursor(ids=list(range(1, 21)))
    column.resize(4)
    tops = []
    for index in range(1, 10):  # j, j, j, ...
        scrolled = column.move_to(index)
        tops.append((column.top, scrolled))
    # Cards 0-3 in view; the cursor leaving it at 4 shows 3-6 (3, the card it left, as
    # context), leaving that at 7 shows 6-9: two redraws in nine moves, not six.
    assert tops == [(0, False), (0, False), (0, False), (3, True), (3, False), (3, False),
                    (6, True), (6, False), (6, False)]  # fmt: skip
    for index in range(8, -1, -1):  # and k back up
        column.move_to(index)
        assert column.top <= column.cursor < column.top + column.per_page
    assert column.top == 0
    column.move_to(5)  # k into a page above keeps the card left as context below it
    column.move_to(19)  # G: the last page, full
    assert (column.cursor, column.top) == (19, 16)
    column.move_to(15)
    assert column.top == 13  # 13, 14, 15 and 16 (the card left)


def test_a_page_of_one_or_two_cards_turns_without_context() -> None:
    """With room for two cards, a card of context would make every move a redraw."""
    column = ColumnCursor(ids=list(range(1, 11)))
    column.resize(2)
    column.move_to(2)
    assert column.top == 2  # cards 2 and 3: both new
    column.move_to(3)
    assert column.top == 2
    column.move_to(1)
    assert column.top == 0
