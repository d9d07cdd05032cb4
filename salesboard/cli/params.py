"""Argument types and option helpers shared by the commands (ids, jobs, stages, --json)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from salesboard.i18n import N_, _, ngettext, pgettext

if TYPE_CHECKING:
    from salesboard.workflow import Stage


PROG = "salesboard"
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
DEMO_DEALS = 200
"""How many deals ``salesboard --demo`` puts into a new demo database."""

_ID_MAX = 2**63 - 1  # SQLite and PostgreSQL BIGINT; larger ids could only be typos
_JOB_MAX = 10_000


class _WholeNumber(click.types.IntParamType):
    """A whole number in plain ASCII digits within bounds, or a usage error (exit 2).

    Python's ``int`` also takes ``١٢٣``, ``1_000`` and ``+5``; a command line should take
    only what it documents, and numbers beyond the database's integers could only be
    typos. ``what`` names the number in the refusal and in the usage line: a msgid
    (``N_``), translated when it is shown.
    """

    def __init__(self, what: str, low: int = 1, high: int = _ID_MAX) -> None:
        self.what = what
        self.low = low
        self.high = high
        self.name = f"{what} ({low}-{high})" if high < _ID_MAX else what

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """``SATISFACTION (1-5)``: what the number is, in the language in force."""
        what = _(self.what).upper()
        return f"{what} ({self.low}-{self.high})" if self.high < _ID_MAX else what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """The number, or a usage error that says what is acceptable."""
        from salesboard.errors import InvalidInput
        from salesboard.validation import parse_whole_number

        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        try:
            return parse_whole_number(value, _(self.what), self.low, self.high)
        except InvalidInput as error:
            self.fail(str(error), param, ctx)


DEAL_ID = _WholeNumber(N_("a deal id"))
VERSION = _WholeNumber(N_("a version"))
JOB_NUMBER = _WholeNumber(N_("a job number"), 1, _JOB_MAX)
SATISFACTION = _WholeNumber(N_("satisfaction"), 1, 5)


class WordChoice(click.Choice):  # type: ignore[type-arg]
    """A choice typed as its key (``lost``) or as its word in the user's language (``tapt``).

    Scripts keep working with the keys in every language; people may type what the board
    and the help show them. The help lists the words of the language in force.
    """

    def __init__(self, keys: tuple[str, ...]) -> None:
        super().__init__(keys)

    @staticmethod
    def word(key: str) -> str:
        """``key`` as the language in force says it on the command line."""
        return pgettext("a choice typed on the command line", key)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """``[åpen|fullført|tapt|alle]``, or braces for a required argument."""
        words = "|".join(self.word(str(key)) for key in self.choices)
        if param.required and param.param_type_name == "argument":
            return f"{{{words}}}"
        return f"[{words}]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The key the user meant, by key or by word (any case), or a usage error."""
        from salesboard.folding import fold

        typed = fold(str(value).strip())
        for key in self.choices:
            if typed in (fold(str(key)), fold(self.word(str(key)))):
                return key
        words = ", ".join(repr(self.word(str(key))) for key in self.choices)
        self.fail(
            ngettext(
                "{value!r} is not {choice}.",
                "{value!r} is not one of {choices}.",
                len(self.choices),
            ).format(value=value, choice=words, choices=words),
            param,
            ctx,
        )


def _choice_words() -> tuple[str, ...]:  # pragma: no cover - never called
    """Marks the choices' keys for Babel: each is a word to translate (what users type)."""
    return (
        pgettext("a choice typed on the command line", "open"),
        pgettext("a choice typed on the command line", "finished"),
        pgettext("a choice typed on the command line", "lost"),
        pgettext("a choice typed on the command line", "all"),
        pgettext("a choice typed on the command line", "board"),
        pgettext("a choice typed on the command line", "value"),
        pgettext("a choice typed on the command line", "close"),
        pgettext("a choice typed on the command line", "days"),
        pgettext("a choice typed on the command line", "changed"),
        pgettext("a choice typed on the command line", "next"),
        pgettext("a choice typed on the command line", "back"),
        pgettext("a choice typed on the command line", "success"),
        pgettext("a choice typed on the command line", "failure"),
    )


STATUS_CHOICES = ("open", "finished", "lost", "all")
ORDER_CHOICES = ("board", "value", "close", "days", "changed")
"""``CardOrder``'s values, written out so that ``--help`` needs no import of the service."""

F = TypeVar("F", bound=Callable[..., Any])


# --------------------------------------------------------------------------- failures


def _parse_stage(value: str) -> Stage:
    """``--stage``: a name, unique prefix, key or number, as ``Stage.parse`` accepts.

    Read once the pipeline's names are in force, so the team's own names work.
    """
    from salesboard.workflow import Stage

    try:
        return Stage.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--stage'") from None


def _if_version(function: F) -> F:
    """The ``--if-version N`` option every changing command shares."""
    return click.option(
        "--if-version",
        "if_version",
        type=VERSION,
        default=None,
        metavar=N_("N"),
        help=N_("Refuse (exit 4) unless the deal is still at version N."),
    )(function)


def _json_flag(function: F) -> F:
    """The ``--json`` option of the reading commands."""
    return click.option(
        "--json", "as_json", is_flag=True, help=N_("Print JSON instead of a table.")
    )(function)
