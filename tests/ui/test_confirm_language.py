"""A dialog's yes letter follows the language: Norwegian answers ``j`` (ja)."""

from __future__ import annotations

import pytest
from textual.app import App

from salesboard.i18n import install
from salesboard.ui.confirm import Confirm


class Asking(App[None]):
    """An app that asks one question and keeps the answer."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(Confirm("Kast?", yes="Forkast", no="Behold"), self.answers.append)


@pytest.mark.parametrize(
    ("language", "key", "answer"),
    [("nb", "j", True), ("nb", "y", True), ("nb", "n", False), ("en", "y", True)],
)
async def test_the_languages_yes_letter_answers(language: str, key: str, answer: bool) -> None:
    install(language)
    app = Asking()
    async with app.run_test() as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert app.answers == [answer]


async def test_j_is_no_answer_in_english() -> None:
    app = Asking()
    async with app.run_test() as pilot:
        await pilot.press("j")
        await pilot.pause()
        assert app.answers == []
        assert isinstance(app.screen, Confirm)


async def test_the_button_shows_the_languages_letter() -> None:
    install("nb")
    app = Asking()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "Forkast (j)" in str(app.screen.query_one("#yes").label)
