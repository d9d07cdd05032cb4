"""The team's base currency and exchange rates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from salesboard.calendar_text import moment_width
from salesboard.cli.main import cli
from salesboard.cli.output import _safe, _when
from salesboard.cli.runtime import _session
from salesboard.i18n import N_, _

if TYPE_CHECKING:
    pass


@cli.group(
    "rates",
    invoke_without_command=True,
    short_help=N_("The base currency and rates."),
    help=N_(
        "The team's base currency and exchange rates, which totals are converted with.\n\n"
        "Without a subcommand: the base currency and the current rate of every currency. "
        "Amounts in a currency without a rate are counted apart, never added as if they were "
        "in the base currency."
    ),
)
@click.pass_context
def rates_group(ctx: click.Context) -> None:
    """``salesboard rates``: the base currency and current rates; subcommands change them."""
    if ctx.invoked_subcommand is None:
        from salesboard.service.rates import RateBook, rate_text

        current = RateBook(_session(ctx).database()).current()
        click.echo(_("base currency: {currency}").format(currency=current.base))
        if not current.rates and not current.damaged:
            click.echo(_("no rates yet: set one with 'salesboard rates set USD 0.92'"))
        for code, rate in sorted(current.rates.items()):
            click.echo(f"1 {_safe(code)} = {rate_text(rate)} {current.base}")
        for code, problem in sorted(current.damaged.items()):
            click.echo(
                _(
                    "{currency}: the newest rate is damaged ({problem}); amounts in it are "
                    "counted apart — set it again with 'salesboard rates set'"
                ).format(currency=_safe(code), problem=_safe(problem))
            )


@rates_group.command(
    "set",
    short_help=N_("Set a currency's rate against the base."),
    help=N_("Record that one CURRENCY is worth RATE of the base currency (e.g. USD 0.92)."),
    context_settings={"ignore_unknown_options": True},  # '-1' is a rate to refuse as one
)
@click.argument("currency")
@click.argument("rate")
@click.pass_context
def rates_set_command(ctx: click.Context, currency: str, rate: str) -> None:
    """``salesboard rates set``: record a currency's rate against the base."""
    from salesboard.service.rates import RateBook, rate_text

    found = RateBook(_session(ctx).database()).set_rate(currency, rate)
    assert found.rate is not None
    click.echo(
        _("1 {currency} = {rate} {base} (set by {who})").format(
            currency=found.currency,
            rate=rate_text(found.rate),
            base=found.base,
            who=_safe(found.set_by),
        )
    )


@rates_group.command(
    "base",
    short_help=N_("Choose the team's base currency."),
    help=N_("Make CURRENCY the base of every total; rates set against another base lapse."),
)
@click.argument("currency")
@click.pass_context
def rates_base_command(ctx: click.Context, currency: str) -> None:
    """``salesboard rates base``: change the team's base currency."""
    from salesboard.service.rates import RateBook

    book = RateBook(_session(ctx).database())
    code = book.set_base(currency)
    if not book.current().rates:
        said = _("base currency: {currency} (no rates against it yet)")
    else:
        said = _("base currency: {currency} (its rates apply)")
    click.echo(said.format(currency=code))


@rates_group.command(
    "history",
    short_help=N_("Every rate ever set, newest first."),
    help=N_("Every rate the team has set (of CURRENCY), newest first, with who and when."),
)
@click.argument("currency", required=False)
@click.pass_context
def rates_history_command(ctx: click.Context, currency: str | None) -> None:
    """``salesboard rates history``: every rate set, newest first."""
    from salesboard.service.rates import RateBook, rate_text

    found = RateBook(_session(ctx).database()).history(currency)
    if not found:
        if currency is None:
            click.echo(_("no rates set yet"))
        else:
            click.echo(_("no rates set for {currency}").format(currency=currency))
    for rate in found:
        shown = _("time unknown") if rate.set_at is None else _when(rate.set_at)
        when = shown.ljust(moment_width())  # the lines' times line up
        if rate.rate is None:
            value = _("⚠ damaged ({problem})").format(problem=_safe(rate.damage or ""))
        else:
            value = rate_text(rate.rate)
        click.echo(
            _("{when}  1 {currency} = {rate} {base}  by {who}").format(
                when=when,
                currency=_safe(rate.currency),
                rate=value,
                base=_safe(rate.base),
                who=_safe(rate.set_by),
            )
        )


def _parse_head(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    """``--expect-head EVENT:HASH`` as printed by an earlier ``doctor`` run."""
    if value is None:
        return None
    event, _colon, digest = value.strip().partition(":")
    digest = digest.strip().lower()
    if not (event.isascii() and event.isdigit() and len(event) <= 19 and len(digest) == 64):
        raise click.BadParameter(
            _("give EVENT:HASH as doctor prints it, not {value}").format(value=repr(value))
        )
    if any(ch not in "0123456789abcdef" for ch in digest):
        raise click.BadParameter(
            _("the hash must be 64 hexadecimal digits, not {digest}").format(digest=repr(digest))
        )
    return int(event), digest
