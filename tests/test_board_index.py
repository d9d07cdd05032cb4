"""The board's in-memory index of open deals agrees with the database, filter by filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesboard.service import Pipeline
from salesboard.service.board import BoardFilter, BoardQueries, OpenDealIndex
from salesboard.service.demo import seed_demo
from salesboard.service.rates import RateBook
from salesboard.store import Database
from salesboard.workflow import Stage
from tests.conftest import FROZEN_START

FILTERS = [
    BoardFilter(),
    BoardFilter(text="a"),
    BoardFilter(text="  North "),
    BoardFilter(text="zzz-no-such-deal"),
    BoardFilter(owner="alice"),
    BoardFilter(text="o", owner="bob"),
    BoardFilter(text="50%"),
]


@pytest.fixture
def demo_db(db: Database) -> Database:
    seed_demo(db, deals=150, seed=3, now=FROZEN_START, me="alice")
    return db


def _sql_view(queries: BoardQueries, flt: BoardFilter) -> tuple[dict, dict]:
    return queries.all_column_ids(flt), queries.totals(flt)


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f"{f.text!r}/{f.owner}")
def test_index_matches_the_sql_queries(demo_db: Database, flt: BoardFilter) -> None:
    index = OpenDealIndex(demo_db)
    index.load()
    view = index.view(flt)
    columns, totals = _sql_view(BoardQueries(demo_db), flt)
    assert view.columns == columns
    assert view.totals == totals
    if not flt.text and flt.owner is None:
        assert sum(len(ids) for ids in view.columns.values()) == len(index) > 50


@pytest.mark.parametrize("searched_first", [False, True], ids=["fresh", "searched"])
def test_put_keeps_the_index_equal_to_a_fresh_load(demo_db: Database, searched_first: bool) -> None:
    index = OpenDealIndex(demo_db)
    index.load()
    if searched_first:  # search keys already built: put must keep them current too
        index.view(BoardFilter(text="a"))
    pipeline = Pipeline(demo_db, actor="carol")
    created = pipeline.create_deal("Fresh [red]deal[/]", company="Nordwind", owner="carol")
    index.put(created.summary)
    some_open = pipeline.list_deals(stage=Stage.QUALIFIED)[0]
    lost = pipeline.mark_lost(some_open.id, "budget cut")
    index.put(lost.summary)
    edited = pipeline.edit_deal(created.id, value="123.45", owner="dana")
    index.put(edited.summary)
    reopened = pipeline.reopen(some_open.id)
    index.put(reopened.summary)  # an old id comes back: columns must stay in id order

    fresh = OpenDealIndex(demo_db)
    fresh.load()
    for flt in [*FILTERS, BoardFilter(owner="dana"), BoardFilter(text="nordwind")]:
        assert index.view(flt) == fresh.view(flt)
    assert created.id in index.view(BoardFilter(text="[RED]")).columns[Stage.PROSPECT]


def test_search_folds_case_beyond_ascii(db: Database) -> None:
    pipeline = Pipeline(db, actor="alice")
    deal = pipeline.create_deal("Wärmepumpe", company="Bergström AB", owner="alice")
    index = OpenDealIndex(db)
    index.load()
    for needle in ("STRÖM", "wärme", "BERGSTRÖM ab"):
        assert index.view(BoardFilter(text=needle)).columns[Stage.PROSPECT] == [deal.id]
    assert index.view(BoardFilter(text="stroem")).totals[Stage.PROSPECT].count == 0


@pytest.mark.parametrize("kept", ["everyone", "acme", "bob"])
def test_adjusting_totals_deal_by_deal_equals_counting_again(tmp_path: Path, kept: str) -> None:
    """A move, an edit or a loss changes the figures by that deal alone (issue 11)."""
    board_filter = {
        "everyone": BoardFilter(),
        "acme": BoardFilter(text="acme"),
        "bob": BoardFilter(owner="bob"),
    }[kept]
    db = Database.open(str(tmp_path / "board.db"), create=True)
    pipeline = Pipeline(db, actor="alice")
    RateBook(db, actor="alice").set_rate("USD", "0.9")
    for n in range(6):
        currency = "USD" if n % 3 == 0 else ("NOK" if n == 5 else "EUR")
        company = "Acme" if n % 2 else "Bolt"
        pipeline.create_deal(f"Deal {n}", company=company, value=str(100 * n), currency=currency)
    index = OpenDealIndex(db, RateBook(db).current())
    index.load()
    totals = index.totals(board_filter)
    changed = [
        pipeline.edit_deal(1, value="7"),
        pipeline.edit_deal(2, owner="bob", company="Acme"),
        pipeline.mark_lost(3, "gone"),
        pipeline.reopen(3),
        pipeline.edit_deal(4, currency="NOK"),
        pipeline.edit_deal(6, owner="bob"),
    ]
    for deal in changed:
        totals = index.adjust(totals, *index.put(deal.summary), board_filter)
        assert totals == index.totals(board_filter)
    db.close()


def test_loading_keeps_one_string_per_owner_company_and_currency(demo_db: Database) -> None:
    """At 100,000 deals the board's peak memory went over 150 MB: each deal held its own
    copy of its owner's name, its company and its currency, read row by row."""
    index = OpenDealIndex(demo_db)
    index.load()
    entries = list(index._open.values())
    owners = {entry.owner for entry in entries}
    assert len(owners) < len(entries)  # the data repeats: the sharing can be seen
    for field in ("owner", "company", "currency"):
        by_text: dict[str, int] = {}
        for entry in entries:
            text = getattr(entry, field)
            assert by_text.setdefault(text, id(text)) == id(text), (field, text)
