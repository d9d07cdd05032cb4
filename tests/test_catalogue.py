"""The string catalogue: extracted, complete in every language, compiled, and chosen right."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

from salesboard.cli import cli
from salesboard.i18n import DOMAIN, LOCALE_DIR, choose_language, install, parse_language

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rsa])?\}")


Key = tuple[str | None, str | tuple[str, ...]]
"""A message as the catalogue tells it apart: its context (``pgettext``) and its id."""


def source_messages() -> set[Key]:
    """Every message marked in the package now, as Babel extracts it."""
    found: set[Key] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=[("salesboard/**.py", "python")]
    ):
        found.add((context, message if isinstance(message, str) else tuple(message)))
    return found


def catalogue(path: Path) -> dict[Key, object]:
    with path.open("rb") as handle:
        return {(m.context, m.id): m for m in read_po(handle) if m.id}  # type: ignore[misc]


def test_the_template_holds_exactly_the_marked_messages() -> None:
    template = catalogue(LOCALE_DIR / f"{DOMAIN}.pot")
    assert set(template) == source_messages(), (
        "run the extract and update commands of README 'Languages'"
    )


@pytest.mark.parametrize("language", ["nb"])
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    template = catalogue(LOCALE_DIR / f"{DOMAIN}.pot")
    found = catalogue(po)
    assert set(found) == set(template), "run pybabel update (README 'Languages')"
    for key, message in found.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)  # type: ignore[attr-defined]
        assert all(strings), f"{key!r} has no {language} translation"
        assert "fuzzy" not in message.flags, f"{key!r} is fuzzy in {language}"  # type: ignore[attr-defined]
        ids = key[1] if isinstance(key[1], tuple) else (key[1],)
        for form, text in enumerate(strings):  # a plural's forms: singular, then plural
            wanted = set(PLACEHOLDER.findall(ids[min(form, len(ids) - 1)]))
            assert set(PLACEHOLDER.findall(text)) == wanted, f"{key!r}: placeholders differ"


@pytest.mark.parametrize("language", ["nb"])
def test_the_compiled_catalogue_matches_its_source(language: str) -> None:
    po = catalogue(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po")
    compiled = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    for (context, key), message in po.items():
        if isinstance(key, tuple):
            forms = message.string  # type: ignore[attr-defined]
            assert compiled.ngettext(key[0], key[1], 1) == forms[0]
            assert compiled.ngettext(key[0], key[1], 2) == forms[1]
        elif context is not None:
            assert compiled.pgettext(context, key) == message.string, "run pybabel compile"  # type: ignore[attr-defined]
        else:
            assert compiled.gettext(key) == message.string, "run pybabel compile"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("explicit", "environ", "wanted"),
    [
        (None, {}, ("en", None)),
        ("nb", {"SALESBOARD_LANG": "en"}, ("nb", None)),
        (None, {"SALESBOARD_LANG": "nb_NO.UTF-8", "LANG": "en_GB.UTF-8"}, ("nb", None)),
        (None, {"SALESBOARD_LANG": "no"}, ("nb", None)),
        (None, {"LC_ALL": "en_US.UTF-8", "LANG": "nb_NO.UTF-8"}, ("en", None)),
        (None, {"LC_MESSAGES": "C", "LANG": "nb_NO.UTF-8"}, ("en", None)),
        (None, {"LANG": "de_DE.UTF-8"}, ("en", None)),
        # nb is complete: the system locale alone switches to it.
        (None, {"LANG": "nb_NO.UTF-8"}, ("nb", None)),
        (None, {"LC_MESSAGES": "nb_NO.UTF-8", "LANG": "en_US.UTF-8"}, ("nb", None)),
        ("xx", {}, ("en", "--lang: no language 'xx'; salesboard speaks en, nb")),
        ("", {"LANG": "nb_NO.UTF-8"}, ("en", "--lang: no language ''; salesboard speaks en, nb")),
        ("x" * 5000, {}, ("en", f"--lang: no language '{'x' * 39}…'; salesboard speaks en, nb")),
        # An unknown $SALESBOARD_LANG is told, and the locale decides instead.
        (
            None,
            {"SALESBOARD_LANG": "xx", "LANG": "nb_NO.UTF-8"},
            ("nb", "SALESBOARD_LANG: no language 'xx'; salesboard speaks en, nb"),
        ),
        # GNU gettext's LANGUAGE (a list) comes before the locale variables.
        (None, {"LANGUAGE": "de:nb", "LANG": "en_US.UTF-8"}, ("nb", None)),
        (None, {"LANGUAGE": "de", "LANG": "nb_NO.UTF-8"}, ("nb", None)),
        (
            None,
            {"SALESBOARD_LANG": "klingon"},
            ("en", "SALESBOARD_LANG: no language 'klingon'; salesboard speaks en, nb"),
        ),
    ],
)
def test_the_language_comes_from_the_option_then_the_environment(
    explicit: str | None, environ: dict[str, str], wanted: tuple[str, str | None]
) -> None:
    assert choose_language(explicit, environ) == wanted


def test_locale_names_are_read_as_gettext_does() -> None:
    names = ("nb_NO.UTF-8", "nb-NO", "no_NO@euro", "nn_NO.UTF-8", "POSIX", "sv")
    assert [parse_language(v) for v in names] == ["nb", "nb", "nb", "nb", "en", None]


def test_a_refusal_and_the_pipeline_speak_norwegian_when_asked(tmp_path: Path) -> None:
    runner = CliRunner(env={"SALESBOARD_LANG": None, "XDG_DATA_HOME": str(tmp_path)})
    db = str(tmp_path / "board.db")
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0
    assert runner.invoke(cli, ["--db", db, "add", "Deal", "--company", "C"]).exit_code == 0
    try:
        refused = runner.invoke(cli, ["--lang", "nb", "--db", db, "move", "1", "back"])
        assert refused.exit_code == 3
        assert "Prospekt er første fase; det er ingenting til venstre for den" in refused.stderr
        shown = runner.invoke(cli, ["--lang", "nb", "--db", db, "show", "1"]).stdout
        assert "Møte avtalt for å sjekke at muligheten er reell" in shown
    finally:
        install("en")
    english = runner.invoke(cli, ["--db", db, "move", "1", "back"])
    assert "Prospect is the first stage" in english.stderr
