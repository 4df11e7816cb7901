"""Impact cases in the database: the file format (dict) <-> dataclasses <-> rows, load cases.yaml, export it
back, and link each case publication to the corpus."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Q

from benefice.cases import catalogue as case_catalogue
from benefice.cases.models import Case, CasePublication, Figure, PolicyDecision, TimelineEvent
from benefice.core.curated_sync import Entry, SyncReport, Table, edited_file_meta, load_rows, stored_json
from benefice.corpus.identifiers import normalise_doi, normalise_pmid
from benefice.corpus.models import Publication
from benefice.curated import read_yaml
from benefice.indicators import catalogue as indicator_catalogue
from benefice.indicators.services import db_indicator_catalogue
from benefice.paths import package_data
from benefice.uses.typology import shipped_typology

__all__ = [
    "CHILD_MODELS",
    "OBJ_CASE",
    "case_to_dict",
    "cases_yaml",
    "db_case",
    "db_cases",
    "find_in_corpus",
    "link_publications",
    "sync_cases",
    "validate_case",
]

OBJ_CASE = "cases.Case"
CHILD_MODELS = {
    "publications": CasePublication,
    "decisions": PolicyDecision,
    "figures": Figure,
    "timeline": TimelineEvent,
}


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in ("", None, [], {})}


def _text(value: case_catalogue.Prose) -> dict[str, str] | None:
    """A prose field as the file writes it: ``{fr:, en:}``, or nothing when both versions are empty."""
    return {"fr": value.fr, "en": value.en} if (value.fr or value.en) else None


def _name(value: case_catalogue.Prose) -> dict[str, str] | str:
    """An agency or a period: one string when it reads the same in both languages."""
    return value.as_dict()


def _source_dict(src: case_catalogue.Reference) -> dict[str, Any]:
    return _drop_empty(
        {
            "doi": src.doi,
            "url": src.url,
            "pmid": src.pmid,
            "location": _text(src.location),
            "quote": src.quote,
            "provenance": src.provenance,
        }
    )


def case_to_dict(case: case_catalogue.Case) -> dict[str, Any]:
    """A case in the format of cases.yaml, with every default spelled out (what export writes)."""
    out: dict[str, Any] = {
        "id": case.id,
        "title": {"fr": case.title.fr, "en": case.title.en},
        "summary": _text(case.summary),
        "categories": list(case.categories),
        "data_sources": list(case.data_sources),
        "attribution_grade": case.attribution_grade,
        "publications": [
            _drop_empty(
                {"doi": p.doi, "pmid": p.pmid, "url": p.url, "citation": p.citation, "language": p.language}
            )
            | ({} if p.verified else {"verified": False})
            for p in case.publications
        ],
        "decisions": [
            _drop_empty(
                {
                    "agency": _name(d.agency),
                    "date": d.date,
                    "type": d.type,
                    "scope": d.scope,
                    "description": _text(d.description),
                    "reference": _source_dict(d.reference) if d.reference else None,
                    "provenance": d.provenance,
                }
            )
            | ({} if d.verified else {"verified": False})
            for d in case.decisions
        ],
        "figures": [
            _drop_empty(
                {
                    "indicator": f.indicator,
                    "label": _text(f.label),
                    "value": _num(f.value),
                    "low": _num(f.low),
                    "high": _num(f.high),
                    "unit": f.unit,
                    "text": _text(f.text),
                    "population": _text(f.population),
                    "period": _name(f.period),
                    "source": _source_dict(f.source),
                    "evidence_grade": f.evidence_grade,
                    "attribution_grade": f.attribution_grade,
                    "entered_by": f.entered_by,
                    "entered_at": f.entered_at,
                }
            )
            | ({} if f.verified else {"verified": False})
            for f in case.figures
        ],
        "timeline": [
            {"date": t.date, "kind": t.kind, "event": _text(t.event)} | ({} if t.verified else {"verified": False})
            for t in case.timeline
        ],
        "notes": _text(case.notes),
    }
    return stored_json(_drop_empty(out) | {"id": case.id})


def _cases_path(path: Path | str | None) -> Path:
    return Path(path) if path else package_data("cases.yaml")


@functools.lru_cache(maxsize=4)
def _cases_file_meta(path: str) -> dict[str, Any]:
    raw = read_yaml(Path(path))
    return stored_json({"version": raw.get("version"), "changelog": raw.get("changelog")})


def validate_case(case: case_catalogue.Case, indicators: indicator_catalogue.IndicatorCatalogue | None = None) -> None:
    """Run the file loader on the case as it would be exported: the one set of rules for files and web."""
    meta = _cases_file_meta(str(_cases_path(None)))
    case_catalogue.parse_cases(
        {**meta, "cases": [case_to_dict(case)]},
        f"case {case.id}",
        shipped_typology(),
        indicators or db_indicator_catalogue(),
    )


def _source_columns(src: case_catalogue.Reference | None) -> dict[str, Any]:
    src = src or case_catalogue.Reference()
    return {
        "source_doi": src.doi,
        "source_url": src.url,
        "source_pmid": src.pmid,
        "source_location_fr": src.location.fr,
        "source_location_en": src.location.en,
        "source_quote": src.quote,
        "source_provenance": src.provenance,
    }


def _pair(name: str, value: case_catalogue.Prose) -> dict[str, str]:
    """The two columns of a prose field."""
    return {f"{name}_fr": value.fr, f"{name}_en": value.en}


def _write_children(row: Case, case: case_catalogue.Case) -> None:
    for i, p in enumerate(case.publications):
        CasePublication.objects.create(
            case=row,
            position=i,
            citation=p.citation,
            doi=p.doi,
            pmid=p.pmid,
            url=p.url,
            verified=p.verified,
            language=p.language,
        )
    for i, d in enumerate(case.decisions):
        PolicyDecision.objects.create(
            case=row,
            position=i,
            **_pair("agency", d.agency),
            date=d.date,
            type=d.type,
            scope=d.scope,
            **_pair("description", d.description),
            provenance=d.provenance,
            verified=d.verified,
            **_source_columns(d.reference),
        )
    for i, f in enumerate(case.figures):
        Figure.objects.create(
            case=row,
            position=i,
            indicator_id=f.indicator,
            **_pair("label", f.label),
            value=f.value,
            low=f.low,
            high=f.high,
            unit=f.unit,
            **_pair("text", f.text),
            **_pair("population", f.population),
            **_pair("period", f.period),
            evidence_grade=f.evidence_grade,
            attribution_grade=f.attribution_grade,
            entered_by=f.entered_by,
            entered_at=f.entered_at,
            verified=f.verified,
            **_source_columns(f.source),
        )
    for i, t in enumerate(case.timeline):
        TimelineEvent.objects.create(
            case=row, position=i, date=t.date, kind=t.kind, verified=t.verified, **_pair("event", t.event)
        )


def _case_columns(case: case_catalogue.Case) -> dict[str, Any]:
    return {
        "title_fr": case.title.fr,
        "title_en": case.title.en,
        **_pair("summary", case.summary),
        "categories": list(case.categories),
        "data_sources": list(case.data_sources),
        "attribution_grade": case.attribution_grade,
        **_pair("notes", case.notes),
    }


def db_case(row: Case) -> case_catalogue.Case:
    """A stored case as the dataclass (children in their stored order)."""
    return row.to_catalogue_case()



class _CaseTable(Table):
    """A case's row and its children (publications, decisions, figures, timeline), compared as the file's dict."""

    object_type = OBJ_CASE

    def stored(self, row) -> Any:
        return case_to_dict(db_case(row))

    def create(self, entry: Entry, position: int) -> None:
        case = entry.item
        row = Case.objects.create(
            id=case.id,
            position=position,
            file_version=self.version,
            updated_by=self.user,
            **_case_columns(case),
        )
        _write_children(row, case)

    def replace(self, row, entry: Entry, position: int) -> None:
        case = entry.item
        for model in CHILD_MODELS.values():
            model.objects.filter(case=row).delete()
        for k, v in _case_columns(case).items():
            setattr(row, k, v)
        self.stamp_loaded(row, position)
        _write_children(row, case)


def sync_cases(path: Path | str | None = None, *, user=None) -> SyncReport:
    """Load cases.yaml into the database (idempotent; web edits kept while the file version is the same).

    Indicators must be loaded first (figures point to them); the cases are validated against the catalogue
    as stored, so an indicator edited in the web app that no longer fits a bundled figure is reported.
    """
    path = _cases_path(path)
    book = case_catalogue.load_cases(path, shipped_typology(), db_indicator_catalogue())
    existing = {c.id: c for c in Case.objects.all()}
    entries = [Entry(case.id, case_to_dict(case), case) for case in book.cases.values()]
    with transaction.atomic():
        report = load_rows(_CaseTable(book.version, user), entries, existing, comment=f"cases.yaml {book.version}")
        link_publications()
    return report


def cases_yaml(path: Path | str | None = None) -> str:
    """Every stored case in the format of cases.yaml, validated before it is handed out."""
    meta = _cases_file_meta(str(_cases_path(path)))
    rows = list(Case.objects.prefetch_related("publications", "decisions", "figures", "timeline"))
    entries = [case_to_dict(db_case(c)) for c in rows]
    data = {**edited_file_meta(meta, [c for c in rows if c.edited], entries), "cases": entries}
    case_catalogue.parse_cases(data, "database cases", shipped_typology(), db_indicator_catalogue())
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def find_in_corpus(doi: str = "", pmid: str = "") -> Publication | None:
    """The corpus publication with this DOI (case-insensitive) or, failing that, this PMID."""
    doi, pmid = normalise_doi(doi), normalise_pmid(pmid)
    if doi:
        pub = (
            Publication.objects.filter(doi=doi).first() or Publication.objects.filter(doi__iexact=doi).first()
        )
        if pub:
            return pub
    if pmid:
        return Publication.objects.filter(pmid=pmid).first()
    return None


def link_publications(cases: Iterable[Case] | None = None) -> int:
    """Point each case publication at the corpus publication with the same DOI or PMID; returns links made."""
    rows = CasePublication.objects.filter(publication__isnull=True).filter(~Q(doi="") | ~Q(pmid=""))
    if cases is not None:
        rows = rows.filter(case__in=list(cases))
    linked = 0
    for cp in rows:
        pub = find_in_corpus(cp.doi, cp.pmid)
        if pub is not None:
            cp.publication = pub
            cp.save(update_fields=["publication"])
            linked += 1
    return linked


def db_cases(case_ids: Iterable[str] | None = None) -> list[case_catalogue.Case]:
    """Stored cases as dataclasses, for ranking and value aggregation."""
    rows = Case.objects.prefetch_related("publications", "decisions", "figures", "timeline")
    if case_ids is not None:
        rows = rows.filter(pk__in=list(case_ids))
    return [db_case(r) for r in rows]

