"""A pseudo-locale: every catalogue message comes out with its letters accented.

Text that went through the catalogue reads ``Ńėẇ ďėȧŀ``; text that bypassed it stays
plain ASCII English. A run of the board or the CLI under the pseudo-locale therefore shows
every untranslated string as a plain word (see ``english_words``). Placeholders
(``{stage}``, ``%(name)s``) and Rich markup tags (``[b]``) are kept as they are, so the
pseudo texts format and render exactly like the English ones.
"""

from __future__ import annotations

import copy
import gettext
import re
from typing import Any

from salesboard import definition, money

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "ȧƀċďėƒġħįĵķŀṁńőṗɋŕśťůṽẇẋẏżȦƁĊĎĖƑĠĦĮĴĶĿṀŃŐṖɊŔŚŤŮṼẆẊẎŻ",
)
_KEPT = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdr]|%[sdr]|\[/?[a-z@#][^\[\]]*\]")


def pseudo(text: str) -> str:
    """``text`` with its letters accented, placeholders and markup tags untouched.

    Markup tags are Rich's (``[b]``, ``[/]``, ``[@click=…]``); ``[OPTIONS]`` is words.
    """
    out: list[str] = []
    last = 0
    for kept in _KEPT.finditer(text):
        out.append(text[last : kept.start()].translate(_ACCENTED))
        out.append(kept.group())
        last = kept.end()
    out.append(text[last:].translate(_ACCENTED))
    return "".join(out)


class PseudoTranslations(gettext.NullTranslations):
    """A catalogue that "translates" every message into its pseudo form."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)


def pseudo_pipeline_json() -> dict[str, Any]:
    """The default pipeline with its stage and job names in pseudo form, every language.

    Stage and job names are data, not catalogue messages; in pseudo form they do not
    count as untranslated words on screen.
    """
    data = copy.deepcopy(definition.DEFAULT_JSON)
    for stage in data["stages"]:
        stage["label"] = {code: pseudo(text) for code, text in stage["label"].items()}
        for job in stage["jobs"]:
            job["text"] = {code: pseudo(text) for code, text in job["text"].items()}
    return data


def pipeline_keys() -> frozenset[str]:
    """The stage and job keys of the default pipeline: identifiers, the same in every
    language (a hyphenated key is not a word to ``english_words`` anyway)."""
    keys = set()
    for stage in definition.DEFAULT_JSON["stages"]:
        keys.add(stage["key"])
        keys.update(job["key"] for job in stage["jobs"])
    return frozenset(keys)


def install_pseudo() -> None:
    """Speak the pseudo-locale from now on (English number and date forms)."""
    from salesboard import i18n

    i18n.install("en")
    i18n.use_translations(PseudoTranslations())
    definition.use(definition.from_json(pseudo_pipeline_json()), "en")


_WORD = re.compile(r"(?<![\w$./-])(?:[A-Za-z][a-z]{2,}|[A-Z][A-Z_]{2,})(?![\w/-])")


def english_words(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Plain ASCII words of three letters or more in ``text`` that are not ``allowed``.

    Under the pseudo-locale these are the words that did not come from the catalogue,
    capitals included (a usage line's ``TITLE``). Paths, options and variables (``/tmp``,
    ``--db``, ``$LANG``) are not words.
    """
    codes = money.currencies()  # EUR, NOK: the same in every language
    found = {w for w in _WORD.findall(text) if w.lower() not in allowed and w not in codes}
    return sorted(found)
