"""How sources are cited: statistics over detection results, per source and per year.

Answers the programme's question "how are the different data sources cited?" from what the detector
found in each publication: which naming variants are used and their shares, whether a source is named by
its acronym only or by its (official or translated) name, whether the text also names the custodian, the
access authorisation (CNIL, CESREES/CEREES, Health Data Hub/INDS, CNIL reference methodologies) or the
source's documentation, which sources are used together (co-use network) and the first and last year a
source is seen. Pure Python: the web app's source page and CSV export call these functions.

Input is an iterable of ``(record, detection)`` pairs: ``record`` a mapping with ``id``, ``year`` and the
text fields; ``detection`` what :func:`benefice.sources.detect.detect` returned for it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any
from urllib.parse import urlparse

from benefice.sources.detect import FIELDS
from benefice.sources.detect import URL_RE as _URL
from benefice.sources.registry import Registry, fold, fold_chars, load_registry

# Organisations that hold data, with the ways texts name them. A source's custodians are those whose
# names appear in its registry ``custodian`` field, so the registry stays the one place to edit.
CUSTODIANS: dict[str, tuple[str, ...]] = {
    "CNAM": (
        "CNAM",
        "CNAMTS",
        "Caisse nationale de l'Assurance maladie",
        "Caisse nationale d'assurance maladie",
        "Caisse nationale de l'assurance maladie des travailleurs salariés",
        "Assurance maladie",
        "French National Health Insurance",
        "National Health Insurance Fund",
    ),
    "ATIH": (
        "ATIH",
        "Agence technique de l'information sur l'hospitalisation",
        "Technical Agency for Information on Hospital Care",
    ),
    "INSERM": ("Inserm",),
    "INSEE": ("INSEE", "Institut national de la statistique et des études économiques"),
    "DREES": ("DREES", "Direction de la recherche, des études, de l'évaluation et des statistiques"),
    "SPF": ("Santé publique France", "InVS", "Institut de veille sanitaire", "French Public Health Agency"),
    "ABM": ("Agence de la biomédecine", "Biomedicine Agency"),
    "IRDES": ("IRDES",),
    "ANSM": ("ANSM",),
    "APHP": ("AP-HP", "Assistance publique-Hôpitaux de Paris", "Greater Paris University Hospitals"),
    "INED": ("Ined",),
}
# Access authorisations and procedures.
AUTHORISATIONS: dict[str, tuple[str, ...]] = {
    "CNIL": (
        "CNIL",
        "Commission nationale de l'informatique et des libertés",
        "French Data Protection Authority",
    ),
    "CESREES": (
        "CESREES",
        "Comité éthique et scientifique pour les recherches, les études et les évaluations dans le domaine de la santé",
    ),
    "CEREES": (
        "CEREES",
        "Comité d'expertise pour les recherches, les études et les évaluations dans le domaine de la santé",
    ),
    "HDH": ("Health Data Hub", "HDH", "Plateforme des données de santé"),
    "INDS": ("INDS", "Institut national des données de santé", "National Institute of Health Data"),
    "MR": (
        "MR-004",
        "MR-005",
        "MR-006",
        "MR004",
        "MR005",
        "MR006",
        "méthodologie de référence",
        "reference methodology",
    ),
}
DOCUMENTATION = re.compile(
    r"(?<= )(documentation|data resource profile|cohort profile|data dictionary)(?= )"
)


def _alternation(aliases: Iterable[str]) -> re.Pattern[str]:
    keys = sorted({fold(a) for a in aliases if fold(a)}, key=len, reverse=True)
    return re.compile(r"(?<= )(?:" + "|".join(re.escape(k) for k in keys) + r")(?= )")


_CUSTODIAN_RE = {key: _alternation(aliases) for key, aliases in CUSTODIANS.items()}
AUTHORISATION_RE = {key: _alternation(aliases) for key, aliases in AUTHORISATIONS.items()}


@dataclass
class SourceCitations:
    """How one source is cited across a set of publications (counts are publications unless stated)."""

    source: str
    publications: int = 0
    used: int = 0
    mentioned: int = 0
    first_year: int | None = None
    last_year: int | None = None
    by_year: dict[int, Counter] = field(default_factory=dict)  # year -> {publications, used, mentioned}
    variants: Counter = field(default_factory=Counter)  # surface text -> mentions
    variants_by_year: dict[int, Counter] = field(default_factory=dict)  # year -> surface text -> mentions
    forms: Counter = field(default_factory=Counter)  # form -> mentions
    acronym_only: int = 0  # publications naming the source only by an acronym
    named_in_full: int = 0  # publications giving its official name or a translation
    custodian_cited: int = 0
    authorisations: Counter = field(default_factory=Counter)  # CNIL/CESREES/… -> publications
    any_authorisation: int = 0
    documentation_cited: int = 0
    co_used: Counter = field(default_factory=Counter)  # other source -> publications using both

    def variant_shares(self) -> list[tuple[str, int, float]]:
        """(variant, mentions, share of this source's mentions), most frequent first."""
        total = sum(self.variants.values())
        return [(v, n, n / total) for v, n in self.variants.most_common()] if total else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "publications": self.publications,
            "used": self.used,
            "mentioned": self.mentioned,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "by_year": {str(y): dict(c) for y, c in sorted(self.by_year.items())},
            "variants": [
                {"text": v, "mentions": n, "share": round(s, 4)} for v, n, s in self.variant_shares()
            ],
            "forms": dict(self.forms),
            "acronym_only": self.acronym_only,
            "named_in_full": self.named_in_full,
            "custodian_cited": self.custodian_cited,
            "authorisations": dict(self.authorisations),
            "any_authorisation": self.any_authorisation,
            "documentation_cited": self.documentation_cited,
            "co_used": dict(self.co_used.most_common()),
        }


def _variant(text: str) -> str:
    """A mention's text with whitespace normalised (case and accents kept: they are the variant)."""
    return " ".join(text.split())


def source_custodians(registry: Registry) -> dict[str, list[re.Pattern[str]]]:
    out: dict[str, list[re.Pattern[str]]] = {}
    for source in registry:
        folded = f" {fold(source.custodian)} "
        out[source.id] = [_CUSTODIAN_RE[k] for k, pattern in _CUSTODIAN_RE.items() if pattern.search(folded)]
    return out


def doc_hosts(registry: Registry) -> dict[str, str]:
    hosts = {}
    for source in registry:
        host = urlparse(source.documentation_url).netloc.lower().removeprefix("www.")
        if host:
            hosts[source.id] = fold(host)
    return hosts


def citation_stats(
    items: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]], registry: Registry | None = None
) -> dict[str, SourceCitations]:
    """Aggregate citation statistics per source over ``(record, detection)`` pairs (streamed once)."""
    registry = registry or load_registry()
    custodians = source_custodians(registry)
    hosts = doc_hosts(registry)
    stats: dict[str, SourceCitations] = {}
    for record, detection in items:
        mentions = detection.get("mentions") or []
        if not mentions:
            continue
        year = record.get("year")
        year = year if isinstance(year, int) else None
        text = " ".join(str(record.get(f) or "") for f in FIELDS)
        hosts_folded = " " + " ".join(fold_chars(" ".join(_URL.findall(text))).split()) + " "
        folded = " " + " ".join(fold_chars(_URL.sub(" ", text)).split()) + " "
        authorisations = {k for k, pattern in AUTHORISATION_RE.items() if pattern.search(folded)}
        documentation_words = bool(DOCUMENTATION.search(folded))
        used = set(detection.get("sources_used") or [])
        by_source: dict[str, list[Mapping[str, Any]]] = {}
        for mention in mentions:
            by_source.setdefault(mention["source"], []).append(mention)
        for sid, own in by_source.items():
            s = stats.setdefault(sid, SourceCitations(sid))
            s.publications += 1
            role = "used" if sid in used else "mentioned"
            setattr(s, role, getattr(s, role) + 1)
            if year is not None:
                s.first_year = year if s.first_year is None else min(s.first_year, year)
                s.last_year = year if s.last_year is None else max(s.last_year, year)
                s.by_year.setdefault(year, Counter()).update({"publications": 1, role: 1})
            forms = {m.get("form", "") for m in own}
            for mention in own:
                s.variants[_variant(mention["text"])] += 1
                if year is not None:
                    s.variants_by_year.setdefault(year, Counter())[_variant(mention["text"])] += 1
                s.forms[mention.get("form", "")] += 1
            if forms == {"acronym"}:
                s.acronym_only += 1
            if forms & {"official_name", "translation"}:
                s.named_in_full += 1
            if any(p.search(folded) for p in custodians.get(sid, [])):
                s.custodian_cited += 1
            if authorisations:
                s.any_authorisation += 1
                s.authorisations.update(authorisations)
            host = hosts.get(sid)
            if (host and f" {host} " in hosts_folded) or (documentation_words and sid == "SNDS"):
                s.documentation_cited += 1
            if sid in used:
                s.co_used.update(other for other in used if other != sid)
    return stats


def co_use_pairs(detections: Iterable[Mapping[str, Any]]) -> Counter:
    """Edges of the co-use network: (source a, source b) with a < b -> publications using both."""
    pairs: Counter = Counter()
    for detection in detections:
        used = sorted(set(detection.get("sources_used") or []))
        pairs.update(combinations(used, 2))
    return pairs


CSV_COLUMNS = ("source", "year", "publications", "used", "mentioned")
VARIANT_COLUMNS = ("source", "year", "variant", "mentions", "share")


def yearly_rows(stats: Mapping[str, SourceCitations]) -> list[dict[str, Any]]:
    """One row per source and year (the timeline of the source page, and its CSV export)."""
    rows = []
    for sid in sorted(stats):
        for year, counts in sorted(stats[sid].by_year.items()):
            rows.append(
                {
                    "source": sid,
                    "year": year,
                    "publications": counts["publications"],
                    "used": counts["used"],
                    "mentioned": counts["mentioned"],
                }
            )
    return rows


def variant_rows(stats: Mapping[str, SourceCitations]) -> list[dict[str, Any]]:
    """One row per source, year and naming variant, with its share of that source's mentions that year
    (the "how is it called" chart of the source page, and its CSV export)."""
    rows = []
    for sid in sorted(stats):
        for year, counter in sorted(stats[sid].variants_by_year.items()):
            total = sum(counter.values())
            for variant, count in counter.most_common():
                rows.append(
                    {
                        "source": sid,
                        "year": year,
                        "variant": variant,
                        "mentions": count,
                        "share": count / total,
                    }
                )
    return rows
