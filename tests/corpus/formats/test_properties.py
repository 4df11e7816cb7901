"""Property tests: whatever bytes or near-valid text a parser gets, it yields Records or raises FormatError.

Structured strategies build text that *looks* like each format (real tags, random values and damage) so
hypothesis reaches the parsers' inner code, not just format detection.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefice.corpus.formats import FORMATS, read
from benefice.corpus.formats.openalex import rebuild_abstract
from benefice.corpus.formats.writers import write_ris
from benefice.corpus.record import Author, Record
from benefice.errors import FormatError

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_TMP = Path(tempfile.mkdtemp(prefix="benefice-prop-"))


def _consume(data: bytes, fmt: str = "auto", name: str = "f") -> list[Record]:
    path = _TMP / name
    path.write_bytes(data)
    try:
        return list(read(path, fmt))
    except FormatError:
        return []


text_value = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


def tagged(tags: list[str], sep: str, start: str, end: str | None):
    line = st.one_of(
        st.tuples(st.sampled_from(tags), text_value).map(lambda t: f"{t[0]}{sep}{t[1]}"),
        text_value.map(lambda v: "      " + v),
        text_value,
        st.just(start),
        *([st.just(end)] if end else []),
    )
    return st.lists(line, max_size=25).map(lambda ls: "\n".join(ls))


@SETTINGS
@given(st.binary(max_size=600))
def test_random_bytes_any_format(data):
    for fmt in ["auto", *FORMATS]:
        for record in _consume(data, fmt, f"bytes.{fmt}"):
            assert isinstance(record, Record)


@SETTINGS
@given(
    tagged(["TY", "TI", "AU", "PY", "DO", "AB", "KW", "SN", "ER", "T2", "DA"], "  - ", "TY  - JOUR", "ER  - ")
)
def test_ris_like_text(text):
    for record in _consume(text.encode("utf-8", "surrogatepass"), "ris", "p.ris"):
        assert record.source_format == "ris" and record.position >= 1


@SETTINGS
@given(tagged(["PT", "AU", "AF", "TI", "SO", "PY", "DI", "UT", "ER", "EF", "FN", "VR"], " ", "PT J", "ER"))
def test_wos_like_text(text):
    for record in _consume(text.encode(), "wos", "p.txt"):
        assert record.source_format == "wos"


@SETTINGS
@given(tagged(["PMID", "TI  ", "AB  ", "FAU ", "AU  ", "AD  ", "DP  ", "LID "], "- ", "PMID- 123", None))
def test_medline_like_text(text):
    for record in _consume(text.encode(), "medline", "p.nbib"):
        assert record.source_format == "medline"


bib_piece = st.sampled_from(
    [
        "@article{k,",
        "title={",
        "}",
        "author = ",
        "{",
        "and",
        ",",
        "year=2020",
        '"',
        "@string{a=",
        "\n",
        "@comment{",
        "\\'e",
        "$x$",
    ]
)


@SETTINGS
@given(st.lists(st.one_of(bib_piece, text_value), max_size=30).map("".join))
def test_bibtex_like_text(text):
    for record in _consume(text.encode(), "bibtex", "p.bib"):
        assert record.source_format == "bibtex"


xml_piece = st.sampled_from(
    ["<PubmedArticleSet>", "<PubmedArticle>", "<MedlineCitation>", "<PMID>1</PMID>", "<Article>", "<ArticleTitle>",
     "</ArticleTitle>", "</Article>", "</MedlineCitation>", "</PubmedArticle>", "</PubmedArticleSet>", "&amp;",
     "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "<AuthorList><Author><LastName>X</LastName></Author></AuthorList>",
     "<article><front><article-meta><title-group><article-title>T</article-title></title-group></article-meta></front></article>"]
)  # fmt: skip


@SETTINGS
@given(st.lists(st.one_of(xml_piece, text_value), max_size=20).map("".join))
def test_pubmed_xml_like_text(text):
    for record in _consume(("<?xml version='1.0'?>" + text).encode(), "pubmed_xml", "p.xml"):
        assert record.source_format == "pubmed_xml"


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text_value,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text_value, children, max_size=4),
    max_leaves=12,
)
work_keys = ["id", "title", "display_name", "publication_year", "publication_date", "doi", "authorships",
             "abstract_inverted_index", "primary_location", "ids", "biblio", "mesh", "grants", "referenced_works",
             "open_access", "cited_by_count", "type", "keywords", "language", "host_venue", "results"]  # fmt: skip
work = st.dictionaries(st.sampled_from(work_keys), json_value, max_size=10)


@SETTINGS
@given(st.lists(work, max_size=4), st.sampled_from(["jsonl", "array", "cut"]))
def test_openalex_like_json(works, layout):
    if layout == "jsonl":
        text = "\n".join(json.dumps(w) for w in works)
    else:
        text = json.dumps(works)
        if layout == "cut":
            text = text[: len(text) // 2]
    for record in _consume(text.encode(), "openalex", "p.json"):
        assert record.source_format == "openalex"


@SETTINGS
@given(st.lists(st.lists(text_value, max_size=5), max_size=6), st.sampled_from([",", ";", "\t"]))
def test_csv_like_text(rows, delimiter):
    buf = io.StringIO()
    import csv

    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(["title", "authors", "year", "doi", "abstract"])
    writer.writerows(rows)
    for fmt in ("csv", "scopus_csv"):
        for record in _consume(buf.getvalue().encode(), fmt, "p.csv"):
            assert record.source_format == fmt


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(text_value, st.lists(st.integers(min_value=-3, max_value=50), max_size=3), max_size=8))
def test_rebuild_abstract_orders_words(index):
    text = rebuild_abstract(index, 10_000)
    expected = {p: w for w, ps in index.items() for p in ps if p >= 0}
    assert text == " ".join(expected[p] for p in sorted(expected))


# ------------------------------------------------------------------------------------------ RIS round trip

clean = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60
).filter(lambda s: s.strip())
name = st.tuples(
    st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=12),
    st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=12),
).map(lambda t: Author(name=f"{t[0]}, {t[1]}", family=t[0], given=t[1]))
doi = st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9]{1,10}(\.[a-z0-9]{1,5})?", fullmatch=True)
record = st.builds(
    Record,
    source_format=st.just("test"),
    title=clean,
    abstract=clean,
    authors=st.lists(name, max_size=5),
    year=st.integers(min_value=1800, max_value=2100),
    doi=doi,
    journal=clean,
)


def _norm(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=150, deadline=None)
@given(st.lists(record, min_size=1, max_size=4))
def test_ris_writer_round_trip(records):
    out = io.StringIO()
    write_ris(records, out)
    back = _consume(out.getvalue().encode("utf-8"), "ris", "round.ris")
    assert len(back) == len(records)
    for a, b in zip(records, back, strict=True):
        assert b.title == _norm(a.title)
        assert b.abstract == _norm(a.abstract)
        assert b.journal == _norm(a.journal)
        assert b.year == a.year
        assert b.doi == a.doi
        assert [x.name for x in b.authors] == [x.name for x in a.authors]
