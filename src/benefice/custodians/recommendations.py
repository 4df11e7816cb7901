"""Recommendations derived from measured gaps (pure, no Django).

The rules are data (``data/recommendations.yaml``), so a custodian or the project team can change a
threshold or a wording without touching code. Each rule names one *measured figure* of the per-custodian
report (e.g. the share of publications that do not name the source in full), a comparison and a
threshold, and the least number of records the figure must rest on; a recommendation is produced only when
the figure is measured on enough records and crosses the threshold. Every recommendation carries the figure
that motivated it, with how it was computed and over which records, so a reader can check it.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benefice.curated import Ctx, read_yaml
from benefice.i18n import pick
from benefice.paths import package_data

OPERATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_RULE_KEYS = {"id", "figure", "operator", "threshold", "min_records", "text", "rationale"}


@dataclass(frozen=True)
class MeasuredFigure:
    """A figure of the report: value = numerator / denominator, with how and over what it was computed."""

    id: str
    numerator: int
    denominator: int
    how: str  # one sentence: what was counted over what
    records: tuple[str, ...] = ()  # the records counted in the numerator (publication ids, references…)

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class RecommendationRule:
    id: str
    figure: str
    operator: str
    threshold: float
    min_records: int
    text: dict[str, str]
    rationale: dict[str, str]


@dataclass
class Recommendation:
    rule: RecommendationRule
    figure: MeasuredFigure
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "fr") -> str:
        return pick(self.rule.text["fr"], self.rule.text["en"], lang)

    def rationale(self, lang: str = "fr") -> str:
        return pick(self.rule.rationale["fr"], self.rule.rationale["en"], lang)


def parse_rules(
    data: Any, path: str = "<recommendations>", known_figures: set[str] | None = None
) -> list[RecommendationRule]:
    """Validate the rules file: every rule has an id, a known figure, an operator among > >= < <=, a
    numeric threshold and texts in French and English. Errors name the file, the rule and the field."""
    ctx = Ctx(path)
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise ctx.fail("expected a mapping with a 'rules' list")
    rules: list[RecommendationRule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"], start=1):
        if not isinstance(raw, Mapping):
            raise ctx.at("", index).fail("a rule must be a mapping")
        rid = str(raw.get("id") or "")
        if not rid:
            raise ctx.at("", index).fail("rule without an id", "id")
        if rid in seen:
            raise ctx.at("", index).fail(f"duplicate rule id {rid!r}", "id")
        seen.add(rid)
        rule = ctx.at(f"rule {rid!r}", index)
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise rule.fail(f"unknown keys {sorted(unknown)}")
        figure = str(raw.get("figure") or "")
        if not figure or (known_figures is not None and figure not in known_figures):
            raise rule.fail(f"unknown figure {figure!r}", "figure")
        op = str(raw.get("operator", ">="))
        if op not in OPERATORS:
            raise rule.fail(f"operator must be one of {sorted(OPERATORS)}", "operator")
        threshold = raw.get("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise rule.fail("threshold must be a number", "threshold")
        min_records = raw.get("min_records", 1)
        if isinstance(min_records, bool) or not isinstance(min_records, int) or min_records < 1:
            raise rule.fail("min_records must be a positive integer", "min_records")
        texts = {}
        for key in ("text", "rationale"):
            value = raw.get(key)
            if not isinstance(value, Mapping) or not value.get("fr") or not value.get("en"):
                raise rule.fail(f"{key} needs 'fr' and 'en'", key)
            texts[key] = {"fr": " ".join(str(value["fr"]).split()), "en": " ".join(str(value["en"]).split())}
        rules.append(RecommendationRule(rid, figure, op, float(threshold), min_records, texts["text"], texts["rationale"]))
    return rules


def load_rules(path: str | Path | None = None, known_figures: set[str] | None = None) -> list[RecommendationRule]:
    """The bundled rules (``data/recommendations.yaml``) or those at ``path``."""
    path = Path(path) if path else package_data("recommendations.yaml")
    return parse_rules(read_yaml(path), str(path), known_figures)


def recommend(rules: list[RecommendationRule], figures: Mapping[str, MeasuredFigure]) -> list[Recommendation]:
    """The recommendations whose figure is measured on at least ``min_records`` records and crosses the
    threshold, in the order of the rules. A figure that was not measured produces nothing: no data is not
    a gap."""
    out = []
    for rule in rules:
        figure = figures.get(rule.figure)
        if figure is None or figure.value is None or figure.denominator < rule.min_records:
            continue
        if OPERATORS[rule.operator](figure.value, rule.threshold):
            out.append(Recommendation(rule, figure))
    return out
