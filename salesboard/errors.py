"""Errors every client (CLI, board) turns into a message; each maps to one exit code."""

from __future__ import annotations

import errno

from salesboard.i18n import N_, _


class SalesboardError(Exception):
    """Base for failures that are the user's or the environment's, never a bug."""

    exit_code = 1


class DatabaseUnavailable(SalesboardError):
    """The database cannot be opened or used: missing, unreadable, corrupt, too new."""

    exit_code = 1


class DatabaseMissing(DatabaseUnavailable):
    """There is no database where the command looked, and this command does not create one.

    Only ``salesboard init`` (and the first board on the default file, and the demo)
    creates a database, so that a mistyped path is reported instead of becoming a new,
    empty database that silently takes the user's changes.
    """

    exit_code = 1


class Busy(DatabaseUnavailable):
    """Another session held the write lock for longer than this change would wait."""

    exit_code = 1


class DamagedData(DatabaseUnavailable):
    """A stored row breaks the rules the program relies on (written by another tool).

    Raised when a change would have to build on such a row; reads show the row as
    damaged instead and go on. ``salesboard doctor`` lists every such row.
    """

    exit_code = 1


class ReadOnlyDatabase(DatabaseUnavailable):
    """The database can be read but not written by this user; nothing was changed.

    Raised at once by every write on a database that was opened read-only, and when the
    driver refuses a write as read-only, so that clients can keep showing the data (the
    board with a banner, the CLI's read commands) while every change is refused in one
    clear line.
    """

    exit_code = 1


class InvalidInput(SalesboardError):
    """A value the user typed is not acceptable; the message says what would be."""

    exit_code = 2


class DealNotFound(InvalidInput):
    """The deal id does not exist in this database."""

    def __init__(self, deal_id: int) -> None:
        self.deal_id = deal_id
        super().__init__(_("no deal with id {deal_id}").format(deal_id=deal_id))


class PartNotFound(InvalidInput):
    """No activity, stakeholder or problem has this id."""

    def __init__(self, what: str, part_id: int) -> None:
        self.part_id = part_id
        super().__init__(_("no {what} with id {part_id}").format(what=what, part_id=part_id))


class LostRace(SalesboardError):
    """Two changes of one deal met at the same moment and this one lost; nothing was written.

    The guard on every deal UPDATE (its version) caught it: the row had moved on between
    this change's read and its write.
    """

    exit_code = 4

    def __init__(self) -> None:
        super().__init__(
            _(
                "the deal was changed by someone else at the same moment; nothing was saved — "
                "look at it again and retry"
            )
        )


class Conflict(SalesboardError):
    """The deal changed since the caller read it; nothing was written."""

    exit_code = 4

    def __init__(self, deal_id: int, expected: int, actual: int, changed_by: str | None) -> None:
        self.deal_id = deal_id
        self.expected = expected
        self.actual = actual
        self.changed_by = changed_by
        if expected > actual:
            message = _(
                "deal {deal_id} is at version {actual}; it has never been at version "
                "{expected} — check the version you gave"
            )
        elif changed_by:
            message = _(
                "deal {deal_id} was changed by {changed_by} since you loaded it "
                "(version {expected}, now {actual}); reload and try again"
            )
        else:
            message = _(
                "deal {deal_id} was changed since you loaded it "
                "(version {expected}, now {actual}); reload and try again"
            )
        message = message.format(
            deal_id=deal_id, actual=actual, expected=expected, changed_by=changed_by
        )
        super().__init__(message)


_OS_REASONS = {
    errno.ENOENT: N_("No such file or directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.EROFS: N_("Read-only file system"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EEXIST: N_("File exists"),
    errno.EIO: N_("Input/output error"),
    errno.ENAMETOOLONG: N_("File name too long"),
    errno.ELOOP: N_("Too many levels of symbolic links"),
    errno.EDQUOT: N_("Disk quota exceeded"),
}
"""The operating system's reasons a user meets with files, in its own (C library) words,
so that English reads exactly as the system says it and other languages translate it."""


def os_reason(error: OSError) -> str:
    """Why the operating system refused, in the language in force (its own text if rare)."""
    known = _OS_REASONS.get(error.errno) if error.errno is not None else None
    if known is not None:
        return _(known)
    return error.strerror or str(error)
