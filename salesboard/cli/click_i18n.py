"""Click in salesboard's language: Click's own messages and the help of every command.

Two things make ``salesboard --lang nb --help`` and its errors Norwegian:

- Click's own texts ("Usage:", "Error: {message}", "No such command {name!r}.") come from
  the standard library's ``gettext``, which each Click module bound at import as ``_`` and
  ``ngettext``. :func:`install_bridge` rebinds those names to salesboard's catalogue, which
  looks the language in force up at every call. The messages a user of this command line
  can meet are listed below with ``N_`` (and ``ngettext`` for the plural ones), so that
  Babel extracts them into salesboard's catalogue.
- Help texts are given to Click at import, before any language is chosen, as msgids marked
  with ``N_``. :func:`localize` puts every command's ``help``, ``short_help`` and
  ``epilog`` and every parameter's ``help`` into the language in force, always from the
  English it kept, so Click wraps, shortens and prints the translated text as it would
  the English. The root group calls :func:`prepare` before it parses a command line.

Only ``click``, the standard library and ``salesboard.i18n`` are imported, so that
``salesboard --help`` stays instant.
"""

from __future__ import annotations

import gettext
import importlib
import weakref
from collections.abc import Sequence
from typing import Final

import click

from salesboard.i18n import N_, _, ngettext

_CLICK_MODULES: Final = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
)
"""The Click modules whose ``_`` and ``ngettext`` a user of salesboard's commands meets."""

HELP_OPTION_HELP: Final = N_("Show this message and exit.")

CLICK_MESSAGES: Final = (
    # Usage lines: the placeholders Click makes up (the others are given with N_).
    N_("[OPTIONS]"),
    N_("[COMMAND] [ARGS]..."),
    N_("COMMAND [ARGS]..."),
    N_("TEXT"),
    N_("INTEGER"),
    N_("CURRENCY"),
    N_("RATE"),
    N_("TITLE"),
    # Help pages.
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    HELP_OPTION_HELP,
    N_("Show the version and exit."),
    N_("Confirm the action without prompting."),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("required"),
    N_("(dynamic)"),
    N_("deprecated"),
    # Errors and their hints.
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("Missing command."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("Argument {name!r} takes {nargs} values."),
    N_("Choose from:\n\t{choices}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{value!r} is not a valid UUID."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("{name} {filename!r} is not executable."),
    N_("Could not open file {filename!r}: {message}"),
    N_("unknown error"),
    N_("DeprecationWarning: The command {name!r} is deprecated.{extra_message}"),
    N_("DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}"),
    # Prompts and confirmations.
    N_("Aborted!"),
    N_("Do you want to continue?"),
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    N_("Error: invalid input"),
)
"""Click's own messages, as Click writes them (``str.format`` fields, ``!r`` included)."""


def _click_plural_messages() -> None:  # pragma: no cover - never called: read by Babel
    """Click's messages with a plural, written out so that Babel extracts both forms."""
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 2)
    ngettext(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 2
    )
    ngettext(
        "Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given.", 2
    )
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 2)
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 2)
    ngettext(
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
        2,
    )
    ngettext(
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
        2,
    )


def install_bridge() -> None:
    """Have Click look its messages up in salesboard's catalogue from now on (idempotent).

    Only names still bound to the standard library's functions are replaced.
    """
    bridges = (("_", gettext.gettext, _), ("ngettext", gettext.ngettext, ngettext))
    for name in _CLICK_MODULES:
        module = importlib.import_module(name)
        for attribute, standard, ours in bridges:
            if getattr(module, attribute, None) is standard:
                setattr(module, attribute, ours)


_ENGLISH: weakref.WeakKeyDictionary[object, dict[str, str]] = weakref.WeakKeyDictionary()
"""The English texts of each command and parameter, kept at its first translation."""


def _translate(thing: object, attributes: tuple[str, ...]) -> None:
    """Set ``thing``'s text ``attributes`` to the language in force, from their English."""
    english = _ENGLISH.get(thing)
    if english is None:
        english = {}
        for attribute in attributes:
            text = getattr(thing, attribute, None)
            if isinstance(text, str) and text:  # _("") would be the catalogue's header
                english[attribute] = text
        _ENGLISH[thing] = english
    for attribute, text in english.items():
        setattr(thing, attribute, _(text))


_MADE_UP: weakref.WeakKeyDictionary[click.Parameter, str] = weakref.WeakKeyDictionary()
"""The placeholder Click would make up for a parameter given none (``TITLE``, ``TEXT``)."""


def _made_up_metavar(param: click.Parameter) -> None:
    """Give ``param`` the placeholder Click would make up, in the language in force.

    Click writes an argument's name or an option's type (``TITLE``, ``TEXT``) when no
    ``metavar`` is given; choices and flags show no word to translate, and a type that
    names itself (``get_metavar``) is left to do so.
    """
    english = _MADE_UP.get(param)
    if english is None:
        if param.metavar is not None or getattr(param, "is_flag", False):
            return
        if isinstance(param.type, click.Choice) or type(param.type).get_metavar is not (
            click.ParamType.get_metavar
        ):
            return
        english = (
            param.name.upper()
            if isinstance(param, click.Argument) and param.name
            else (param.type.name.upper())
        )
        _MADE_UP[param] = english
    shown = _(english)
    if isinstance(param, click.Argument) and not param.required:
        shown = f"[{shown}]"
    if param.nargs != 1:
        shown += "..."
    param.metavar = shown


def localize(command: click.Command) -> None:
    """Put the help of ``command`` and of every command below it into the language in force.

    ``help``, ``short_help`` and ``epilog`` of the commands and ``help`` of their
    parameters are msgids (``N_``); texts the catalogue lacks stay as they are. A short
    help left to Click is derived from the translated help.
    """
    _translate(command, ("help", "short_help", "epilog", "options_metavar", "subcommand_metavar"))
    for param in command.params:
        _translate(param, ("help", "metavar"))
        _made_up_metavar(param)
    # Click (8.1.8 and later) keeps the help option it made, with the help text of the
    # language in force then.
    help_option = getattr(command, "_help_option", None)
    if isinstance(help_option, click.Option):
        help_option.help = _(HELP_OPTION_HELP)
    if isinstance(command, click.Group):  # those imported so far (see ``load_commands``)
        for subcommand in command.commands.values():
            localize(subcommand)


def requested_language(command: click.Command, args: Sequence[str]) -> str | None:
    """The value of ``--lang`` among ``command``'s options in ``args``, before Click parses.

    Read up to the subcommand's name (the rest is the subcommand's own), so that even an
    error found while parsing ``command``'s options is reported in that language.
    """
    takes_value = {
        name
        for param in command.params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for name in param.opts
    }
    found = None
    tokens = iter(args)
    for token in tokens:
        if token == "--" or not token.startswith("-"):
            break
        name, equals, value = token.partition("=")
        if name == "--lang":
            found = value if equals else next(tokens, None)
        elif name in takes_value and not equals:
            next(tokens, None)
    return found


def prepare(root: click.Command, args: Sequence[str]) -> None:
    """Before ``root`` parses ``args``: Click's messages and every help in the language.

    The language is the one in force (``main`` chose it from the environment), or the one
    ``--lang`` asks for; a name salesboard does not know is left to ``--lang`` to refuse.
    """
    from salesboard.i18n import choose_language, install

    install_bridge()
    asked = requested_language(root, args)
    if asked is not None:
        language, problem = choose_language(asked)
        if problem is None:
            install(language)
    localize(root)
