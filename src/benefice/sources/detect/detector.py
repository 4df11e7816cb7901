"""The detector: the registry compiled into one automaton, the mentions of each field, the decisions of a
record, and the entry points that stream records through it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TextIO

import ahocorasick

from benefice.errors import BeneficeError
from benefice.sources.detect.cues import _cue_regex
from benefice.sources.detect.folding import (
    _URL_HINT,
    FIELDS,
    URL_RE,
    FoldedText,
    _is_shouting,
    field_text,
    fold_text,
)
from benefice.sources.detect.mentions import (
    _CONFIDENCE,
    _CONTEXT_WINDOW,
    _REQUIRES_WINDOW,
    Mention,
    _by_source,
    _defined_as_other,
    _Entry,
    _near,
)
from benefice.sources.detect.roles import _first_person, _genre, assign_roles, sentence_span
from benefice.sources.grammar import Grammar, RecordContext, add_hit
from benefice.sources.learn import MentionModel, candidate_features, default_model
from benefice.sources.registry import Registry, fold, load_registry


class Detector:
    """Compiled registry: call :meth:`detect` on one record (a mapping with text fields)."""

    def __init__(self, registry: Registry | None = None, model: MentionModel | None | str = "default") -> None:
        """``model``: the learned second stage (see :mod:`benefice.sources.learn`); "default" is the one in
        force (the data directory's retrained model if there is one, else the shipped one), None the rules
        alone."""
        self.registry = registry or load_registry()
        self.model: MentionModel | None = default_model() if model == "default" else model  # type: ignore[assignment]
        entries: dict[str, list[_Entry]] = {}
        contexts: dict[str, re.Pattern[str] | None] = {}
        for source in self.registry:
            contexts[source.id] = _cue_regex(source.context, prefix=True) if source.context else None
            ambiguous_by_key: dict[str, list[str]] = {}
            for form in source.ambiguous:
                ambiguous_by_key.setdefault(fold(form), []).append(form)
            for alias in source.aliases():
                key = fold(alias.text)
                surfaces: dict[str, bool] | None = None
                if key in ambiguous_by_key:
                    # Exact spellings only: the listed ambiguous ones need context, the other
                    # spellings of the same key (e.g. "CONSTANCES" beside "Constances") do not.
                    surfaces = {}
                    for other in source.aliases():
                        if fold(other.text) == key:
                            surfaces[other.text] = other.text in ambiguous_by_key[key]
                entry = _Entry(
                    source.id,
                    alias.form,
                    tuple(fold(r) for r in alias.requires),
                    surfaces,
                    len(key),
                )
                bucket = entries.setdefault(key, [])
                if all((e.source, e.form) != (entry.source, entry.form) for e in bucket):
                    bucket.append(entry)
        self._contexts = contexts
        self._ancestors = {s.id: frozenset(self.registry.ancestors(s.id)) for s in self.registry}
        self._long_names = {
            s.id: tuple(fold(a.text) for a in s.aliases() if a.form != "acronym" and len(a.text) > 12)
            for s in self.registry
        }
        self.grammar = Grammar({s.id: s.grammar for s in self.registry})
        # One pass over each text finds both the sources' names and the grammar's slot words: a key maps to
        # (its name entries or None, its slot values or ()).
        self._scanner = ahocorasick.Automaton()
        combined: dict[str, tuple] = {}
        for key, bucket in entries.items():
            combined[f" {key} "] = ((key, tuple(bucket)), ())
        if not self.grammar.empty:
            for padded, values in self.grammar.keys.items():
                combined[padded] = (combined.get(padded, (None, ()))[0], values)
        for padded, value in combined.items():
            self._scanner.add_word(padded, value)
        self._scanner.make_automaton()
        self._descendants = {s.id: frozenset(self.registry.descendants(s.id)) for s in self.registry}
        self._related = {
            s.id: frozenset({s.id, *self.registry.ancestors(s.id), *self.registry.descendants(s.id)})
            for s in self.registry
        }

    # -------------------------------------------------------------------------------- one field
    def _field_mentions(
        self,
        name: str,
        folded: FoldedText,
        title_folded: str,
        context: RecordContext | None = None,
    ) -> list[Mention]:
        text = folded.original
        norm = folded.folded
        raw: list[tuple[int, int, _Entry]] = []
        hits: dict[str, list[tuple[int, int]]] = {}
        for end_index, (name_entries, slot_values) in self._scanner.iter(norm):
            if name_entries is not None:
                key, bucket = name_entries
                end = end_index  # index of the trailing pad space
                start = end - len(key)  # first character of the key
                for entry in bucket:
                    raw.append((start, end, entry))
            if slot_values:
                add_hit(hits, norm, end_index, slot_values)
        grammar_matches = (
            self.grammar.matches(norm, text, folded.span, context or RecordContext({}, ()), hits)
            if hits
            else []
        )
        if not raw and not grammar_matches:
            return []
        raw.sort(key=lambda r: (r[0], -(r[1] - r[0])))
        kept: list[tuple[int, int, _Entry]] = []
        covering: list[tuple[int, int, _Entry]] = []
        for start, end, entry in raw:
            covering = [c for c in covering if c[1] > start]  # raw is sorted by start: drop expired
            outer = next(
                (c for c in covering if c[0] <= start and end <= c[1] and (c[0], c[1]) != (start, end)), None
            )
            if outer is not None:
                # Nested alias: keep only an ancestor's acronym inside a compound ("PMSI-MCO").
                if not (entry.form == "acronym" and entry.source in self._ancestors.get(outer[2].source, ())):
                    continue
            elif any(c[0] < end and start < c[1] and (c[0], c[1]) != (start, end) for c in covering):
                continue  # partial overlap with a longer, earlier alias
            kept.append((start, end, entry))
            covering.append((start, end, entry))
        mentions: list[Mention] = []
        shouting: bool | None = None
        described: set[tuple[int, int]] = set()
        for start, end, entry in kept:
            o_start, o_end = folded.span(start, end)
            surface = text[o_start:o_end]
            needs_context = False
            if entry.surfaces is not None:
                if surface not in entry.surfaces:
                    # Allow all-capitals fields ("THE CONSTANCES COHORT") to reach the context test.
                    if shouting is None:
                        shouting = _is_shouting(text)
                    if not (shouting and surface.isupper()):
                        continue
                    needs_context = True
                else:
                    needs_context = entry.surfaces[surface]
                    if not needs_context and surface.isupper():
                        if shouting is None:
                            shouting = _is_shouting(text)
                        needs_context = shouting
            ambiguous_here = needs_context
            if needs_context and not self._has_context(entry.source, norm, start, end):
                needs_context = True
                confidence = 0.0  # resolved later: accepted only if named elsewhere
            else:
                confidence = _CONFIDENCE[entry.form] * (0.9 if needs_context else 1.0)
                needs_context = False
            if entry.requires:
                if (start, end) in described or not _near(
                    norm, start, end, entry.requires, _REQUIRES_WINDOW, title_folded
                ):
                    continue
                described.add((start, end))  # a shared description goes to the first source whose cue is near
            mention = Mention(entry.source, name, o_start, o_end, surface, entry.form, "used", confidence)
            mention.needs_context, mention.strong = needs_context, not ambiguous_here
            mentions.append(mention)
        for match in grammar_matches:
            # A phrase around an alias of the same source or of its family is that alias ("French national
            # health insurance database (SNIIRAM)"), not a new description; another source named inside the
            # phrase is not ("les données du PMSI et celles de l'Assurance maladie").
            family = self._related.get(match.source, frozenset())
            if any(match.start < end and start < match.end and e.source in family for start, end, e in kept):
                continue
            o_start, o_end = folded.span(match.start, match.end)
            mention = Mention(
                match.source,
                name,
                o_start,
                o_end,
                text[o_start:o_end],
                "description",
                "used",
                _CONFIDENCE["description"],
            )
            rule = match.rule
            if rule.period_source:
                mention.alternatives = tuple(
                    dict.fromkeys((match.source, rule.period_source, *self._grammar_owner(match)))
                )
            mentions.append(mention)
        if mentions and _URL_HINT.search(text):
            # A name inside a URL or an e-mail address ("documentation-snds.health-data-hub.fr") is
            # not the text naming the source.
            urls = [(m.start(), m.end()) for m in URL_RE.finditer(text)]
            if urls:
                mentions = [m for m in mentions if not any(a <= m.start < b for a, b in urls)]
        for mention in mentions:
            if mention.form == "acronym" and _defined_as_other(
                text, mention, mentions, self._long_names.get(mention.source, ())
            ):
                mention.defined_as_other = True
        mentions = self._drop_introducing_descriptions(mentions, text)
        if mentions:
            assign_roles(mentions, folded, self._ancestors)
        return mentions

    def _drop_family_descriptions(
        self, mentions: list[Mention], named: set[str], texts: Mapping[str, str]
    ) -> list[Mention]:
        """Descriptions that only restate a source the text names.

        * A description of a parent of a named source ("health care reimbursement data" in a text naming
          the EGB, a sample of those data) refers to what is named: the parent is not added.
        * A description of a component in the same sentence as its named parent ("les données hospitalières
          ont été extraites du SNDS") says which part of the parent was read: the parent is the source. A
          component described in a sentence of its own is a source used beside its parent.
        """
        parents = set().union(*(self._ancestors[sid] for sid in named)) if named else set()
        sentences: dict[tuple[str, int], tuple[int, int]] = {}
        kept = []
        for m in mentions:
            if m.form != "description":
                kept.append(m)
                continue
            if m.source in parents:
                continue
            if m.source not in named and self._ancestors[m.source] & named:
                same_sentence = False
                for other in mentions:
                    if other.form == "description" or other.field != m.field:
                        continue
                    if other.source not in self._ancestors[m.source]:
                        continue
                    key = (m.field, m.start)
                    if key not in sentences:
                        sentences[key] = sentence_span(texts.get(m.field, ""), m.start, m.end)
                    lo, hi = sentences[key]
                    if lo <= other.start < hi:
                        same_sentence = True
                        break
                if same_sentence:
                    continue
            kept.append(m)
        return kept

    def _grammar_owner(self, match) -> tuple[str, ...]:
        """The source whose rule fired (a period rule may have renamed the match)."""
        return tuple(sid for sid, rules in self.grammar.rules.items() if match.rule in rules)

    def _has_context(self, source_id: str, norm: str, start: int, end: int) -> bool:
        pattern = self._contexts.get(source_id)
        if pattern is None:
            return False
        left = norm[max(0, start - _CONTEXT_WINDOW) : start]
        right = norm[end : end + _CONTEXT_WINDOW + 1]
        return bool(pattern.search(" " + left) or pattern.search(right))

    @staticmethod
    def _drop_introducing_descriptions(mentions: list[Mention], text: str) -> list[Mention]:
        """'the French national database (PMSI)': the description introduces the named source."""
        if len(mentions) < 2:
            return mentions
        drop = set()
        ordered = sorted(mentions, key=lambda m: m.start)
        for first, second in zip(ordered, ordered[1:], strict=False):
            if first.form == "description" and first.source != second.source and second.form != "description":
                gap = text[first.end : second.start]
                if len(gap) <= 8 and gap.strip().startswith(("(", "[")):
                    drop.add(id(first))
        return [m for m in mentions if id(m) not in drop]

    # -------------------------------------------------------------------------------- one record
    def detect(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Detect mentions in a record's text fields; return ``id``, ``sources_used``,
        ``sources_mentioned``, ``review`` (sources a person should decide; in neither list), ``decisions``
        (one per source: role, confidence, method, review) and ``mentions`` (dicts with source, field,
        start, end, text, form, role, confidence). Missing, empty or non-string fields are skipped."""
        mentions, genre = self._analyse(record)
        decisions = self._decide(record, mentions, genre)
        return {
            "id": record.get("id"),
            "sources_used": [d["source"] for d in decisions if d["role"] == "used" and not d["review"]],
            "sources_mentioned": [
                d["source"] for d in decisions if d["role"] == "mentioned" and not d["review"]
            ],
            "review": [d["source"] for d in decisions if d["review"]],
            "decisions": decisions,
            "mentions": [m.to_dict() for m in mentions],
        }

    def candidates(self, record: Mapping[str, Any]) -> list[tuple[str, dict[str, float], bool]]:
        """(source, features of the learned stage, whether the rules say used) for every source the
        record names or describes: what the model is trained and applied on."""
        mentions, genre = self._analyse(record)
        return [
            (source, self._features(record, source, own, mentions, genre), any(m.role == "used" for m in own))
            for source, own in _by_source(mentions).items()
        ]

    def _features(
        self, record: Mapping[str, Any], source: str, own: list[Mention], mentions: list[Mention], genre: str
    ) -> dict[str, float]:
        entry = self.registry.sources.get(source)
        return candidate_features(
            source,
            own,
            mentions,
            genre=genre,
            has_abstract=bool(
                field_text(record, "abstract").strip() or field_text(record, "full_text").strip()
            ),
            kind=entry.kind if entry is not None else "",
            ancestors=self._ancestors.get(source, frozenset()),
            descendants=self._descendants.get(source, frozenset()),
        )

    def _analyse(self, record: Mapping[str, Any]) -> tuple[list[Mention], str]:
        """The rules: every mention with its role, and the publication's genre."""
        texts = {name: field_text(record, name) for name in FIELDS}
        folded_fields = {name: fold_text(value) for name, value in texts.items() if value}
        title_text = folded_fields.get("title")
        title_folded = title_text.folded if title_text is not None else ""
        context = RecordContext(record, [f.folded for f in folded_fields.values()])
        mentions: list[Mention] = []
        for name, folded in folded_fields.items():
            mentions.extend(self._field_mentions(name, folded, title_folded, context))
        if mentions:
            # An acronym the text defines as something else means that thing everywhere in the record.
            other_things = {(m.source, m.text) for m in mentions if m.defined_as_other}
            if other_things:
                mentions = [
                    m for m in mentions if not (m.form == "acronym" and (m.source, m.text) in other_things)
                ]
        if mentions:
            confirmed = {m.source for m in mentions if m.strong}
            kept = []
            for mention in mentions:
                if mention.needs_context:
                    if mention.source not in confirmed:
                        continue
                    mention.needs_context = False
                    mention.confidence = _CONFIDENCE[mention.form] * 0.9
                kept.append(mention)
            mentions = kept
        if mentions:
            # A generic description ("French health insurance databases") in a text that names a parent or
            # component of the described source ("… the SNIIRAM and its sample, the EGB") describes what
            # is named, and adds nothing.
            named = {m.source for m in mentions if m.form != "description"}
            for mention in mentions:
                # "French claims data" in a pre-2016 study is the SNIIRAM, unless the text names the SNDS
                if mention.alternatives and mention.source not in named:
                    mention.source = next((a for a in mention.alternatives if a in named), mention.source)
            mentions = self._drop_family_descriptions(mentions, named, texts)
        genre = _genre(record, mentions, folded_fields) if mentions else ""
        if genre:
            # Literature reviews, methods guidance and inventories of data sources discuss sources
            # without analysing them, unless the authors say they analysed one themselves.
            for mention in mentions:
                if mention.role == "used" and not _first_person(record, mention):
                    mention.role, mention.cue = "mentioned", genre
                    mention.confidence *= 0.85
        return mentions, genre

    def _decide(self, record: Mapping[str, Any], mentions: list[Mention], genre: str) -> list[dict[str, Any]]:
        """One decision per source named: its role, a confidence, how it was set, and whether a person should
        review it (then it counts in no figure until someone does).

        The rules set the role. The learned stage, where there is one, gives the confidence (its calibrated
        probability that the source is used, ``score``) and sends a source to review when that probability
        lies between its review bounds. Cross-validated over the development records, letting the model set
        the role itself did not do better than the rules (benchmarks/README.md), so it does not."""
        decisions = []
        for source, own in _by_source(mentions).items():
            used = [m for m in own if m.role == "used"]
            role = "used" if used else "mentioned"
            decision: dict[str, Any] = {"source": source, "role": role, "method": "rule"}
            if self.model is None:
                decision["confidence"] = round(max(m.confidence for m in (used or own)), 3)
                decision["review"] = False
            else:
                p = self.model.probability(self._features(record, source, own, mentions, genre))
                decision["confidence"] = round(p if role == "used" else 1.0 - p, 3)
                decision["score"] = round(p, 3)
                decision["model"] = self.model.version
                decision["review"] = self.model.review_low < p < self.model.review_high
                decision["threshold"] = 0.5  # where the score would change the role (review queue order)
            decisions.append(decision)
        return decisions


_DEFAULT: Detector | None = None


def default_detector() -> Detector:
    """The detector for the shipped registry, built once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Detector()
    return _DEFAULT


def detect(record: Mapping[str, Any], detector: Detector | None = None) -> dict[str, Any]:
    """Detect the sources of one record (see :meth:`Detector.detect`)."""
    return (detector or default_detector()).detect(record)


def detect_records(
    records: Iterable[Mapping[str, Any]], detector: Detector | None = None
) -> Iterator[dict[str, Any]]:
    """Detect the sources of each record, lazily (constant memory): the entry point for the database
    scan, ``benefice detect`` and ``benefice scan``."""
    detector = detector or default_detector()
    for record in records:
        yield detector.detect(record)


def detect_jsonl(
    lines: Iterable[bytes],
    out: TextIO,
    *,
    detector: Detector | None = None,
    path: str = "<input>",
    skip_bad: bool = False,
    on_invalid_utf8: Callable[[int], None] | None = None,
) -> int:
    """Stream JSON lines (bytes) to JSON lines: one output line per input record, in input order.

    Memory stays flat: one line is held at a time. Blank lines are skipped. Invalid UTF-8 is decoded with
    U+FFFD replacement characters (offsets then refer to the decoded text) and reported through
    ``on_invalid_utf8(line_number)``. A line that is not a JSON object, or lacks an ``id``, raises
    BeneficeError naming the line, unless ``skip_bad`` is set: then an output line ``{"line": n, "error":
    …}`` keeps its place so nothing is silently lost. Returns the number of records written.
    """
    detector = detector or default_detector()
    written = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            if on_invalid_utf8 is not None:
                on_invalid_utf8(number)
        try:
            record = json.loads(text)
            if not isinstance(record, dict):
                raise ValueError(f"expected a JSON object, got {type(record).__name__}")
            if record.get("id") in (None, ""):
                raise ValueError("the record has no id")
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            message = f"not a valid record: {exc}"
            if not skip_bad:
                raise BeneficeError(message, path=path, line=number) from exc
            out.write(json.dumps({"line": number, "error": message}, ensure_ascii=False) + "\n")
            written += 1
            continue
        result = detector.detect(record)
        line = json.dumps(result, ensure_ascii=False)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate escaped in the input ("\\ud800"): keep it escaped
            line = json.dumps(result)
        out.write(line + "\n")
        written += 1
    return written
