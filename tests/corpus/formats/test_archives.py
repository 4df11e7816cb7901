"""Every compressed input is bounded by what it produces (issue 17, item 5): workbooks, OpenAlex zips,
gzip streams and gzip-encoded API answers, refused naming the file and the member."""

from __future__ import annotations

import gzip
import io
import json
import struct
import zipfile

import httpx
import openpyxl
import pytest

import benefice.corpus.formats as formats
from benefice import safezip
from benefice.corpus.connectors.base import HttpConnector, RetryPolicy
from benefice.corpus.formats import count_hint, read, tabular
from benefice.errors import ConnectorError, FormatError

WORK = {"id": "https://openalex.org/W1", "title": "Cohort", "publication_year": 2020}


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "DOI"])
    sheet.append(["A cohort study", "10.1000/abc"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_member(archive: bytes, name: str, data: bytes) -> bytes:
    """The archive with one more member (or a member replaced), deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info.filename, src.read(info))
        dst.writestr(name, data)
    return out.getvalue()


def _lie_about_size(archive: bytes, name: str, declared: int) -> bytes:
    """Rewrite the local and central headers of ``name`` to declare ``declared`` uncompressed bytes."""
    data = bytearray(archive)
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        info = zf.getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + length] == name.encode():
            struct.pack_into("<I", data, position + 24, declared)
        position += 4
    return bytes(data)


def test_xlsx_still_imports(write):
    (record,) = read(write("ok.xlsx", _workbook()))
    assert record.title == "A cohort study" and record.doi == "10.1000/abc"


def test_xlsx_bomb_refused_before_openpyxl_naming_the_member(write, monkeypatch):
    """A 30 MB sheet that deflates to about 30 kB: refused by its size, naming the member."""
    monkeypatch.setattr(tabular, "XLSX_MAX_MEMBER_BYTES", 10 * 1024**2)
    bomb = _with_member(_workbook(), "xl/worksheets/sheet2.xml", b"<row/>" * 5_000_000)
    path = write("bomb.xlsx", bomb)
    assert len(bomb) < 200_000
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    with pytest.raises(FormatError, match=r"'xl/worksheets/sheet2\.xml'.*10 MB limit") as info:
        list(read(path))
    assert "bomb.xlsx" in str(info.value) and not opened
    assert count_hint(path) is None  # the progress hint does not open it either


def test_xlsx_total_budget_counts_all_members(write, monkeypatch):
    monkeypatch.setattr(tabular, "XLSX_MAX_TOTAL_BYTES", 12 * 1024**2)
    book = _workbook()
    for i in range(3):  # 3 members of 5 MB, each under the member limit, 15 MB in all
        book = _with_member(book, f"xl/media/blob{i}.bin", b"\0" * (5 * 1024**2))
    with pytest.raises(FormatError, match="12 MB limit") as info:
        list(read(write("many.xlsx", book)))
    assert "many.xlsx" in str(info.value)


def test_xlsx_member_lying_about_its_size_is_refused(write):
    """Declared sizes are not trusted: a member inflating past what its headers say is caught."""
    book = _with_member(_workbook(), "xl/media/blob.bin", b"x" * 2_000_000)
    liar = _lie_about_size(book, "xl/media/blob.bin", 1000)
    with pytest.raises(FormatError, match=r"xl/media/blob\.bin") as info:
        list(read(write("liar.xlsx", liar)))
    assert "liar.xlsx" in str(info.value)


def test_openalex_zip_bomb_names_the_member(write, monkeypatch):
    monkeypatch.setattr(formats, "MAX_FILE_BYTES", 1024**2)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("part_000.jsonl", json.dumps(WORK) + "\n")
        zf.writestr("part_001.jsonl", (json.dumps(WORK) + "\n") * 30_000)  # about 2 MB
    path = write("snapshot.zip", archive.getvalue())
    with pytest.raises(FormatError, match=r"'part_001\.jsonl'.*1 MB limit") as info:
        list(read(path))
    assert "snapshot.zip" in str(info.value)
    assert count_hint(path) is None


def test_openalex_zip_members_read_through_the_counter(write, monkeypatch):
    """Even when the headers pass, the bytes actually read are counted against the archive's budget."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            zf.writestr(f"part_{i}.jsonl", json.dumps({**WORK, "id": f"https://openalex.org/W{i}"}) + "\n")
    path = write("three.zip", archive.getvalue())
    assert [r.openalex_id for r in read(path)] == ["W0", "W1", "W2"]
    real_budget = safezip.Budget
    monkeypatch.setattr(safezip, "Budget", lambda total: real_budget(150))  # a budget the headers do not see
    with pytest.raises(FormatError, match=r"archive expands beyond .*member 'part_\d\.jsonl'"):
        list(read(path))


def test_bounded_reader_stops_a_gzip_bomb():
    bomb = gzip.compress(b"\0" * (20 * 1024**2))
    assert len(bomb) < 100_000
    stream = safezip.BoundedReader(
        gzip.GzipFile(fileobj=io.BytesIO(bomb)), path="dump.jsonl.gz", member="dump.jsonl", limit=1024**2
    )
    with pytest.raises(FormatError, match=r"dump\.jsonl\.gz: member 'dump\.jsonl' expands beyond its 1 MB"):
        while stream.read(1 << 16):
            pass


def test_gzip_encoded_api_answer_bomb_is_refused():
    """A few kilobytes of gzip from an API must not inflate into gigabytes in the harvester's memory."""
    bomb = gzip.compress(b" " * (8 * 1024**2))

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)

    connector = HttpConnector(
        httpx.Client(transport=httpx.MockTransport(answer)),
        retry=RetryPolicy(max_retries=0),
        sleep=lambda s: None,
    )
    connector.max_response_bytes = 1024**2
    with pytest.raises(
        ConnectorError, match="expands beyond 1 MB once decoded \\(gzip; compression bomb\\?\\)"
    ):
        connector._get("https://api.example.org/works")


def test_gzip_encoded_api_answer_within_limit_is_read():
    body = json.dumps({"results": [WORK]}).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(body))

    connector = HttpConnector(httpx.Client(transport=httpx.MockTransport(answer)), sleep=lambda s: None)
    response = connector._get("https://api.example.org/works")
    assert connector._json(response) == {"results": [WORK]} and "content-encoding" not in response.headers
