"""What the publication page and the review queue show of a publication's kinds of use.

Read-only views of what ``uses.services`` stored: the labels with their evidence (the words a rule or the
model matched, highlighted in the text), who set them and when, and the next publication to review (the
smallest margin first).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from benefice.corpus.models import Publication
from benefice.i18n import pick_text
from benefice.sources.labels import text_language
from benefice.sources.services import detection_record
from benefice.uses.models import PublicationUses
from benefice.uses.services import category_name, classify_publications, typology_categories, use_history

_QUOTED_EVIDENCE = re.compile(r"^(?P<label>[^:'\"]+): (?P<words>(['\"]).*)$", re.S)


def evidence_words(evidence: str) -> tuple[str, list[str]]:
    """(label, matched words) of one piece of a label's evidence: ``"pv.rule_id: 'words'"`` (a rule and what
    it matched) or ``"words: 'a', 'b'"`` (the model's words) give their quoted words; other evidence
    (``"design: cohort"``) has none to highlight: ("", [])."""
    m = _QUOTED_EVIDENCE.match(evidence or "")
    if not m:
        return "", []
    try:
        value = ast.literal_eval(m.group("words"))
    except (ValueError, SyntaxError):
        return "", []
    words = [value] if isinstance(value, str) else list(value) if isinstance(value, tuple) else []
    return m.group("label").strip(), [str(w) for w in words if isinstance(w, str) and w.strip()]


def _spans(text: str, words: str, category: str) -> list[tuple[int, int, str, str]]:
    if not text or not words or len(words) < 2:
        return []
    low, needle = text.lower(), words.lower()
    out = []
    at = low.find(needle)
    while at != -1 and len(out) < 5:
        out.append((at, at + len(needle), "use", category))
        at = low.find(needle, at + len(needle))
    return out


def ensure_uses(pub: Publication) -> PublicationUses:
    """The publication's kinds of use, classifying it now if needed (a few milliseconds for one record)."""
    from benefice.sources.services import ensure_detection

    row = PublicationUses.objects.filter(publication=pub).first()
    if row is None:
        ensure_detection(pub)
        row = PublicationUses.objects.filter(publication=pub).first()
        if row is None:
            classify_publications([pub.pk])
            row = PublicationUses.objects.get(publication=pub)
    return row


def _parse_time(value: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


#: the words of a classifier's provenance ("rules 1.1.0, typology 1.1.0, use_model 3 ab12"), as msgids
_PROVENANCE = {"rules": "rules", "typology": "typology", "use_model": "model"}
_PROVENANCE_RE = re.compile(r"(?<![\w.])(rules|typology|use_model)(?= )")


def provenance(version: str) -> str:
    """A classifier's or model's version as the page shows it: its words in the reader's language ("règles
    1.1.0, typologie 1.1.0, modèle 3 ab12"), the version numbers as stored (they are what reproduces it)."""
    from django.utils.translation import pgettext

    return _PROVENANCE_RE.sub(
        lambda m: pgettext("part of a classifier version", _PROVENANCE[m.group(1)]), version or ""
    )


#: evidence the classifier writes as "<what>: codes" (no quoted words): what it is, for the page's words
_CODED_EVIDENCE = re.compile(r"^(?P<what>design|source kind): (?P<codes>[\w, ]+)$")


def evidence_item(evidence: str, lang: str, *, by_person: bool = False) -> dict[str, Any]:
    """One piece of a label's evidence as the page shows it: its ``kind`` (``rule``, ``words`` — the
    model's —, ``context``, ``design``, ``source_kind``, ``person`` or ``other``), the quoted words, and for
    the designs and kinds of source their names in ``lang``, never their codes."""
    from benefice.sources.labels import kind_label
    from benefice.uses.typology import shipped_typology

    text = str(evidence)
    label, words = evidence_words(text)
    item: dict[str, Any] = {"label": label, "words": words, "text": text, "names": ""}
    if by_person and not words:
        return {**item, "kind": "person", "label": "", "words": [text]}  # the words the person gave
    if words:
        item["kind"] = label if label in ("words", "context") else "rule"
        return item
    m = _CODED_EVIDENCE.match(text)
    if m:
        codes = [c.strip() for c in m.group("codes").split(",") if c.strip()]
        if m.group("what") == "design":
            designs = shipped_typology().study_designs
            names = [pick_text(designs[c].name, lang) if c in designs else c for c in codes]
            return {**item, "kind": "design", "names": ", ".join(names)}
        return {**item, "kind": "source_kind", "names": ", ".join(kind_label(c, lang) for c in codes)}
    return {**item, "kind": "other"}


def label_rows(
    labels: Sequence[dict[str, Any]], lang: str, categories: dict[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    for lab in labels:
        cid = lab.get("category", "")
        evidence = [
            evidence_item(str(e), lang, by_person=lab.get("method") == "person")
            for e in lab.get("evidence") or []
        ]
        rows.append(
            {
                "id": cid,
                "name": category_name(cid, lang, categories),
                "in_typology": cid in categories,
                "main": bool(lab.get("main")),
                "method": lab.get("method", ""),
                "score": lab.get("score"),
                "rule": lab.get("rule", ""),
                "model_version": provenance(lab.get("model_version", "")),
                "review": bool(lab.get("review")),
                "by": lab.get("by", ""),
                "at": lab.get("at", ""),
                "at_date": _parse_time(lab.get("at", "")),
                "evidence": evidence,
            }
        )
    return rows


def publication_uses(pub: Publication, lang: str = "fr") -> dict[str, Any]:
    """Everything the publication's kinds-of-use panel shows: the effective labels (name, main, how set,
    evidence), the machine's proposal when a person changed it, the history, the typology to choose from,
    and the texts with the matched words highlighted."""
    from benefice.sources.corrections import SELECTABLE_FIELDS, field_text, highlight_spans
    from benefice.sources.models import PublicationDetection

    row = ensure_uses(pub)
    categories = typology_categories()
    history = use_history(pub)
    for c in history:
        c.category_names = ", ".join(
            category_name(cid, lang, categories) + ("" if cid in categories else f" ({cid})")
            for cid in c.categories
        )
    labels = label_rows(row.labels, lang, categories)
    detected = label_rows(row.detected, lang, categories)
    record = detection_record(pub)
    spans: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    for lab in labels + (detected if row.by_person else []):
        for e in lab["evidence"]:
            for words in e["words"]:
                for fld in SELECTABLE_FIELDS:
                    spans[fld].extend(_spans(field_text(record, fld), words, lab["id"]))
    fields, texts = [], []
    for fld in SELECTABLE_FIELDS:
        text = field_text(record, fld)
        if text:
            texts.append({"name": fld, "html": highlight_spans(text, spans.get(fld, []))})
            if spans.get(fld):
                fields.append(texts[-1])
    sources_used = (
        PublicationDetection.objects.filter(publication=pub).values_list("sources_used", flat=True).first()
        or []
    )
    probabilities = sorted(
        (
            {"id": cid, "name": category_name(cid, lang, categories), "p": p}
            for cid, p in (row.probabilities or {}).items()
        ),
        key=lambda r: -r["p"],
    )
    return {
        "uses": row,
        "pub_lang": text_language(pub.language),  # the lang attribute of its title and abstract
        "classifier_version": provenance(row.classifier_version),
        "labels": labels,
        "detected": detected,
        "changed_by_person": row.by_person and [r["id"] for r in detected] != row.categories,
        "probabilities": probabilities,
        "history": history,
        "seen": max((c.pk for c in history), default=0),
        "fields": fields,  # the texts where the classifier matched words
        "texts": texts,  # every text, matched words highlighted
        "sources_used": sources_used,
        "choices": [{"id": cid, "name": category_name(cid, lang, categories)} for cid in categories],
        "removed": [r for r in labels if not r["in_typology"]],
        "raw_record_ids": ",".join(
            str(pk) for pk in pub.raw_records.order_by("pk").values_list("pk", flat=True)
        ),
    }


def review_remaining() -> dict[str, int]:
    """Publications whose kinds of use the machine was unsure of and nobody has decided yet."""
    return {"uses": PublicationUses.objects.filter(awaiting_review=True).count()}


def next_review_item(skip: Iterable[int] = ()) -> PublicationUses | None:
    """The most informative undecided kinds of use: the smallest margin first; ``skip`` holds publication
    ids the person chose to leave for later."""
    qs = (
        PublicationUses.objects.filter(awaiting_review=True)
        .exclude(publication_id__in=list(skip))
        .select_related("publication")
        .order_by("review_margin", "publication_id")
    )
    return qs.first()
