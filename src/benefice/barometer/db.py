"""Edition inputs read from the database: the corpus, what detection found in it, its kinds of use (the
effective ``uses.PublicationUses``: people's corrections applied), and the registry.

The computations never see the database: this module reads it once, turns each publication into an
edition record (``benefice.barometer.records``) and hands the records to
:func:`benefice.barometer.inputs.inputs_from_records`, so an edition built from the database and one built
from files go through the same validation and are frozen the same way (its ``inputs/`` hold the exact
publication set and registry it was computed from).

The registry, indicators and cases are those in the database, which people edit in the web app. When the
registry there is the shipped file unchanged, the shipped bytes are used, so the edition names the registry's
released version; otherwise it is exported and versioned ``<shipped version>+db.<hash>``, so two editions
built from different edits never claim the same registry version. Indicators and cases are exported from
the database only when someone edited them there (the edition records the hash of every file either way).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db.models import Q

from benefice.barometer.inputs import (
    CASES_FILE,
    INDICATORS_FILE,
    REGISTRY_FILE,
    TYPOLOGY_FILE,
    EditionInputs,
    inputs_from_records,
    shipped_definitions,
)
from benefice.barometer.records import RecordBuilder, Skipped, _counted, _number
from benefice.cases.catalogue import parse_cases
from benefice.corpus.models import Publication
from benefice.curated import parse_yaml
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop, render
from benefice.indicators.catalogue import parse_indicators
from benefice.sources.models import Mention, PublicationDetection, Source
from benefice.sources.registry import load_registry, registry_from_dict
from benefice.uses.models import PublicationUses
from benefice.uses.typology import parse_typology

CHUNK = 2000
TEXT_FIELDS = ("id", "year", "doi", "pmid", "title", "journal", "abstract")


@dataclass
class DatabaseReport:
    """What was read, and what was left out and why (printed by the CLI, shown by the web app)."""

    publications: int = 0
    records: int = 0
    not_scanned: int = 0
    not_classified: int = 0  # uses a source, but has no kinds of use stored yet
    created_after_observation: int = 0
    after_edition_year: int = 0
    registry_version: str = ""
    skipped: Skipped = field(default_factory=Skipped)

    def lines(self) -> list[str]:
        """What was read and left out, as messages said later in the reader's language (the command's
        locale, the build page's language); the conversion's own lines (``Skipped.lines``) follow."""
        out: list[str] = [
            _counted(READ, self.records, of=_number(self.publications)),
        ]
        if self.after_edition_year:
            out.append(_counted(AFTER_YEAR, self.after_edition_year))
        if self.created_after_observation:
            out.append(_counted(AFTER_OBSERVATION, self.created_after_observation))
        if self.not_scanned:
            out.append(_counted(NOT_SCANNED, self.not_scanned))
        if self.not_classified:
            out.append(_counted(NOT_CLASSIFIED, self.not_classified))
        return out + self.skipped.lines()


# What the report says, each a singular and plural msgid pair of the barometer's catalogue.
READ = (
    gettext_noop("%(n)s publication read from the database (of %(of)s)"),
    gettext_noop("%(n)s publications read from the database (of %(of)s)"),
)
AFTER_YEAR = (
    gettext_noop("%(n)s publication dated after the edition year left out"),
    gettext_noop("%(n)s publications dated after the edition year left out"),
)
AFTER_OBSERVATION = (
    gettext_noop("%(n)s publication added to the corpus after the observation date left out"),
    gettext_noop("%(n)s publications added to the corpus after the observation date left out"),
)
NOT_SCANNED = (
    gettext_noop("%(n)s publication never scanned for data sources counts as using none; run `benefice scan` first"),
    gettext_noop("%(n)s publications never scanned for data sources count as using none; run `benefice scan` first"),
)  # fmt: skip
NOT_CLASSIFIED = (
    gettext_noop(
        "%(n)s publication using a source has no kinds of use stored yet and counts in no category; "
        "run `benefice scan` first"
    ),
    gettext_noop(
        "%(n)s publications using a source have no kinds of use stored yet and count in no category; "
        "run `benefice scan` first"
    ),
)
EMPTY_CORPUS = gettext_noop(
    "the corpus holds no publication with a year (%(publications)s in the database%(left_out)s): import "
    "publications first (`benefice import FILE` or `benefice demo --no-serve`), then `benefice scan`"
)
EMPTY_CORPUS_YEAR = gettext_noop(
    "the corpus holds no publication dated up to %(year)s with a year (%(publications)s in the database"
    "%(left_out)s): import publications first (`benefice import FILE` or `benefice demo --no-serve`), then "
    "`benefice scan`"
)


@dataclass(frozen=True)
class _Joined:
    """Report lines said one after the other (``; `` before each), each in the reader's language."""

    parts: tuple[Any, ...]

    def localized(self, lang: str | None) -> str:
        sep = "\u00a0; " if (lang or "fr").lower().startswith("fr") else "; "  # French: no-break space before ;
        return "".join(
            sep + (p.localized(lang) if hasattr(p, "localized") else render(str(p), None, lang))
            for p in self.parts
        )

    def __str__(self) -> str:
        return self.localized("en")


def _entries(registry) -> dict[str, dict[str, Any]]:
    """The registry's entries without the derived ``components`` (their order follows the loading order)."""
    return {r["id"]: {k: v for k, v in r.items() if k != "components"} for r in registry.to_records()}


def _registry_bytes() -> tuple[bytes, str]:
    """The registry file for the edition: the shipped bytes when the database holds it unchanged."""
    from benefice.sources.services import db_registry, registry_hash  # noqa: PLC0415

    shipped = shipped_definitions()[REGISTRY_FILE]
    if not Source.objects.exists():
        registry = registry_from_dict(parse_yaml(shipped.decode("utf-8"), REGISTRY_FILE), REGISTRY_FILE)
        return shipped, registry.version
    reference = load_registry()
    current = db_registry()
    if _entries(current) == _entries(reference):
        return shipped, reference.version
    version = f"{reference.version}+db.{registry_hash(current)[:12]}"
    records = current.to_records()
    for record in records:
        record.pop("components", None)  # derived from the parents on load
    document = {"version": version, "changelog": list(reference.changelog), "sources": records}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=110).encode("utf-8"), version


def _impact_definitions() -> dict[str, bytes]:
    """Indicators and cases as edited in the web app, when someone edited them; otherwise nothing (the
    shipped files are used, with their released versions)."""
    from benefice.cases import services as case_services
    from benefice.cases.models import Case
    from benefice.indicators import services as indicator_services  # noqa: PLC0415 - models: Django must be set up first
    from benefice.indicators.models import Indicator

    out = {}
    if Indicator.objects.filter(edited=True).exists():
        out[INDICATORS_FILE] = indicator_services.indicators_yaml().encode("utf-8")
    if Case.objects.filter(edited=True).exists():
        out[CASES_FILE] = case_services.cases_yaml().encode("utf-8")
    return out


def _definitions(registry_bytes: bytes, definitions: Mapping[str, bytes] | None) -> dict[str, bytes]:
    files = shipped_definitions()
    files[REGISTRY_FILE] = registry_bytes
    files.update(_impact_definitions())
    files.update(definitions or {})
    return files


def _cases(files: Mapping[str, bytes]):
    typology = parse_typology(parse_yaml(files[TYPOLOGY_FILE].decode("utf-8"), TYPOLOGY_FILE), TYPOLOGY_FILE)
    indicators = parse_indicators(
        parse_yaml(files[INDICATORS_FILE].decode("utf-8"), INDICATORS_FILE), INDICATORS_FILE, typology
    )
    return parse_cases(
        parse_yaml(files[CASES_FILE].decode("utf-8"), CASES_FILE), CASES_FILE, typology, indicators
    )


def _end_of(observed_at: str) -> _dt.datetime:
    try:
        day = _dt.date.fromisoformat(observed_at) + _dt.timedelta(days=1)
    except (TypeError, ValueError) as exc:
        raise BeneficeError(
            f"observation date must be YYYY-MM-DD, got {observed_at!r}", field="observed_at"
        ) from exc
    return _dt.datetime.combine(day, _dt.time.min, tzinfo=_dt.UTC)


def publication_records(
    year: int | None = None,
    observed_at: str | None = None,
    *,
    builder: RecordBuilder,
    report: DatabaseReport | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Edition records of the corpus, in id order, read in chunks (memory stays flat on large corpora).

    ``year``: leave out publications dated after it (they cannot be in that edition's perimeter).
    ``observed_at``: leave out publications added to the corpus after that day, so an edition observed
    at a past date sees the corpus as it stood then.
    """
    report = report if report is not None else DatabaseReport()
    base = Publication.objects.all()
    report.publications = base.count()
    if year is not None:
        report.after_edition_year = base.filter(year__gt=year).count()
        base = base.filter(Q(year__lte=year) | Q(year__isnull=True))
    if observed_at:
        late = base.filter(created_at__gte=_end_of(observed_at))
        report.created_after_observation = late.count()
        base = base.exclude(pk__in=late.values("pk"))
    ids = list(base.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        detections = {
            row["publication_id"]: row
            for row in PublicationDetection.objects.filter(publication_id__in=chunk).values(
                "publication_id", "sources_used", "sources_mentioned"
            )
        }
        forms: dict[int, list[tuple[str, str]]] = {}
        for pid, sid, form in (
            Mention.objects.filter(publication_id__in=chunk)
            .order_by()
            .values_list("publication_id", "source_id", "form")
            .distinct()
        ):
            forms.setdefault(pid, []).append((sid, form))
        uses = {
            row["publication_id"]: row
            for row in PublicationUses.objects.filter(publication_id__in=chunk).values(
                "publication_id", "categories", "labels", "probabilities"
            )
        }
        for row in Publication.objects.filter(pk__in=chunk).order_by("pk").values(*TEXT_FIELDS):
            detection = detections.get(row["id"])
            if detection is None:
                report.not_scanned += 1
            elif detection.get("sources_used") and row["id"] not in uses:
                report.not_classified += 1
            record = builder.record(row, detection, sorted(forms.get(row["id"], [])), uses.get(row["id"]))
            if record is not None:
                report.records += 1
                yield record
        if progress:
            progress(min(start + CHUNK, len(ids)), len(ids))
    report.skipped = builder.skipped


def inputs_from_database(
    year: int | None = None,
    observed_at: str | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    definitions: Mapping[str, bytes] | None = None,
    report: DatabaseReport | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EditionInputs:
    """The inputs of an edition of ``year`` (publications up to that year) from the database.

    ``definitions`` replaces shipped typology / indicators / cases files (file name -> bytes). Raises a
    BeneficeError with what to do when the corpus holds no usable publication.
    """
    report = report if report is not None else DatabaseReport()
    registry_bytes, report.registry_version = _registry_bytes()
    files = _definitions(registry_bytes, definitions)
    registry = registry_from_dict(
        parse_yaml(files[REGISTRY_FILE].decode("utf-8"), REGISTRY_FILE), REGISTRY_FILE
    )
    typology = parse_typology(parse_yaml(files[TYPOLOGY_FILE].decode("utf-8"), TYPOLOGY_FILE), TYPOLOGY_FILE)
    builder = RecordBuilder(registry, _cases(files), typology.categories)
    records = list(publication_records(year, observed_at, builder=builder, report=report, progress=progress))
    if not records:
        raise BeneficeError(
            EMPTY_CORPUS if year is None else EMPTY_CORPUS_YEAR,
            params={
                "year": year,
                "publications": _number(report.publications),
                "left_out": _Joined(tuple(report.lines()[1:])),
            },
        )
    return inputs_from_records(records, definitions=files, params=params)
