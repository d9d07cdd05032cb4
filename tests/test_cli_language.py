"""The command line in Norwegian: help pages, Click's own messages and errors; English unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from salesboard.cli import cli, main
from salesboard.cli.click_i18n import localize, requested_language
from salesboard.i18n import N_, install
from tests.terminal_import import import_at_a_terminal


@pytest.fixture(autouse=True)
def _english_afterwards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep away from the user's data, and leave the catalogue and the help in English."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SALESBOARD_DB", raising=False)
    yield
    install("en")
    localize(cli)


@pytest.fixture
def runner() -> CliRunner:
    """A runner with a wide, colourless terminal, as in ``test_cli``."""
    return CliRunner(
        env={
            "COLUMNS": "200",
            "FORCE_COLOR": None,
            "TTY_COMPATIBLE": None,
            "NO_COLOR": None,
            "SALESBOARD_LANG": None,
        }
    )


def usage_error(result: Result) -> str:
    """The stderr of a run Click refused as a usage error (exit 2), without a traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr


ENGLISH_HELP_LINES = (
    "Usage: salesboard [OPTIONS] [COMMAND] [ARGS]...",
    "  A keyboard-driven sales pipeline board for the terminal.",
    "Options:",
    "  --version         Show the version and exit.",
    "  -h, --help        Show this message and exit.",
    "Commands:",
    "  demo         Fill an empty database with demo deals.",
    "  init         Create or upgrade the database; --shared GROUP for a team.",
)


def test_english_help_is_as_before(runner: CliRunner) -> None:
    out = runner.invoke(cli, ["--help"]).stdout
    lines = out.splitlines()
    for line in ENGLISH_HELP_LINES:
        assert line in lines
    assert (
        "  --lang LANG       Language: en (English) or nb (Norwegian Bokmål). Default:\n"
        "                    $SALESBOARD_LANG, else the locale ($LC_ALL, $LC_MESSAGES,\n"
        "                    $LANG), else English.\n"
    ) in out
    assert out.endswith(
        "  Exit codes: 0 done, 1 the database cannot be used, 2 bad input, 3 refused by\n"
        "  the workflow, 4 conflict with another change.\n"
    )


def test_the_root_help_speaks_norwegian(runner: CliRunner) -> None:
    out = runner.invoke(cli, ["--lang", "nb", "--help"]).stdout
    lines = out.splitlines()
    assert lines[0] == "Bruk: salesboard [VALG] [KOMMANDO] [ARGUMENTER]..."
    assert "  En tastaturstyrt salgstavle for terminalen." in lines
    assert "Valg:" in lines and "Kommandoer:" in lines
    assert "  -h, --help          Vis denne hjelpen og avslutt." in lines
    assert "  --version           Vis versjonen og avslutt." in lines
    assert "  demo         Fyll en tom database med demoavtaler." in lines
    assert out.endswith("4 konflikt med en annen endring.\n")
    assert "Avslutningskoder: 0 utført, 1 databasen kan ikke brukes" in " ".join(out.split())
    assert "Show this message" not in out and "Usage:" not in out


def test_help_before_lang_is_norwegian_too(runner: CliRunner) -> None:
    out = runner.invoke(cli, ["--help", "--lang", "nb"]).stdout
    assert out.startswith("Bruk: salesboard")


def test_a_subcommands_help_speaks_norwegian(runner: CliRunner) -> None:
    out = runner.invoke(cli, ["--lang", "nb", "list", "--help"]).stdout
    assert out.startswith("Bruk: salesboard list [VALG]\n")
    words = " ".join(out.split())  # as read, however Click wrapped it
    assert "--json Skriv ut JSON i stedet for en tabell." in words
    assert "Databasen, som salesboard --db (oppgitt før eller etter kommandoen)." in words
    assert "-h, --help Vis denne hjelpen og avslutt." in words
    init = runner.invoke(cli, ["--lang", "nb", "init", "--help"]).stdout
    assert "  Opprett databasen og mappen dens, eller oppgrader skjemaet" in init
    demo = runner.invoke(cli, ["--lang", "nb", "demo", "--help"]).stdout
    assert "Hvor mange avtaler (0 til 1000000).  [standard: 200]" in demo


def test_a_nested_group_speaks_the_language_of_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SALESBOARD_LANG", "nb")
    with pytest.raises(SystemExit) as exit:
        main(["pipeline", "import", "--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Bruk: salesboard pipeline import [VALG] FIL\n")
    assert "Valg:" in out and "Vis denne hjelpen og avslutt." in out


def test_help_texts_of_any_command_are_translated_when_help_is_printed() -> None:
    """Help, the short help derived from it and option help, however deep the command."""

    @click.group()
    def top() -> None:
        """Top."""

    @top.group(help=N_("Print JSON instead of a table."))
    def middle() -> None:
        """Middle."""

    @middle.command(
        help=N_("Fill an empty database with a realistic, deterministic demo pipeline.")
    )
    @click.option("--json", is_flag=True, help=N_("Print JSON instead of a table."))
    def leaf(json: bool) -> None:
        """Leaf."""

    install("nb")
    localize(top)
    listing = CliRunner().invoke(top, ["middle", "--help"]).stdout
    assert "  Skriv ut JSON i stedet for en tabell." in listing
    assert "  leaf  Fyll en tom database med en realistisk" in listing
    page = CliRunner().invoke(top, ["middle", "leaf", "--help"]).stdout
    assert "  --json  Skriv ut JSON i stedet for en tabell." in page
    install("en")
    localize(top)
    page = CliRunner().invoke(top, ["middle", "leaf", "--help"]).stdout
    assert "  --json  Print JSON instead of a table." in page
    assert "Fill an empty database with a realistic, deterministic demo pipeline." in page


@pytest.mark.parametrize(
    ("args", "usage", "message"),
    [
        (["nosuch"], "salesboard", "Feil: Ukjent kommando 'nosuch'."),
        (["lis"], "salesboard", "Feil: Ukjent kommando 'lis'. Mente du 'list'?"),
        (["--bogus"], "salesboard", "Feil: Ukjent valg '--bogus'."),
        (["list", "--bogus"], "salesboard list", "Feil: Ukjent valg '--bogus'."),
        (["show"], "salesboard show", "Feil: Mangler argumentet 'ID'."),
        (
            ["move", "1", "sideways"],
            "salesboard move",
            "Feil: Ugyldig verdi for '{fram|tilbake}': 'sideways' er ikke blant 'fram', 'tilbake'.",
        ),
        (["show", "1", "2"], "salesboard show", "Feil: Fikk et uventet ekstra argument (2)"),
        (
            ["--db", " ", "list"],
            "salesboard",
            "Feil: --db trenger en filsti eller en database-URL, ikke en tom streng",
        ),
    ],
)
def test_clicks_errors_speak_norwegian(
    runner: CliRunner, args: list[str], usage: str, message: str
) -> None:
    err = usage_error(runner.invoke(cli, ["--lang", "nb", *args]))
    assert err.splitlines() == [
        err.splitlines()[0],
        f"Prøv '{usage} --help' for å få hjelp.",
        "",
        message,
    ]
    assert err.startswith(f"Bruk: {usage} ")


def test_the_same_process_switches_back_to_english(runner: CliRunner) -> None:
    english = runner.invoke(cli, ["list", "--help"]).stdout
    english_error = runner.invoke(cli, ["nosuch"]).stderr
    assert runner.invoke(cli, ["--lang", "nb", "list", "--help"]).stdout != english
    install("en")  # as a new process without --lang
    assert runner.invoke(cli, ["list", "--help"]).stdout == english
    assert runner.invoke(cli, ["nosuch"]).stderr == english_error
    assert english_error.endswith("Error: No such command 'nosuch'.\n")
    assert "Try 'salesboard --help' for help." in english_error


def test_version_and_a_commands_output_speak_norwegian(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["--lang", "nb", "--version"]).stdout.startswith(
        "salesboard, versjon "
    )
    db = str(tmp_path / "board.db")
    made = runner.invoke(cli, ["--lang", "nb", "--db", db, "demo", "--deals", "1"])
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("opprettet 1 demoavtale i ")


def test_lang_is_read_before_the_command_only() -> None:
    assert requested_language(cli, ["--lang", "nb", "list"]) == "nb"
    assert requested_language(cli, ["--db", "x.db", "--lang=nb", "--help"]) == "nb"
    assert requested_language(cli, ["--db", "--lang", "list"]) is None
    assert requested_language(cli, ["list", "--lang", "nb"]) is None
    assert requested_language(cli, ["--", "--lang", "nb"]) is None


@pytest.mark.parametrize(
    ("answer", "applied"), [("j", True), ("ja", True), ("y", True), ("", False), ("nei", False)]
)
def test_a_norwegian_answers_j_to_apply_a_pipeline(
    tmp_path: Path, answer: str, applied: bool
) -> None:
    out, _err = import_at_a_terminal(
        str(tmp_path / "p.db"), tmp_path, f"{answer}\n", {"SALESBOARD_LANG": "nb"}
    )
    assert "prospect: står fast etter: 14 dager → 7 dager" in out
    assert "ta i bruk disse endringene? [j/N]: " in out
    assert ("salgsprosessversjon 2" in out) is applied


def test_an_answer_that_is_neither_is_asked_again(tmp_path: Path) -> None:
    out, err = import_at_a_terminal(
        str(tmp_path / "p.db"), tmp_path, "kanskje\nnei\n", {"SALESBOARD_LANG": "nb"}
    )
    assert "svar j eller n" in err
    assert out.count("[j/N]") == 2
    assert "salgsprosessversjon 2" not in out


def test_choices_are_typed_as_keys_or_as_words_of_the_language(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = str(tmp_path / "w.db")
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0
    assert runner.invoke(cli, ["--db", db, "add", "Fjord", "--company", "C"]).exit_code == 0
    assert runner.invoke(cli, ["--db", db, "lost", "1", "--reason", "pris"]).exit_code == 0
    for status in ("tapt", "TAPT", "lost"):
        listed = runner.invoke(cli, ["--lang", "nb", "--db", db, "list", "--status", status])
        assert listed.exit_code == 0, listed.output
        assert "Fjord" in listed.output
    refused = runner.invoke(cli, ["--lang", "nb", "--db", db, "list", "--status", "borte"])
    assert refused.exit_code == 2
    assert "'borte' er ikke blant 'åpen', 'fullført', 'tapt', 'alle'." in refused.output
    english = runner.invoke(cli, ["--lang", "en", "--db", db, "list", "--status", "gone"])
    assert "'gone' is not one of 'open', 'finished', 'lost', 'all'." in english.output
    usage = runner.invoke(cli, ["--lang", "nb", "move", "--help"]).output
    assert usage.startswith("Bruk: salesboard move [VALG] ID {fram|tilbake}\n")
