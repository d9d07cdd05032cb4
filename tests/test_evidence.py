"""The evidence rules, where they live: pure functions of a deal's facts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from salesboard.errors import InvalidInput
from salesboard.evidence import (
    ActivityFact,
    DealFacts,
    Evidence,
    EvidenceRefusal,
    ProblemFact,
    Remedy,
    check_tick,
    missing,
)
from salesboard.part_fields import clean_email, clean_phone, parse_due
from salesboard.substance import ActivityKind

MEETING = ActivityFact(ActivityKind.MEETING, done=False, has_agenda=False)
HELD = ActivityFact(ActivityKind.MEETING, done=True, has_agenda=False)
CALL_WITH_AGENDA = ActivityFact(ActivityKind.CALL, done=False, has_agenda=True)
FOLLOW_UP = ActivityFact(ActivityKind.FOLLOW_UP, done=False, has_agenda=False)
UNDATED_FOLLOW_UP = ActivityFact(ActivityKind.FOLLOW_UP, False, False, has_due=False)
VISIT = ActivityFact(ActivityKind.VISIT, done=False, has_agenda=False)
VISITED = ActivityFact(ActivityKind.VISIT, done=True, has_agenda=False)
PRICED = ProblemFact(open=True, prioritised=True, priced=True)
UNPRICED = ProblemFact(open=True, prioritised=True, priced=False)
UNPRIORITISED = ProblemFact(open=True, prioritised=False, priced=True)
SOLVED_UNPRICED = ProblemFact(open=False, prioritised=False, priced=False)


@pytest.mark.parametrize(
    ("evidence", "lacking", "enough"),
    [
        (Evidence.MEETING, DealFacts((VISIT, CALL_WITH_AGENDA)), DealFacts((MEETING,))),
        (Evidence.MEETING_HELD, DealFacts((MEETING, VISITED)), DealFacts((MEETING, HELD))),
        (Evidence.AGENDA, DealFacts((MEETING, HELD)), DealFacts((CALL_WITH_AGENDA,))),
        (Evidence.FOLLOW_UP, DealFacts((MEETING, UNDATED_FOLLOW_UP)), DealFacts((FOLLOW_UP,))),
        (Evidence.VISIT_HELD, DealFacts((VISIT, HELD)), DealFacts((VISITED,))),
        (Evidence.PROBLEM, DealFacts((MEETING,)), DealFacts(problems=(UNPRICED,))),
        (
            Evidence.PRICED_PROBLEMS,
            DealFacts(problems=(PRICED, UNPRICED)),
            DealFacts(problems=(PRICED, SOLVED_UNPRICED)),
        ),
        (
            Evidence.PRICED_PROBLEMS,
            DealFacts(problems=(UNPRIORITISED,)),
            DealFacts(problems=(PRICED,)),
        ),
        (Evidence.PRICED_PROBLEMS, DealFacts(), DealFacts(problems=(PRICED,))),
        (
            Evidence.STAKEHOLDER,
            DealFacts((MEETING,), (PRICED,)),
            DealFacts(stakeholders_with_stance=1),
        ),
    ],
)
def test_each_rule_refuses_without_its_evidence_and_passes_with_it(
    evidence: Evidence, lacking: DealFacts, enough: DealFacts
) -> None:
    assert missing(evidence, lacking) is not None
    assert missing(evidence, enough) is None
    with pytest.raises(EvidenceRefusal) as refused:
        check_tick("The job", evidence, lacking)
    assert "The job" in str(refused.value) and refused.value.evidence is evidence
    check_tick("The job", evidence, enough)


def test_the_refusal_counts_the_unready_problems() -> None:
    facts = DealFacts(problems=(UNPRICED, UNPRIORITISED, PRICED))
    assert missing(Evidence.PRICED_PROBLEMS, facts) == (
        "2 open problems have no priority or no price"
    )


def test_a_job_without_evidence_is_never_refused() -> None:
    check_tick("Anything", None, DealFacts())


def test_every_evidence_has_a_remedy_the_pane_can_offer() -> None:
    for evidence in Evidence:
        refusal = EvidenceRefusal("Job", evidence, "why")
        remedy, kind = refusal.remedy
        assert (remedy is Remedy.ACTIVITY) == (kind is not None)


@pytest.mark.parametrize("good", ["anne@example.no", "a.b+c@sub.example.com", ""])
def test_good_email_addresses_are_kept(good: str) -> None:
    assert clean_email(f"  {good} ") == good


@pytest.mark.parametrize("bad", ["anne", "anne@", "@example.no", "a b@example.no", "anne@example"])
def test_bad_email_addresses_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput, match="e-mail"):
        clean_email(bad)


@pytest.mark.parametrize("good", ["+47 22 33 44 55", "(555) 123-4567", "22334455", ""])
def test_good_phone_numbers_are_kept(good: str) -> None:
    assert clean_phone(good) == good


@pytest.mark.parametrize("bad", ["call me", "123", "+47 22\u202e33 44 55", "1" * 25])
def test_bad_phone_numbers_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        clean_phone(bad)


def test_a_due_time_in_a_named_zone_is_kept_in_utc() -> None:
    from zoneinfo import ZoneInfo

    oslo = ZoneInfo("Europe/Oslo")
    assert parse_due("2027-07-01 10:00", oslo) == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    assert parse_due("1.7.2027 10.00", oslo) == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    assert parse_due("2027-07-01", oslo) == datetime(2027, 7, 1, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["", "soon", "2027-07-01 24:00", "2027-07-01 10:60", "01/07/2027"])
def test_a_bad_due_time_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput, match="YYYY-MM-DD HH:MM"):
        parse_due(bad)


def test_a_time_the_clocks_skip_is_refused_not_moved() -> None:
    """Found by an attacker: 02:30 on the night clocks go forward was stored as 01:30."""
    from zoneinfo import ZoneInfo

    with pytest.raises(InvalidInput, match="does not exist in your time zone"):
        parse_due("2027-03-28 02:30", ZoneInfo("Europe/Oslo"))
    autumn = parse_due("2027-10-31 02:30", ZoneInfo("Europe/Oslo"))  # happens twice: first
    assert autumn == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_a_year_out_of_range_says_so() -> None:
    with pytest.raises(InvalidInput, match="years 1900 to 9998"):
        parse_due("9999-12-31 23:59")


def test_an_agenda_of_invisible_characters_is_no_agenda() -> None:
    """Found by an attacker: an agenda of one zero-width space ticked "Agenda written"."""
    from salesboard.service.part_views import ActivityView

    def with_agenda(text: str) -> ActivityView:
        at = datetime(2027, 1, 1, tzinfo=UTC)
        return ActivityView(1, 1, ActivityKind.CALL, "t", at, "o", text, "", None, None, "o", at)

    assert missing(Evidence.AGENDA, DealFacts((with_agenda("\u200b \u2060").fact(),)))
    assert missing(Evidence.AGENDA, DealFacts((with_agenda("1. Goals").fact(),))) is None
