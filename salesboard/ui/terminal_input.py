"""Keyboard bytes that are not UTF-8 must not end the board.

Textual's Linux driver decodes what the terminal sends as strict UTF-8 in its input
thread: one byte from a terminal set to Latin-1 (``ø`` is ``0xF8`` there) or a pasted
stray C1 byte raised ``UnicodeDecodeError``, and the board ended with a traceback while a
form could be open. The driver looks its decoder up by name when its input thread starts,
so handing it a lenient one is enough: undecodable bytes arrive as U+FFFD, which a field
shows as "�" and which no key binding matches.
"""

from __future__ import annotations

import codecs
import functools
from collections.abc import Callable
from typing import Any


def lenient_decoder(encoding: str) -> Callable[..., codecs.IncrementalDecoder]:
    """Like ``codecs.getincrementaldecoder``, but its decoders replace bad bytes."""
    decoder_class: Any = codecs.getincrementaldecoder(encoding)
    return functools.partial(decoder_class, errors="replace")


def tolerate_undecodable_input() -> None:
    """Make the terminal driver decode keyboard input leniently (call before ``run``)."""
    from textual.drivers import linux_driver

    setattr(linux_driver, "getincrementaldecoder", lenient_decoder)  # noqa: B010 (read at run time)
