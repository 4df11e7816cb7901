"""Bad input gives one clear FormatError naming the file (and line/record when known), never a traceback."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile

import openpyxl
import pytest

import benefice.corpus.formats as formats
from benefice.corpus.formats import count_hint, detect_format, read
from benefice.corpus.formats.writers import write_csv, write_jsonl, write_ris
from benefice.errors import FormatError

RIS = "TY  - JOUR\nTI  - Café au lait and the SNDS\nAU  - Dupont, Marie\nPY  - 2021\nDO  - 10.1000/XYZ\nER  - \n"


def test_empty_file(write):
    with pytest.raises(FormatError, match="empty file") as info:
        detect_format(write("empty.ris", b""))
    assert "empty.ris" in str(info.value)
    with pytest.raises(FormatError, match="empty file"):
        list(read(write("blank.ris", "\n\n  \n")))


def test_unsupported_and_binary(write):
    with pytest.raises(FormatError, match="unsupported format") as info:
        detect_format(write("notes.txt", "Dear colleague,\nplease find attached.\n"))
    assert "notes.txt" in str(info.value)
    with pytest.raises(FormatError, match="binary"):
        list(read(write("img.ris", bytes(range(256)) * 20)))
    with pytest.raises(FormatError, match="unsupported format"):
        detect_format(write("doc.pdf", b"%PDF-1.7\n" + bytes(200)))
    with pytest.raises(FormatError, match="unsupported format"):
        list(read(write("x.ris", RIS), fmt="endnote_xml"))


def test_truncated_ris_names_record_and_line(write):
    path = write("cut.ris", RIS + "\nTY  - JOUR\nTI  - Second\nAU  - Martin")
    records = read(path)
    assert next(records).title == "Café au lait and the SNDS"
    with pytest.raises(FormatError, match="truncated") as info:
        next(records)
    assert info.value.record == 2 and info.value.line == 8 and "cut.ris" in str(info.value)


def test_ris_missing_er_before_next_record(write):
    with pytest.raises(FormatError, match="no 'ER  -'") as info:
        list(read(write("a.ris", "TY  - JOUR\nTI  - One\nTY  - JOUR\nTI  - Two\nER  - \n")))
    assert info.value.line == 3 and info.value.record == 1


def test_latin1_and_cp1252_fallback(write):
    path = write("latin.ris", RIS.replace("Café", "Caf\u00e9 \u00ab\u00a0ok\u00a0\u00bb"), encoding="latin-1")
    (record,) = read(path)
    assert record.title.startswith("Café «\u00a0ok\u00a0»")
    assert record.extra["encoding"] == "cp1252"  # latin-1 text without C1 bytes is valid cp1252
    path = write("win.ris", RIS.replace("Café", "\u201cCafé\u201d"), encoding="cp1252")
    (record,) = read(path)
    assert record.title.startswith("\u201cCafé\u201d") and record.extra["encoding"] == "cp1252"
    path = write("c1.ris", RIS.encode("utf-8").replace(b"Caf\xc3\xa9", b"Caf\x81\xe9"))
    (record,) = read(path)
    assert record.title.startswith("Caf\x81é") and record.extra["encoding"] == "latin-1"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-16-le"])
def test_utf16_and_bom(write, encoding):
    (record,) = read(write("u.ris", RIS, encoding=encoding))
    assert record.title == "Café au lait and the SNDS" and record.doi == "10.1000/xyz"


def test_file_over_limit_is_refused_without_reading(write, monkeypatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 50)
    with pytest.raises(FormatError, match="limit") as info:
        read(write("big.ris", RIS * 3))
    assert "big.ris" in str(info.value)


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("huge.ris", lambda big: f"TY  - JOUR\nTI  - ok\nER  - \nTY  - JOUR\nTI  - {big}\nER  - \n"),
        ("huge.medline", lambda big: f"PMID- 1\nTI  - {big}\n"),
        ("huge.csv", lambda big: f"title,doi\nok,10.1/a\n{big},10.1/b\n"),
        ("huge.jsonl", lambda big: json.dumps({"id": "https://openalex.org/W1", "title": big}) + "\n"),
        ("huge.bib", lambda big: "@article{k, title={" + big + "}}\n"),
    ],
)
def test_field_over_limit_names_record(write, monkeypatch, name, build):
    monkeypatch.setattr(formats, "MAX_FIELD_CHARS", 1000)
    with pytest.raises(FormatError, match="longer than 1000") as info:
        list(read(write(name, build("x" * 5000))))
    assert info.value.line is not None and name in str(info.value)


def test_real_one_megabyte_title(write):
    big = "t" * 1_000_001
    with pytest.raises(FormatError, match="longer than") as info:
        list(read(write("mb.ris", f"TY  - JOUR\nTI  - {big}\nER  - \n")))
    assert info.value.record == 1 and info.value.field == "TI"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>&lol4;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>&xxe;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, XXE])
def test_xml_entities_refused(write, xml):
    with pytest.raises(FormatError, match="entit"):
        list(read(write("bomb.xml", xml)))


def test_malformed_xml_names_line(write):
    text = (
        "<?xml version='1.0'?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PMID>\n</Oops>"
    )
    with pytest.raises(FormatError, match="malformed XML") as info:
        list(read(write("bad.xml", text)))
    assert info.value.line == 4


def test_malformed_json_and_truncated_array(write):
    with pytest.raises(FormatError, match="invalid JSON") as info:
        list(
            read(
                write(
                    "w.jsonl",
                    '{"id": "https://openalex.org/W1", "title": "a"}\n{"id": "https://openalex.org/W2", ]\n',
                )
            )
        )
    assert info.value.record == 2 and info.value.line == 2
    with pytest.raises(FormatError, match="not closed|invalid JSON"):
        list(read(write("w.json", '[{"id": "https://openalex.org/W1", "title": "a"},')))


def test_openalex_zip_bomb_declared_size(write, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("works.json", json.dumps([{"id": "https://openalex.org/W1", "title": "x" * 10_000}]))
    path = write("w.zip", buf.getvalue())
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 5_000)
    with pytest.raises(FormatError, match="zip bomb"):
        list(read(path))


def test_openalex_shapes(write):
    work = {
        "id": "https://openalex.org/W42",
        "display_name": "Title",
        "publication_year": 2020,
        "abstract_inverted_index": {"Hello": [0, 2], "world": [1]},
    }
    page = {"meta": {"count": 1}, "results": [work]}
    for name, text in (
        ("page.json", json.dumps(page)),
        ("one.json", json.dumps(work)),
        ("arr.json", json.dumps([work, work], indent=2)),
        ("lines.jsonl", json.dumps(work) + "\n" + json.dumps(work) + "\n"),
    ):
        records = list(read(write(name, text)))
        assert records[0].abstract == "Hello world Hello" and records[0].openalex_id == "W42"
        assert records[-1].title == "Title"
    arr = list(read(write("arr2.json", json.dumps([work, work], indent=2))))
    assert arr[1].line > arr[0].line and json.loads(arr[1].raw) == work


def test_csv_ragged_row_and_no_title_column(write):
    with pytest.raises(FormatError, match="cells") as info:
        list(read(write("r.csv", "title,doi\nA,10.1/a\nB,10.1/b,extra,more\n")))
    assert info.value.line == 3 and info.value.record == 2
    with pytest.raises(FormatError, match="unsupported format"):
        detect_format(write("n.csv", "foo,bar\n1,2\n"))


def test_scopus_csv(write):
    header = (
        "Authors,Author full names,Author(s) ID,Title,Year,Source title,Volume,Issue,Art. No.,Page start,"
        "Page end,Cited by,DOI,Link,Abstract,Author Keywords,PubMed ID,Document Type,EID\n"
    )
    row = (
        '"Tuppin P.; Rudant J.","Tuppin, Philippe (6603075547); Rudant, Jérémie (55916496900)","1;2",'
        '"Value of a national administrative database",2017,"Rev Epidemiol Sante Publique",65,,,S149,S167,'
        '120,10.1016/j.respe.2017.05.004,https://www.scopus.com/x,[No abstract available],"SNDS; claims",'
        "28756037,Review,2-s2.0-85026"
    )
    path = write("scopus.csv", header + row + "\n")
    assert detect_format(path) == "scopus_csv"
    (r,) = read(path)
    assert [a.name for a in r.authors] == ["Tuppin, Philippe", "Rudant, Jérémie"]
    assert r.abstract == "" and r.pages == "S149-S167" and r.cited_by_count == 120
    assert r.pmid == "28756037" and r.doc_type == "review" and r.keywords == ["SNDS", "claims"]
    assert r.extra["scopus_eid"] == "2-s2.0-85026" and r.source_format == "scopus_csv"


def test_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Title", "Authors", "Publication Year", "DOI", "Journal"])
    ws.append(
        [
            "SNDS and dementia",
            "Carcaillon-Bentata, Laure; Elbaz, Alexis",
            2021,
            "https://doi.org/10.1371/X",
            "PLoS Med",
        ]
    )
    ws.append([None, None, None, None, None])
    ws.append(["Second", "Doe J", 2019.0, None, None])
    path = tmp_path / "refs.xlsx"
    wb.save(path)
    assert detect_format(path) == "xlsx"
    records = list(read(path))
    assert [r.title for r in records] == ["SNDS and dementia", "Second"]
    assert records[0].doi == "10.1371/x" and records[0].year == 2021 and records[0].line == 2
    assert [a.family for a in records[0].authors] == ["Carcaillon-Bentata", "Elbaz"]
    assert records[1].year == 2019 and records[1].line == 4
    assert json.loads(records[0].raw)["Title"] == "SNDS and dementia"
    assert count_hint(path) == 3


def _peak_reading(path, n):
    record = RIS[: RIS.index("ER  -")] + "AB  - " + "lorem ipsum " * 40 + "\nER  - \n\n"
    with path.open("w") as fh:
        for _ in range(n):
            fh.write(record)
    tracemalloc.start()
    count = sum(1 for _ in read(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == n
    return peak, path.stat().st_size


def test_streaming_memory_is_flat(tmp_path):
    """Peak memory reading 32,000 RIS records is no higher than reading 8,000: it is bounded by the block size."""
    small, _ = _peak_reading(tmp_path / "small.ris", 8_000)
    large, size = _peak_reading(tmp_path / "large.ris", 32_000)
    assert large < 1.5 * small + 1_000_000, (small, large)
    assert large < size / 2


def test_streaming_jsonl_memory_is_flat(tmp_path):
    work = json.dumps({"id": "https://openalex.org/W1", "title": "t " * 200, "publication_year": 2020})
    peaks = []
    for n in (10_000, 40_000):
        path = tmp_path / f"{n}.jsonl"
        path.write_text((work + "\n") * n)
        tracemalloc.start()
        assert sum(1 for _ in read(path)) == n
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0] + 1_000_000, peaks


def test_writers_roundtrip_csv_and_jsonl(write):
    (record,) = read(write("a.ris", RIS))
    out = io.StringIO()
    assert write_csv([record, record.to_dict()], out) == 2
    path = write("back.csv", out.getvalue())
    back = list(read(path))
    assert [r.title for r in back] == [record.title] * 2 and back[0].doi == record.doi
    assert [a.name for a in back[0].authors] == ["Dupont, Marie"]
    out = io.StringIO()
    write_jsonl([record], out)
    data = json.loads(out.getvalue())
    assert data["title"] == record.title and "raw" not in data
    out = io.StringIO()
    write_ris([{"title": "From a dict", "authors": ["Doe, Jane"], "year": 2001, "unknown": 1}], out)
    (again,) = read(write("d.ris", out.getvalue()))
    assert again.title == "From a dict" and again.authors[0].name == "Doe, Jane" and again.year == 2001
