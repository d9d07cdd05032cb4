"""A card's close date: a date long passed keeps its year, however narrow the card."""

from __future__ import annotations

from datetime import timedelta

import pytest

from salesboard.i18n import install
from salesboard.workflow import Stage
from tests.ui.helpers import NOW, Board, card_text, column


@pytest.mark.parametrize(("language", "year_mark"), [("en", "'"), ("nb", ".")])
async def test_an_overdue_date_of_another_year_shows_its_year_at_80_columns(
    empty_board: Board, language: str, year_mark: str
) -> None:
    install(language)
    last_year = (NOW - timedelta(days=400)).date()
    empty_board.pipeline.create_deal("Old", company="C", expected_close=last_year)
    app = empty_board.app(live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        line = card_text(column(app, Stage.PROSPECT), 0)[4]
    assert "⚠" in line
    assert "…" not in line, line
    short_year = f"{last_year.year % 100:02d}"
    assert line.rstrip().endswith(f"{year_mark}{short_year}"), line  # Sep '25; 28.9.25
