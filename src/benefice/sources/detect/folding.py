"""Text preparation: the fields detection reads, markup stripped and text folded (lower case, no accents,
every non-alphanumeric character a space, space runs collapsed) with the offset maps back to the original."""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from benefice.sources.registry import fold_chars

FIELDS = ("title", "abstract", "keywords", "mesh", "full_text", "acknowledgements", "funding")
# Fields that may come as lists of strings (author keywords, MeSH headings): read joined by "; ", so a
# mention's offsets point into that joined text.
LIST_FIELDS = frozenset({"keywords", "mesh"})


_MARKUP = re.compile(
    r"<(/?)([A-Za-z][\w:.-]*)(?:\s[^<>]{0,500})?/?>|<!--.*?-->|&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
    re.S,
)
_INLINE_TAGS = frozenset(
    "i b em strong sup sub span a u small italic bold sc underline inline-formula abbr font mml:math "
    "jats:italic jats:bold jats:sup jats:sub jats:sc xref named-content styled-content".split()
)


@dataclass
class OffsetMap:
    """Maps positions of a rewritten string back to the string it was rewritten from.

    ``segments`` holds (new_start, old_start, old_end, copied): a copied segment maps one to one; a
    replaced one (a decoded entity, a collapsed space run) maps to the whole original span.
    """

    starts: list[int]
    segments: list[tuple[int, int, int, bool]]

    def start(self, i: int) -> int:
        new_start, old_start, _old_end, copied = self.segments[bisect_right(self.starts, i) - 1]
        return old_start + (i - new_start) if copied else old_start

    def end(self, i: int) -> int:
        """Original exclusive end for a new exclusive end ``i`` (> 0)."""
        new_start, old_start, old_end, copied = self.segments[bisect_right(self.starts, i - 1) - 1]
        return old_start + (i - new_start) if copied else old_end


def _rewrite(text: str, matches: Iterable[re.Match[str]], replace) -> tuple[str, OffsetMap | None]:
    pieces: list[str] = []
    starts: list[int] = []
    segments: list[tuple[int, int, int, bool]] = []
    new_pos = old_pos = 0
    for match in matches:
        if match.start() > old_pos:
            starts.append(new_pos)
            segments.append((new_pos, old_pos, match.start(), True))
            pieces.append(text[old_pos : match.start()])
            new_pos += match.start() - old_pos
        replacement = replace(match)
        if replacement:
            starts.append(new_pos)
            segments.append((new_pos, match.start(), match.end(), False))
            pieces.append(replacement)
            new_pos += len(replacement)
        old_pos = match.end()
    if not segments:
        return text, None
    starts.append(new_pos)
    segments.append((new_pos, old_pos, len(text), True))
    pieces.append(text[old_pos:])
    return "".join(pieces), OffsetMap(starts, segments)


def _markup_replacement(match: re.Match[str]) -> str:
    if match.group(3):  # entity
        decoded = html.unescape(match.group(0))
        return decoded if decoded != match.group(0) else match.group(0)
    if match.group(2) and match.group(2).lower() in _INLINE_TAGS:
        return ""
    return " "


@dataclass
class FoldedText:
    """A field folded for matching, with the way back to the original offsets.

    ``run_starts``/``run_shifts`` map the collapsed text back to the folded text before collapsing: from
    collapsed index ``run_starts[k]`` on, ``run_shifts[k]`` spaces had been removed. They are built in the
    same pass that collapses the space runs (one ``str.find`` per run, cheaper than a regex over the
    whole text), because nearly every abstract holds a word of the grammar and so needs them.
    """

    original: str
    folded: str  # " " + folded, collapsed text + " "
    uncollapsed: str  # folded text before collapsing space runs (same offsets as the markup-free text)
    maps: list[OffsetMap] = field(default_factory=list)  # markup map (applied after the space shifts)
    run_starts: list[int] = field(default_factory=list)
    run_shifts: list[int] = field(default_factory=list)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the folded span [start, end) of ``folded`` (a span that starts and
        ends on a letter or digit, as every alias does)."""
        start, end = start - 1, end - 1  # padding
        if self.run_starts:
            index = bisect_right(self.run_starts, start) - 1
            start += self.run_shifts[index] if index >= 0 else 0
            index = bisect_right(self.run_starts, end - 1) - 1
            end += self.run_shifts[index] if index >= 0 else 0
        for offset_map in reversed(self.maps):
            start, end = offset_map.start(start), offset_map.end(end)
        return start, end

    def fold_slice(self, start: int, end: int) -> str:
        """``fold_chars(original[start:end])`` for original offsets: a slice of the folded text when no
        markup was stripped (folding maps one character to one), else folded anew."""
        if self.maps:
            return fold_chars(self.original[start:end])
        return self.uncollapsed[start:end]


def collapse_spaces(folded: str) -> tuple[str, list[int], list[int]]:
    """``folded`` with every run of spaces made one space, and the shifts of :class:`FoldedText`."""
    find = folded.find
    i = find("  ")
    if i < 0:
        return folded, [], []
    n = len(folded)
    pieces: list[str] = []
    starts: list[int] = []
    shifts: list[int] = []
    removed = pos = 0
    while i >= 0:
        j = i + 2
        while j < n and folded[j] == " ":
            j += 1
        pieces.append(folded[pos : i + 1])
        pos = j
        removed += j - i - 1
        starts.append(j - removed)  # collapsed index from which the shift applies
        shifts.append(removed)
        i = find("  ", j)
    pieces.append(folded[pos:])
    return "".join(pieces), starts, shifts


def fold_text(text: str) -> FoldedText:
    """Strip markup, fold case/accents/punctuation and collapse spaces, keeping the offset maps."""
    maps: list[OffsetMap] = []
    stripped = text
    if "<" in text or "&" in text:
        stripped, markup_map = _rewrite(text, _MARKUP.finditer(text), _markup_replacement)
        if markup_map is not None:
            maps.append(markup_map)
    folded = fold_chars(stripped)
    collapsed, starts, shifts = collapse_spaces(folded)
    return FoldedText(text, f" {collapsed} ", folded, maps, starts, shifts)


def field_text(record: Mapping[str, Any], name: str) -> str:
    """The text detection reads of one field: a string as it is, a list of strings (keywords, MeSH) joined by
    "; ", anything else nothing."""
    value = record.get(name)
    if isinstance(value, list) and name in LIST_FIELDS:
        value = "; ".join(v.strip() for v in value if isinstance(v, str) and v.strip())
    if not isinstance(value, str):
        return ""
    return value


def _raw_folded(
    record: Mapping[str, Any], name: str, folded_fields: Mapping[str, FoldedText], limit=None
) -> str:
    """``fold_chars(str(record.get(name) or "")[:limit])``, read from the field as detection folded it
    when that is the same text (a string with no markup)."""
    value = record.get(name)
    folded = folded_fields.get(name)
    if isinstance(value, str) and folded is not None and folded.original is value and not folded.maps:
        return folded.uncollapsed[:limit]
    return fold_chars(str(value or "")[:limit])


_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))


def _is_shouting(text: str) -> bool:
    """More than 60 % of the letters of the text's first 2,000 characters are capitals."""
    head = text[:2000]
    if head.isascii():  # counted by C-level deletions instead of a test per character
        raw = head.encode("ascii")
        letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
        return bool(letters) and upper > 0.6 * letters
    alpha = list(filter(str.isalpha, head))
    return bool(alpha) and sum(map(str.isupper, alpha)) > 0.6 * len(alpha)


URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:fr|org|com|net|eu|io)\b\S*|\S+@\S+", re.I
)
_URL_HINTS = ("://", "www.", "WWW.", "@", ".fr", ".org", ".com", ".net", ".eu", ".io")
_URL_HINT = re.compile("|".join(re.escape(hint) for hint in _URL_HINTS))  # one search, not ten
