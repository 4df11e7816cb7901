"""Transcript importers: QualCoder examples, corrupt files, WebVTT/SRT, and properties of the txt parser."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.interviews.conftest import shared

from benefice.errors import BeneficeError
from benefice.interviews.transcripts import (
    parse_line_header,
    parse_srt,
    parse_text,
    parse_vtt,
    read_transcript,
)


def check_offsets(transcript) -> None:
    previous_end = 0
    for turn in transcript.turns:
        assert transcript.text[turn.start_offset : turn.end_offset] == turn.text
        assert previous_end <= turn.start_offset <= turn.end_offset
        previous_end = turn.end_offset


def test_qualcoder_txt_speaker_tags():
    transcript = read_transcript(shared("interviews", "qualcoder_transcript.txt"))
    assert [t.speaker for t in transcript.turns] == ["id1", "id2", "id3", "id1", "id3", "id1", "id2"]
    assert transcript.turns[0].text.startswith("hello, I like the course.")
    assert transcript.turns[-1].text.endswith("as I am really struggling.")
    assert transcript.speakers == ["id1", "id2", "id3"]
    assert all(t.start_seconds is None for t in transcript.turns)
    check_offsets(transcript)


def test_qualcoder_docx_and_odt():
    docx = read_transcript(shared("interviews", "qualcoder_ID1.docx"))
    assert docx.text.startswith("I really like learning new things.")
    assert "duck to water" in docx.text
    check_offsets(docx)
    odt = read_transcript(shared("interviews", "qualcoder_ID2.odt"))
    assert "my father Joe Bloggs" in odt.text
    assert "The course cost €200.00" in odt.text
    check_offsets(odt)


@pytest.mark.parametrize("suffix", ["docx", "odt"])
def test_corrupt_office_files_name_the_file(tmp_path, suffix):
    garbage = tmp_path / f"broken.{suffix}"
    garbage.write_bytes(b"this is not a zip at all")
    with pytest.raises(BeneficeError, match="broken"):
        read_transcript(garbage)
    empty_zip = tmp_path / f"hollow.{suffix}"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("nothing.txt", "no document inside")
    with pytest.raises(BeneficeError, match="hollow"):
        read_transcript(empty_zip)


def test_docx_truncated_copy_is_refused(tmp_path):
    data = shared("interviews", "qualcoder_ID1.docx").read_bytes()
    truncated = tmp_path / "cut.docx"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(BeneficeError, match="cut.docx"):
        read_transcript(truncated)


def test_timestamps_and_name_tags():
    text = (
        "[00:00:05] [id1] Bonjour\nsuite du tour\nMARIE : oui [rires]\n[00:01:02]\nPaul Martin: non\n"
        "[inaudible] encore Paul\n  (01:02:03.5) reprise\n"
    )
    turns = parse_text(text).turns
    assert [(t.speaker, t.start_seconds, t.text) for t in turns] == [
        ("id1", 5.0, "Bonjour\nsuite du tour"),
        ("MARIE", None, "oui [rires]"),
        ("Paul Martin", 62.0, "non\n[inaudible] encore Paul"),
        ("Paul Martin", 3723.5, "reprise"),
    ]


def test_lines_before_any_tag_form_an_anonymous_turn():
    transcript = parse_text("Notes de terrain.\n\n[id2] Bonjour.")
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        (None, "Notes de terrain."),
        ("id2", "Bonjour."),
    ]


def test_webvtt_voices_and_times():
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.500\n<v Marie Dupont>Bonjour à tous</v>\n\n"
        "00:01:05.250 --> 00:01:06.500\nPaul: oui\nsur deux lignes\n"
    )
    transcript = parse_vtt(vtt)
    assert [(t.speaker, t.start_seconds, t.end_seconds, t.text) for t in transcript.turns] == [
        ("Marie Dupont", 1.0, 4.5, "Bonjour à tous"),
        ("Paul", 65.25, 66.5, "oui sur deux lignes"),
    ]
    check_offsets(transcript)


def test_srt_cues():
    transcript = parse_srt(
        "1\n00:00:01,000 --> 00:00:02,500\nJean: Salut\n\n2\n00:00:03,000 --> 00:00:04,000\n<i>ok</i>\n"
    )
    assert [(t.speaker, t.start_seconds, t.end_seconds, t.text) for t in transcript.turns] == [
        ("Jean", 1.0, 2.5, "Salut"),
        (None, 3.0, 4.0, "ok"),
    ]
    check_offsets(transcript)


def test_malformed_vtt_and_srt(tmp_path):
    bad_vtt = tmp_path / "bad.vtt"
    bad_vtt.write_text("not a webvtt file\n00:00 --> nonsense\n")
    with pytest.raises(BeneficeError, match="bad.vtt"):
        read_transcript(bad_vtt)
    bad_srt = tmp_path / "bad.srt"
    bad_srt.write_text("1\n00:00:01,000 --> garbage\nhello\n")
    with pytest.raises(BeneficeError, match="bad.srt"):
        read_transcript(bad_srt)


def test_unsupported_format(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(BeneficeError, match="unsupported"):
        read_transcript(path)


speakers = st.one_of(
    st.from_regex(r"id[1-9][0-9]?", fullmatch=True),
    st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8})?", fullmatch=True),
)
# Words that cannot themselves look like a tag or a timestamp at the start of a line.
spoken = st.lists(st.from_regex(r"[a-zéèàç]{1,8}[,.?!]?", fullmatch=True), min_size=1, max_size=12).map(
    " ".join
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(speakers, st.booleans(), st.integers(0, 20000), spoken), min_size=1, max_size=8),
    st.sampled_from(["\n", "\n\n", "\r\n"]),
)
def test_txt_round_trip(turns, separator):
    lines = []
    for speaker, bracketed, seconds, words in turns:
        stamp = f"[{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}] "
        tag = f"[{speaker}]" if bracketed and " " not in speaker else f"{speaker}:"
        lines.append(f"{stamp}{tag} {words}")
    transcript = parse_text(separator.join(lines))
    assert [(t.speaker, t.start_seconds, t.text) for t in transcript.turns] == [
        (speaker, float(seconds), words) for speaker, _, seconds, words in turns
    ]
    check_offsets(transcript)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400))
def test_any_text_gives_consistent_turns(text):
    transcript = parse_text(text)
    check_offsets(transcript)
    for turn in transcript.turns:
        assert turn.text == turn.text.strip() or turn.text == ""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_line_header_body_is_within_line(line):
    speaker, seconds, body = parse_line_header(line)
    assert 0 <= body <= len(line)
    assert seconds is None or seconds >= 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**5), st.integers(1, 5000), st.one_of(st.none(), speakers), spoken),
        min_size=1,
        max_size=6,
    )
)
def test_vtt_and_srt_round_trip(cues):
    def stamp(ms: int, comma: bool) -> str:
        text = f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
        return text.replace(".", ",") if comma else text

    vtt = io.StringIO()
    vtt.write("WEBVTT\n\n")
    srt_text = io.StringIO()
    expected = []
    start = 0
    for number, (gap, duration, speaker, words) in enumerate(cues, 1):
        start += gap  # cues in time order, as both formats expect
        body = f"<v {speaker}>{words}</v>" if speaker else words
        vtt.write(f"{stamp(start, False)} --> {stamp(start + duration, False)}\n{body}\n\n")
        line = f"{speaker}: {words}" if speaker else words
        srt_text.write(f"{number}\n{stamp(start, True)} --> {stamp(start + duration, True)}\n{line}\n\n")
        expected.append((speaker, start / 1000, (start + duration) / 1000, words))
    for transcript in (parse_vtt(vtt.getvalue()), parse_srt(srt_text.getvalue())):
        assert [(t.speaker, t.start_seconds, t.end_seconds, t.text) for t in transcript.turns] == expected
        check_offsets(transcript)
