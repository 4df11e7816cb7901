"""Services of the custodians app: the CLI and the web call these, never the models directly.

Imports run in one transaction: a file either updates the registry completely or not at all. Link
proposals never touch a link a person already decided on. Every change a person makes is audited.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from benefice import csvout
from benefice.core.models import audit
from benefice.corpus.models import Publication
from benefice.custodians import directory, linking
from benefice.custodians.models import (
    BenefitFigure,
    BenefitRecord,
    Custodian,
    Project,
    ProjectImport,
    ProjectLink,
    Question,
    Questionnaire,
    Respondent,
    Response,
)
from benefice.custodians.recommendations import MeasuredFigure, load_rules, recommend
from benefice.errors import BeneficeError
from benefice.weblinks import validate_web_reference

#: the fields of a project that come from the directory (compared to count a re-import as unchanged)
DIRECTORY_FIELDS = (
    "title", "data_sources", "snds_components", "hdh_bases", "other_sources", "source_ids",
    "unrecognised_labels", "status", "medical_domains", "purpose", "objectives", "controllers",
    "investigators",
)  # fmt: skip
#: Researchfish common question set outcome types a benefit record's outputs are classified under
OUTCOME_TYPES = (
    "publications", "collaborations", "further_funding", "engagement_activities", "influence_on_policy",
    "research_tools_methods", "research_databases_models", "intellectual_property",
    "medical_products_interventions", "software_technical_products", "other_outputs",
)  # fmt: skip
YEARS_BEFORE_EXPECTING_PUBLICATION = 3


# ------------------------------------------------------------------------------------------------ import
@dataclass
class ImportReport:
    path: str
    rows_read: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[directory.Rejection] = field(default_factory=list)
    unrecognised: dict[str, list[str]] = field(default_factory=dict)  # reference -> labels
    batch_id: int | None = None


def custodian_named(name: str) -> Custodian | None:
    """The custodian with this name (created when new); None for an empty name."""
    name = " ".join((name or "").split())
    if not name:
        return None
    found = Custodian.objects.filter(name__iexact=name).first()
    if found:
        return found
    base = slugify(name)[:70] or "custodian"
    slug, n = base, 2
    while Custodian.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Custodian.objects.create(name=name, slug=slug)


def import_projects(path: str | Path, *, custodian: str = "", user=None, normalise=None) -> ImportReport:
    """Read a directory file and upsert its projects by reference, in one transaction. ``custodian`` names
    the custodian of rows that do not say (a generic list)."""
    parsed = directory.read_directory(path, custodian=custodian, normalise=normalise)
    report = ImportReport(path=str(path), rows_read=parsed.rows_read, rejected=list(parsed.rejected))
    with transaction.atomic():
        batch = ProjectImport.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            origin=str(path),
            rows_read=parsed.rows_read,
            columns=parsed.columns,
        )
        touched: set[int] = set()
        for record in parsed.records:
            values = {name: getattr(record, name) for name in DIRECTORY_FIELDS}
            holder = custodian_named(record.custodian)
            start = dt.date.fromisoformat(record.start_date) if record.start_date else None
            project = Project.objects.filter(reference=record.reference).first()
            if project is None:
                project = Project.objects.create(
                    reference=record.reference,
                    custodian=holder,
                    start_date=start,
                    raw=record.raw,
                    origin=f"{path}:{record.line}",
                    last_import=batch,
                    **values,
                )
                report.new.append(record.reference)
            else:
                before = {name: getattr(project, name) for name in DIRECTORY_FIELDS}
                before["start_date"], before["custodian"] = project.start_date, project.custodian_id
                after = dict(values, start_date=start, custodian=holder.pk if holder else None)
                if before == after:
                    report.unchanged.append(record.reference)
                else:
                    for name, value in values.items():
                        setattr(project, name, value)
                    project.start_date, project.custodian = start, holder
                    report.updated.append(record.reference)
                    audit(
                        "update",
                        "custodians.Project",
                        project.reference,
                        before={k: _jsonable(v) for k, v in before.items() if before[k] != after[k]},
                        after={k: _jsonable(v) for k, v in after.items() if before[k] != after[k]},
                        user=user,
                        comment=f"re-import of {path}",
                    )
                project.raw, project.origin, project.last_import = record.raw, f"{path}:{record.line}", batch
                project.save()
            if record.unrecognised_labels:
                report.unrecognised[record.reference] = record.unrecognised_labels
            if holder is not None:
                touched.add(holder.pk)
        for holder in Custodian.objects.filter(pk__in=touched):
            ids: list[str] = []
            for source_ids in holder.projects.values_list("source_ids", flat=True):
                ids.extend(s for s in source_ids if s not in ids)
            if sorted(ids) != sorted(holder.source_ids):
                holder.source_ids = sorted(ids)
                holder.save(update_fields=["source_ids"])
        batch.new, batch.updated, batch.unchanged = (
            len(report.new),
            len(report.updated),
            len(report.unchanged),
        )
        batch.rejected = [vars(r) for r in report.rejected]
        batch.save()
        audit(
            "load",
            "custodians.ProjectImport",
            batch.pk,
            after={"new": batch.new, "updated": batch.updated, "unchanged": batch.unchanged,
                   "rejected": len(report.rejected)},
            user=user,
            comment=str(path),
        )  # fmt: skip
    report.batch_id = batch.pk
    return report


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# ------------------------------------------------------------------------------------------------- links
def _family():
    from benefice.sources.registry import load_registry

    registry = load_registry()

    def family(source_id: str) -> set[str]:
        if source_id not in registry:
            return set()
        return set(registry.ancestors(source_id)) | set(registry.descendants(source_id))

    return family


def _detected_sources() -> dict[int, list[str]]:
    from benefice.sources.models import PublicationDetection

    return dict(PublicationDetection.objects.values_list("publication_id", "sources_used"))


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
        raise BeneficeError(f"unknown link status {status!r}", field="status")
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


# ------------------------------------------------------------------------------------------ benefit records
@dataclass
class FigureInput:
    label: str
    value: float
    unit: str = ""
    indicator: str = ""
    source: str = ""


def save_benefit_record(
    project: Project,
    *,
    kind: str,
    year: int,
    outputs: list[dict[str, str]],
    decisions: str = "",
    practice_changes: str = "",
    people_concerned: str = "",
    figures: list[FigureInput] = (),
    published: bool = False,
    user=None,
    record: BenefitRecord | None = None,
) -> BenefitRecord:
    """Create or replace a benefit record. A figure without a source, an output of an unknown type or an
    unknown indicator code is refused with the field named; nothing is saved then."""
    from benefice.impact.catalogue import load_indicators

    codes = {ind.code for ind in load_indicators().indicators.values()}
    if kind not in dict(BenefitRecord.KINDS):
        raise BeneficeError(f"unknown record kind {kind!r}", field="kind")
    for n, output in enumerate(outputs, start=1):
        if output.get("type") not in OUTCOME_TYPES:
            raise BeneficeError(f"output {n}: unknown outcome type {output.get('type')!r}", field="outputs")
        if not (output.get("description") or "").strip():
            raise BeneficeError(f"output {n}: a description is needed", field="outputs")
        _check_link(str(output.get("reference") or ""), _("output %(n)s") % {"n": n}, "outputs")
    for n, fig in enumerate(figures, start=1):
        if not fig.source.strip():
            raise BeneficeError(
                f"figure {n} ({fig.label}): a figure without a source is refused", field="source"
            )
        if not fig.label.strip():
            raise BeneficeError(f"figure {n}: say what is counted", field="label")
        _check_link(fig.source, _("figure %(n)s") % {"n": n}, "source")
        if fig.indicator and fig.indicator not in codes:
            raise BeneficeError(f"figure {n}: unknown indicator code {fig.indicator!r}", field="indicator")
    with transaction.atomic():
        before = _record_state(record) if record else None
        if record is None:
            record = BenefitRecord(
                project=project, created_by=user if getattr(user, "is_authenticated", False) else None
            )
        record.kind, record.year, record.outputs = kind, year, outputs
        record.decisions, record.practice_changes = decisions, practice_changes
        record.people_concerned, record.published = people_concerned, published
        try:
            with transaction.atomic():
                record.save()
        except Exception as exc:  # noqa: BLE001 - the unique constraint, whatever the backend calls it
            if (
                BenefitRecord.objects.filter(project=project, kind=kind, year=year)
                .exclude(pk=record.pk)
                .exists()
            ):
                raise BeneficeError(
                    f"a record of this kind for {year} already exists for project {project.reference}",
                    field="year",
                ) from exc
            raise
        record.figures.all().delete()
        BenefitFigure.objects.bulk_create(
            BenefitFigure(
                record=record,
                indicator=f.indicator,
                label=f.label,
                value=f.value,
                unit=f.unit,
                source=f.source,
            )
            for f in figures
        )
        audit(
            "update" if before else "create",
            "custodians.BenefitRecord",
            record.pk,
            before=before,
            after=_record_state(record),
            user=user,
        )
    return record


def _check_link(value: str, where: str, field: str) -> None:
    """A reference or source that is a link must be http(s) or a DOI (issue 17): the model's validator, run
    here so the message names the output or figure before anything is saved."""
    from django.core.exceptions import ValidationError

    try:
        validate_web_reference(value)
    except ValidationError as exc:
        raise BeneficeError(f"{where}: {' '.join(exc.messages)}", field=field) from None


def _record_state(record: BenefitRecord) -> dict[str, Any]:
    return {
        "project": record.project.reference,
        "kind": record.kind,
        "year": record.year,
        "outputs": record.outputs,
        "decisions": record.decisions,
        "practice_changes": record.practice_changes,
        "people_concerned": record.people_concerned,
        "published": record.published,
        "figures": [
            {"indicator": f.indicator, "label": f.label, "value": f.value, "unit": f.unit, "source": f.source}
            for f in record.figures.all()
        ],
    }


def follow_up_due(custodian: Custodian | None = None, *, today: dt.date | None = None):
    """Projects that have a benefit record but none for last year or later: the yearly follow-up is due."""
    from django.db.models import Max

    last_year = (today or dt.date.today()).year - 1
    qs = Project.objects.annotate(latest=Max("benefit_records__year")).filter(latest__lt=last_year)
    if custodian is not None:
        qs = qs.filter(custodian=custodian)
    return qs.order_by("latest", "reference")


def projects_without_record(custodian: Custodian | None = None):
    qs = Project.objects.filter(benefit_records__isnull=True)
    if custodian is not None:
        qs = qs.filter(custodian=custodian)
    return qs.order_by("start_date", "reference")


# ------------------------------------------------------------------------------------------------- report
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
    from benefice.impact.catalogue import load_cases
    from benefice.sources.services import citation_practices

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
        for p in Publication.objects.filter(pk__in=set(using) | linked_ids).only("pk", "title", "year", "doi")
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
        from benefice.sources.citation import citation_stats
        from benefice.sources.services import db_registry

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
    from benefice.sources.models import Mention, PublicationDetection

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


# ---------------------------------------------------------------------------------------------- questionnaires
def create_questionnaire(title: str, user, *, description: str = "", source_id: str = "") -> Questionnaire:
    title = " ".join((title or "").split())
    if not title:
        raise BeneficeError(_("a questionnaire needs a title"), field="title")
    questionnaire = Questionnaire.objects.create(
        title=title,
        description=description.strip(),
        source_id=source_id.strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit(
        "create",
        "custodians.Questionnaire",
        questionnaire.pk,
        after={"title": title, "source": source_id},
        user=user,
    )
    return questionnaire


def add_question(
    questionnaire: Questionnaire,
    *,
    kind: str,
    text: str,
    choices: Iterable[str] = (),
    scale_min: int = 1,
    scale_max: int = 5,
    unit: str = "",
    user=None,
) -> Question:
    """Add a question at the end; an unanswerable one (choice without options, reversed scale) is refused."""
    from benefice.custodians import survey

    text = (text or "").strip()
    options = [c.strip() for c in choices if c.strip()]
    if not text:
        raise BeneficeError(_("write the question"), field="text")
    try:
        survey.validate_spec(kind, options, scale_min, scale_max)
    except survey.AnswerError as exc:
        raise BeneficeError(_translated(exc), field="kind") from None
    position = (questionnaire.questions.aggregate(m=models_max("position"))["m"] or 0) + 1
    question = Question.objects.create(
        questionnaire=questionnaire,
        position=position,
        kind=kind,
        text=text,
        choices=options if kind == "choice" else [],
        scale_min=scale_min,
        scale_max=scale_max,
        unit=unit.strip() if kind in ("number", "figure") else "",
    )
    audit("create", "custodians.Question", question.pk, after={"kind": kind, "text": text}, user=user)
    return question


def _translated(exc) -> str:
    """An AnswerError of the pure survey module in the user's language."""
    return _(exc.template) % exc.params if exc.params else _(exc.template)


def models_max(field_name: str):
    from django.db.models import Max

    return Max(field_name)


def add_respondent(questionnaire: Questionnaire, label: str, *, source_id: str = "", user=None) -> Respondent:
    label = " ".join((label or "").split())
    if not label:
        raise BeneficeError(_("name the respondent (a person or an organisation)"), field="label")
    respondent = Respondent.objects.create(
        questionnaire=questionnaire, label=label, source_id=(source_id or questionnaire.source_id).strip()
    )
    audit("create", "custodians.Respondent", respondent.pk, after={"label": label}, user=user)
    return respondent


def save_answer(
    respondent: Respondent, question: Question, value: str = "", source: str = ""
) -> Response | None:
    """Store (or clear) one answer, validated; called on every autosave, so it writes one row only."""
    from benefice.custodians import survey

    if question.questionnaire_id != respondent.questionnaire_id:
        raise BeneficeError("this question is not part of this questionnaire", field="question")
    try:
        answer = survey.clean_answer(question.spec(), value, source)
    except survey.AnswerError as exc:
        raise BeneficeError(_translated(exc), field=f"q{question.pk}") from None
    if answer.empty:
        Response.objects.filter(respondent=respondent, question=question).delete()
        return None
    response, _created = Response.objects.update_or_create(
        respondent=respondent,
        question=question,
        defaults={"value": answer.value, "number": answer.number, "source": answer.source},
    )
    return response


def questionnaire_rows(questionnaire: Questionnaire) -> list[list[Any]]:
    from benefice.custodians import survey

    responses = (
        Response.objects.filter(question__questionnaire=questionnaire)
        .select_related("respondent", "question")
        .order_by("respondent_id", "question__position")
    )
    return survey.export_rows(
        {
            "respondent": r.respondent.label,
            "data_source": r.respondent.source_id or questionnaire.source_id,
            "question": r.question.text,
            "position": r.question.position,
            "kind": r.question.kind,
            "value": r.value,
            "number": r.number,
            "unit": r.question.unit,
            "source": r.source,
            "updated_at": r.updated_at.isoformat(timespec="seconds"),
        }
        for r in responses
    )


def export_questionnaire(questionnaire: Questionnaire, fmt: str) -> bytes:
    """The responses as CSV (UTF-8 with BOM, for spreadsheets) or XLSX, formula-like text neutralised."""
    from benefice.custodians import survey

    rows = [[survey.spreadsheet_safe(v) for v in row] for row in questionnaire_rows(questionnaire)]
    if fmt == "csv":
        out = io.StringIO()
        csvout.writer(out).writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "responses"
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    raise BeneficeError(f"unknown export format {fmt!r} (csv, xlsx)", field="format")


def import_free_text(questionnaire: Questionnaire, interview_project, user) -> list:
    """Each respondent's free-text answers become one transcript of the interview project (question turns by
    "ENQ", answers by a pseudonymous respondent code), to be pseudonymised and coded like an interview."""
    from benefice.custodians import survey
    from benefice.interviews import services as interviews

    made = []
    text_questions = list(questionnaire.questions.filter(kind="text"))
    with transaction.atomic():
        for n, respondent in enumerate(questionnaire.respondents.order_by("pk"), start=1):
            answers = dict(
                respondent.answers.filter(question__in=text_questions).values_list("question_id", "value")
            )
            pairs = [(q.text, answers.get(q.pk, "")) for q in text_questions]
            text = survey.transcript_text(pairs, f"R{n:02d}")
            if not text:
                continue
            name = f"questionnaire-{questionnaire.pk}-R{n:02d}.txt"
            made.append(
                interviews.import_transcript(
                    interview_project,
                    name,
                    text.encode("utf-8"),
                    user,
                    title=f"{questionnaire.title} — R{n:02d}",
                )
            )
    audit(
        "import",
        "custodians.Questionnaire",
        questionnaire.pk,
        after={"interview_project": interview_project.pk, "transcripts": len(made)},
        user=user,
    )
    return made
