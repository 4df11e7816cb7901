"""Indicators and cases in the database: load from the data files, edit with history and locking, export.

The data files stay the reference. ``sync_indicators`` and ``sync_cases`` load them idempotently; a row a
person edited in the web app is kept as edited until the file's own version changes (then the file wins,
and the overwritten edit stays readable in the audit trail). Every edit goes through one function here
that (1) checks nobody saved the case or indicator since the editor opened it (optimistic locking), (2)
re-validates the whole case or catalogue with the same strict loader the files go through, so what is
stored can always be exported back to a valid file, and (3) writes an audit entry with before and after.
Any failure rolls the transaction back: nothing is half-written.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max, Q

from benefice.core.models import AuditEntry, audit
from benefice.corpus.identifiers import normalise_doi, normalise_pmid
from benefice.corpus.models import Publication
from benefice.errors import BeneficeError
from benefice.impact import catalogue
from benefice.impact.models import Case, CasePublication, Decision, Figure, Indicator, TimelineEvent
from benefice.paths import package_data
from benefice.uses.typology import Typology, load_typology

OBJ_INDICATOR = "impact.Indicator"
OBJ_CASE = "impact.Case"
CHILD_MODELS = {
    "publications": CasePublication,
    "decisions": Decision,
    "figures": Figure,
    "timeline": TimelineEvent,
}


class EditConflict(BeneficeError):
    """Someone saved the same case or indicator since this edit began."""


@dataclass
class SyncReport:
    version: str = ""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_edited: list[str] = field(default_factory=list)  # web edits kept: the file version is unchanged
    overwritten: list[str] = field(default_factory=list)  # web edits replaced by a new file version


@functools.lru_cache(maxsize=4)
def _typology_at(path: str) -> Typology:
    return load_typology(path)


def typology() -> Typology:
    """The shipped typology (read once: it is not editable in the web app)."""
    return _typology_at(str(package_data("typology.yaml")))


def _json(value: Any) -> Any:
    """The value as JSON would store and give it back (so comparisons with stored rows are exact)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BeneficeError(f"cannot read: {exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise BeneficeError("expected a mapping at the top of the file", path=str(path))
    return data


# --------------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------------
def _indicator_columns(data: dict[str, Any]) -> dict[str, Any]:
    name = data.get("name") or {}
    return {
        "name_fr": name.get("fr", ""),
        "name_en": name.get("en", ""),
        "family": data.get("family", ""),
        "level": data.get("level", ""),
        "type": data.get("type", ""),
    }


def _indicators_path(path: Path | str | None) -> Path:
    return Path(path) if path else package_data("indicators.yaml")


@functools.lru_cache(maxsize=4)
def _indicator_file_meta(path: str) -> dict[str, Any]:
    """Version, changelog, units and types of the catalogue file: not editable in the web app."""
    raw = _read_yaml(Path(path))
    return _json({k: v for k, v in raw.items() if k != "indicators"})


def sync_indicators(path: Path | str | None = None, *, user=None) -> SyncReport:
    """Load indicators.yaml into the database (idempotent; web edits kept while the file version is the same)."""
    path = _indicators_path(path)
    raw = _read_yaml(path)
    parsed = catalogue.parse_indicators(raw, path, typology())  # refuses an invalid file before any write
    report = SyncReport(version=parsed.version)
    existing = {i.code: i for i in Indicator.objects.all()}
    with transaction.atomic():
        for position, entry in enumerate(raw["indicators"]):
            data = _json(entry)
            code = str(data["code"])
            row = existing.get(code)
            comment = f"indicators.yaml {parsed.version}"
            if row is None:
                Indicator.objects.create(
                    code=code,
                    data=data,
                    position=position,
                    file_version=parsed.version,
                    updated_by=user,
                    **_indicator_columns(data),
                )
                audit("load", OBJ_INDICATOR, code, after=data, user=user, comment=comment)
                report.created.append(code)
            elif row.data == data and not row.edited:
                if row.file_version != parsed.version or row.position != position:
                    Indicator.objects.filter(pk=code).update(file_version=parsed.version, position=position)
                report.unchanged += 1
            elif row.edited and row.file_version == parsed.version:
                report.kept_edited.append(code)
            else:
                if row.edited:
                    report.overwritten.append(code)
                before = row.data
                row.data = data
                for k, v in _indicator_columns(data).items():
                    setattr(row, k, v)
                row.position, row.file_version, row.edited = position, parsed.version, False
                row.version += 1
                row.updated_by = user
                row.save()
                audit("load", OBJ_INDICATOR, code, before=before, after=data, user=user, comment=comment)
                report.updated.append(code)
    return report


def db_indicator_catalogue(
    overrides: dict[str, dict[str, Any]] | None = None, path: Path | str | None = None
) -> catalogue.IndicatorCatalogue:
    """The catalogue as stored in the database, validated; ``overrides`` replaces entries (to check an edit)."""
    meta = _indicator_file_meta(str(_indicators_path(path)))
    entries = {i.code: i.data for i in Indicator.objects.order_by("position", "code")}
    if not entries:
        return catalogue.load_indicators(path, typology())
    entries.update(overrides or {})
    return catalogue.parse_indicators(
        {**meta, "indicators": list(entries.values())}, "database catalogue", typology()
    )


def indicators_yaml(path: Path | str | None = None) -> str:
    """The catalogue as stored in the database, in the format of indicators.yaml (to review and commit)."""
    meta = _indicator_file_meta(str(_indicators_path(path)))
    rows = list(Indicator.objects.order_by("position", "code"))
    entries = [i.data for i in rows]
    data = {**_edited_meta(meta, [i for i in rows if i.edited], entries), "indicators": entries}
    catalogue.parse_indicators(data, "database catalogue", typology())  # never export an invalid file
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def _edited_meta(meta: dict[str, Any], edited: list[Any], entries: list[Any]) -> dict[str, Any]:
    """The file's version, or, when people edited rows in the web app, a version that says so.

    ``1.0.0+web.<hash of the content>`` with a changelog line naming what was edited: an export of edited
    data must not pass for the released file. Dated by the last edit, so the same data exports the same bytes.
    """
    if not edited:
        return meta
    digest = hashlib.sha256(json.dumps(entries, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    version = f"{meta['version']}+web.{digest[:12]}"
    keys = sorted(str(row.pk) for row in edited)
    entry = {
        "version": version,
        "date": max(row.updated_at for row in edited).date().isoformat(),
        "author": "benefice web app",
        "change": f"Edited in the web app since {meta['version']}: {', '.join(keys)} (see each one's history).",
    }
    return {**meta, "version": version, "changelog": [*(meta.get("changelog") or []), entry]}


def update_indicator(
    code: str, data: dict[str, Any], *, expected_version: int, user=None, comment: str = ""
) -> Indicator:
    """Save an edit of one indicator if the catalogue stays valid, its figures still fit, and nobody saved."""
    data = _json({**data, "code": code})
    with transaction.atomic():
        row = Indicator.objects.select_for_update().get(pk=code)
        if row.version != expected_version:
            raise EditConflict(
                _conflict_text("indicator", code, row.version, expected_version, OBJ_INDICATOR)
            )
        parsed = db_indicator_catalogue({code: data}).indicators[code]
        for fig in Figure.objects.filter(indicator_id=code).select_related("case"):
            if fig.unit not in parsed.units:
                raise BeneficeError(
                    f"figure {fig.pk} of case {fig.case_id} uses unit {fig.unit!r}, which the edit removes",
                    field="units",
                )
            if not parsed.applies_to(fig.case.categories):
                raise BeneficeError(
                    f"figure {fig.pk} of case {fig.case_id} is in categories {', '.join(fig.case.categories)},"
                    " which the edit removes",
                    field="categories",
                )
        before = row.data
        row.data = data
        for k, v in _indicator_columns(data).items():
            setattr(row, k, v)
        row.version += 1
        row.edited = True
        row.updated_by = user
        row.save()
        audit("update", OBJ_INDICATOR, code, before=before, after=data, user=user, comment=comment)
    return row


def _conflict_text(what: str, key: str, current: int, yours: int, obj_type: str) -> str:
    last = AuditEntry.objects.filter(object_type=obj_type, object_id=key).exclude(user=None).first()
    who = f" by {last.user}" if last and last.user else ""
    return (
        f"{what} {key} was changed{who} since you opened it (version {current}, yours {yours}); "
        "your text is kept below: compare with the current version, then save again"
    )


# --------------------------------------------------------------------------------------------------
# Cases: the file format (dict) <-> dataclasses <-> rows
# --------------------------------------------------------------------------------------------------
def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in ("", None, [], {})}


def _source_dict(src: catalogue.Source) -> dict[str, Any]:
    return _drop_empty(
        {
            "doi": src.doi,
            "url": src.url,
            "pmid": src.pmid,
            "location": src.location,
            "quote": src.quote,
            "provenance": src.provenance,
        }
    )


def case_to_dict(case: catalogue.Case) -> dict[str, Any]:
    """A case in the format of cases.yaml, with every default spelled out (what export writes)."""
    out: dict[str, Any] = {
        "id": case.id,
        "title": {"fr": case.title.fr, "en": case.title.en},
        "summary": case.summary,
        "categories": list(case.categories),
        "data_sources": list(case.data_sources),
        "attribution_grade": case.attribution_grade,
        "publications": [
            _drop_empty({"doi": p.doi, "pmid": p.pmid, "url": p.url, "citation": p.citation})
            | ({} if p.verified else {"verified": False})
            for p in case.publications
        ],
        "decisions": [
            _drop_empty(
                {
                    "agency": d.agency,
                    "date": d.date,
                    "type": d.type,
                    "scope": d.scope,
                    "description": d.description,
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
                    "label": f.label,
                    "value": _num(f.value),
                    "low": _num(f.low),
                    "high": _num(f.high),
                    "unit": f.unit,
                    "text": f.text,
                    "population": f.population,
                    "period": f.period,
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
            {"date": t.date, "event": t.event} | ({} if t.verified else {"verified": False})
            for t in case.timeline
        ],
        "notes": case.notes,
    }
    return _json(_drop_empty(out) | {"id": case.id})


def _cases_path(path: Path | str | None) -> Path:
    return Path(path) if path else package_data("cases.yaml")


@functools.lru_cache(maxsize=4)
def _cases_file_meta(path: str) -> dict[str, Any]:
    raw = _read_yaml(Path(path))
    return _json({"version": raw.get("version"), "changelog": raw.get("changelog")})


def validate_case(case: catalogue.Case, indicators: catalogue.IndicatorCatalogue | None = None) -> None:
    """Run the file loader on the case as it would be exported: the one set of rules for files and web."""
    meta = _cases_file_meta(str(_cases_path(None)))
    catalogue.parse_cases(
        {**meta, "cases": [case_to_dict(case)]},
        f"case {case.id}",
        typology(),
        indicators or db_indicator_catalogue(),
    )


def _source_columns(src: catalogue.Source | None) -> dict[str, Any]:
    src = src or catalogue.Source()
    return {
        "source_doi": src.doi,
        "source_url": src.url,
        "source_pmid": src.pmid,
        "source_location": src.location,
        "source_quote": src.quote,
        "source_provenance": src.provenance,
    }


def _write_children(row: Case, case: catalogue.Case) -> None:
    for i, p in enumerate(case.publications):
        CasePublication.objects.create(
            case=row, position=i, citation=p.citation, doi=p.doi, pmid=p.pmid, url=p.url, verified=p.verified
        )
    for i, d in enumerate(case.decisions):
        Decision.objects.create(
            case=row,
            position=i,
            agency=d.agency,
            date=d.date,
            type=d.type,
            scope=d.scope,
            description=d.description,
            provenance=d.provenance,
            verified=d.verified,
            **_source_columns(d.reference),
        )
    for i, f in enumerate(case.figures):
        Figure.objects.create(
            case=row,
            position=i,
            indicator_id=f.indicator,
            label=f.label,
            value=f.value,
            low=f.low,
            high=f.high,
            unit=f.unit,
            text=f.text,
            population=f.population,
            period=f.period,
            evidence_grade=f.evidence_grade,
            attribution_grade=f.attribution_grade,
            entered_by=f.entered_by,
            entered_at=f.entered_at,
            verified=f.verified,
            **_source_columns(f.source),
        )
    for i, t in enumerate(case.timeline):
        TimelineEvent.objects.create(case=row, position=i, date=t.date, event=t.event, verified=t.verified)


def _case_columns(case: catalogue.Case) -> dict[str, Any]:
    return {
        "title_fr": case.title.fr,
        "title_en": case.title.en,
        "summary": case.summary,
        "categories": list(case.categories),
        "data_sources": list(case.data_sources),
        "attribution_grade": case.attribution_grade,
        "notes": case.notes,
    }


def db_case(row: Case) -> catalogue.Case:
    """A stored case as the dataclass (children in their stored order)."""
    return row.to_catalogue_case()


def sync_cases(path: Path | str | None = None, *, user=None) -> SyncReport:
    """Load cases.yaml into the database (idempotent; web edits kept while the file version is the same).

    Indicators must be loaded first (figures point to them); the cases are validated against the catalogue
    as stored, so an indicator edited in the web app that no longer fits a bundled figure is reported.
    """
    path = _cases_path(path)
    book = catalogue.load_cases(path, typology(), db_indicator_catalogue())
    report = SyncReport(version=book.version)
    existing = {c.id: c for c in Case.objects.all()}
    comment = f"cases.yaml {book.version}"
    with transaction.atomic():
        for position, case in enumerate(book.cases.values()):
            data = case_to_dict(case)
            row = existing.get(case.id)
            if row is None:
                row = Case.objects.create(
                    id=case.id,
                    position=position,
                    file_version=book.version,
                    updated_by=user,
                    **_case_columns(case),
                )
                _write_children(row, case)
                audit("load", OBJ_CASE, case.id, after=data, user=user, comment=comment)
                report.created.append(case.id)
                continue
            current = case_to_dict(db_case(row))
            if current == data and not row.edited:
                if row.file_version != book.version or row.position != position:
                    Case.objects.filter(pk=row.pk).update(file_version=book.version, position=position)
                report.unchanged += 1
            elif row.edited and row.file_version == book.version:
                report.kept_edited.append(case.id)
            else:
                if row.edited:
                    report.overwritten.append(case.id)
                for model in CHILD_MODELS.values():
                    model.objects.filter(case=row).delete()
                for k, v in _case_columns(case).items():
                    setattr(row, k, v)
                row.position, row.file_version, row.edited = position, book.version, False
                row.version += 1
                row.updated_by = user
                row.save()
                _write_children(row, case)
                audit("load", OBJ_CASE, case.id, before=current, after=data, user=user, comment=comment)
                report.updated.append(case.id)
        link_publications()
    return report


def cases_yaml(path: Path | str | None = None) -> str:
    """Every stored case in the format of cases.yaml, validated before it is handed out."""
    meta = _cases_file_meta(str(_cases_path(path)))
    rows = list(Case.objects.prefetch_related("publications", "decisions", "figures", "timeline"))
    entries = [case_to_dict(db_case(c)) for c in rows]
    data = {**_edited_meta(meta, [c for c in rows if c.edited], entries), "cases": entries}
    catalogue.parse_cases(data, "database cases", typology(), db_indicator_catalogue())
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


# --------------------------------------------------------------------------------------------------
# Case edits
# --------------------------------------------------------------------------------------------------
def _lock_case(case_id: str, expected_version: int) -> Case:
    row = Case.objects.select_for_update().get(pk=case_id)
    if row.version != expected_version:
        raise EditConflict(
            _conflict_text("case", case_id, row.version, expected_version, OBJ_CASE), field="version"
        )
    return row


def _bump(row: Case, user) -> None:
    row.version += 1
    row.edited = True
    row.updated_by = user
    row.save()


def update_case(
    case_id: str, fields: dict[str, Any], *, expected_version: int, user=None, comment: str = ""
) -> Case:
    """Save the case's own fields (title, summary, categories…) after the whole case re-validates."""
    allowed = {"title_fr", "title_en", "summary", "categories", "data_sources", "attribution_grade", "notes"}
    unknown = set(fields) - allowed
    if unknown:
        raise BeneficeError(f"not a case field: {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    with transaction.atomic():
        row = _lock_case(case_id, expected_version)
        before = {k: getattr(row, k) for k in allowed}
        for k, v in fields.items():
            setattr(row, k, v)
        _bump(row, user)
        validate_case(db_case(row))
        after = {k: getattr(row, k) for k in allowed}
        audit(
            "update", OBJ_CASE, case_id, before=_json(before), after=_json(after), user=user, comment=comment
        )
    return row


def child_snapshot(obj) -> dict[str, Any]:
    """A child row's fields (what the history shows before and after an edit)."""
    skip = {"id", "case", "position", "publication"}
    return _json({f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip})


def save_child(
    case_id: str,
    kind: str,
    child_id: int | None,
    values: dict[str, Any],
    *,
    expected_version: int,
    user=None,
    comment: str = "",
):
    """Add (``child_id`` None) or change a publication, decision, figure or timeline event of a case."""
    model = CHILD_MODELS[kind]
    with transaction.atomic():
        row = _lock_case(case_id, expected_version)
        if child_id is None:
            position = (model.objects.filter(case=row).aggregate(m=Max("position"))["m"] or 0) + 1
            obj = model(case=row, position=position)
            before = None
        else:
            obj = model.objects.get(case=row, pk=child_id)
            before = child_snapshot(obj)
        for k, v in values.items():
            setattr(obj, k, v)
        if kind == "publications":
            obj.publication = find_in_corpus(obj.doi, obj.pmid)
        obj.save()
        _bump(row, user)
        validate_case(db_case(row))
        key = f"{kind}[{obj.pk}]"
        audit(
            "update" if before else "create",
            OBJ_CASE,
            case_id,
            before={key: before} if before else None,
            after={key: child_snapshot(obj)},
            user=user,
            comment=comment,
        )
    return obj


def delete_child(
    case_id: str, kind: str, child_id: int, *, expected_version: int, user=None, comment: str = ""
):
    """Remove one item of a case; what it held stays in the history."""
    model = CHILD_MODELS[kind]
    with transaction.atomic():
        row = _lock_case(case_id, expected_version)
        obj = model.objects.get(case=row, pk=child_id)
        before = child_snapshot(obj)
        obj.delete()
        _bump(row, user)
        validate_case(db_case(row))
        audit(
            "delete",
            OBJ_CASE,
            case_id,
            before={f"{kind}[{child_id}]": before},
            after=None,
            user=user,
            comment=comment,
        )


def today() -> str:
    return _dt.date.today().isoformat()


# --------------------------------------------------------------------------------------------------
# For the pure modules
# --------------------------------------------------------------------------------------------------
def db_cases(case_ids: Iterable[str] | None = None) -> list[catalogue.Case]:
    """Stored cases as dataclasses, for ranking and value aggregation."""
    rows = Case.objects.prefetch_related("publications", "decisions", "figures", "timeline")
    if case_ids is not None:
        rows = rows.filter(pk__in=list(case_ids))
    return [db_case(r) for r in rows]
