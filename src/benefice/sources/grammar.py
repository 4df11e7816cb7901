"""Sources described, not named: a small grammar of descriptions instead of lists of phrases.

Authors describe the SNDS, the PMSI or the CépiDc with a handful of parts they recombine freely: a scope
("French", "national", "nationwide"), a kind of data ("health insurance", "claims", "reimbursements",
"hospital discharge", "causes of death"), a data noun ("database", "data", "register", "données", "base
nationale") — "the French national health insurance claims database", "data from the national health
insurance", "la base nationale des causes médicales de décès". A list of whole phrases never ends; the
parts do. So each source's registry entry (``grammar:`` in ``sources.yaml``) lists *rules*, each a set of
slots that must all appear in one short phrase, and ``description_grammar.yaml`` says which words fill each
slot, in French and English.

A rule fires when, in one sentence:

* a word of every slot of the rule lies within :data:`PHRASE_SPAN` folded characters (a noun phrase, not a
  paragraph: "insurance" three sentences from "database" says nothing);
* the **scope** holds. ``france`` (the default): a French word near the phrase ("French", "France",
  "française"), or a national word near it ("national", "nationwide", "nationale") in a record that is about
  France (a French word anywhere in it, French as its language, or a French source named). ``national``: a
  national word near the phrase, in a record about France (used where the kind of data alone is ordinary:
  "hospital data" from three hospitals is not the PMSI, "national hospital data" is). ``context``: the record
  is about France (for parts that are specific already: "hospital discharge summaries"). ``any``: no
  condition, for rules whose own words are French ("the clinical data warehouse of the AP-HP");
* no **foreign** country or programme is in the same sentence unless a French word is in the phrase itself:
  foreign claims databases are described in exactly the same words ("the Korean National Health Insurance
  database", "Medicare claims").

A rule may carry a ``period``: ``{before: 2016, source: SNIIRAM}`` reads a description of French claims data
as the SNIIRAM when the study's data end before 2016 (the latest year the text gives, else the publication
year), the SNDS otherwise, because the SNIIRAM became the SNDS in January 2016 and the literature follows the
name in force for the data analysed.

Pure (no Django). Matching is one Aho–Corasick pass over the folded text that :mod:`.detect` already built
(the detector's own pass, which finds the sources' names at the same time), so texts without any slot word
cost almost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick

from benefice.curated import read_yaml
from benefice.errors import BeneficeError
from benefice.paths import package_data
from benefice.review.text import WORD, guess_language
from benefice.sources.registry import fold

PHRASE_SPAN = 70  # folded characters from the first slot word's start to the last one's end
SCOPE_WINDOW = 60  # folded characters either side of the phrase where a scope word may stand
SCOPES = ("france", "national", "context", "any")
_SCOPE_SLOTS = ("french", "national", "foreign")
# A year 1960-2049 not inside a longer number. The "no digit before" test sits after the first digit
# ("1(?<!\d.)" rather than "(?<!\d)1") so that the pattern starts with a literal and the regex engine
# jumps from one 1 or 2 to the next instead of trying every position: three times faster, same matches.
_YEAR = re.compile(r"(?:1(?<!\d.)9[6-9]|2(?<!\d.)0[0-4])\d(?!\d)")
_BREAK = re.compile(r"[.!?;]\s|\n\s*\n")


@dataclass(frozen=True)
class GrammarRule:
    """One way of describing a source: every slot must be filled within one phrase."""

    slots: tuple[str, ...]
    scope: str = "france"
    period_before: int | None = None
    period_source: str | None = None
    unless: tuple[str, ...] = ()  # slots whose words in the phrase mean another source ("data warehouse")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"slots": list(self.slots)}
        if self.scope != "france":
            out["scope"] = self.scope
        if self.unless:
            out["unless"] = list(self.unless)
        if self.period_before is not None:
            out["period"] = {"before": self.period_before, "source": self.period_source}
        return out


@dataclass(frozen=True)
class Lexicon:
    """The words of each slot (folded) and the file's version."""

    version: str
    slots: Mapping[str, tuple[str, ...]]


def parse_rules(value: Any, *, where: str, slots: Iterable[str] | None = None) -> list[GrammarRule]:
    """Validate a source's ``grammar`` field; raise BeneficeError naming the rule that is wrong."""
    known = set(slots if slots is not None else default_lexicon().slots)
    rules: list[GrammarRule] = []
    if value is None:
        return rules
    if not isinstance(value, list):
        raise BeneficeError(f"{where}: grammar must be a list of rules")
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping) or not isinstance(item.get("slots"), list) or not item["slots"]:
            raise BeneficeError(f"{where}: grammar rule {number} needs a non-empty list of slots")
        unless = item.get("unless") or []
        if not isinstance(unless, list):
            raise BeneficeError(f"{where}: grammar rule {number}: unless must be a list of slots")
        unknown = [s for s in [*item["slots"], *unless] if s not in known or s in _SCOPE_SLOTS]
        if unknown:
            raise BeneficeError(
                f"{where}: grammar rule {number}: unknown slot(s) {unknown}; known: {sorted(known - set(_SCOPE_SLOTS))}"
            )
        scope = item.get("scope", "france")
        if scope not in SCOPES:
            raise BeneficeError(f"{where}: grammar rule {number}: scope must be one of {list(SCOPES)}")
        period = item.get("period")
        before = source = None
        if period is not None:
            if (
                not isinstance(period, Mapping)
                or not isinstance(period.get("before"), int)
                or not isinstance(period.get("source"), str)
            ):
                raise BeneficeError(
                    f"{where}: grammar rule {number}: period must be {{before: YEAR, source: ID}}"
                )
            before, source = period["before"], period["source"]
        extra = set(item) - {"slots", "scope", "period", "unless"}
        if extra:
            raise BeneficeError(f"{where}: grammar rule {number}: unknown field(s) {sorted(extra)}")
        rules.append(GrammarRule(tuple(item["slots"]), scope, before, source, tuple(unless)))
    return rules


def read_lexicon(path: str | Path) -> Lexicon:
    """Read and validate a grammar vocabulary file."""
    path = Path(path)
    data = read_yaml(path)  # the one reader of curated files: errors name the file (and the YAML line)
    if not isinstance(data.get("slots"), Mapping):
        raise BeneficeError("the description grammar needs a mapping `slots`", path=str(path))
    scope = data.get("scope")
    if not isinstance(scope, Mapping) or set(scope) != set(_SCOPE_SLOTS):
        raise BeneficeError(
            f"the description grammar needs `scope` with {list(_SCOPE_SLOTS)}", path=str(path)
        )
    slots: dict[str, tuple[str, ...]] = {}
    for name, words in [*data["slots"].items(), *scope.items()]:
        if not isinstance(words, list) or not all(isinstance(w, str) and fold(w.rstrip("*")) for w in words):
            raise BeneficeError(f"slot {name!r} must be a list of words", path=str(path), field=str(name))
        slots[str(name)] = tuple(dict.fromkeys(words))
    return Lexicon(str(data.get("version") or ""), slots)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return read_lexicon(package_data("description_grammar.yaml"))


@dataclass(frozen=True)
class Match:
    """A described source: its id, the folded span of the phrase, and the rule that fired."""

    source: str
    start: int
    end: int
    rule: GrammarRule


class Grammar:
    """The compiled grammar of every source of a registry: :meth:`matches` on one folded field."""

    def __init__(self, rules: Mapping[str, list[GrammarRule]], lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or default_lexicon()
        self.rules = {sid: list(r) for sid, r in rules.items() if r}
        used = {s for rs in self.rules.values() for r in rs for s in (*r.slots, *r.unless)} | set(
            _SCOPE_SLOTS
        )
        self.keys: dict[str, tuple[tuple[str, int], ...]] = {}  # padded folded key -> ((slot, length), …)
        for slot in used:
            for word in self.lexicon.slots.get(slot, ()):
                key = fold(word.rstrip("*"))
                open_ended = word.rstrip().endswith("*")
                padded = f" {key}" if open_ended else f" {key} "
                self.keys[padded] = (*self.keys.get(padded, ()), (slot, len(key)))
        self.automaton = ahocorasick.Automaton()
        for key, values in self.keys.items():
            self.automaton.add_word(key, values)
        self.empty = not self.keys or not self.rules
        if not self.empty:
            self.automaton.make_automaton()
        self._needed = {slot for rs in self.rules.values() for r in rs for slot in r.slots}
        # (source, rule, the rule's slots as a set): a rule whose slots are not all in a text is skipped
        # with one set comparison
        self._checks = [
            (sid, rule, frozenset(rule.slots)) for sid, rules in self.rules.items() for rule in rules
        ]

    def hits(self, norm: str) -> dict[str, list[tuple[int, int]]]:
        """(start, end) of every slot word in the padded folded text ``norm``, by slot."""
        out: dict[str, list[tuple[int, int]]] = {}
        if self.empty:
            return out
        for end_index, values in self.automaton.iter(norm):
            add_hit(out, norm, end_index, values)
        return out

    def matches(
        self,
        norm: str,
        original: str,
        span_of,
        record: RecordContext,
        hits: dict[str, list[tuple[int, int]]] | None = None,
    ) -> list[Match]:
        """Descriptions in one field. ``norm`` is the padded folded text, ``original`` the field's text,
        ``span_of`` maps a folded span to the original (for sentence bounds), ``record`` says whether the
        record is about France and when its data end (computed only when a rule asks). ``hits``: the
        slot words of ``norm`` when the caller found them already (the detector finds them in the same
        pass as the sources' names), else :meth:`hits`."""
        if hits is None:
            hits = self.hits(norm)
        if not hits or not self._needed & hits.keys():
            return []
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        checked: dict[tuple[str, int, int], bool] = {}

        original_span_of = span_of

        def cached_span(a: int, b: int) -> tuple[int, int]:
            key = (a, b)
            if key not in spans:
                spans[key] = original_span_of(a, b)
            return spans[key]

        span_of = cached_span
        found: list[Match] = []
        present = hits.keys()
        for sid, rule, slots in self._checks:
            if not slots <= present:
                continue
            for start, end in self._phrases(hits, rule.slots):
                if not self._in_one_sentence(original, span_of, start, end):
                    continue
                if any(
                    start - 30 <= s and e <= end + 30 for slot in rule.unless for s, e in hits.get(slot, ())
                ):
                    continue
                key = (rule.scope, start, end)
                if key not in checked:
                    checked[key] = self._scope_holds(hits, rule.scope, start, end, record, original, span_of)
                if not checked[key]:
                    continue
                source = sid
                if rule.period_before is not None and record.year is not None:
                    if record.year < rule.period_before:
                        source = rule.period_source or sid
                found.append(Match(source, start, end, rule))
        return _resolve(found)

    @staticmethod
    def _phrases(hits: Mapping[str, list[tuple[int, int]]], slots: tuple[str, ...]) -> list[tuple[int, int]]:
        """Minimal spans holding one word of each slot, at most PHRASE_SPAN long (one per anchor word)."""
        anchor, *others = slots
        spans = []
        for a_start, a_end in hits[anchor]:
            lo, hi = a_start, a_end
            ok = True
            for slot in others:
                best = None
                for s, e in hits[slot]:  # the same words may fill two slots ("death certificates")
                    new_lo, new_hi = min(lo, s), max(hi, e)
                    if new_hi - new_lo <= PHRASE_SPAN and (
                        best is None or new_hi - new_lo < best[1] - best[0]
                    ):
                        best = (new_lo, new_hi)
                if best is None:
                    ok = False
                    break
                lo, hi = best
            if ok:
                spans.append((lo, hi))
        return sorted(set(spans))

    @staticmethod
    def _in_one_sentence(original: str, span_of, start: int, end: int) -> bool:
        o_start, o_end = span_of(start, end)
        return not _BREAK.search(original, o_start, o_end)

    def _scope_holds(
        self,
        hits: Mapping[str, list[tuple[int, int]]],
        scope: str,
        start: int,
        end: int,
        record: RecordContext,
        original: str,
        span_of,
    ) -> bool:
        lo, hi = start - SCOPE_WINDOW, end + SCOPE_WINDOW
        o_start, o_end = span_of(start, end)

        def near(slot: str, a: int = lo, b: int = hi) -> bool:
            for s, e in hits.get(slot, ()):
                if a <= s and e <= b:
                    o_s, o_e = span_of(s, e)
                    # the scope word must be in the phrase's sentence
                    left, right = (o_s, o_start) if o_s < o_start else (o_end, o_e)
                    if not _BREAK.search(original, left, right):
                        return True
            return False

        french_in_phrase = near("french", start - 25, end + 25)
        if not french_in_phrase and self._foreign_in_sentence(hits, original, span_of, start, end):
            return False
        if scope == "any":  # the rule's own words are French already ("AP-HP")
            return True
        if scope == "context":
            return french_in_phrase or record.france
        national = near("national")
        if scope == "national":
            return national and (near("french") or record.france)
        return near("french") or (national and record.france)

    @staticmethod
    def _foreign_in_sentence(hits, original: str, span_of, start: int, end: int) -> bool:
        foreign = hits.get("foreign")
        if not foreign:
            return False
        o_start, o_end = span_of(start, end)
        for s, e in foreign:
            o_s, o_e = span_of(s, e)
            left, right = (o_e, o_start) if o_e <= o_start else (o_end, o_s)
            if left <= right and not _BREAK.search(original, left, right):
                return True
            if o_s >= o_start and o_e <= o_end:
                return True
        return False


def add_hit(out: dict[str, list[tuple[int, int]]], norm: str, end_index: int, values) -> None:
    """Record the slot word of :attr:`Grammar.keys` that ends at ``end_index`` in ``norm`` (as reported by
    an Aho–Corasick automaton) under each of its slots."""
    if norm[end_index] == " ":  # a closed key ends with its pad space
        end = end_index
        for slot, length in values:
            out.setdefault(slot, []).append((end_index - length, end))
    else:  # an open one at its last letter: the span runs to the end of the word it starts
        end = norm.find(" ", end_index + 1)
        end = len(norm) if end < 0 else end
        for slot, length in values:
            out.setdefault(slot, []).append((end_index + 1 - length, end))


def _resolve(found: list[Match]) -> list[Match]:
    """One match per phrase: where two sources' rules fire on overlapping words, the one with more slots
    (the more specific description: "sample of beneficiaries of the national health insurance" is the
    sample, not the whole database) wins; among equals, the longer span, then the registry order."""
    if len(found) < 2:
        return found
    ordered = sorted(found, key=lambda m: (-len(m.rule.slots), -(m.end - m.start), m.start))
    kept: list[Match] = []
    for match in ordered:
        if any(match.start < k.end and k.start < match.end for k in kept if k.source != match.source):
            continue
        if any(k.source == match.source and match.start < k.end and k.start < match.end for k in kept):
            continue
        kept.append(match)
    return sorted(kept, key=lambda m: m.start)


class RecordContext:
    """What a rule may ask of the whole record, computed once and only if asked: most records have no
    phrase for these questions to decide."""

    def __init__(self, record: Mapping[str, Any], norms: Iterable[str]) -> None:
        self._record = record
        self._norms = norms
        self._france: bool | None = None
        self._year: int | None | bool = False

    @property
    def france(self) -> bool:
        if self._france is None:
            self._france = about_france(self._record, self._norms)
        return self._france

    @property
    def year(self) -> int | None:
        if self._year is False:
            self._year = study_year(self._record)
        return self._year  # type: ignore[return-value]


def study_year(record: Mapping[str, Any]) -> int | None:
    """The latest year the title, abstract or keywords give (not after the publication year), else the
    publication year: when the study's data end, as far as the text says."""
    published = record.get("year")
    published = published if isinstance(published, int) else None
    years = []
    for name in ("title", "abstract"):
        value = record.get(name)
        if isinstance(value, str) and value:
            years.extend(int(y) for y in _YEAR.findall(value[:20000]))
    if published is not None:
        years = [y for y in years if y <= published]
    if years:
        return max(years)
    return published


# Whole folded words (the texts are padded with spaces); substring tests, faster than a regex alternation.
_FRENCH_WORDS = (" france ", " french ", " francais ", " francaise ", " francaises ")


def _has_french_word(norm: str) -> bool:
    return any(word in norm for word in _FRENCH_WORDS)


def about_france(record: Mapping[str, Any], norms: Iterable[str]) -> bool:
    """Whether the record is about France: French its language (recorded, or guessed from its function
    words), or a French word in its text or its affiliations (affiliations only ever support a
    description, they never name a source)."""
    if str(record.get("language") or "").lower().startswith("fr"):
        return True
    if any(_has_french_word(n) for n in norms):
        return True
    # a text written in French, its language unrecorded, is about France far more often than not
    head = " ".join(str(record.get(f) or "")[:3000] for f in ("title", "abstract")).lower()
    if head.strip() and guess_language(WORD.findall(head)) == "french":
        return True
    affiliations = record.get("affiliations")
    if isinstance(affiliations, list):
        affiliations = " ".join(str(a) for a in affiliations[:200])
    return isinstance(affiliations, str) and _has_french_word(" " + fold(affiliations[:20000]) + " ")
