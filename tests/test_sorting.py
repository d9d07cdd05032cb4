"""Card orders (issue 12, point 4): one definition for the board's columns and the CLI."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import timedelta

import pytest
from click.testing import CliRunner

from salesboard.cli import cli
from salesboard.service import Pipeline
from salesboard.service.board import BoardFilter, OpenDealIndex
from salesboard.service.demo import seed_demo
from salesboard.service.rates import RateBook
from salesboard.service.sorting import CardOrder, in_board_order
from salesboard.store import Database
from salesboard.workflow import Stage
from tests.conftest import FROZEN_START, FrozenClock
from tests.test_service import evidenced, tick_all


def titles(index: OpenDealIndex, stage: Stage = Stage.PROSPECT) -> list[str]:
    names = {d.id: d.title for d in Pipeline(index.db).list_deals()}
    return [names[i] for i in index.view().columns[stage]]


def test_each_order_puts_the_deals_that_matter_first(
    pipeline: Pipeline, clock: FrozenClock
) -> None:
    today = FROZEN_START.date()
    old = pipeline.create_deal("Old small", value="100", expected_close=str(today))
    clock.advance(days=1)
    big = pipeline.create_deal("Big", value="9000", expected_close=str(today + timedelta(9)))
    clock.advance(days=1)
    undated = pipeline.create_deal("Undated", value="500")
    clock.advance(days=1)
    dollars = pipeline.create_deal("Dollars", value="99999", currency="USD")  # no rate
    clock.advance(days=1)
    pipeline.edit_deal(old.id, notes="touched last")
    index = OpenDealIndex(pipeline.db, RateBook(pipeline.db).current())
    index.load()

    assert titles(index) == ["Old small", "Big", "Undated", "Dollars"]  # board order
    index.order = CardOrder.VALUE  # highest first; no rate to compare: last
    assert titles(index) == ["Big", "Undated", "Old small", "Dollars"]
    index.order = CardOrder.CLOSE  # soonest first; no date: last (oldest first)
    assert titles(index) == ["Old small", "Big", "Undated", "Dollars"]
    index.order = CardOrder.DAYS  # longest in its stage first
    assert titles(index) == ["Old small", "Big", "Undated", "Dollars"]
    index.order = CardOrder.CHANGED  # newest change first
    assert titles(index) == ["Old small", "Dollars", "Undated", "Big"]
    assert {big.id, undated.id, dollars.id} <= set(index.view().columns[Stage.PROSPECT])


def test_days_in_stage_order_follows_the_stage_clock(
    pipeline: Pipeline, clock: FrozenClock
) -> None:
    """A deal bounced back and forward again keeps its place among the stale ones."""
    stale = tick_all(pipeline, evidenced(pipeline, pipeline.create_deal("Stale")))
    pipeline.advance(stale.id)
    clock.advance(days=30)
    fresh = tick_all(pipeline, evidenced(pipeline, pipeline.create_deal("Fresh")))
    pipeline.advance(fresh.id)
    clock.advance(days=1)
    pipeline.move_back(stale.id)
    pipeline.advance(stale.id)  # straight forward again: still 31 days in Qualified
    index = OpenDealIndex(pipeline.db)
    index.load()
    index.order = CardOrder.DAYS
    assert titles(index, Stage.QUALIFIED) == ["Stale", "Fresh"]


@pytest.fixture
def demo_db(db: Database) -> Database:
    seed_demo(db, deals=150, seed=5, now=FROZEN_START, me="alice")
    return db


@pytest.mark.parametrize("order", list(CardOrder), ids=lambda o: o.value)
def test_the_board_and_the_command_line_sort_alike(demo_db: Database, order: CardOrder) -> None:
    """The index's columns (in memory, kept up to date by ``put``) equal ``list --sort``."""
    index = OpenDealIndex(demo_db, RateBook(demo_db).current())
    index.load()
    index.order = order
    index.view()  # the keys are built: put must now keep them current
    pipeline = Pipeline(demo_db, actor="carol")
    some = pipeline.list_deals(stage=Stage.DISCOVERY)
    for changed in (
        pipeline.edit_deal(some[0].id, value="999999", expected_close="2026-11-03"),
        pipeline.move_back(some[1].id),
        pipeline.create_deal("Fresh", value="1", owner="carol"),
    ):
        index.put(changed.summary)
    fresh = OpenDealIndex(demo_db, RateBook(demo_db).current())
    fresh.load()
    fresh.order = order
    assert index.view().columns == fresh.view().columns

    runner = CliRunner()
    result = runner.invoke(cli, ["--db", demo_db.url, "list", "--sort", order.value, "--json"])
    assert result.exit_code == 0, result.output
    listed = [(Stage.parse(d["stage"]), d["id"]) for d in json.loads(result.output)]
    on_board = [(stage, i) for stage, ids in index.view().columns.items() for i in ids]
    assert listed == on_board
    filtered = index.view(BoardFilter(owner="bob")).columns[Stage.PROSPECT]
    bobs = [d for d in pipeline.list_deals(stage=Stage.PROSPECT, owner="bob")]
    rates = RateBook(demo_db).current()
    assert filtered == [d.id for d in in_board_order(bobs, order, rates.convert)]


def test_an_unknown_order_is_refused_with_the_choices(sqlite_url: str) -> None:
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "list", "--sort", "price"])
    assert result.exit_code == 2
    assert "'price' is not one of 'board', 'value', 'close', 'days', 'changed'" in result.output


def test_damaged_deals_come_last_in_a_sorted_listing(sqlite_url: str, clock: FrozenClock) -> None:
    """The board leaves damaged deals off (and names them); a sorted list puts them last."""
    db = Database.open(sqlite_url, create=True)
    try:
        pipeline = Pipeline(db, actor="alice", clock=clock)
        first = pipeline.create_deal("First", value="10")
        second = pipeline.create_deal("Second", value="20")
        with closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as raw, raw:
            raw.execute("UPDATE deal SET stage = 'x' WHERE id = ?", (first.id,))
    finally:
        db.close()
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "list", "--sort", "value", "--json"])
    listed = json.loads(result.stdout)
    assert [d["id"] for d in listed] == [second.id, first.id]
    assert "damaged" in listed[-1]


def test_show_says_the_days_in_stage_the_card_shows(sqlite_url: str) -> None:
    db = Database.open(sqlite_url, create=True)
    try:
        deal = Pipeline(db, actor="alice").create_deal("Fresh")
    finally:
        db.close()
    result = CliRunner().invoke(cli, ["--db", sqlite_url, "show", str(deal.id)])
    assert result.exit_code == 0, result.output
    assert "Prospect (1 of 6), 0 days in stage" in result.output
