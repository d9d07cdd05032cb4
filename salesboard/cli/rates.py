"""The team's base currency and exchange rates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from salesboard.cli.main import cli
from salesboard.cli.output import _safe, _when
from salesboard.cli.runtime import _session

if TYPE_CHECKING:
    pass


@cli.group("rates", invoke_without_command=True, short_help="The base currency and rates.")
@click.pass_context
def rates_group(ctx: click.Context) -> None:
    """The team's base currency and exchange rates, which totals are converted with.

    Without a subcommand: the base currency and the current rate of every currency.
    Amounts in a currency without a rate are counted apart, never added as if they were
    in the base currency.
    """
    if ctx.invoked_subcommand is None:
        from salesboard.service.rates import RateBook, rate_text

        current = RateBook(_session(ctx).database()).current()
        click.echo(f"base currency: {current.base}")
        if not current.rates and not current.damaged:
            click.echo("no rates yet: set one with 'salesboard rates set USD 0.92'")
        for code, rate in sorted(current.rates.items()):
            click.echo(f"1 {_safe(code)} = {rate_text(rate)} {current.base}")
        for code, problem in sorted(current.damaged.items()):
            click.echo(
                f"{_safe(code)}: the newest rate is damaged ({_safe(problem)}); amounts in it "
                f"are counted apart — set it again with 'salesboard rates set'"
            )


@rates_group.command(
    "set",
    short_help="Set a currency's rate against the base.",
    context_settings={"ignore_unknown_options": True},  # '-1' is a rate to refuse as one
)
@click.argument("currency")
@click.argument("rate")
@click.pass_context
def rates_set_command(ctx: click.Context, currency: str, rate: str) -> None:
    """Record that one CURRENCY is worth RATE of the base currency (e.g. USD 0.92)."""
    from salesboard.service.rates import RateBook, rate_text

    found = RateBook(_session(ctx).database()).set_rate(currency, rate)
    assert found.rate is not None
    click.echo(
        f"1 {found.currency} = {rate_text(found.rate)} {found.base} (set by {_safe(found.set_by)})"
    )


@rates_group.command("base", short_help="Choose the team's base currency.")
@click.argument("currency")
@click.pass_context
def rates_base_command(ctx: click.Context, currency: str) -> None:
    """Make CURRENCY the base of every total; rates set against another base lapse."""
    from salesboard.service.rates import RateBook

    book = RateBook(_session(ctx).database())
    code = book.set_base(currency)
    missing = "no rates against it yet" if not book.current().rates else "its rates apply"
    click.echo(f"base currency: {code} ({missing})")


@rates_group.command("history", short_help="Every rate ever set, newest first.")
@click.argument("currency", required=False)
@click.pass_context
def rates_history_command(ctx: click.Context, currency: str | None) -> None:
    """Every rate the team has set (of CURRENCY), newest first, with who and when."""
    from salesboard.service.rates import RateBook, rate_text

    found = RateBook(_session(ctx).database()).history(currency)
    if not found:
        click.echo("no rates set yet" if currency is None else f"no rates set for {currency}")
    for rate in found:
        when = "time unknown    " if rate.set_at is None else _when(rate.set_at)
        value = (
            f"⚠ damaged ({_safe(rate.damage or '')})" if rate.rate is None else rate_text(rate.rate)
        )
        click.echo(
            f"{when}  1 {_safe(rate.currency)} = {value} {_safe(rate.base)}  "
            f"by {_safe(rate.set_by)}"
        )


def _parse_head(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    """``--expect-head EVENT:HASH`` as printed by an earlier ``doctor`` run."""
    if value is None:
        return None
    event, _, digest = value.strip().partition(":")
    digest = digest.strip().lower()
    if not (event.isascii() and event.isdigit() and len(event) <= 19 and len(digest) == 64):
        raise click.BadParameter(f"give EVENT:HASH as doctor prints it, not {value!r}")
    if any(ch not in "0123456789abcdef" for ch in digest):
        raise click.BadParameter(f"the hash must be 64 hexadecimal digits, not {digest!r}")
    return int(event), digest
