"""Questionnaire answers (pure): each type validated on its own, numbers as people type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefice.custodians import survey
from benefice.custodians.survey import AnswerError, QuestionSpec, clean_answer, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12.0), ("1 234,5", 1234.5), ("1\u202f234,5", 1234.5), ("1,234.5", 1234.5), ("1.234,5", 1234.5),
     ("12 %", 12.0), ("-3", -3.0), ("1,5", 1.5), ("1,000,000", 1000000.0)],
)  # fmt: skip
def test_numbers_as_typed(text, value) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "douze", "1..2", "nan", "inf"])
def test_not_numbers(text) -> None:
    with pytest.raises(AnswerError):
        parse_number(text)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_numbers_round_trip_in_french_writing(value) -> None:
    text = f"{value:.4f}".replace(".", ",")
    assert parse_number(text) == pytest.approx(round(value, 4))


def test_each_type_validated() -> None:
    choice = QuestionSpec("choice", ("oui", "non"))
    assert clean_answer(choice, "oui").value == "oui"
    with pytest.raises(AnswerError, match="not one of the options"):
        clean_answer(choice, "peut-être")
    scale = QuestionSpec("scale", scale_min=1, scale_max=5)
    assert clean_answer(scale, "4").number == 4.0
    with pytest.raises(AnswerError, match="from 1 to 5"):
        clean_answer(scale, "6")
    number = QuestionSpec("number", unit="projets")
    assert clean_answer(number, "1 200").number == 1200.0
    figure = QuestionSpec("figure", unit="patients")
    with pytest.raises(AnswerError, match="needs its source"):
        clean_answer(figure, "300")
    kept = clean_answer(figure, "300", "Rapport annuel 2023, p. 12")
    assert (kept.number, kept.source) == (300.0, "Rapport annuel 2023, p. 12")
    assert clean_answer(figure, "", "Rapport").source == "Rapport"  # source typed first is kept
    assert clean_answer(QuestionSpec("text"), "  ").empty


def test_unanswerable_questions_refused() -> None:
    with pytest.raises(AnswerError):
        survey.validate_spec("choice", ["seule"], 1, 5)
    with pytest.raises(AnswerError):
        survey.validate_spec("scale", [], 5, 1)
    with pytest.raises(AnswerError):
        survey.validate_spec("ranking", [], 1, 5)


def test_transcript_text_one_turn_per_speaker_and_formula_guard() -> None:
    text = survey.transcript_text(
        [("Qu'est-ce qui a changé ?", "Les  délais\nont baissé."), ("Autre ?", " ")], "R01"
    )
    assert text == "ENQ : Qu'est-ce qui a changé ?\nR01 : Les délais ont baissé.\n"
    assert survey.spreadsheet_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)" and survey.spreadsheet_safe(3) == 3
