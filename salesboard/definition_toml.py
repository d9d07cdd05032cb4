"""The pipeline definition as a TOML file a team keeps in git and edits by hand.

Written with ``tomlkit`` (comments explain each field to the person editing), read with
the standard library's ``tomllib``. Retired jobs are not in the file: they belong to the
database's history, and leaving a job out of the file is how it is retired.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any, Final

import tomlkit

from salesboard.definition import (
    JOBS_MAX,
    LABEL_MAX,
    STUCK_MAX_DAYS,
    PipelineDefinition,
    from_json,
)
from salesboard.errors import InvalidInput
from salesboard.evidence import Evidence, needs_text
from salesboard.i18n import N_, _

LINE_MAX = 1000
"""The longest line a pipeline file may have (a job's text is at most 200 characters)."""

_HEADER = N_("""\
salesboard pipeline definition (version {version}).
Edit, then: salesboard pipeline import FILE  (shows what changes before applying it)

The six stages stay, in this order; what may change:
  label             the stage's name per language (en required, nb optional; at most {label_max})
  win_probability   percent, 0 to 100: weights the forecast
  stuck_after_days  1 to {stuck_max}: a deal longer in the stage counts as stuck
  jobs              1 to {jobs_max} per stage, in checklist order. A job's key never changes:
                    new text under the same key keeps its ticks; a new key is a new job
                    (unticked on deals in its stage); a job left out is retired (its history
                    stays readable). A job cannot move to another stage; give it a new key.
""")
"""The comment at the top of an exported file (the TOML keys in it stay English)."""


def dumps(definition: PipelineDefinition, version: int) -> str:
    """The definition as commented TOML, stable from one export to the next."""
    document = tomlkit.document()
    header = _(_HEADER).format(
        version=version, label_max=LABEL_MAX, stuck_max=STUCK_MAX_DAYS, jobs_max=JOBS_MAX
    )
    for line in header.splitlines():
        document.add(tomlkit.comment(line) if line else tomlkit.nl())
    keys = ", ".join(e.value for e in Evidence)
    told = _("A job may name its evidence, what must exist before it can be ticked: {keys}")
    document.add(tomlkit.comment(told.format(keys=keys)))
    document.add(tomlkit.nl())
    document.add("version", version)
    document["version"].comment(
        _("the version this file was exported from: import refuses it once a newer one is in force")
    )
    document.add(tomlkit.nl())
    stages = tomlkit.aot()
    for stage in definition.stages:
        table = tomlkit.table()
        table.add("key", stage.key)
        table.add("label", _per_language(stage.label))
        table.add("win_probability", stage.win_probability)
        table.add("stuck_after_days", stage.stuck_after_days)
        jobs = tomlkit.aot()
        for job in stage.jobs:
            entry = tomlkit.table()
            entry.add("key", job.key)
            entry.add("text", _per_language(job.text))
            if job.evidence is not None:
                entry.add("evidence", job.evidence.value)
                entry["evidence"].comment(needs_text(job.evidence))
            jobs.append(entry)
        table.add("jobs", jobs)
        stages.append(table)
    document.add("stages", stages)
    return tomlkit.dumps(document)


def _per_language(texts: Mapping[str, str]) -> Any:
    """``{en = "…", nb = "…"}`` on one line, as a person edits it."""
    table = tomlkit.inline_table()
    table.update(dict(texts))
    return table


def loads(text: str) -> PipelineDefinition:
    """A definition from a team's TOML file; any problem is one ``InvalidInput`` line."""
    return read(text)[0]


def read(text: str) -> tuple[PipelineDefinition, int | None]:
    """The definition in a file and the version it was exported from (None: not said)."""
    text = text.removeprefix("\ufeff")
    for number, line in enumerate(text.splitlines(), start=1):
        # tomllib takes quadratic time over a long dotted key; no pipeline line is long.
        if len(line) > LINE_MAX:
            raise InvalidInput(
                _(
                    "line {number} is {length} characters long; a pipeline file's lines are at "
                    "most {most}"
                ).format(number=number, length=len(line), most=LINE_MAX)
            )
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(_toml_problem(str(error))) from None
    except RecursionError:
        raise InvalidInput(_("not a pipeline file: nested too deeply")) from None
    if "retired" in data:
        raise InvalidInput(
            _(
                "pipeline: 'retired' is kept by the database, not the file; leave a job out of "
                "its stage to retire it"
            )
        )
    version = data.pop("version", None)
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or version < 1
    ):
        raise InvalidInput(
            _("version: expected the whole number export wrote, not {value}").format(
                value=repr(version)
            )
        )
    return from_json(data), version


_TOML_REASONS: Final = {
    "Invalid value": N_("a value that is no TOML value (text needs quotes)"),
    "Invalid statement": N_("a line that is no key = value and no [table]"),
    "Expected '=' after a key in a key/value pair": N_("a key without = after it"),
    "Cannot overwrite a value": N_("a key given twice"),
    "Unterminated string": N_("a text without its closing quote"),
    "Illegal character '\\n'": N_("a text without its closing quote on its line"),
    "Unclosed array": N_("a list without its closing ]"),
    "Expected newline or end of document after a statement": N_(
        "more after a value on the same line (one key = value per line)"
    ),
    "Unclosed inline table": N_("a table {…} without its closing }"),
    "Invalid initial character for a key part": N_(
        "a key that starts with a character keys cannot"
    ),
}
"""The TOML parser's most common complaints, in words a pipeline's editor understands;
the rarer ones are shown as the parser words them."""
_TOML_AT: Final = re.compile(
    r"^(?P<reason>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$"
)


def _toml_problem(parser_says: str) -> str:
    """Where the TOML parser gave up and why, in the language in force."""
    found = _TOML_AT.match(parser_says)
    if found is None:
        return _("not valid TOML: {error}").format(error=parser_says)
    reason = found["reason"]
    known = _TOML_REASONS.get(reason)
    shown = _(known) if known is not None else reason
    if found["line"] is None:
        return _("not valid TOML at the end of the file: {reason}").format(reason=shown)
    return _("not valid TOML at line {line}, column {column}: {reason}").format(
        line=found["line"], column=found["column"], reason=shown
    )
