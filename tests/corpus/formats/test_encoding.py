"""Invalid UTF-8 is reported, not silently read as Latin-1 (issue 17, item 10).

A file that is UTF-8 with a few damaged bytes is refused with every damaged sequence located (line,
record, byte offset, hex bytes); a file with no UTF-8 in it at all (a Windows export) is still read as
cp1252/latin-1, and says so.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefice.corpus.formats import InvalidUTF8Error, detect, read
from benefice.corpus.formats._common import MAX_REPORTED, InputFile, detect_encoding, scan_utf8
from benefice.errors import FormatError

RECORD = "TY  - JOUR\nTI  - Étude {i} de l’hôpital\nAU  - Païta, Michel\nPY  - 2021\nDO  - 10.1000/É{i}\nER  - \n\n"
RIS = "".join(RECORD.format(i=i) for i in range(1, 6))


def _source(path: Path) -> InputFile:
    return InputFile(path=path, max_field_chars=1_000_000, max_file_bytes=2**31)


def test_damaged_utf8_ris_is_refused_with_the_exact_position(write):
    data = RIS.encode("utf-8")
    damaged = data.replace("Étude 3".encode(), b"\xc9tude 3")  # one record pasted from a cp1252 program
    offset = damaged.index(b"\xc9tude 3")
    line = damaged[:offset].count(b"\n") + 1
    path = write("damaged.ris", damaged)
    with pytest.raises(InvalidUTF8Error) as info:
        list(read(path))
    error = info.value
    assert isinstance(error, FormatError)
    (bad,) = error.scan.bad
    assert (bad.offset, bad.line, bad.data, bad.record) == (offset, line, b"\xc9", 3)
    assert bad.label == "DOI 10.1000/é3"
    text = str(error)
    assert text.startswith(f"{path}: not valid UTF-8: 1 invalid byte sequence(s)")
    assert f"line {line}, record 3 (DOI 10.1000/é3), byte offset {offset}: bytes C9 near" in text
    assert "\ufffdtude 3" in text  # the context shows where, with the bad byte replaced
    # the same when the format is given, and when only detecting (the import report's first step)
    with pytest.raises(InvalidUTF8Error, match=f"record 3 .*byte offset {offset}: bytes C9"):
        list(read(path, "ris"))
    with pytest.raises(InvalidUTF8Error, match=f"byte offset {offset}"):
        detect(path)


def test_every_invalid_sequence_is_counted_and_the_first_ones_listed(write):
    lines = [f"TY  - JOUR\nTI  - Café {i} à Paris\nER  - \n" for i in range(40)]
    data = "".join(lines).encode()
    # a multi-byte character cut in two (E2 80 without its last byte) and stray bytes, 25 times
    data = data.replace(b"Caf\xc3\xa9 1", b"Caf\xe2\x80 1", 1)
    for i in range(2, 26):
        data = data.replace(f"Café {i} ".encode(), f"Caf\xe9 {i} ".encode("latin-1"), 1)
    with pytest.raises(InvalidUTF8Error) as info:
        list(read(write("many.ris", data)))
    scan = info.value.scan
    assert scan.invalid == 25 and len(scan.bad) == MAX_REPORTED
    assert scan.bad[0].data == b"\xe2\x80" and scan.bad[0].record == 2
    assert str(info.value).endswith(f"and {25 - MAX_REPORTED} more")


def test_utf8_bom_declares_utf8_whatever_the_proportion(write):
    data = codecs.BOM_UTF8 + b"TY  - JOUR\nTI  - Caf\xe9\nER  - \n"
    with pytest.raises(InvalidUTF8Error) as info:
        list(read(write("bom.ris", data)))
    (bad,) = info.value.scan.bad
    assert bad.offset == len(codecs.BOM_UTF8) + len(b"TY  - JOUR\nTI  - Caf") and bad.line == 2


def test_openalex_zip_member_with_invalid_utf8_names_member_line_and_offset(write):
    import io
    import zipfile

    good = '{"id": "https://openalex.org/W1", "title": "Café"}\n'.encode()
    bad = b'{"id": "https://openalex.org/W2", "title": "Caf\xe9"}\n'
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("part_0.jsonl", good)
        zf.writestr("part_1.jsonl", good + bad)
    with pytest.raises(InvalidUTF8Error) as info:
        list(read(write("works.zip", archive.getvalue())))
    offset = len(good) + bad.index(b"\xe9")
    assert "works.zip: member 'part_1.jsonl': not valid UTF-8" in str(info.value)
    assert f"line 2, byte offset {offset}: bytes E9" in str(info.value)


def test_real_cp1252_export_is_still_read_and_says_so(write):
    text = RIS.replace("Étude 2", "“Étude” 2 — résumé")
    path = write("windows.ris", text, encoding="cp1252")
    assert detect(path).encoding == "cp1252"
    records = list(read(path))
    assert records[1].title == "“Étude” 2 — résumé de l’hôpital"
    assert all(r.extra["encoding"] == "cp1252" for r in records)


def test_legacy_text_with_old_mojibake_stays_legacy(write):
    """Text already holding mojibake ("Ã©") forms valid UTF-8 pairs once saved as cp1252, but they are a
    minority of its high bytes (as in the SYNERGY nudging dataset): still read as cp1252, not refused."""
    text = "TY  - JOUR\nTI  - Caf\u00c3\u00a9 à la française, élevé, déjà\nER  - \n"
    path = write("mojibake.ris", text, encoding="cp1252")
    assert detect(path).encoding == "cp1252"
    (record,) = read(path)
    assert record.title.startswith("CafÃ© à la française")


def test_xml_declaring_latin1_is_parsed_in_that_encoding(write):
    xml = (
        "<?xml version='1.0' encoding='ISO-8859-1'?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>"
        "<PMID>1</PMID><Article><ArticleTitle>Caf\u00c3\u00a9 \u00e9t\u00e9</ArticleTitle></Article>"
        "</MedlineCitation></PubmedArticle></PubmedArticleSet>\n"
    )
    (record,) = read(write("latin.xml", xml, encoding="latin-1"))
    assert record.title == "Caf\u00c3\u00a9 \u00e9t\u00e9"


def test_scan_counts_bytes_across_chunk_boundaries(write, monkeypatch):
    import benefice.corpus.formats._common as common

    monkeypatch.setattr(common, "CHUNK", 7)  # every multi-byte character may be cut by a chunk end
    text = "éàü€𝄞 " * 50
    scan = scan_utf8(_source(write("chunks.txt", text)))
    assert scan.invalid == 0 and scan.valid_multibyte == 250
    data = text.encode() + b"\xff" + text.encode()
    scan = scan_utf8(_source(write("chunks2.txt", data)))
    assert scan.invalid == 1 and scan.bad[0].offset == len(text.encode())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=1, max_size=600))
def test_property_random_bytes_raise_only_format_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("enc") / "x.txt"
    path.write_bytes(data)
    try:
        encoding = detect_encoding(_source(path))
    except FormatError:
        encoding = ""
    if encoding and not encoding.startswith(("utf-16", "utf-32")):
        data.decode(encoding)  # the encoding chosen decodes the whole file: no failure half-way
    try:
        list(read(path))
    except FormatError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=300))
def test_property_valid_utf8_is_always_decoded_exactly(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("enc") / "u.txt"
    path.write_bytes(text.encode("utf-8"))
    encoding = detect_encoding(_source(path))
    # a leading U+FEFF is the UTF-8 signature, which the utf-8-sig codec drops
    expected = text[1:] if text.startswith("\ufeff") else text
    assert encoding == ("utf-8-sig" if text.startswith("\ufeff") else "utf-8")
    assert path.read_bytes().decode(encoding) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_characters="\x7f"),
        min_size=20,
        max_size=200,
    ),
    cut=st.integers(0, 10_000),
)
def test_property_one_damaged_byte_in_utf8_text_is_found(tmp_path_factory, text, cut):
    data = text.encode("utf-8")
    if sum(1 for c in text if ord(c) > 127) < 2:
        return  # not recognisably UTF-8 text
    at = cut % (len(data) + 1)
    damaged = data[:at] + b"\xff" + data[at:]  # 0xFF never appears in UTF-8
    path = tmp_path_factory.mktemp("enc") / "d.txt"
    path.write_bytes(damaged)
    with pytest.raises(InvalidUTF8Error) as info:
        detect_encoding(_source(path))
    assert any(b.offset <= at < b.offset + len(b.data) for b in info.value.scan.bad)
