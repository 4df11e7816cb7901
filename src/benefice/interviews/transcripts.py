"""Interview transcripts as speaker turns, from txt, docx, odt, WebVTT and SRT.

Coders select characters of one plain text, so every importer produces the same shape: ``Transcript.text``
is the text shown to coders and each ``Turn`` records where its words sit in it (``start_offset`` to
``end_offset``, so ``text[start_offset:end_offset] == turn.text``), who spoke and, when the file says so,
when. Timestamps are never invented: a txt line without one gives ``start_seconds=None``.

Plain text conventions (those of QualCoder and of most transcription guides):

* a speaker tag at the start of a line, either ``[id1]`` or ``NAME:`` / ``NAME :`` (French typography);
* optionally a timestamp before or after the tag: ``[00:01:02]``, ``(01:02)``, ``00:01:02.5``;
* lines without a tag continue the current turn.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from benefice.errors import FormatError
from benefice.i18n import gettext_noop
from benefice.safezip import open_checked_zip

MAX_TEXT_BYTES = 50 * 1024 * 1024

# Bracketed words that transcribers use for events, not speakers: "[inaudible] ..." starts no turn.
NON_SPEAKERS = frozenset(
    {
        "inaudible",
        "incompréhensible",
        "inaudible.",
        "rires",
        "rire",
        "laughs",
        "laughter",
        "silence",
        "pause",
        "crosstalk",
        "bruit",
        "noise",
        "music",
        "musique",
        "applause",
        "applaudissements",
        "sic",
    }
)

_TIME = r"(?:(?P<h>\d{1,2}):)?(?P<m>[0-5]?\d):(?P<s>[0-5]\d)(?:[.,](?P<f>\d{1,3}))?"
_STAMP = re.compile(
    rf"(?:\[{_TIME}\]|\({_TIME.replace('?P<', '?P<p')}\)|#{_TIME.replace('?P<', '?P<q')}#)[ \t]*"
)
_BARE_STAMP = re.compile(rf"{_TIME.replace('?P<', '?P<b')}(?=[ \t])[ \t]*")
_BRACKET_TAG = re.compile(r"\[(?P<tag>[^\W_][\w.\-]{0,39})\][ \t]*")
_NAME_TAG = re.compile(
    r"(?P<tag>(?:[A-ZÀ-ÖØ-Þ][\w.'\-]{0,30}|[a-z]{1,12}\d{1,4})(?:[ ](?:[A-ZÀ-ÖØ-Þ][\w.'\-]{0,30}|\d{1,4})){0,3})"
    r"[ \t]?:(?=[ \t]|$)[ \t]*"
)


@dataclass
class Turn:
    """One speaker's uninterrupted words; offsets index ``Transcript.text``."""

    speaker: str | None
    start_seconds: float | None
    end_seconds: float | None
    text: str
    start_offset: int
    end_offset: int


@dataclass
class Transcript:
    """The coder-facing text and its turns, in order."""

    turns: list[Turn] = field(default_factory=list)
    text: str = ""

    @property
    def speakers(self) -> list[str]:
        """Distinct speakers in order of first appearance (for mapping tags to participants)."""
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker is not None:
                seen.setdefault(turn.speaker, None)
        return list(seen)


def _seconds(match: re.Match, prefix: str = "") -> float:
    hours = match.group(prefix + "h")
    fraction = match.group(prefix + "f")
    value = int(hours or 0) * 3600 + int(match.group(prefix + "m")) * 60 + int(match.group(prefix + "s"))
    if fraction:
        value += int(fraction) / 10 ** len(fraction)
    return float(value)


def _stamp_at(line: str, pos: int) -> tuple[float | None, int]:
    """A timestamp starting at ``pos``: (seconds, position after it) or (None, pos)."""
    match = _STAMP.match(line, pos)
    if match:
        for prefix in ("", "p", "q"):
            if match.group(prefix + "m") is not None:
                return _seconds(match, prefix), match.end()
    match = _BARE_STAMP.match(line, pos)
    if match:
        return _seconds(match, "b"), match.end()
    return None, pos


def _tag_at(line: str, pos: int) -> tuple[str | None, int]:
    """A speaker tag starting at ``pos``: (speaker, position after it) or (None, pos)."""
    match = _BRACKET_TAG.match(line, pos)
    if match and match.group("tag").lower() not in NON_SPEAKERS:
        return match.group("tag"), match.end()
    match = _NAME_TAG.match(line, pos)
    if match:
        return match.group("tag"), match.end()
    return None, pos


def parse_line_header(line: str) -> tuple[str | None, float | None, int]:
    """Speaker and timestamp at the start of one line, and where the spoken words begin.

    Accepts ``[00:01:02] [id1] words``, ``[id1] [00:01:02] words``, ``MARIE : words`` and so on. A line
    with only a timestamp keeps its timestamp for the current speaker.
    """
    pos = len(line) - len(line.lstrip(" \t"))
    seconds, after = _stamp_at(line, pos)
    speaker, after_tag = _tag_at(line, after)
    if speaker is not None and seconds is None:
        seconds, after_tag = _stamp_at(line, after_tag)
    if speaker is None:
        return None, seconds, after if seconds is not None else 0
    return speaker, seconds, after_tag


def parse_text(text: str) -> Transcript:
    """Split plain text into turns at speaker tags; the transcript text is ``text`` itself."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    turns: list[Turn] = []
    current: dict | None = None

    def close() -> None:
        if current is not None and (current["end"] > current["start"] or current["speaker"] is not None):
            start, end = current["start"], current["end"]
            turns.append(Turn(current["speaker"], current["seconds"], None, text[start:end], start, end))

    def has_words() -> bool:
        return current is not None and current["end"] > current["start"]

    offset = 0
    pending: float | None = None  # a timestamp alone on its line applies to the words that follow
    for line in text.split("\n"):
        line_start = offset
        offset += len(line) + 1
        speaker, seconds, body = parse_line_header(line)
        words_start = line_start + body + (len(line) - body - len(line[body:].lstrip()))
        content_end = line_start + len(line.rstrip())
        if speaker is None and words_start >= content_end:  # blank, or a timestamp alone on its line
            if seconds is not None:
                pending = seconds
            continue
        if seconds is None:
            seconds, pending = pending, None
        if speaker is not None or (seconds is not None and has_words()):
            close()
            if speaker is None:
                speaker = current["speaker"]
            current = {
                "speaker": speaker,
                "seconds": seconds,
                "start": words_start,
                "end": max(words_start, content_end),
            }
        elif current is None:
            current = {"speaker": None, "seconds": seconds, "start": words_start, "end": content_end}
        else:
            if not has_words():  # a tag alone on its line: the words start on this one
                current["start"] = words_start
            if seconds is not None and current["seconds"] is None:
                current["seconds"] = seconds
            current["end"] = content_end
    close()
    return Transcript(turns=turns, text=text)


def _decode(data: bytes, path: Path | str) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise FormatError(
            gettext_noop("file larger than %(limit)s bytes"), params={"limit": MAX_TEXT_BYTES}, path=str(path)
        )
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_txt(path: Path | str) -> Transcript:
    """A plain-text transcript (UTF-8, UTF-16 with BOM, or Windows-1252 as a last resort)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(
            gettext_noop("cannot read transcript: %(reason)s"),
            params={"reason": str(exc.strerror)},
            path=str(path),
        ) from None
    return parse_text(_decode(data, path))


def read_docx(path: Path | str) -> Transcript:
    """Paragraphs of a Word document, one per line, then parsed as plain text."""
    open_checked_zip(path, "docx").close()
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - environment
        raise FormatError(
            gettext_noop("reading .docx needs the python-docx package: pip install python-docx")
        ) from exc
    try:
        document = docx.Document(str(path))
        paragraphs = [paragraph.text for paragraph in document.paragraphs]
    except Exception as exc:  # python-docx raises many types on corrupt parts; all mean "corrupt input"
        raise FormatError(
            gettext_noop("corrupt or unreadable docx: %(kind)s: %(reason)s"),
            params={"kind": type(exc).__name__, "reason": str(exc)},
            path=str(path),
        ) from None
    return parse_text("\n".join(paragraphs))


def _odf_paragraphs(node) -> list[str]:
    """Text of headings and paragraphs in document order (lists and sections included)."""
    from odf import teletype
    from odf.namespaces import TEXTNS

    found: list[str] = []
    for child in node.childNodes:
        if getattr(child, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
            found.append(teletype.extractText(child))
        elif getattr(child, "childNodes", None):
            found.extend(_odf_paragraphs(child))
    return found


def read_odt(path: Path | str) -> Transcript:
    """Paragraphs of an OpenDocument text, one per line, then parsed as plain text."""
    open_checked_zip(path, "odt").close()
    try:
        from odf.opendocument import load
    except ImportError as exc:  # pragma: no cover - environment
        raise FormatError(gettext_noop("reading .odt needs the odfpy package: pip install odfpy")) from exc
    try:
        document = load(str(path))
        paragraphs = _odf_paragraphs(document.text)
    except Exception as exc:  # odfpy raises KeyError, XML errors, etc. on corrupt files
        raise FormatError(
            gettext_noop("corrupt or unreadable odt: %(kind)s: %(reason)s"),
            params={"kind": type(exc).__name__, "reason": str(exc)},
            path=str(path),
        ) from None
    return parse_text("\n".join(paragraphs))


_CUE_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")
_LEADING_NAME = re.compile(r"(?P<tag>[^\W\d_][\w.'\- ]{0,39}?)[ \t]?:[ \t]+")


def _cue_seconds(value: str) -> float:
    match = _CUE_TIME.fullmatch(value.strip())
    if not match:
        raise ValueError(f"bad cue time {value!r}")
    hours, minutes, seconds, fraction = match.groups()
    milliseconds = int(fraction.ljust(3, "0"))  # integer arithmetic: 1.777 stays 1.777
    return (int(hours or 0) * 3_600_000 + int(minutes) * 60_000 + int(seconds) * 1000 + milliseconds) / 1000


def _from_cues(cues: list[tuple[str | None, float, float, str]]) -> Transcript:
    """Build the coder text ``Speaker: words`` one cue per line, keeping cue times."""
    parts: list[str] = []
    turns: list[Turn] = []
    offset = 0
    for speaker, start, end, words in cues:
        words = " ".join(words.split())
        if speaker is None:
            match = _LEADING_NAME.match(words)
            if match and len(match.group("tag").split()) <= 4:
                speaker, words = match.group("tag"), words[match.end() :]
        prefix = f"{speaker}: " if speaker else ""
        begin = offset + len(prefix)
        turns.append(Turn(speaker, start, end, words, begin, begin + len(words)))
        line = prefix + words
        parts.append(line)
        offset += len(line) + 1
    return Transcript(turns=turns, text="\n".join(parts))


def parse_vtt(content: str, path: Path | str = "<vtt>") -> Transcript:
    """WebVTT cues; ``<v Name>`` voice spans or a leading ``Name:`` give the speaker."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = list(webvtt.from_buffer(io.StringIO(content.lstrip("\ufeff"))))
        cues = [(c.voice or None, _cue_seconds(c.start), _cue_seconds(c.end), c.text) for c in captions]
    except (MalformedFileError, MalformedCaptionError, ValueError, IndexError, AttributeError) as exc:
        raise FormatError(
            gettext_noop("malformed WebVTT: %(reason)s"), params={"reason": str(exc)}, path=str(path)
        ) from None
    return _from_cues(cues)


def parse_srt(content: str, path: Path | str = "<srt>") -> Transcript:
    """SubRip cues; a leading ``Name:`` in a cue gives the speaker."""
    import srt

    try:
        subtitles = list(srt.parse(content.lstrip("\ufeff")))
    except (srt.SRTParseError, ValueError, TypeError) as exc:
        raise FormatError(
            gettext_noop("malformed SRT: %(reason)s"), params={"reason": str(exc)}, path=str(path)
        ) from None
    cues = [
        (None, s.start.total_seconds(), s.end.total_seconds(), re.sub(r"<[^>]+>", "", s.content))
        for s in subtitles
    ]
    return _from_cues(cues)


def read_transcript(path: Path | str, fmt: str = "auto") -> Transcript:
    """Read a transcript by extension (``txt``, ``docx``, ``odt``, ``vtt``, ``srt``) or explicit ``fmt``."""
    path = Path(path)
    kind = path.suffix.lower().lstrip(".") if fmt == "auto" else fmt.lower()
    if kind in ("txt", "text", ""):
        return read_txt(path)
    if kind == "docx":
        return read_docx(path)
    if kind == "odt":
        return read_odt(path)
    if kind in ("vtt", "srt"):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FormatError(
                gettext_noop("cannot read transcript: %(reason)s"),
                params={"reason": str(exc.strerror)},
                path=str(path),
            ) from None
        content = _decode(data, path)
        return parse_vtt(content, path) if kind == "vtt" else parse_srt(content, path)
    raise FormatError(
        gettext_noop("unsupported transcript format %(kind)r (txt, docx, odt, vtt, srt)"),
        params={"kind": kind},
        path=str(path),
    )
