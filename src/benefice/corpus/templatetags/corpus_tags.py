"""Template helpers for the corpus pages: links that keep the current search, identifier links, labels.

Codes stored in the database (``doc_type``, ``language``, ``source_format``) are stable English tokens
written by the parsers; users read them through the translated labels defined here, so the database and
the exports stay language-neutral while the interface speaks French or English.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from urllib.parse import quote

from django import template
from django.http import QueryDict
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def external_url(value) -> str:
    """The one way templates render an external link: http(s), mailto or a DOI, else "" (issue 17)."""
    from benefice.weblinks import safe_href

    return safe_href(str(value or ""))


FORMAT_LABELS = {
    "ris": _("RIS"),
    "bibtex": _("BibTeX"),
    "pubmed_xml": _("PubMed XML"),
    "medline": _("MEDLINE / nbib"),
    "openalex": _("OpenAlex"),
    "wos": _("Web of Science"),
    "scopus_csv": _("Scopus CSV"),
    "csv": _("CSV / TSV"),
    "tsv": _("TSV"),
    "xlsx": _("Excel (XLSX)"),
    "hal": _("HAL"),
    "crossref": _("Crossref"),
    "pubmed": _("PubMed"),
    "benefice": _("benefice"),
}

DOC_TYPE_LABELS = {
    "article": _("Article"),
    "review": _("Review"),
    "book": _("Book"),
    "chapter": _("Book chapter"),
    "preprint": _("Preprint"),
    "thesis": _("Thesis"),
    "conference": _("Conference paper"),
    "letter": _("Letter"),
    "editorial": _("Editorial"),
    "report": _("Report"),
    "dataset": _("Dataset"),
    "other": _("Other"),
}

FIELD_LABELS = {
    "doi": _("DOI"),
    "pmid": _("PMID"),
    "pmcid": _("PMCID"),
    "openalex_id": _("OpenAlex ID"),
    "hal_id": _("HAL ID"),
    "title": _("Title"),
    "abstract": _("Abstract"),
    "year": _("Year"),
    "date": _("Date"),
    "journal": _("Journal or source"),
    "issn": _("ISSN"),
    "publisher": _("Publisher"),
    "volume": _("Volume"),
    "issue": _("Issue"),
    "pages": _("Pages"),
    "doc_type": _("Type"),
    "language": _("Language"),
    "authors": _("Authors"),
    "keywords": _("Keywords"),
    "mesh": _("MeSH terms"),
    "funders": _("Funders"),
    "oa_status": _("Open access"),
    "cited_by_count": _("Cited by"),
    "referenced_works": _("Referenced works"),
    "url": _("URL"),
}

OA_LABELS = {
    "gold": _("gold"),
    "green": _("green"),
    "hybrid": _("hybrid"),
    "bronze": _("bronze"),
    "diamond": _("diamond"),
    "closed": _("closed"),
}

# Three-letter codes some sources still write (MEDLINE "eng", "fre"); shown under their ISO 639-1 name.
_ISO639_2 = {
    "eng": "en",
    "fre": "fr",
    "fra": "fr",
    "ger": "de",
    "deu": "de",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "dut": "nl",
    "nld": "nl",
    "chi": "zh",
    "zho": "zh",
    "jpn": "ja",
    "rus": "ru",
}


def label(mapping: dict, code: str | None) -> str:
    """The translated label of a code, or the code itself when we have no label for it."""
    if not code:
        return str(_("unknown"))
    return str(mapping.get(code, code))


@register.filter
def format_label(code: str | None) -> str:
    return label(FORMAT_LABELS, code)


@register.filter
def doc_type_label(code: str | None) -> str:
    return label(DOC_TYPE_LABELS, code)


@register.filter
def field_label(name: str) -> str:
    return label(FIELD_LABELS, name)


@register.filter
def oa_label(code: str | None) -> str:
    return label(OA_LABELS, code)


@register.filter
def language_label(code: str | None) -> str:
    """Language name in the interface language, from Django's own list of languages."""
    if not code:
        return str(_("unknown"))
    iso = _ISO639_2.get(code.lower(), code.lower())
    try:
        return str(get_language_info(iso)["name_translated"])
    except KeyError:
        return code


_LANG_CODE = re.compile(r"^[a-z]{2,3}$")


@register.filter
def lang_attr(code: str | None) -> str:
    """The BCP 47 code of a record's language for an HTML ``lang`` attribute (RGAA 8.7: text in another
    language than the page's says so), "" when the language is unknown or not a plain language code."""
    iso = _ISO639_2.get((code or "").strip().lower(), (code or "").strip().lower())
    return iso if _LANG_CODE.match(iso) else ""


BATCH_KIND_LABELS = {
    "file": _("file"),
    "openalex": _("OpenAlex"),
    "pubmed": _("PubMed"),
    "hal": _("HAL"),
    "crossref": _("Crossref"),
    "demo": _("demo"),
}


@register.filter
def batch_kind_label(code: str | None) -> str:
    return label(BATCH_KIND_LABELS, code)


@register.filter
def origin_name(batch) -> str:
    """Where a batch came from, for a web page: a file batch shows the file's name, never the directory
    it sits in on the server (issue 19); a harvest shows its query as stored."""
    origin = str(getattr(batch, "origin", "") or "")
    if getattr(batch, "kind", "file") in ("file", "demo") or origin.startswith("/"):
        return PurePath(origin).name or origin
    return origin


@register.filter
def localized_error(error) -> str:
    """A batch's stored error or note in the reader's language (a message's data, or older plain text),
    naming files without their server directory."""
    import benefice.corpus.formats  # noqa: F401 - registers the invalid UTF-8 renderer
    from benefice.errors import localized_error as say

    return say(error, get_language(), name_only=True)


@register.filter
def merge_reason(event) -> str:
    """Why a merge was made, in the reader's language (``MergeEvent.reason_data``), or the stored text."""
    from benefice.corpus.dedup import reasons

    return reasons.localized(getattr(event, "reason_data", None), getattr(event, "reason", ""), get_language())


# --- identifier links ---------------------------------------------------------------------------------


@register.filter
def doi_url(doi: str) -> str:
    # DOIs may hold characters that are special in URLs (<, >, #, ?): quote all but the path separators.
    return f"https://doi.org/{quote(doi, safe='/:;()')}" if doi else ""


@register.filter
def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid)}/" if pmid else ""


@register.filter
def pmc_url(pmcid: str) -> str:
    return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{quote(pmcid)}/" if pmcid else ""


@register.filter
def openalex_url(openalex_id: str) -> str:
    return f"https://openalex.org/{quote(openalex_id)}" if openalex_id else ""


@register.filter
def hal_url(hal_id: str) -> str:
    return f"https://hal.science/{quote(hal_id)}" if hal_id else ""


@register.filter
def orcid_url(orcid: str) -> str:
    if not orcid:
        return ""
    bare = orcid.rsplit("/", 1)[-1]
    return f"https://orcid.org/{quote(bare)}"


@register.filter
def orcid_bare(orcid: str) -> str:
    return orcid.rsplit("/", 1)[-1] if orcid else ""


# --- links that keep the current search ------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, *pairs: object, **changes: object) -> str:
    """The current query string with some parameters changed ("" or None removes one).

    Changes are given as keywords (``page=2``) or, when the parameter name is itself a variable, as
    positional name/value pairs (``facet.param value``). Any change other than ``page`` sends the user
    back to page 1: a new filter or sort makes the old page number meaningless.
    """
    if len(pairs) % 2:
        raise template.TemplateSyntaxError("query_with takes name/value pairs")
    changes = {**{str(pairs[i]): pairs[i + 1] for i in range(0, len(pairs), 2)}, **changes}
    request = context.get("request")
    params: QueryDict = request.GET.copy() if request is not None else QueryDict(mutable=True)
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
