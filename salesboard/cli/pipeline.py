"""``salesboard pipeline``: the team's stages and jobs as a TOML file kept in git."""

from __future__ import annotations

import os
import stat
import sys

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _safe, _when
from salesboard.cli.runtime import CommandFailed, _session

FILE_MAX = 256_000
"""A pipeline file is a few kilobytes (120 jobs at most); anything much larger is not one."""


@cli.group("pipeline", invoke_without_command=True, short_help="The stages and jobs in force.")
@click.pass_context
def pipeline_group(ctx: click.Context) -> None:
    """The team's pipeline: stage names, jobs, win probabilities and stuck limits.

    Without a subcommand: the version in force and a line per stage. Keep the pipeline in
    git with 'pipeline export > pipeline.toml', edit it, and bring it back with
    'pipeline import pipeline.toml', which shows what changes before applying it.
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.cells import cell_len

    from salesboard.language import language
    from salesboard.service.definitions import PipelineDefinitions

    version, found = PipelineDefinitions(_session(ctx).database()).current()
    click.echo(f"pipeline version {version}")
    names = [_safe(stage.label_in(language())) for stage in found.stages]
    width = max(cell_len(name) for name in names)
    for n, (stage, name) in enumerate(zip(found.stages, names, strict=True), start=1):
        jobs = len(stage.jobs)
        click.echo(
            f"{n} {name}{' ' * (width - cell_len(name))}  {jobs:>2} "
            f"{'job ' if jobs == 1 else 'jobs'}  win {stage.win_probability:>3} %  "
            f"stuck after {stage.stuck_after_days} days"
        )


@pipeline_group.command("export", short_help="Print the pipeline as TOML.")
@click.option(
    "--version",
    "version",
    type=click.IntRange(1, 2**31 - 1),
    metavar="N",
    help="An earlier version (see 'pipeline history'), to bring it back with import --force.",
)
@click.pass_context
def pipeline_export_command(ctx: click.Context, version: int | None) -> None:
    """Print the pipeline in force as TOML, to keep in git: 'pipeline export > FILE'."""
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
                    raise CommandFailed(f"{_safe(path)}: not a regular file", 2)
                data = handle.read(FILE_MAX + 1)
    except OSError as error:
        raise CommandFailed(f"{_safe(path)}: {error.strerror or error}", 2) from None
    if len(data) > FILE_MAX:
        raise CommandFailed(f"{_safe(path)}: larger than {FILE_MAX} bytes; not a pipeline file", 2)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandFailed(f"{_safe(path)}: not UTF-8 text (byte {error.start})", 2) from None


@pipeline_group.command("import", short_help="Show what a TOML file changes, then apply it.")
@click.argument("file", metavar="FILE")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (for scripts).")
@click.option(
    "--force",
    is_flag=True,
    help="Apply a file exported from an older version, undoing what came after it.",
)
@click.pass_context
def pipeline_import_command(ctx: click.Context, file: str, yes: bool, force: bool) -> None:
    """Compare FILE ('-' for standard input) with the pipeline in force and apply it.

    Prints every change and what it does to open deals, then asks before applying (or
    applies at once with --yes). Nothing is written when the answer is no, when FILE has
    a problem, when it was exported from an older version than the one in force (unless
    --force), or when someone else imported in between.
    """
    from salesboard.service.definitions import PipelineDefinitions

    database = _session(ctx).database()
    if database.read_only:  # say so before showing changes that could not be made
        raise database.read_only_error()
    definitions = PipelineDefinitions(database)
    plan = definitions.plan_import(_read(file))
    if not plan.changes:
        click.echo(f"nothing to change: {_safe(file)} matches pipeline version {plan.base_version}")
        return
    click.echo(f"changes to pipeline version {plan.base_version}:")
    for change in plan.changes:
        where = f"{change.stage.key}"
        if change.key:
            where += f" job {change.key}"
        what = change.kind
        if change.before is not None and change.after is not None:
            what += f": {_safe(change.before)} → {_safe(change.after)}"
        elif change.after is not None or change.before is not None:
            what += f": {_safe(change.after or change.before or '')}"
        click.echo(f"  {where}: {what}")
    for warning in plan.plan.warnings:
        click.echo(f"check: {_safe(warning)}")
    if plan.effects:
        click.echo("what it does to deals:")
        for effect in plan.effects:
            click.echo(f"  {_safe(effect)}")
    if not force:
        definitions.check_not_stale(plan)
    if not yes:
        if file == "-" or not sys.stdin.isatty():
            raise CommandFailed("nothing applied: add --yes to apply without asking", 2)
        if not click.confirm("apply these changes?", default=False):
            click.echo("nothing applied")
            return
    version = definitions.apply(plan)
    click.echo(f"pipeline version {version} is in force")


@pipeline_group.command("history", short_help="Every version of the pipeline.")
@click.pass_context
def pipeline_history_command(ctx: click.Context) -> None:
    """Every version of the pipeline, newest first: who made it, when, and what changed."""
    from salesboard.service.definitions import PipelineDefinitions

    for version in PipelineDefinitions(_session(ctx).database()).history():
        when = "time unknown    " if version.set_at is None else _when(version.set_at)
        click.echo(f"version {version.version}  {when}  by {_safe(version.set_by)}")
        if version.changes is None:
            click.echo("  ⚠ its list of changes is damaged (see salesboard doctor)")
        elif not version.changes and version.version == 1:
            click.echo("  the pipeline salesboard starts with")
        for change in version.changes or ():
            parts = [str(change.get(k)) for k in ("stage", "key") if change.get(k)]
            after = change.get("after") or change.get("before") or ""
            click.echo(
                f"  {_safe(' '.join(parts))}: {_safe(str(change.get('kind')))} {_safe(str(after))}"
            )
