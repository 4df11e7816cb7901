"""Questionnaires to custodians: question types, answer validation, export rows (pure, no Django).

A questionnaire asks custodians what no publication says: how many projects they served, what changed.
Answers are typed by people outside the team through a private link and saved as they type, so each answer
is validated on its own, with a message that says what is wrong; a figure is refused without its source,
as everywhere in benefice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benefice.weblinks import reference_problem

CHOICE, SCALE, NUMBER, TEXT, FIGURE = "choice", "scale", "number", "text", "figure"
KINDS = (CHOICE, SCALE, NUMBER, TEXT, FIGURE)
EXPORT_COLUMNS = (
    "respondent", "data_source", "question", "position", "kind", "value", "number", "unit", "source",
    "updated_at",
)  # fmt: skip


def gettext_noop(message: str) -> str:
    """Marks a message for translation (extracted by makemessages) without importing Django; the web app
    translates ``AnswerError.template`` and fills in ``AnswerError.params``."""
    return message


class AnswerError(ValueError):
    """An answer that does not fit its question; the message is shown next to the field."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    choices: tuple[str, ...] = ()
    scale_min: int = 1
    scale_max: int = 5
    unit: str = ""


@dataclass(frozen=True)
class Answer:
    value: str = ""  # the text, the choice, or the number as typed
    number: float | None = None
    source: str = ""

    @property
    def empty(self) -> bool:
        return not self.value and self.number is None and not self.source


def parse_number(text: str) -> float:
    """A number as people type it in French or English: "1 234,5", "1,234.5", "12 %", "1e3"."""
    cleaned = re.sub(r"[\s\u00a0\u202f%]", "", text or "")
    if not cleaned:
        raise AnswerError(gettext_noop("a number is expected"))
    if "," in cleaned and "." in cleaned:
        cleaned = (
            cleaned.replace(",", "")
            if cleaned.rfind(".") > cleaned.rfind(",")
            else cleaned.replace(".", "").replace(",", ".")
        )
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".") if cleaned.count(",") == 1 else cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise AnswerError(gettext_noop("%(text)r is not a number"), text=text) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise AnswerError(gettext_noop("%(text)r is not a number"), text=text)
    return value


def validate_spec(kind: str, choices: Sequence[str], scale_min: int, scale_max: int) -> None:
    """Refuse a question that cannot be answered: an unknown type, a choice without two options, a scale
    whose bounds are reversed or too wide."""
    if kind not in KINDS:
        raise AnswerError(gettext_noop("unknown question type %(kind)r"), kind=kind)
    if kind == CHOICE and len([c for c in choices if c.strip()]) < 2:
        raise AnswerError(gettext_noop("a choice question needs at least two options"))
    if kind == SCALE and not (scale_min < scale_max and scale_max - scale_min <= 10):
        raise AnswerError(gettext_noop("a scale needs a minimum below its maximum, at most 10 steps apart"))


def clean_answer(spec: QuestionSpec, value: str = "", source: str = "") -> Answer:
    """The stored form of an answer, or ``AnswerError``. Empty is allowed (an answer can be cleared)."""
    value = (value or "").strip()
    source = (source or "").strip()
    if spec.kind == TEXT:
        return Answer(value=value)
    if spec.kind == CHOICE:
        if value and value not in spec.choices:
            raise AnswerError(gettext_noop("%(value)r is not one of the options"), value=value)
        return Answer(value=value)
    if spec.kind == SCALE:
        if not value:
            return Answer()
        try:
            step = int(value)
        except ValueError:
            raise AnswerError(
                gettext_noop("choose a value from %(low)s to %(high)s"),
                low=spec.scale_min,
                high=spec.scale_max,
            ) from None
        if not spec.scale_min <= step <= spec.scale_max:
            raise AnswerError(
                gettext_noop("choose a value from %(low)s to %(high)s"),
                low=spec.scale_min,
                high=spec.scale_max,
            )
        return Answer(value=str(step), number=float(step))
    if spec.kind in (NUMBER, FIGURE):
        if spec.kind == FIGURE and reference_problem(source):  # issue 17: a link is http(s) or a DOI
            raise AnswerError(
                gettext_noop("a source that is a link must be an http(s) address or a DOI (%(value)s)"),
                value=source[:80],
            )
        if not value:
            if spec.kind == FIGURE and source:
                return Answer(source=source)  # the source typed first: kept while the figure is typed
            return Answer()
        number = parse_number(value)
        if spec.kind == FIGURE and not source:
            raise AnswerError(gettext_noop("a figure needs its source (document, page, link)"))
        return Answer(value=value, number=number, source=source if spec.kind == FIGURE else "")
    raise AnswerError(gettext_noop("unknown question type %(kind)r"), kind=spec.kind)


def export_rows(answers: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """Rows of the export (header first) from answer dicts with the keys of ``EXPORT_COLUMNS``."""
    rows: list[list[Any]] = [list(EXPORT_COLUMNS)]
    for answer in answers:
        rows.append(
            [answer.get(column, "") if answer.get(column) is not None else "" for column in EXPORT_COLUMNS]
        )
    return rows


def spreadsheet_safe(value: Any) -> Any:
    """Text starting with = + - @ is prefixed with a quote so a spreadsheet shows it rather than running it
    (answers come from outside the team)."""
    from benefice.csvout import neutralise

    return neutralise(value)


def transcript_text(questions: Sequence[tuple[str, str]], respondent_code: str) -> str:
    """The free-text answers of one respondent as an interview transcript: the question said by "ENQ", the
    answer by the respondent's code, one turn each, so the interviews app can code them."""
    lines = []
    for question, answer in questions:
        if answer.strip():
            lines.append(f"ENQ : {' '.join(question.split())}")
            lines.append(f"{respondent_code} : {' '.join(answer.split())}")
    return "\n".join(lines) + ("\n" if lines else "")
