"""Where the database lives: a path, a SQLAlchemy URL, or the per-user default."""

from __future__ import annotations

import os
from pathlib import Path

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

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)
