"""One search definition: the CLI, the command palette and the board find the same deals.

On SQLite ``lower()`` folds ASCII only, so ``ålesund`` did not find "ÅLESUND Fisk" in
``list --search`` or the palette while the board's filter did. Every path now compares
the same folded text (``salesboard.folding``), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata

import pytest
from click.testing import CliRunner

from salesboard.cli import cli
from salesboard.service import Pipeline
from salesboard.service.board import BoardFilter, BoardQueries, OpenDealIndex
from salesboard.workflow import Stage

TITLES = {
    1: "ÅLESUND Fisk",
    2: "Straße & Söhne",
    3: unicodedata.normalize("NFD", "Café Crème"),  # é as e + combining accent
    4: "Ærlig Økonomi",
    5: "Alesund without the ring",
}


@pytest.fixture
def searchable(pipeline: Pipeline) -> Pipeline:
    for title in TITLES.values():
        pipeline.create_deal(title, company="N", owner="kari")
    pipeline.edit_deal(5, company="ØSTFOLD Energi")
    return pipeline


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("ålesund", [1]),
        ("ÅLESUND", [1]),
        ("alesund", [5]),  # å is a letter of its own, not an accented a
        ("strasse", [2]),
        ("STRASSE", [2]),
        ("café", [3]),  # composed é finds the decomposed one
        ("æRLIG øk", [4]),
        ("østfold", [5]),  # the company, after an edit
        ("KARI", [1, 2, 3, 4, 5]),
        ("50%", []),
    ],
)
def test_every_search_path_finds_the_same_deals(
    searchable: Pipeline, typed: str, found: list[int]
) -> None:
    db = searchable.db
    assert [d.id for d in searchable.list_deals(text=typed)] == found
    assert [hit[0] for hit in BoardQueries(db).find(typed)] == found
    index = OpenDealIndex(db)
    index.load()
    assert index.view(BoardFilter(text=typed)).columns[Stage.PROSPECT] == found


def test_list_search_on_the_command_line(sqlite_url: str) -> None:
    runner = CliRunner(env={"COLUMNS": "200"})
    assert runner.invoke(cli, ["--db", sqlite_url, "init"]).exit_code == 0
    for title in TITLES.values():
        assert (
            runner.invoke(cli, ["--db", sqlite_url, "add", title, "--company", "N"]).exit_code == 0
        )
    out = runner.invoke(cli, ["--db", sqlite_url, "list", "--search", "ålesund"])
    assert out.exit_code == 0 and "ÅLESUND Fisk" in out.stdout and "Alesund" not in out.stdout
