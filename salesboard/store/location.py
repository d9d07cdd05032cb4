"""Where the database lives: a path, a SQLAlchemy URL, or the per-user default."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote_plus, unquote_plus

ENV_VAR = "SALESBOARD_DB"
APP_NAME = "salesboard"


def default_db_path(name: str = "salesboard.db") -> Path:
    """The SQLite file in the user's data directory (platformdirs), e.g. for ``--demo``."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / name


def is_default(target: str | os.PathLike[str] | None) -> bool:
    """Whether ``target`` leaves the choice to the default file (no --db, no variable)."""
    return (target is None or str(target) == "") and not os.environ.get(ENV_VAR)


def resolve_url(target: str | os.PathLike[str] | None) -> str:
    """Turn ``--db`` / ``SALESBOARD_DB`` / the default into a SQLAlchemy URL.

    Anything containing ``://`` is taken as a URL (``postgresql+psycopg://…``); everything
    else is a file path for SQLite, with ``~`` expanded and made absolute.
    """
    if target is None or str(target) == "":
        target = os.environ.get(ENV_VAR) or None
    if target is None:
        return sqlite_url(default_db_path())
    text = str(target)
    if "://" in text:
        return text
    return sqlite_url(Path(text).expanduser().absolute())


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file, whatever its name holds.

    A file name is taken literally: ``?`` and ``%`` are escaped in the URL, so
    ``k.db?x`` is that file, not ``k.db`` with a query, and ``x%2Fk.db`` is not ``x/k.db``.
    """
    # Only the characters a URL gives meaning to are escaped: a name that is not UTF-8
    # (a Latin-1 ``café.db``) keeps its undecodable bytes as they are.
    name = str(path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    return f"sqlite:///{name}"


def describe(url: str) -> str:
    """A short, password-free name for the database, for status lines and messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # not a URL; a port that is not a number
        return shown_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return shown_url(url)


HIDDEN = "***"
"""What a password is shown as."""

_USERINFO_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")
_QUERY_PAIR = re.compile(r"([?&;])([^=&;#]*)=([^&;#]*)")


def is_password_key(key: str) -> bool:
    """Whether a URL query parameter carries a password (``password``, ``sslpassword``…).

    libpq takes the password from the query as well as from ``user:password@``; any case
    is treated as one, so that no spelling of it is ever shown.
    """
    return key.lower().endswith("password")


def shown_url(url: str) -> str:
    """A database URL as it may be shown or written down: every password as ``***``.

    The one way a URL reaches a message, the status line or the settings file: the
    password of ``user:password@`` and every ``password`` query parameter are hidden.
    Text SQLAlchemy cannot read as a URL is masked by pattern, so a mistyped URL can be
    named in its refusal without showing its password either. Never raises.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # not a URL; a port that is not a number
        return _masked_text(url)
    shown = parsed.set(query={}).render_as_string(hide_password=True)
    if not parsed.query:
        return shown
    pairs = (
        f"{quote_plus(key)}={HIDDEN if is_password_key(key) else quote_plus(value)}"
        for key in sorted(parsed.query)
        for value in _values(parsed.query[key])
    )
    return shown + "?" + "&".join(pairs)


def _values(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """A query parameter's values: SQLAlchemy keeps a repeated one as a tuple."""
    return (value,) if isinstance(value, str) else value


def _masked_text(text: str) -> str:
    """``text`` (not a readable URL) with anything that looks like a password hidden."""

    def query_pair(found: re.Match[str]) -> str:
        separator, key, value = found.groups()
        secret = is_password_key(unquote_plus(key))
        return f"{separator}{key}={HIDDEN if secret else value}"

    masked = _USERINFO_PASSWORD.sub(rf"\g<1>{HIDDEN}@", text, count=1)
    return _QUERY_PAIR.sub(query_pair, masked)
