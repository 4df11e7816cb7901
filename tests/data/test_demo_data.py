"""Checks on the bundled demo corpus (src/benefice/data/demo).

The demo corpus is what a new user imports first, so it must be clean where it claims to be clean: every
RIS record identifiable (DOI or PMID), DOIs well formed and unique, and the PubMed file made only of works
already in the RIS file, so that importing both shows deduplication merging them rather than new records.
Abstracts are not shipped (licence), so any abstract field must stay short.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rispy

from benefice.paths import package_data

DEMO = package_data("demo")
RIS = DEMO / "corpus.ris"
NBIB = DEMO / "corpus_pubmed.nbib"

# Crossref's recommended pattern for modern DOIs, plus no whitespace anywhere.
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^\d{1,9}$")
ABSTRACT_MAX = 300


def _ris_records() -> list[dict]:
    with RIS.open(encoding="utf-8") as handle:
        return rispy.load(handle)


def _pmid(rec: dict) -> str:
    """The demo RIS carries the PMID in AN (accession number), as PubMed-derived RIS exports do."""
    value = rec.get("accession_number") or ""
    return value.strip() if PMID_RE.match(value.strip()) else ""


def _read_nbib(path: Path) -> list[dict[str, list[str]]]:
    """Minimal MEDLINE/nbib reader: tag lines 'XXXX- value', continuation lines indented, blank line ends."""
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] = {}
    last_tag = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                records.append(current)
            current, last_tag = {}, ""
            continue
        if line.startswith("      ") and last_tag:
            current[last_tag][-1] += " " + line.strip()
            continue
        match = re.match(r"^([A-Z0-9]{2,4})\s*- ?(.*)$", line)
        assert match, f"{path.name}: unreadable line {line!r}"
        last_tag = match.group(1)
        current.setdefault(last_tag, []).append(match.group(2).strip())
    if current:
        records.append(current)
    return records


def _nbib_doi(rec: dict[str, list[str]]) -> str:
    for tag in ("LID", "AID"):
        for value in rec.get(tag, []):
            if value.endswith("[doi]"):
                return value[: -len("[doi]")].strip().lower()
    return ""


def _readme_count(row: str) -> int:
    """The record count the README's file table gives for ``row`` (a file name)."""
    table = (DEMO / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^\| `{re.escape(row)}` \|[^|]*\| (\d+)", table, re.M)
    assert match, f"README.md: no row for {row} in the file table"
    return int(match.group(1))


def test_ris_size_and_required_fields() -> None:
    records = _ris_records()
    assert len(records) == _readme_count("corpus.ris") >= 150
    for i, rec in enumerate(records, 1):
        assert rec.get("type_of_reference"), f"record {i}: no TY"
        assert rec.get("title") or rec.get("primary_title"), f"record {i}: no TI"
        assert "year" not in rec or re.fullmatch(r"\d{4}", str(rec["year"])), f"record {i}: bad PY"
        assert rec.get("doi") or _pmid(rec), f"record {i}: neither DOI nor PMID"
        assert rec.get("keywords"), f"record {i}: no KW (our indexing is what detection reads without abstracts)"


def test_ris_authors_and_years_where_the_sources_gave_them() -> None:
    """Authors and year are written only where a source gave them; most sources did, and the README says how
    many records go without."""
    records = _ris_records()
    no_authors = sum(not rec.get("authors") for rec in records)
    no_year = sum(not rec.get("year") for rec in records)
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    assert f"{no_authors} records have no author" in readme
    assert f"{no_year} have no year" in readme
    assert no_authors <= len(records) // 4 and no_year <= len(records) // 8


def test_readme_table_lists_every_record() -> None:
    """The README's provenance table has one row per RIS record, with the record's DOI or PMID: a record added
    without saying where its facts come from fails here."""
    rows = [
        line.split("|")
        for line in (DEMO / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and line.count("|") == 5 and not line.startswith("| work")
    ]
    listed = {(cells[2].strip().lower(), cells[3].strip()) for cells in rows}
    assert len(rows) == len(listed)
    records = _ris_records()
    expected = {((rec.get("doi") or "—").strip().lower(), _pmid(rec) or "—") for rec in records}
    assert listed == expected


def test_ris_dois_valid_and_unique() -> None:
    dois = [rec["doi"].strip().lower() for rec in _ris_records() if rec.get("doi")]
    for doi in dois:
        assert DOI_RE.match(doi), f"invalid DOI {doi!r}"
    duplicates = {d for d in dois if dois.count(d) > 1}
    assert not duplicates, f"duplicate DOIs {sorted(duplicates)}"


def test_ris_pmids_unique() -> None:
    pmids = [_pmid(rec) for rec in _ris_records() if _pmid(rec)]
    assert len(pmids) == len(set(pmids))


def test_ris_authors_family_given() -> None:
    """Persons are written 'Family, Given'; a name without a comma is a collective author."""
    for rec in _ris_records():
        for name in rec.get("authors", []):
            assert name == name.strip() and name, rec["title"]
            if "," in name:
                family, given = name.split(",", 1)
                assert family.strip() and given.strip(), name


def test_ris_has_variety() -> None:
    """The demo needs French-data works, foreign/negative works, preprints and non-English titles."""
    records = _ris_records()
    types = {rec["type_of_reference"] for rec in records}
    languages = {rec.get("language") for rec in records}
    assert {"JOUR", "UNPB"} <= types
    assert {"en", "fr"} <= languages
    assert any(not rec.get("doi") for rec in records), "a PMID-only record exercises PMID matching"


def test_no_long_abstracts() -> None:
    for rec in _ris_records():
        assert len(rec.get("abstract", "") or "") <= ABSTRACT_MAX, rec["title"]
    for rec in _read_nbib(NBIB):
        assert len(" ".join(rec.get("AB", []))) <= ABSTRACT_MAX, rec["PMID"]


def test_nbib_records_are_duplicates_of_ris_records() -> None:
    ris = _ris_records()
    by_doi = {rec["doi"].lower(): rec for rec in ris if rec.get("doi")}
    by_pmid = {_pmid(rec): rec for rec in ris if _pmid(rec)}
    nbib = _read_nbib(NBIB)
    assert 8 <= len(nbib) <= 15
    for rec in nbib:
        pmid = rec["PMID"][0]
        doi = _nbib_doi(rec)
        assert PMID_RE.match(pmid)
        assert not doi or DOI_RE.match(doi)
        match = by_doi.get(doi) or by_pmid.get(pmid)
        assert match is not None, f"nbib PMID {pmid} matches no RIS record"
        # Same work: same year and the same title once case and punctuation are ignored.
        assert rec["DP"][0][:4] == str(match["year"])
        norm = lambda t: re.sub(r"\W+", " ", t).strip().lower()  # noqa: E731
        assert norm(rec["TI"][0]) == norm(match.get("title") or match["primary_title"])
        for tag in ("TI", "AU", "DP", "TA", "JT", "LA", "PT"):
            assert rec.get(tag), f"nbib PMID {pmid}: no {tag}"


@pytest.mark.parametrize("path", [RIS, NBIB])
def test_files_are_utf8_without_bom(path: Path) -> None:
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    data.decode("utf-8")
