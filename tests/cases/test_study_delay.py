"""The barometer's delay from study to decision starts at the case's first timeline entry of kind "study"
(issue 19): not at a guess from the wording of the events, and never at the decision's own date."""

from __future__ import annotations

import pytest

from benefice.barometer.compute.cases import _delay_summary, study_to_decision
from benefice.cases.catalogue import Case, Prose, TimelineEvent, load_cases


def _case(*events: tuple[str, str, str]) -> Case:
    return Case(
        id="c",
        title=Prose("Titre", "Title"),
        summary=Prose("Résumé.", "Summary."),
        categories=("pharmacovigilance_drug_safety",),
        data_sources=("SNDS",),
        attribution_grade="reason",
        publications=(),
        decisions=(),
        figures=(),
        timeline=tuple(TimelineEvent(date=d, kind=k, event=Prose(e, e)) for d, k, e in events),
    )


def _decision(date: str) -> dict:
    return {"date": date, "type": "restriction"}


def test_the_delay_starts_at_the_study_entry_whatever_its_wording() -> None:
    case = _case(
        ("2015-01", "signal", "Cohort report from a hospital team."),  # says "cohort" and "report": not a study
        ("2016-08-24", "study", "Rapport ANSM/CNAMTS."),  # French wording, no English cue at all
        ("2018-06", "decision", "EU programme."),
    )
    delay = study_to_decision(case, [_decision("2018-06")])
    assert delay is not None
    assert (delay["study_date"], delay["months_low"], delay["months_high"]) == ("2016-08-24", 22, 22)
    assert (delay["study_event_fr"], delay["study_event_en"]) == ("Rapport ANSM/CNAMTS.", "Rapport ANSM/CNAMTS.")


def test_a_case_without_a_dated_study_has_no_delay() -> None:
    case = _case(("2009-11", "decision", "AFSSAPS suspends the drug after the cohort study results."))
    assert study_to_decision(case, [_decision("2009-11")]) is None


def test_a_study_published_after_every_decision_gives_no_delay() -> None:
    case = _case(("2021", "study", "Study published in the BMJ."))
    assert study_to_decision(case, [_decision("2018-09"), _decision("2019-06")]) is None


@pytest.mark.parametrize(("study", "low", "high"), [("2014", 5, 16), ("2014-12", 5, 5)])
def test_the_delay_is_a_range_as_precise_as_the_dates(study: str, low: int, high: int) -> None:
    case = _case((study, "study", "Review."))
    delay = study_to_decision(case, [_decision("2015-05")])
    assert (delay["months_low"], delay["months_high"]) == (low, high)


def test_the_summary_counts_the_cases_left_out_and_why() -> None:
    delays = [{"case": "a", "months_low": 2, "months_high": 4}, {"case": "b", "months_low": 22, "months_high": 22}]
    cases = [
        {"case": "a", "decisions": 1, "dated_study": True},
        {"case": "b", "decisions": 2, "dated_study": True},
        {"case": "c", "decisions": 2, "dated_study": False},  # decisions, no dated study
        {"case": "d", "decisions": 1, "dated_study": True},  # its study came after its decisions
        {"case": "e", "decisions": 0, "dated_study": True},  # no decision: not a case of this measure
    ]
    summary = _delay_summary(delays, cases)
    assert (summary["cases"], summary["median_low"], summary["median_high"]) == (2, 12, 13)
    assert (summary["without_study"], summary["without_study_ids"]) == (1, "c")
    assert (summary["decided_before_study"], summary["decided_before_study_ids"]) == (1, "d")
    assert summary["same_month"] == 0
    same = _delay_summary([{"case": "a", "months_low": 0, "months_high": 0}], cases[:1])
    assert (same["same_month"], same["median_low"], same["median_high"]) == (1, 0, 0)


def test_the_shipped_cases_no_longer_give_a_zero_median_from_decision_dates() -> None:
    """With the real study dates, the cases whose study preceded a later decision are measured, and those
    without a dated study are left out (the 9 of 10 cases dated on their decision day are gone)."""
    book = load_cases()
    delays = {}
    for case in book.cases.values():
        decisions = [{"date": d.date, "type": d.type} for d in case.decisions if d.verified]
        delay = study_to_decision(case, decisions)
        if delay:
            delays[case.id] = delay
    assert "mediator_benfluorex" not in delays and "cyproterone_meningioma" not in delays
    assert (delays["valproate_pregnancy"]["months_low"], delays["valproate_pregnancy"]["months_high"]) == (22, 22)
    assert delays["pioglitazone_bladder_cancer"]["study_date"] == "2011-06-07"
    assert max(d["months_high"] for d in delays.values()) > 12
