"""Which language salesboard speaks, and the string catalogue (gettext, built with Babel).

The language comes from ``--lang``, then ``$SALESBOARD_LANG``, then the locale: GNU
gettext's ``LANGUAGE`` list, then ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` (the first that
is set, as gettext reads them).
English is the default and the fallback for any text a catalogue lacks.

Messages are marked with ``_()`` (and ``ngettext`` for counts) and extracted with Babel
(see README, "Languages"). Until a language's catalogue covers the whole interface it is
a *preview*: chosen explicitly (``--lang``, ``$SALESBOARD_LANG``) it is used, but the
locale variables alone do not switch to it, so nobody gets a half-translated board
because of their system's locale.
"""

from __future__ import annotations

import gettext as gettext_module
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from salesboard.language import LANGUAGES, use_language

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "salesboard"
PREVIEW: Final[frozenset[str]] = frozenset()
"""Languages whose catalogue is not complete yet: used only when asked for by name.

A new language starts here while its catalogue is being written (README, "Languages").
"""
_ALIASES: Final = {"no": "nb", "nb": "nb", "nn": "nb", "en": "en", "c": "en", "posix": "en"}
"""Locale names and the language each means; Nynorsk readers get Bokmål, not English."""
_translation: list[gettext_module.NullTranslations] = [gettext_module.NullTranslations()]


def parse_language(value: str) -> str | None:
    """The language a locale name means (``nb_NO.UTF-8`` → ``nb``), or None if none."""
    base = value.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return _ALIASES.get(base)


def _shown(value: str) -> str:
    """A value the user gave, quoted and cut short for a one-line message."""
    return repr(value if len(value) <= 40 else value[:39] + "…")


def choose_language(
    explicit: str | None = None, environ: Mapping[str, str] = os.environ
) -> tuple[str, str | None]:
    """The language to use and, if a choice could not be honoured, why (one line).

    ``explicit`` is ``--lang`` (``None`` when not given): a name salesboard does not know
    there means English and a refusal. An unknown ``$SALESBOARD_LANG`` is told and the
    locale decides: GNU gettext's ``LANGUAGE`` list first, then ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``; a locale such as ``de_DE.UTF-8`` just means English.
    """
    known = ", ".join(LANGUAGES)
    told = _("{source}: no language {value}; salesboard speaks {known}")
    if explicit is not None:
        found = parse_language(explicit) if explicit.strip() else None
        if found is None:
            return "en", told.format(source="--lang", value=_shown(explicit), known=known)
        return found, None
    problem = None
    asked = environ.get("SALESBOARD_LANG")
    if asked:
        found = parse_language(asked)
        if found is not None:
            return found, None
        problem = told.format(source="SALESBOARD_LANG", value=_shown(asked), known=known)
    for entry in environ.get("LANGUAGE", "").split(":"):
        found = parse_language(entry) if entry else None
        if found is not None and found not in PREVIEW:
            return found, problem
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            found = parse_language(value) or "en"
            return ("en" if found in PREVIEW else found), problem
    return "en", problem


def install(language: str) -> None:
    """Speak ``language`` from now on: its catalogue, and its words for stages and jobs."""
    use_language(language)
    _translation[0] = gettext_module.translation(
        DOMAIN, LOCALE_DIR, languages=[language], fallback=True
    )
    from salesboard import definition

    definition.use(definition.in_force(), language)


def use_translations(translations: gettext_module.NullTranslations) -> None:
    """Look messages up in ``translations`` from now on (a pseudo-locale in tests)."""
    _translation[0] = translations


def _(message: str) -> str:
    """``message`` in the language in force (as is, where the catalogue has none)."""
    return _translation[0].gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where it is defined; ``_()`` translates it at use.

    For texts defined once at import (the keymap), before or apart from any language.
    """
    return message


def pgettext(context: str, message: str) -> str:
    """``message`` as meant in ``context``: one English word, two messages to translate.

    "Close" as a close date and "Close" as the key that closes a dialog, for example.
    """
    return _translation[0].pgettext(context, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the language in force."""
    return _translation[0].ngettext(singular, plural, count)
