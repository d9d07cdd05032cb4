"""Properties of the forecast and velocity reports over random pipelines and event logs.

Whatever the deals, dates, rates, win probabilities, time zone and period:

- forecast: the months add up to the total (and the quarters to the total); weighted
  value never exceeds value, per deal and in every bucket; every open deal lands in
  exactly one bucket (months + undated + overdue + outside == open deals);
- velocity: the win rate is between 0 and 1 (None exactly when nothing ended); the
  velocity is None exactly when no won deal has a value in the base currency, so always
  when nothing was won; it is never negative.
"""

from __future__ import annotations

import copy
import functools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesboard.definition import DEFAULT_JSON, PipelineDefinition, from_json
from salesboard.reports import forecast, velocity
from salesboard.reports.facts import DealFact, Facts, Move, Period
from salesboard.reports.forecast import Figures
from salesboard.workflow import EventKind, Stage, Status

ZONES = (UTC, ZoneInfo("Europe/Oslo"), ZoneInfo("Pacific/Kiritimati"), ZoneInfo("America/Halifax"))
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def pipeline_with(probabilities: tuple[int, ...]) -> PipelineDefinition:
    data = copy.deepcopy(DEFAULT_JSON)
    for stage, probability in zip(data["stages"], probabilities, strict=True):
        stage["win_probability"] = probability
    return from_json(data)


@st.composite
def facts_and_period(draw: st.DrawFn) -> tuple[Facts, Period]:
    probabilities = draw(st.tuples(*[st.sampled_from((0, 5, 33, 50, 95, 100))] * 6))
    zone = draw(st.sampled_from(ZONES))
    now = draw(st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC)))
    deals: list[DealFact] = []
    moves: dict[int, tuple[Move, ...]] = {}
    for id in range(1, draw(st.integers(0, 20)) + 1):
        status = draw(st.sampled_from(Status))
        stage = Stage.CLOSED if status is Status.FINISHED else draw(st.sampled_from(Stage))
        created = now - draw(st.timedeltas(timedelta(0), timedelta(days=700)))
        log = [Move(created, EventKind.CREATED, Stage.PROSPECT)]
        if status is not Status.OPEN:
            if draw(st.booleans()):  # ended once before, reopened, ended again
                first = created + draw(st.timedeltas(timedelta(0), now - created))
                log.append(Move(first, EventKind.LOST, Stage.PROSPECT))
                log.append(Move(first, EventKind.REOPENED, Stage.PROSPECT))
            start = log[-1].at
            end = start + draw(st.timedeltas(timedelta(0), now - start))
            kind = EventKind.FINISHED if status is Status.FINISHED else EventKind.LOST
            log.append(Move(end, kind, stage))
        in_base = draw(st.none() | st.integers(0, 10**12))
        deals.append(
            DealFact(
                id=id,
                title=f"Deal {id}",
                owner=draw(st.sampled_from(("ann", "bob"))),
                stage=stage,
                status=status,
                value_minor=in_base or 100,
                currency="EUR" if in_base is not None else "XXX",
                in_base=in_base,
                expected_close=draw(st.none() | st.dates(date(2025, 6, 1), date(2029, 6, 30))),
                created_at=created,
                stage_since=created,
            )
        )
        moves[id] = tuple(log)
    opening = draw(st.dates(date(2025, 6, 1), date(2029, 6, 30)))
    period = Period(opening, opening + timedelta(days=draw(st.integers(0, 400))))
    facts = Facts(tuple(deals), moves, pipeline_with(probabilities), "EUR", now, zone)
    return facts, period


def added(figures: list[Figures]) -> Figures:
    return sum(figures, Figures())


@FEW
@given(facts_and_period())
def test_forecast_months_add_up_to_the_total(case: tuple[Facts, Period]) -> None:
    facts, period = case
    found = forecast.report(facts, period)
    assert [m.month for m in found.months] == period.months()
    assert added([m.figures for m in found.months]) == found.total
    assert added([q.figures for q in found.quarters]) == found.total


@FEW
@given(facts_and_period())
def test_forecast_weighted_never_exceeds_value(case: tuple[Facts, Period]) -> None:
    facts, period = case
    for deal in forecast.open_deals(facts):
        one = forecast.deal_figures(deal, facts.pipeline)
        assert 0 <= one.weighted_minor <= one.value_minor
    found = forecast.report(facts, period)
    buckets = [m.figures for m in found.months] + [q.figures for q in found.quarters]
    buckets += [found.undated, found.overdue, found.outside, found.total]
    for figures in buckets:
        assert 0 <= figures.weighted_minor <= figures.value_minor
        assert 0 <= figures.unconverted <= figures.deals


@FEW
@given(facts_and_period())
def test_forecast_puts_every_open_deal_in_one_bucket(case: tuple[Facts, Period]) -> None:
    facts, period = case
    found = forecast.report(facts, period)
    still_open = [d for d in facts.deals if d.status is Status.OPEN]
    every = found.total + found.undated + found.overdue + found.outside
    assert every.deals == len(still_open)
    assert every.unconverted == sum(1 for d in still_open if d.in_base is None)
    assert every.value_minor == sum(d.in_base or 0 for d in still_open)


@FEW
@given(facts_and_period())
def test_velocity_win_rate_and_none(case: tuple[Facts, Period]) -> None:
    facts, period = case
    found = velocity.report(facts, period)
    if found.won + found.lost == 0:
        assert found.win_rate is None
    else:
        assert found.win_rate is not None
        assert Decimal(0) <= found.win_rate <= Decimal(1)
    done = velocity.ended(facts, period)
    won_with_value = any(deal.in_base is not None for deal, _ in done.won)
    assert (found.per_day_minor is None) == (not won_with_value)
    assert (found.per_30_days_minor is None) == (not won_with_value)
    if found.won == 0:
        assert found.per_day_minor is None
        assert found.average_days_to_win is None
    else:
        assert found.average_days_to_win is not None
        assert found.average_days_to_win >= 1
    if found.per_day_minor is not None:
        assert found.per_day_minor >= 0
    assert 0 <= found.unconverted_won <= found.won
