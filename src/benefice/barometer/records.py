"""One publication of the corpus as an edition input record (pure: no Django).

The database keeps what detection found (sources used and mentioned, each mention with the form in which it
names the source) and the publication's text. An edition needs, per publication, the sources it uses, the
forms in which it names them, whether it cites the access authorisation, the source's documentation and its
custodian, and its kinds of use. This module turns the former into the latter with the same rules as
``benefice.sources.citation`` (the source pages), so the barometer and the source pages never disagree on
what "cites the authorisation" means.

Two kinds of categories are kept apart. ``categories`` are the publication's effective kinds of use in the
corpus (``uses.PublicationUses``: the classifier's labels, or a person's correction, which wins), each with
how it was set (``use_methods``: person, rule or model) and its calibrated probability
(``use_probabilities``; a person's label counts as certain). ``case_categories`` are the categories of the
documented impact cases that cite the publication (matched by DOI or PMID).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from benefice.cases.catalogue import CaseBook
from benefice.i18n import gettext_noop, render_plural
from benefice.sources.citation import AUTHORISATION_RE, DOCUMENTATION, doc_hosts, source_custodians
from benefice.sources.detect import FIELDS
from benefice.sources.detect import URL_RE as _URL
from benefice.sources.registry import FORMS, Registry, fold_chars


def _doi(value: str | None) -> str:
    text = (value or "").strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def case_categories(cases: CaseBook) -> dict[str, set[str]]:
    """``doi:…`` / ``pmid:…`` -> categories of use of every case citing that publication."""
    index: dict[str, set[str]] = {}
    for case in cases.cases.values():
        for pub in case.publications:
            for key in (f"doi:{_doi(pub.doi)}" if pub.doi else "", f"pmid:{pub.pmid}" if pub.pmid else ""):
                if key:
                    index.setdefault(key, set()).update(case.categories)
    return index


class CountedMessage(str):
    """A sentence whose words follow a count, said later in the reader's language (the catalogue's plural
    forms: in French 0 and 1 take the singular), its numbers written as that language writes them.

    Also a ``str`` holding the English sentence, as ``cases.catalogue.Prose`` holds its English: code that
    stores a report line as text (a build job's step, written as JSON) keeps working, while whoever shows
    it calls :meth:`localized` with the reader's language (the build command's ``step`` does)."""

    singular: str
    plural: str
    count: int
    params: dict[str, Any]

    def __new__(cls, singular: str, plural: str, count: int, params: Mapping[str, Any] | None = None):
        obj = super().__new__(cls, _plural_text(singular, plural, count, dict(params or {}), "en"))
        obj.singular, obj.plural, obj.count, obj.params = singular, plural, count, dict(params or {})
        return obj

    def localized(self, lang: str | None) -> str:
        return _plural_text(self.singular, self.plural, self.count, self.params, lang)


def _plural_text(singular: str, plural: str, count: int, params: Mapping[str, Any], lang: str | None) -> str:
    values = {key: v.localized(lang) if hasattr(v, "localized") else v for key, v in params.items()}
    values["n"] = _number(count).localized(lang)
    return render_plural(singular, plural, count, values, lang)


@dataclass(frozen=True)
class _Number:
    """A whole number written for the reader: thousands grouped by a narrow no-break space in French."""

    value: int

    def localized(self, lang: str | None) -> str:
        if (lang or "fr").lower().startswith("fr"):
            return f"{self.value:,}".replace(",", "\u202f")
        return str(self.value)

    def __str__(self) -> str:
        return self.localized("en")


def _number(value: int) -> _Number:
    return _Number(int(value))


def _counted(pair: tuple[str, str], count: int, **params: Any) -> CountedMessage:
    return CountedMessage(pair[0], pair[1], int(count), params)


#: the conversion's own report lines (:meth:`Skipped.lines`), singular and plural msgids
WITHOUT_YEAR = (
    gettext_noop("%(n)s publication without a year left out (an edition counts by year)"),
    gettext_noop("%(n)s publications without a year left out (an edition counts by year)"),
)
UNKNOWN_SOURCE = (
    gettext_noop(
        "source %(source)s (in %(n)s detection) is not in the registry any more: ignored; run `benefice scan` "
        "to detect again with the current registry"
    ),
    gettext_noop(
        "source %(source)s (in %(n)s detections) is not in the registry any more: ignored; run `benefice scan` "
        "to detect again with the current registry"
    ),
)
UNKNOWN_FORMS = (
    gettext_noop("%(n)s mention without a known naming form ignored"),
    gettext_noop("%(n)s mentions without a known naming form ignored"),
)
UNKNOWN_CATEGORY = (
    gettext_noop(
        "category of use %(category)s (on %(n)s publication) is not in the typology any more: ignored; "
        "classify the corpus again with the current typology"
    ),
    gettext_noop(
        "category of use %(category)s (on %(n)s publications) is not in the typology any more: ignored; "
        "classify the corpus again with the current typology"
    ),
)


@dataclass
class Skipped:
    """What the conversion left out, counted so that nothing is dropped silently."""

    without_year: int = 0
    unknown_sources: dict[str, int] = field(default_factory=dict)  # source id no longer in the registry
    unknown_forms: int = 0
    unknown_categories: dict[str, int] = field(default_factory=dict)  # kind of use no longer in the typology

    def lines(self) -> list[str]:
        """What was left out, as messages said later in the reader's language (``CountedMessage``)."""
        out: list[str] = []
        if self.without_year:
            out.append(_counted(WITHOUT_YEAR, self.without_year))
        for sid, n in sorted(self.unknown_sources.items()):
            out.append(_counted(UNKNOWN_SOURCE, n, source=repr(sid)))
        if self.unknown_forms:
            out.append(_counted(UNKNOWN_FORMS, self.unknown_forms))
        for cid, n in sorted(self.unknown_categories.items()):
            out.append(_counted(UNKNOWN_CATEGORY, n, category=repr(cid)))
        return out


class RecordBuilder:
    """Builds edition records; the registry-derived patterns are compiled once, not per publication."""

    def __init__(
        self, registry: Registry, cases: CaseBook | None = None, typology_ids: Iterable[str] | None = None
    ) -> None:
        self.registry = registry
        self.typology_ids = set(typology_ids) if typology_ids is not None else None
        self.custodians = source_custodians(registry)
        self.hosts = doc_hosts(registry)
        self.categories = case_categories(cases) if cases else {}
        self.skipped = Skipped()

    def flags(self, text_fields: Mapping[str, Any], used: Iterable[str]) -> dict[str, bool]:
        """Whether the text cites an authorisation, and, for a source it uses, its documentation or custodian
        (the rules of ``benefice.sources.citation.citation_stats``, restricted to used sources)."""
        text = " ".join(str(text_fields.get(f) or "") for f in FIELDS)
        hosts_folded = " " + " ".join(fold_chars(" ".join(_URL.findall(text))).split()) + " "
        folded = " " + " ".join(fold_chars(_URL.sub(" ", text)).split()) + " "
        used = list(used)
        documentation_words = bool(DOCUMENTATION.search(folded))
        documentation = custodian = False
        for sid in used:
            host = self.hosts.get(sid)
            if (host and f" {host} " in hosts_folded) or (documentation_words and sid == "SNDS"):
                documentation = True
            if any(p.search(folded) for p in self.custodians.get(sid, [])):
                custodian = True
        return {
            "cites_authorisation": bool(used) and any(p.search(folded) for p in AUTHORISATION_RE.values()),
            "cites_documentation": documentation,
            "cites_custodian": custodian,
        }

    def _known(self, ids: Iterable[str]) -> list[str]:
        out = []
        for sid in ids:
            if sid in self.registry:
                out.append(sid)
            else:
                self.skipped.unknown_sources[sid] = self.skipped.unknown_sources.get(sid, 0) + 1
        return sorted(set(out))

    def uses(self, uses: Mapping[str, Any] | None) -> tuple[list[str], list[str], list[float]]:
        """Effective kinds of use -> (categories, methods, probabilities), sorted by category.

        ``uses`` holds ``PublicationUses``' ``categories``, ``labels`` and ``probabilities``. A label's method
        is the one it records (a person's correction: ``person``, probability 1); a rule's or the model's
        probability is the calibrated one in ``probabilities``, else the label's score.
        """
        if not uses:
            return [], [], []
        labels = {}
        for label in uses.get("labels") or []:
            if isinstance(label, Mapping) and label.get("category"):
                labels.setdefault(label["category"], label)
        probabilities = uses.get("probabilities") or {}
        out: dict[str, tuple[str, float]] = {}
        for cid in uses.get("categories") or []:
            if cid in out:
                continue
            if self.typology_ids is not None and cid not in self.typology_ids:
                self.skipped.unknown_categories[cid] = self.skipped.unknown_categories.get(cid, 0) + 1
                continue
            label = labels.get(cid) or {}
            method = label.get("method") if label.get("method") in ("rule", "model") else "person"
            if method == "person":
                p = 1.0
            else:
                value = probabilities.get(cid, label.get("score"))
                p = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 1.0
                p = min(1.0, max(0.0, round(p, 4)))
            out[cid] = (method, p)
        ordered = sorted(out)
        return ordered, [out[c][0] for c in ordered], [out[c][1] for c in ordered]

    def record(
        self,
        publication: Mapping[str, Any],
        detection: Mapping[str, Any] | None,
        forms: Iterable[tuple[str, str]] = (),
        uses: Mapping[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """The edition record of one publication, or None (counted in :attr:`skipped`) when it has no year.

        ``publication`` holds ``id``, ``year``, ``doi``, ``pmid``, ``title``, ``journal`` and the text
        fields; ``detection`` its ``sources_used`` / ``sources_mentioned`` (None: not scanned, no source);
        ``forms`` the (source, form) of each of its mentions; ``uses`` its effective kinds of use (see
        :meth:`uses`; None: not classified, no kind of use).
        """
        year = publication.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            self.skipped.without_year += 1
            return None
        used = self._known((detection or {}).get("sources_used") or [])
        mentioned = [
            s for s in self._known((detection or {}).get("sources_mentioned") or []) if s not in used
        ]
        pairs: dict[str, set[str]] = {}
        for sid, form in forms:
            if sid not in self.registry:
                continue  # already counted through the detection
            if form not in FORMS:
                self.skipped.unknown_forms += 1
                continue
            pairs.setdefault(sid, set()).add(form)
        doi = _doi(publication.get("doi"))
        pmid = str(publication.get("pmid") or "").strip()
        case_categories: set[str] = set()
        for key in (f"doi:{doi}" if doi else "", f"pmid:{pmid}" if pmid else ""):
            case_categories |= self.categories.get(key, set())
        categories, methods, probabilities = self.uses(uses)
        return {
            "id": str(publication["id"]),
            "year": year,
            "doi": doi or None,
            "pmid": pmid or None,
            "title": (publication.get("title") or "").strip() or None,
            "journal": (publication.get("journal") or "").strip() or None,
            "sources_used": used,
            "sources_mentioned": mentioned,
            "forms": {sid: sorted(f) for sid, f in sorted(pairs.items())},
            "categories": categories,
            "use_methods": methods,
            "use_probabilities": probabilities,
            "case_categories": sorted(case_categories),
            **self.flags(publication, used),
        }
