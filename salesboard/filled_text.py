"""A translated sentence with user data in it, as Rich ``Text`` in which nothing is parsed.

A catalogue message such as "Mark lost: {title}" puts the title wherever the language
wants it. ``str.format`` would do that, but the result would be one string: the title could
not keep its own style, and a title holding ``[red]`` or ``{0}`` would meet a markup or
format parser somewhere. Here the words and each part are appended as plain ``Text``
pieces, so user data stays exactly as literal as when lines were assembled piece by piece.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from rich.style import Style
    from rich.text import Text

_FIELD: Final = re.compile(r"\{(\w+)\}")


def filled(
    template: str,
    parts: Mapping[str, str | Text],
    *,
    style: str | Style = "",
    base: str | Style = "",
) -> Text:
    """``template`` as ``Text``, each ``{name}`` replaced by ``parts[name]``.

    The template's own words are drawn in ``style``; a part keeps its own style (a plain
    string part has none); ``base`` is the style of the whole line.
    """
    from rich.text import Text  # here: ``--help`` starts without Rich

    text = Text(style=base)
    start = 0
    for field in _FIELD.finditer(template):
        text.append(template[start : field.start()], style or None)
        part = parts[field.group(1)]
        if isinstance(part, Text):
            text.append_text(part)
        else:
            text.append(part)
        start = field.end()
    text.append(template[start:], style or None)
    return text
