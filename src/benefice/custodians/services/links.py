"""Links between projects and publications: candidates scored by ``benefice.custodians.linking``, then
confirmed or rejected by a person. A new proposal never touches a link a person already decided on, and
every decision is audited.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from benefice import csvout
from benefice.core.models import audit
from benefice.corpus.models import Publication
from benefice.custodians import linking
from benefice.custodians.models import Project, ProjectLink
from benefice.custodians.services._shared import _detected_sources, _family
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop


def _project_text(project: Project) -> linking.ProjectText:
    return linking.ProjectText(
        reference=project.reference,
        title=project.title,
        objectives=" ".join(filter(None, [project.objectives, project.purpose])),
        organisations=tuple(c.get("name", "") for c in project.controllers if c.get("name")),
        investigators=tuple(i for i in project.investigators if i),
        sources=tuple(project.source_ids),
        start_year=project.start_date.year if project.start_date else None,
    )


def _publication_text(pub: Publication, detected: dict[int, list[str]]) -> linking.PublicationText:
    authors: list[str] = []
    affiliations: list[str] = []
    for author in pub.authors or []:
        authors.append(author.get("name", ""))
        affiliations.extend(author.get("affiliations") or [])
    return linking.PublicationText(
        id=pub.pk,
        title=pub.title,
        abstract=pub.abstract,
        authors=tuple(a for a in authors if a),
        affiliations=tuple(a for a in affiliations if a),
        sources=tuple(detected.get(pub.pk, [])),
        year=pub.year,
    )


@dataclass
class LinkReport:
    candidates: int = 0
    new: int = 0
    updated: int = 0
    kept_decided: int = 0


def propose_links(
    projects: Iterable[Project] | None = None, *, threshold: float = linking.THRESHOLD
) -> LinkReport:
    """Score every project against every publication and store the candidates. A link a person confirmed
    or rejected keeps its decision (its score is refreshed); stale undecided candidates that no longer
    reach the threshold are removed."""
    projects = list(projects if projects is not None else Project.objects.all())
    detected = _detected_sources()
    pubs = [
        _publication_text(p, detected)
        for p in Publication.objects.only("pk", "title", "abstract", "authors", "year")
    ]
    candidates = linking.score_links(
        [_project_text(p) for p in projects], pubs, family=_family(), threshold=threshold
    )
    by_ref = {p.reference: p for p in projects}
    report = LinkReport(candidates=len(candidates))
    with transaction.atomic():
        existing = {
            (link.project_id, link.publication_id): link
            for link in ProjectLink.objects.filter(project__in=projects)
        }
        seen = set()
        for cand in candidates:
            project = by_ref[cand.reference]
            key = (project.pk, cand.publication_id)
            seen.add(key)
            link = existing.get(key)
            if link is None:
                ProjectLink.objects.create(
                    project=project,
                    publication_id=cand.publication_id,
                    score=cand.score,
                    components=cand.components,
                )
                report.new += 1
            else:
                if link.status != ProjectLink.CANDIDATE:
                    report.kept_decided += 1
                else:
                    report.updated += 1
                link.score, link.components = cand.score, cand.components
                link.save(update_fields=["score", "components"])
        stale = [
            link.pk
            for key, link in existing.items()
            if key not in seen and link.status == ProjectLink.CANDIDATE
        ]
        ProjectLink.objects.filter(pk__in=stale).delete()
    return report


def decide_link(link: ProjectLink, status: str, user) -> ProjectLink:
    """Confirm, reject, or return a link to candidate; audited."""
    if status not in dict(ProjectLink.STATUSES):
        raise BeneficeError(
            gettext_noop("unknown link status “%(status)s”"), params={"status": status}, field="status"
        )
    before = link.status
    link.status = status
    link.decided_by = user if status != ProjectLink.CANDIDATE else None
    link.decided_at = timezone.now() if status != ProjectLink.CANDIDATE else None
    link.save(update_fields=["status", "decided_by", "decided_at"])
    audit(
        "update",
        "custodians.ProjectLink",
        link.pk,
        before={"status": before},
        after={"status": status, "project": link.project.reference, "publication": link.publication_id},
        user=user,
    )
    return link


def links_csv(links: Iterable[ProjectLink]) -> str:
    """project reference, publication id, score, status — one row per link."""
    out = io.StringIO()
    writer = csvout.writer(out)
    writer.writerow(["project_reference", "publication_id", "score", "status"])
    for link in links:
        writer.writerow([link.project.reference, link.publication_id, f"{link.score or 0:.4f}", link.status])
    return out.getvalue()
