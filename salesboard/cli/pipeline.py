"""``salesboard pipeline``: the team's stages and jobs as a TOML file kept in git."""

from __future__ import annotations

import os
import stat
import sys

import click

from salesboard.calendar_text import moment_width
from salesboard.cli.main import cli
from salesboard.cli.output import _safe, _when
from salesboard.cli.runtime import CommandFailed, _session
from salesboard.definition_diff import describe_change, describe_stored_change
from salesboard.errors import os_reason
from salesboard.i18n import N_, _, ngettext, pgettext

FILE_MAX = 256_000
"""A pipeline file is a few kilobytes (120 jobs at most); anything much larger is not one."""


@cli.group(
    "pipeline",
    invoke_without_command=True,
    short_help=N_("The stages and jobs in force."),
    help=N_(
        "The team's pipeline: stage names, jobs, win probabilities and stuck limits.\n\n"
        "Without a subcommand: the version in force and a line per stage. Keep the pipeline "
        "in git with 'pipeline export > pipeline.toml', edit it, and bring it back with "
        "'pipeline import pipeline.toml', which shows what changes before applying it."
    ),
)
@click.pass_context
def pipeline_group(ctx: click.Context) -> None:
    """``salesboard pipeline``: the stages in force; its subcommands export and import."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.cells import cell_len

    from salesboard.language import language
    from salesboard.service.definitions import PipelineDefinitions

    version, found = PipelineDefinitions(_session(ctx).database()).current()
    click.echo(_("pipeline version {version}").format(version=version))
    names = [_safe(stage.label_in(language())) for stage in found.stages]
    width = max(cell_len(name) for name in names)
    # The job counts are padded to the wider of the two forms, so the columns line up.
    jobs_width = max(cell_len(_jobs_text(count)) for count in (1, 2))
    for n, (stage, name) in enumerate(zip(found.stages, names, strict=True), start=1):
        jobs = _jobs_text(len(stage.jobs))
        win = _("win {percent} %").format(percent=f"{stage.win_probability:>3}")
        days = stage.stuck_after_days
        # The English text says "days" even for one day, as it always has.
        stuck = ngettext("stuck after {days} days", "stuck after {days} days", days)
        click.echo(
            f"{n} {name}{' ' * (width - cell_len(name))}  "
            f"{jobs}{' ' * (jobs_width - cell_len(jobs))}  {win}  {stuck.format(days=days)}"
        )


def _jobs_text(count: int) -> str:
    """``12 jobs`` with the number right-aligned in two places, for the stage lines."""
    return ngettext("{count} job", "{count} jobs", count).format(count=f"{count:>2}")


@pipeline_group.command(
    "export",
    short_help=N_("Print the pipeline as TOML."),
    help=N_("Print the pipeline in force as TOML, to keep in git: 'pipeline export > FILE'."),
)
@click.option(
    "--version",
    "version",
    type=click.IntRange(1, 2**31 - 1),
    metavar=N_("N"),
    help=N_("An earlier version (see 'pipeline history'), to bring it back with import --force."),
)
@click.pass_context
def pipeline_export_command(ctx: click.Context, version: int | None) -> None:
    """``salesboard pipeline export``: the pipeline (in force or of a version) as TOML."""
    from salesboard.service.definitions import PipelineDefinitions

    click.echo(PipelineDefinitions(_session(ctx).database()).export_toml(version), nl=False)


def _read(path: str) -> str:
    """The file's text, or one line saying why it cannot be read."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(FILE_MAX + 1)
        else:
            # Opened without blocking and checked before reading: a FIFO or a device named
            # by mistake is refused instead of waiting forever or reading without end.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise CommandFailed(_("{file}: not a regular file").format(file=_safe(path)), 2)
                data = handle.read(FILE_MAX + 1)
    except OSError as error:
        raise CommandFailed(f"{_safe(path)}: {os_reason(error)}", 2) from None
    if len(data) > FILE_MAX:
        raise CommandFailed(
            _("{file}: larger than {limit} bytes; not a pipeline file").format(
                file=_safe(path), limit=FILE_MAX
            ),
            2,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandFailed(
            _("{file}: not UTF-8 text (byte {position})").format(
                file=_safe(path), position=error.start
            ),
            2,
        ) from None


@pipeline_group.command(
    "import",
    short_help=N_("Show what a TOML file changes, then apply it."),
    help=N_(
        "Compare FILE ('-' for standard input) with the pipeline in force and apply it.\n\n"
        "Prints every change and what it does to open deals, then asks before applying (or "
        "applies at once with --yes). Nothing is written when the answer is no, when FILE has "
        "a problem, when it was exported from an older version than the one in force (unless "
        "--force), or when someone else imported in between."
    ),
)
@click.argument("file", metavar=N_("FILE"))
@click.option("--yes", "-y", is_flag=True, help=N_("Apply without asking (for scripts)."))
@click.option(
    "--force",
    is_flag=True,
    help=N_("Apply a file exported from an older version, undoing what came after it."),
)
@click.pass_context
def pipeline_import_command(ctx: click.Context, file: str, yes: bool, force: bool) -> None:
    """``salesboard pipeline import``: show an import's changes, ask, then apply them."""
    from salesboard.service.definitions import PipelineDefinitions

    database = _session(ctx).database()
    if database.read_only:  # say so before showing changes that could not be made
        raise database.read_only_error()
    definitions = PipelineDefinitions(database)
    plan = definitions.plan_import(_read(file))
    if not plan.changes:
        click.echo(
            _("nothing to change: {file} matches pipeline version {version}").format(
                file=_safe(file), version=plan.base_version
            )
        )
        return
    click.echo(_("changes to pipeline version {version}:").format(version=plan.base_version))
    for change in plan.changes:
        click.echo(f"  {describe_change(change)}")
    for warning in plan.plan.warnings:
        click.echo(_("check: {warning}").format(warning=_safe(warning)))
    if plan.effects:
        click.echo(_("what it does to deals:"))
        for effect in plan.effects:
            click.echo(f"  {_safe(effect)}")
    if not force:
        definitions.check_not_stale(plan)
    if not yes:
        if file == "-" or not sys.stdin.isatty():
            raise CommandFailed(_("nothing applied: add --yes to apply without asking"), 2)
        if not _agreed(_("apply these changes?")):
            click.echo(_("nothing applied"))
            return
    version = definitions.apply(plan)
    click.echo(_("pipeline version {version} is in force").format(version=version))


@pipeline_group.command(
    "history",
    short_help=N_("Every version of the pipeline."),
    help=N_("Every version of the pipeline, newest first: who made it, when, and what changed."),
)
@click.pass_context
def pipeline_history_command(ctx: click.Context) -> None:
    """``salesboard pipeline history``: every version, newest first, with its changes."""
    from salesboard.service.definitions import PipelineDefinitions

    for version in PipelineDefinitions(_session(ctx).database()).history():
        shown = _("time unknown") if version.set_at is None else _when(version.set_at)
        when = shown.ljust(moment_width())  # the lines' times line up
        click.echo(
            _("version {version}  {when}  by {who}").format(
                version=version.version, when=when, who=_safe(version.set_by)
            )
        )
        if version.changes is None:
            click.echo("  " + _("⚠ its list of changes is damaged (see salesboard doctor)"))
        elif not version.changes and version.version == 1:
            click.echo("  " + _("the pipeline salesboard starts with"))
        for change in version.changes or ():
            click.echo(f"  {describe_stored_change(change)}")


def _agreed(question: str) -> bool:
    """Ask a yes/no question, "no" by default, in the user's language.

    Click's own ``confirm`` knows only ``y`` and ``yes``; a Norwegian answers ``j`` or ``ja``
    (``y`` and ``yes`` keep working).
    """
    yes_letter = pgettext("the key that answers yes", "y")
    no_letter = pgettext("the key that answers no", "n")
    yes = {yes_letter, pgettext("answer", "yes"), "y", "yes"}
    no = {no_letter, pgettext("answer", "no"), "n", "no", ""}
    choices = _("[{yes}/{no}]").format(yes=yes_letter, no=no_letter.upper())
    while True:
        answer = click.prompt(
            f"{question} {choices}", default="", show_default=False, prompt_suffix=": "
        )
        word = answer.strip().lower()
        if word in yes or word in no:
            return word in yes
        click.echo(_("answer {yes} or {no}").format(yes=yes_letter, no=no_letter), err=True)
