"""Text normalisation shared by every field: cells to strings, accents and special letters folded, title
words and their spelling-insensitive skeletons."""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from functools import lru_cache
from typing import Any

SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "þ": "th",
        "ð": "d",
        "α": " alpha ",
        "β": " beta ",
        "γ": " gamma ",
        "δ": " delta ",
        "ε": " epsilon ",
        "κ": " kappa ",
        "λ": " lambda ",
        "μ": " mu ",
        "π": " pi ",
        "σ": " sigma ",
        "τ": " tau ",
        "ω": " omega ",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "&": " and ",
        "+": " plus ",
    }
)


def fold_ascii(text: str) -> str:
    """Strip accents and fold special letters: databases disagree on diacritics far more than authors do."""
    if text.isascii():
        return text.replace("&", " and ").replace("+", " plus ")
    # a regular expression over the few special letters: str.translate looks every character up
    text = unicodedata.normalize("NFKD", _SPECIAL_RE.sub(_special, text))
    return text if text.isascii() else _combining_marks().sub("", text)


_SPECIAL_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in SPECIAL_LETTERS) + "]")


def _special(m: re.Match[str]) -> str:
    return SPECIAL_LETTERS[ord(m.group())]


@lru_cache(maxsize=1)
def _combining_marks() -> re.Pattern[str]:
    """Every character with a combining class, as one character set (built once, in about 0.1 s).

    The same characters ``unicodedata.combining`` reports, removed by one regular expression rather than a
    Python test per character: abstracts are folded too, and the per-character loop was most of ``prepare``.
    """
    marks = [c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    ranges: list[tuple[int, int]] = []
    for c in marks:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


def _clean(value: Any) -> str:
    """Any cell (None, NaN, number, list) → stripped string; spreadsheets give floats for empty cells."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, list | tuple):
        return " and ".join(c for c in map(_clean, value) if c)
    text = str(value).strip()
    if text.lower() in {"nan", "none", "null", "n/a", "na", "unknown", "#name?"}:
        return ""
    return text


_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
}
_STOPWORDS = frozenset(
    "a an the of in on for and with to by at from or as is are its their de la le les des du et en der die "
    "das und el los las".split()
)


_TOKEN_RE = re.compile(r"[a-z0-9]+")


def title_tokens(title: str) -> list[str]:
    """Lower-case ascii word tokens with number words folded (``three``→``3``, ``II``→``2``)."""
    text = fold_ascii(title).lower().replace("'", "")
    return [_NUMBER_WORDS.get(t, t) for t in _TOKEN_RE.findall(text)]


_VOWELS_RE = re.compile(r"[aeiouy]")


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Spelling-insensitive form for blocking: haemolytic/hemolytic, tumour/tumor, -ise/-ize meet."""
    if token.isdigit():
        return token
    s = _VOWELS_RE.sub("", token.replace("z", "s"))
    return (token[0] + s) if s and token[0] in "aeiouy" else (s or token)
