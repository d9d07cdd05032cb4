"""Arbitrary text into every parser, command option and form field: a value or a refusal.

Whatever a user types (or a paste, a script, an undecodable byte from the shell) must end
as an accepted value or as a clear ``InvalidInput`` (exit 2 on the command line, a line
under the field in a form), never as any other exception, an "internal error" or a crash.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Static

from salesboard import validation
from salesboard.cli import cli
from salesboard.errors import InvalidInput
from salesboard.store import Database
from salesboard.ui.forms import DealForm
from salesboard.workflow import Stage
from tests.conftest import FrozenClock
from tests.ui.helpers import ME, NARROW, NOW, Board

# Any code point, lone surrogates (undecodable argv bytes) and control bytes included.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
NUMBERISH = st.text(st.sampled_from("0123456789 .,-+eE_\u00a0\u202f\u0661\u0662٫"), max_size=30)
TEXTS = st.one_of(ANY_TEXT, NUMBERISH)

PARSERS: dict[str, Callable[[str], object]] = {
    "title": validation.clean_title,
    "company": validation.clean_company,
    "owner": validation.clean_owner,
    "reason": validation.clean_reason,
    "notes": validation.clean_notes,
    "currency": validation.clean_currency,
    "value": validation.parse_value,
    "date": validation.parse_date,
    "job number": lambda text: validation.parse_whole_number(text, "N", 1, 10_000),
}


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
@example(text="1e999999999")
@example(text="1e999999")
@example(text="١٢٣")
@example(text="9" * 400)
def test_every_parser_gives_a_value_or_a_clear_refusal(name: str, text: str) -> None:
    try:
        PARSERS[name](text)
    except InvalidInput as refusal:
        assert str(refusal)  # says what is acceptable
        str(refusal).encode("utf-8", "surrogatepass")


@given(text=TEXTS)
def test_stage_names_parse_or_refuse_with_value_error(text: str) -> None:
    try:
        assert Stage.parse(text) in Stage
    except ValueError as refusal:
        assert "unknown stage" in str(refusal) or "type more of the name" in str(refusal)


@given(text=TEXTS)
def test_display_safe_never_lets_a_control_or_override_through(text: str) -> None:
    shown = validation.display_safe(text)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in shown)
    shown.encode("utf-8")


# ---------------------------------------------------------------- the command line


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database for every example (a deal with id 1 to edit and tick)."""
    path = str(tmp_path_factory.mktemp("fuzz") / "board.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", path, "init"]).exit_code == 0
    assert runner.invoke(cli, ["--db", path, "add", "Target", "--company", "C"]).exit_code == 0
    return path


def command_lines(text: str) -> list[list[str]]:
    """Every place the command line takes a typed value, each given ``text``."""
    return [
        ["add", "T", "--company", "C", "--value", text],
        ["add", text, "--company", text, "--currency", text],
        ["add", "T", "--company", "C", "--close", text, "--owner", text, "--notes", text],
        ["edit", "1", "--value", text],
        ["edit", text, "--title", "x"],
        ["check", "1", text],
        ["check", "1", "1", "--if-version", text],
        ["lost", text, "--reason", "x"],
        ["list", "--stage", text, "--search", text, "--owner", text],
        ["finish", "1", "--outcome", "success", "--satisfaction", text],
        ["show", text],
        ["history", text],
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXTS)
@example(text="1e999999999")
@example(text="١٢٣")
@example(text="3000000000")
def test_every_command_option_gives_a_result_or_a_usage_error(cli_db: str, text: str) -> None:
    runner = CliRunner(env={"COLUMNS": "120"})
    for args in command_lines(text):
        result = runner.invoke(cli, ["--db", cli_db, *args])
        assert isinstance(result.exception, (SystemExit, type(None))), (args, result.exception)
        assert result.exit_code in (0, 2, 3, 4), (args, result.exit_code, result.output)
        assert "internal error" not in result.output and "Traceback" not in result.output


# ------------------------------------------------------------------ the board's form


def fill_the_form(path: Path, values: dict[str, str]) -> tuple[bool, dict[str, str]]:
    """Type ``values`` into the new-deal form and press ctrl+s; (app still up, errors)."""

    async def drive() -> tuple[bool, dict[str, str]]:
        db = Database.open(str(path))
        try:
            app = Board(db, FrozenClock(NOW)).app(live=False)
            async with app.run_test(size=NARROW) as pilot:
                await pilot.press("n")
                form = app.screen
                assert isinstance(form, DealForm)
                for name, value in values.items():
                    form.query_one(f"#field-{name}", Input).value = value
                await pilot.press("ctrl+s")
                await pilot.pause()
                errors: dict[str, str] = {}
                if isinstance(app.screen, DealForm):
                    for name in values:
                        shown = app.screen.query_one(f"#error-{name}", Static)
                        if shown.display:
                            errors[name] = str(shown.render())
                return app.is_running, errors
        finally:
            db.close()

    return asyncio.run(drive())


@pytest.fixture(scope="module")
def form_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("form") / "board.db"
    Database.open(str(path), create=True).close()
    return path


FORM_FIELDS = ("title", "company", "value", "currency", "owner", "expected_close")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.fixed_dictionaries({name: TEXTS for name in FORM_FIELDS}))
@example(values={"title": "T", "company": "C", "value": "1e999999", "currency": "EUR",
                 "owner": ME, "expected_close": ""})  # fmt: skip
def test_the_new_deal_form_never_crashes_on_input(form_db: Path, values: dict[str, Any]) -> None:
    running, errors = fill_the_form(form_db, values)
    assert running
    for name, value in values.items():
        expected = PARSERS.get(name, validation.parse_date)
        if name in ("expected_close", "value") and not value.strip():
            continue  # left empty: no date, and no amount yet (0)
        try:
            expected(value)
        except InvalidInput as refusal:
            # The form shows the refusal made safe (no skin tones, no controls).
            shown = validation.display_safe(str(refusal))
            assert errors.get(name) == shown, (name, value, errors)
