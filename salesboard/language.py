"""The language this process shows things in: one per process, like gettext's.

English until something chooses otherwise. Labels that live in data (the pipeline's
stage names and job wording) are picked by it; the string catalogue follows it too.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("en", "nb")
"""The languages salesboard speaks: English (the default and fallback), Norwegian Bokmål."""
DEFAULT: Final = "en"
_current = [DEFAULT]


def language() -> str:
    """The language code in force (``"en"`` or ``"nb"``)."""
    return _current[0]


def use_language(code: str) -> None:
    """Show everything from now on in ``code`` (one of ``LANGUAGES``)."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; expected one of {', '.join(LANGUAGES)}")
    _current[0] = code
