"""Failure 4 of issue 17: archives are bounded by what they produce, counted while inflating."""

from __future__ import annotations

import zipfile

import pytest

from benefice.errors import FormatError
from benefice.interviews import refi
from benefice.safezip import Budget, open_checked_zip, read_member

MB = 1024 * 1024


def _zip(path, members: dict[str, int]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, size in members.items():
            archive.writestr(name, b"a" * size)


def test_one_member_over_the_transcript_limit_is_refused_naming_it(tmp_path) -> None:
    path = tmp_path / "big.qdpx"
    _zip(path, {"sources/long.txt": refi.MAX_SOURCE_BYTES + 1})
    with open_checked_zip(path, "qdpx") as archive, pytest.raises(FormatError) as err:
        read_member(archive, "sources/long.txt", path, refi.MAX_SOURCE_BYTES, Budget(10**9))
    assert "sources/long.txt" in str(err.value) and "big.qdpx" in str(err.value)


def test_many_members_under_the_limit_exhaust_the_archive_budget(tmp_path) -> None:
    path = tmp_path / "many.qdpx"
    _zip(path, {f"sources/{i}.txt": 4 * MB for i in range(3)})
    budget = Budget(10 * MB)
    with open_checked_zip(path, "qdpx") as archive:
        read_member(archive, "sources/0.txt", path, refi.MAX_SOURCE_BYTES, budget)
        read_member(archive, "sources/1.txt", path, refi.MAX_SOURCE_BYTES, budget)
        with pytest.raises(FormatError) as err:
            read_member(archive, "sources/2.txt", path, refi.MAX_SOURCE_BYTES, budget)
    assert "sources/2.txt" in str(err.value) and str(10 * MB) in str(err.value)
    assert budget.used == 8 * MB


def test_a_whole_qdpx_bomb_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(refi.reading, "MAX_QDPX_TOTAL_BYTES", 3 * MB)  # where read_qdpx looks it up
    sources = "".join(
        f'<TextSource guid="{refi.new_guid()}" name="s{i}" plainTextPath="internal://s{i}.txt"/>'
        for i in range(4)
    )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="bomb">'
        f"<Sources>{sources}</Sources></Project>"
    )
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for i in range(4):
            archive.writestr(f"sources/s{i}.txt", b"a" * MB)
    with pytest.raises(FormatError) as err:
        refi.read_qdpx(path)
    assert "bomb.qdpx" in str(err.value) and "sources/s" in str(err.value)
