"""Who is acting: the OS account running the process, for the event log."""

from __future__ import annotations

import os
import pwd


def current_login() -> str:
    """The login name of the effective user, from the password database.

    Environment variables such as ``USER`` are deliberately ignored: anyone can set them,
    and the history must say who really made a change.
    """
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"
