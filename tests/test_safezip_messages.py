"""Issue 19: the refusals of unsafe or damaged archives (docx, odt, qdpx, xlsx, zips) are said in the
reader's language, sizes included ("Mo" in French)."""

from __future__ import annotations

import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefice import safezip
from benefice.errors import FormatError


def test_a_damaged_archive_is_refused_in_french_and_english(tmp_path):
    bad = tmp_path / "entretien.docx"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(FormatError) as caught:
        safezip.open_checked_zip(bad, "docx")
    english, french = caught.value.localized("en"), caught.value.localized("fr")
    assert "not a readable docx (zip) file" in english
    assert "fichier docx (zip) illisible\u00a0:" in french


def test_sizes_are_said_in_the_readers_units(tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"0" * (3 * 1024 * 1024))
    with pytest.raises(FormatError) as caught:
        safezip.open_zip(path, "zip", max_member=1024 * 1024, max_total=safezip.MAX_TOTAL_BYTES)
    assert "3 MB" in caught.value.localized("en") and "3 Mo" in caught.value.localized("fr")


@given(st.text(max_size=40))
def test_any_member_name_or_reason_renders_in_both_languages(text):
    exc = FormatError(safezip.gettext_noop("cannot open member %(member)r: %(reason)s"),
                      params={"member": text, "reason": text}, path="x.qdpx")
    assert exc.localized("fr") and exc.localized("en")
