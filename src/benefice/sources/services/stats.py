"""How a source is cited: the publications that use or mention it, its naming variants, its citation practices.

Read from the effective lists and mentions, so people's corrections count here as everywhere.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count

from benefice.corpus.models import Publication
from benefice.sources.models import Mention, PublicationDetection, SourceCorrection
from benefice.sources.services.detection import SCAN_CHUNK
from benefice.sources.services.registry import db_registry

__all__ = [
    "citation_practices",
    "effective_publications",
    "mention_rows",
    "publications_using",
    "source_counts",
    "source_statistics",
]


def effective_publications(source_id: str) -> tuple[set[int], set[int]]:
    """Ids of the publications whose effective lists have the source as used, and as only mentioned.

    Candidates are found through the indexed evidence (mentions, people's corrections): a source is in a
    publication's effective lists only if the detector found it (its mentions are then stored) or a person
    gave a verdict on it. The lists themselves decide, so a rejected or undecided source counts nowhere."""
    candidates = set(Mention.objects.filter(source_id=source_id).values_list("publication_id", flat=True))
    candidates |= set(
        SourceCorrection.objects.filter(source_id=source_id, publication__isnull=False).values_list(
            "publication_id", flat=True
        )
    )
    used: set[int] = set()
    mentioned: set[int] = set()
    ids = sorted(candidates)
    for start in range(0, len(ids), SCAN_CHUNK):
        for pid, u, m in PublicationDetection.objects.filter(
            publication_id__in=ids[start : start + SCAN_CHUNK]
        ).values_list("publication_id", "sources_used", "sources_mentioned"):
            if source_id in u:
                used.add(pid)
            elif source_id in m:
                mentioned.add(pid)
    return used, mentioned


def publications_using(source_id: str, role: str | None = "used"):
    """Publications whose effective lists have the source (``role`` used / mentioned; None: either)."""
    used, mentioned = effective_publications(source_id)
    ids = used if role == "used" else mentioned if role == "mentioned" else used | mentioned
    return Publication.objects.filter(pk__in=ids)


def source_statistics(source_id: str) -> dict[str, Any]:
    """Counts behind a source page: per-year use, naming variants and forms, co-used sources, first/last year.

    Read from the effective lists and mentions: people's corrections count here as everywhere."""
    used_ids, mentioned_ids = effective_publications(source_id)
    mentioned_only = mentioned_ids - used_ids
    years = dict(Publication.objects.filter(pk__in=used_ids).values_list("pk", "year"))
    m_years = dict(Publication.objects.filter(pk__in=mentioned_only).values_list("pk", "year"))
    per_year: dict[int, dict[str, int]] = defaultdict(lambda: {"used": 0, "mentioned": 0})
    for y in years.values():
        if y:
            per_year[y]["used"] += 1
    for y in m_years.values():
        if y:
            per_year[y]["mentioned"] += 1
    variants: Counter[tuple[str, str]] = Counter()
    forms: Counter[str] = Counter()
    for text, form in Mention.objects.filter(source_id=source_id).values_list("text", "form"):
        variants[(" ".join(text.split()), form)] += 1
        forms[form] += 1
    total_mentions = sum(variants.values()) or 1
    co_use: Counter[str] = Counter()
    for det in PublicationDetection.objects.filter(publication_id__in=used_ids).only("sources_used"):
        for other in det.sources_used:
            if other != source_id:
                co_use[other] += 1
    by_pub_forms: dict[int, set[str]] = defaultdict(set)
    for pid, form in Mention.objects.filter(source_id=source_id, publication_id__in=used_ids).values_list(
        "publication_id", "form"
    ):
        by_pub_forms[pid].add(form)
    acronym_only = sum(1 for f in by_pub_forms.values() if f == {"acronym"})
    known_years = [y for y in years.values() if y]
    practices = citation_practices(source_id, used_ids | mentioned_ids)
    return {
        "practices": practices,
        "used": len(used_ids),
        "mentioned_only": len(mentioned_only),
        "per_year": [{"year": y, **c} for y, c in sorted(per_year.items())],
        "variants": [
            {"text": t, "form": f, "count": n, "share": n / total_mentions}
            for (t, f), n in variants.most_common()
        ],
        "forms": [{"form": f, "count": n, "share": n / total_mentions} for f, n in forms.most_common()],
        "co_use": [{"source": s, "count": n} for s, n in co_use.most_common()],
        "acronym_only_share": acronym_only / len(used_ids) if used_ids else None,
        "first_year": min(known_years) if known_years else None,
        "last_year": max(known_years) if known_years else None,
    }


def citation_practices(source_id: str, publication_ids: set[int]) -> dict[str, Any]:
    """Whether the publications naming a source also name it in full, its custodian, an authorisation, its
    documentation: ``citation.citation_stats`` run over the stored texts and mentions of those publications.

    Shares are of the publications that name the source (used or only mentioned), so each figure says what a
    reader can check: open the list of publications and look.
    """
    from benefice.sources.citation import citation_stats

    mentions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, sid, text, form, role in Mention.objects.filter(publication_id__in=publication_ids).values_list(
        "publication_id", "source_id", "text", "form", "role"
    ):
        mentions[pid].append({"source": sid, "text": text, "form": form, "role": role})
    used = dict(
        PublicationDetection.objects.filter(publication_id__in=publication_ids).values_list(
            "publication_id", "sources_used"
        )
    )
    pairs = (
        (
            {"id": pub.pk, "year": pub.year, "title": pub.title, "abstract": pub.abstract},
            {"sources_used": used.get(pub.pk, []), "mentions": mentions.get(pub.pk, [])},
        )
        for pub in Publication.objects.filter(pk__in=publication_ids).only("pk", "year", "title", "abstract")
    )
    stats = citation_stats(pairs, db_registry()).get(source_id)
    n = stats.publications if stats else 0

    def share(count: int) -> float | None:
        return count / n if n else None

    rows = []
    if stats:
        rows = [
            ("named_in_full", stats.named_in_full),
            ("acronym_only", stats.acronym_only),
            ("custodian_cited", stats.custodian_cited),
            ("authorisation_cited", stats.any_authorisation),
            ("documentation_cited", stats.documentation_cited),
        ]
    return {
        "publications": n,
        "rows": [{"key": k, "count": c, "share": share(c)} for k, c in rows],
        "authorisations": [
            {"body": body, "count": c, "share": share(c)}
            for body, c in (stats.authorisations.most_common() if stats else [])
        ],
    }


def source_counts() -> dict[str, dict[str, int]]:
    """Publications using / only mentioning each source, for the list page: computed once per state of the
    corpus (``corpus.listcache``), since every reader of the registry asks for the same figures."""
    from benefice.corpus import listcache

    return listcache.cached("source-counts", {}, _source_counts)


def _source_counts() -> dict[str, dict[str, int]]:
    # grouped by whole list in the database (a corpus has far fewer distinct lists than publications), as the
    # corpus facets do: reading every detection into Python took 0.6 s a page at 100,000 (issue 17)
    used: Counter[str] = Counter()
    mentioned: Counter[str] = Counter()
    for column, counter in (("sources_used", used), ("sources_mentioned", mentioned)):
        rows = PublicationDetection.objects.order_by().values(column).annotate(n=Count("pk"))
        for ids, n in rows.values_list(column, "n"):
            for sid in ids or []:
                counter[sid] += n
    return {sid: {"used": used[sid], "mentioned": mentioned[sid]} for sid in set(used) | set(mentioned)}


def mention_rows(source_id: str | None = None):
    qs = Mention.objects.select_related("publication").order_by("publication_id", "field", "start")
    if source_id:
        qs = qs.filter(source_id=source_id)
    return qs.annotate(n=Count("pk"))
