"""The per-custodian report: its projects, publications and citation practices, the impact cases using
its sources, and the gap analysis, each figure with what it was computed over, and the recommendations
those figures call for.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from benefice.cases.catalogue import load_cases
from benefice.corpus.models import Publication
from benefice.custodians.models import Custodian, Project, ProjectLink
from benefice.custodians.recommendations import MeasuredFigure, load_rules, recommend
from benefice.custodians.services._shared import _detected_sources, _family
from benefice.sources.citation import citation_stats
from benefice.sources.models import Mention, PublicationDetection
from benefice.sources.services import citation_practices, db_registry

YEARS_BEFORE_EXPECTING_PUBLICATION = 3


def _publications_using(source_ids: Iterable[str]) -> dict[int, list[str]]:
    wanted = set(source_ids)
    return {
        pid: [s for s in used if s in wanted]
        for pid, used in _detected_sources().items()
        if wanted & set(used)
    }


def custodian_report(
    custodian: Custodian, *, today: dt.date | None = None, lang: str = "fr"
) -> dict[str, Any]:
    """Everything the per-custodian report shows, each figure with what it was computed over."""
    today = today or dt.date.today()
    projects = list(custodian.projects.prefetch_related("links", "benefit_records").order_by("reference"))
    sources = list(custodian.source_ids)
    links = list(
        ProjectLink.objects.filter(project__custodian=custodian, status=ProjectLink.CONFIRMED).select_related(
            "project", "publication"
        )
    )
    linked_by_project: dict[int, list[ProjectLink]] = defaultdict(list)
    for link in links:
        linked_by_project[link.project_id].append(link)
    using = _publications_using(sources)
    linked_ids = {link.publication_id for link in links}
    # the custodian's publications: detected as using its sources, or confirmed as coming from its projects
    pubs = {
        p.pk: p
        for p in Publication.objects.filter(pk__in=set(using) | linked_ids).only("pk", "title", "year", "doi", "language")
    }
    per_year: dict[int, int] = defaultdict(int)
    for pub in pubs.values():
        if pub.year:
            per_year[pub.year] += 1
    citation = []
    for sid in sources:
        ids = {pid for pid, used in using.items() if sid in used}
        if ids:
            citation.append({"source": sid, **citation_practices(sid, ids)})
    # cases whose data sources are the custodian's (or components/parents of them)
    family = _family()
    related = set(sources)
    for sid in sources:
        related |= family(sid)
    cases = [case for case in load_cases().cases.values() if related & set(case.data_sources)]
    figures = gap_figures(custodian, projects, linked_by_project, sorted(pubs), cases, today=today)
    rules = load_rules(known_figures=set(FIGURE_IDS))
    return {
        "custodian": custodian,
        "projects": [
            {"project": p, "links": linked_by_project.get(p.pk, []), "records": list(p.benefit_records.all())}
            for p in projects
        ],
        "sources": sources,
        "publications": sorted(pubs.values(), key=lambda p: (-(p.year or 0), p.title)),
        "confirmed_links": links,
        "per_year": sorted(per_year.items()),
        "citation": citation,
        "cases": cases,
        "figures": figures,
        "recommendations": recommend(rules, figures),
        "today": today,
    }


FIGURE_IDS = (
    "pubs_source_not_named_in_full",
    "pubs_documentation_not_cited",
    "pubs_authorisation_not_cited",
    "projects_without_publication",
    "projects_without_benefit_record",
    "decisions_without_data_trail",
    "unrecognised_source_labels",
)


def gap_figures(
    custodian: Custodian,
    projects: list[Project],
    linked_by_project: dict[int, list[ProjectLink]],
    pub_ids: list[int],
    cases: list,
    *,
    today: dt.date,
) -> dict[str, MeasuredFigure]:
    """The measured figures of the gap analysis, each with its numerator's records."""
    figures: dict[str, MeasuredFigure] = {}
    if pub_ids:
        sources = set(custodian.source_ids)
        per_pub = _citation_flags(pub_ids, sources, citation_stats, db_registry)
        for fid, key, how in (
            (
                "pubs_source_not_named_in_full",
                "named_in_full",
                _(
                    "publications of the custodian (detected as using its sources or linked to its projects) whose "
                    "title and abstract never name one of its sources in full (acronym, description or nothing)"
                ),
            ),
            (
                "pubs_documentation_not_cited",
                "documentation_cited",
                _(
                    "publications of the custodian (detected as using its sources or linked to its projects) that "
                    "cite no documentation of its sources"
                ),
            ),
            (
                "pubs_authorisation_not_cited",
                "any_authorisation",
                _(
                    "publications of the custodian (detected as using its sources or linked to its projects) that "
                    "cite no authorisation (CNIL, CESREES, HDH…)"
                ),
            ),
        ):
            missing = [str(pid) for pid in pub_ids if not per_pub.get(pid, {}).get(key)]
            figures[fid] = MeasuredFigure(fid, len(missing), len(pub_ids), how, tuple(missing))
    old_enough = [
        p
        for p in projects
        if p.start_date and (today - p.start_date).days >= 365 * YEARS_BEFORE_EXPECTING_PUBLICATION
    ]
    no_pub = [p.reference for p in old_enough if not linked_by_project.get(p.pk)]
    figures["projects_without_publication"] = MeasuredFigure(
        "projects_without_publication",
        len(no_pub),
        len(old_enough),
        _("projects started at least %(years)s years before %(day)s with no confirmed linked publication")
        % {"years": YEARS_BEFORE_EXPECTING_PUBLICATION, "day": today.isoformat()},
        tuple(no_pub),
    )
    no_record = [p.reference for p in projects if not p.benefit_records.all()]
    figures["projects_without_benefit_record"] = MeasuredFigure(
        "projects_without_benefit_record",
        len(no_record),
        len(projects),
        _("projects with no benefit record"),
        tuple(no_record),
    )
    decisions = [(case.id, n, d) for case in cases for n, d in enumerate(case.decisions, start=1)]
    untraced = [
        f"{cid}#{n}"
        for cid, n, d in decisions
        if d.reference is None or not (d.reference.doi or d.reference.url)
    ]
    figures["decisions_without_data_trail"] = MeasuredFigure(
        "decisions_without_data_trail",
        len(untraced),
        len(decisions),
        _(
            "decisions of the impact cases using the custodian's sources with no reference (DOI or URL) to the "
            "decision text"
        ),
        tuple(untraced),
    )
    flagged = [p.reference for p in projects if p.unrecognised_labels]
    figures["unrecognised_source_labels"] = MeasuredFigure(
        "unrecognised_source_labels",
        len(flagged),
        len(projects),
        _("projects whose data-source labels include one the source registry does not recognise"),
        tuple(flagged),
    )
    return figures


def _citation_flags(pub_ids, sources, citation_stats, db_registry) -> dict[int, dict[str, bool]]:
    """Per publication: does it cite documentation / an authorisation (run one at a time through
    citation_stats so the flags are per publication, not only totals)."""
    mentions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, sid, text, form, role in Mention.objects.filter(publication_id__in=pub_ids).values_list(
        "publication_id", "source_id", "text", "form", "role"
    ):
        mentions[pid].append({"source": sid, "text": text, "form": form, "role": role})
    used = dict(
        PublicationDetection.objects.filter(publication_id__in=pub_ids).values_list(
            "publication_id", "sources_used"
        )
    )
    registry = db_registry()
    flags: dict[int, dict[str, bool]] = {}
    for pub in Publication.objects.filter(pk__in=pub_ids).only("pk", "year", "title", "abstract"):
        stats = citation_stats(
            [(
                {"id": pub.pk, "year": pub.year, "title": pub.title, "abstract": pub.abstract},
                {"sources_used": used.get(pub.pk, []), "mentions": mentions.get(pub.pk, [])},
            )],
            registry,
        )  # fmt: skip
        relevant = [s for sid, s in stats.items() if sid in sources]
        flags[pub.pk] = {
            "named_in_full": any(s.named_in_full for s in relevant),
            "documentation_cited": any(s.documentation_cited for s in relevant),
            "any_authorisation": any(s.any_authorisation for s in relevant),
        }
    return flags
