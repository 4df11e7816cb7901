"""People's corrections applied to a detection result. Pure: no Django import.

The detector's result is kept as it was computed; what counts in figures is the *effective* result: the machine's
decisions with each person's latest verdict on a source applied on top. Keeping both apart is what lets a
correction survive every re-scan and registry change (it is re-applied to whatever the detector says next) and
what lets the learned stage be retrained on the people's verdicts against the machine's own output.

A person's evidence is the words they selected, stored with the offsets they had in the text they saw. Texts
change (a merge rebuilds a publication from its records; an enrichment fills an abstract), so the words are
looked for again at every application: at their offsets when the text there is unchanged, otherwise at the
occurrence nearest to where they were. Words no longer in the text are shown as evidence nowhere, but the
verdict itself still applies.
"""

from __future__ import annotations

import html
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from benefice.sources.detect import field_text as detect_field_text
from benefice.sources.registry import Registry, fold

VERDICTS = ("used", "mentioned", "rejected")
ROLES = ("used", "mentioned")
#: The fields a person can read and select words in, in the order the publication panel shows them.
SELECTABLE_FIELDS = ("title", "abstract", "keywords", "mesh")
#: List fields are read as one text, their items joined by this separator (mention offsets count in it).
#: The decision threshold assumed when a decision does not carry its own ``threshold``.
DEFAULT_THRESHOLD = 0.5
#: Longest selection accepted as evidence: evidence is the words that name a source, not a paragraph.
MAX_EVIDENCE = 400


def field_text(record: Mapping[str, Any], name: str) -> str:
    """The text of one field of a detection record as offsets count in it: the detector's own reading
    (:func:`benefice.sources.detect.field_text`), so evidence a person selects and the detector's mentions
    point into the same string."""
    return detect_field_text(record, name)


@dataclass(frozen=True)
class Evidence:
    """Words a person selected: a field and the offsets they had in the text the person saw."""

    field: str
    start: int | None
    end: int | None
    text: str


@dataclass
class Verdict:
    """The latest verdict of people on one source of one publication, and every piece of evidence given."""

    source: str
    verdict: str
    evidence: list[Evidence] = field(default_factory=list)


def verdicts_from_history(rows: Iterable[Mapping[str, Any]]) -> dict[str, Verdict]:
    """Fold a correction history (oldest first: source, verdict, field, start, end, text) into one verdict per
    source: the latest verdict wins, and the evidence of every correction of that source is kept, so that
    changing a source's role later does not drop the words someone selected earlier."""
    out: dict[str, Verdict] = {}
    for row in rows:
        sid = row["source"]
        v = out.setdefault(sid, Verdict(sid, row["verdict"]))
        v.verdict = row["verdict"]
        text = row.get("text") or ""
        if text and row.get("field"):
            ev = Evidence(row["field"], row.get("start"), row.get("end"), text)
            if ev not in v.evidence:
                v.evidence.append(ev)
    return out


def locate(text: str, start: int | None, end: int | None, words: str) -> tuple[int, int] | None:
    """Where ``words`` are in ``text`` now: at (start, end) if unchanged there, else the occurrence nearest to
    ``start`` (exact, then ignoring case), else None."""
    if not words or not text:
        return None
    if start is not None and end is not None and 0 <= start < end <= len(text) and text[start:end] == words:
        return start, end
    for haystack, needle in ((text, words), (text.casefold(), words.casefold())):
        if len(haystack) != len(text):  # casefold changed lengths (ß → ss): offsets would be wrong
            continue
        found = []
        at = haystack.find(needle)
        while at != -1:
            found.append(at)
            at = haystack.find(needle, at + 1)
        if found:
            best = min(found, key=lambda i: abs(i - (start or 0)))
            return best, best + len(words)
    return None


def evidence_form(registry: Registry | None, source_id: str, words: str) -> str:
    """The form (acronym, official name…) of the words a person selected, when they are one of the source's
    registered names; otherwise a description. Figures on how sources are cited then count people's evidence
    like the detector's."""
    if registry is not None and source_id in registry:
        key = fold(words)
        for alias in registry[source_id].aliases():
            if fold(alias.text) == key:
                return alias.form
    return "description"


def _threshold(decision: Mapping[str, Any]) -> float:
    value = decision.get("threshold")
    return float(value) if isinstance(value, (int, float)) else DEFAULT_THRESHOLD


def margin(decision: Mapping[str, Any]) -> float:
    """How far a decision's confidence is from its threshold: the smaller, the more a person's answer teaches."""
    return abs(float(decision.get("confidence") or 0.0) - _threshold(decision))


def apply_verdicts(
    record: Mapping[str, Any],
    result: Mapping[str, Any],
    verdicts: Mapping[str, Verdict],
    *,
    registry: Registry | None = None,
    known: Container[str] | None = None,
) -> dict[str, Any]:
    """The effective result: ``sources_used``, ``sources_mentioned``, ``awaiting_review`` (machine-uncertain
    sources nobody has decided yet, most informative first), ``review_margin`` (the smallest margin among
    them, None when none) and ``mentions`` (the evidence behind the effective lists only: a rejected or
    undecided source leaves no mention that a figure could count).

    ``result`` is a detector result (``sources_used``, ``sources_mentioned``, ``review``, ``decisions``,
    ``mentions``). A verdict on a source that is not ``known`` (removed from the registry) is kept in the
    history by the caller but not applied: figures only name registry sources.
    """
    used = list(dict.fromkeys(result.get("sources_used") or []))
    mentioned = [s for s in dict.fromkeys(result.get("sources_mentioned") or []) if s not in used]
    review = [s for s in dict.fromkeys(result.get("review") or []) if s not in used and s not in mentioned]
    applied = {
        sid: v for sid, v in verdicts.items() if v.verdict in VERDICTS and (known is None or sid in known)
    }
    for sid, v in applied.items():
        for bucket in (used, mentioned, review):
            if sid in bucket:
                bucket.remove(sid)
        if v.verdict == "used":
            used.append(sid)
        elif v.verdict == "mentioned":
            mentioned.append(sid)
    decisions = {d["source"]: d for d in result.get("decisions") or [] if "source" in d}
    review.sort(key=lambda s: (margin(decisions.get(s, {})), s))
    counted = set(used) | set(mentioned)
    mentions: list[dict[str, Any]] = []
    spans: set[tuple[str, str, int, int]] = set()
    for m in result.get("mentions") or []:
        sid = m.get("source")
        if sid not in counted:
            continue
        m = dict(m)
        if sid in applied:
            m["role"] = applied[sid].verdict
        m.setdefault("by_person", False)
        spans.add((sid, m["field"], m["start"], m["end"]))
        mentions.append(m)
    for sid, v in applied.items():
        if sid not in counted:
            continue
        for ev in v.evidence:
            where = locate(field_text(record, ev.field), ev.start, ev.end, ev.text)
            if where is None or (sid, ev.field, *where) in spans:
                continue
            spans.add((sid, ev.field, *where))
            mentions.append(
                {
                    "source": sid,
                    "field": ev.field,
                    "start": where[0],
                    "end": where[1],
                    "text": ev.text,
                    "form": evidence_form(registry, sid, ev.text),
                    "role": v.verdict,
                    "confidence": 1.0,
                    "by_person": True,
                }
            )
    return {
        "sources_used": used,
        "sources_mentioned": mentioned,
        "awaiting_review": review,
        "review_margin": min((margin(decisions.get(s, {})) for s in review), default=None),
        "mentions": mentions,
    }


# --- highlighting -------------------------------------------------------------------------------------------

ROLE_RANK = {"used": 0, "mentioned": 1, "review": 2}


def highlight_spans(text: str, spans: Sequence[tuple[int, int, str, str]]) -> str:
    """HTML-escaped ``text`` with each (start, end, status, source) span wrapped in ``<mark>``.

    Overlapping spans (a component named inside its parent's name) become one mark naming every source, with
    the strongest status (used, then mentioned, then awaiting review). Nothing but the text itself is emitted
    between the marks, so the page's text content is the field's text character for character: that is what
    lets the selection script give the server offsets it can check.
    """
    if not text:
        return ""
    valid = sorted((s, e, st, sid) for s, e, st, sid in spans if 0 <= s < e <= len(text))
    merged: list[list[Any]] = []
    for start, end, status, sid in valid:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if ROLE_RANK.get(status, 9) < ROLE_RANK.get(last[2], 9):
                last[2] = status
            if sid not in last[3]:
                last[3].append(sid)
        else:
            merged.append([start, end, status, [sid]])
    out: list[str] = []
    cursor = 0
    for start, end, status, sids in merged:
        out.append(html.escape(text[cursor:start]))
        names = " ".join(sorted(sids))
        out.append(
            f'<mark class="src-{html.escape(status)}" data-sources="{html.escape(names)}" '
            f'title="{html.escape(names)}">{html.escape(text[start:end])}</mark>'
        )
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)
