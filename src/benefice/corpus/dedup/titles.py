"""Titles: what databases add around a title (notes, language tags, translations, footnote markers) cut off,
and the notice kind (erratum, retraction, reply, comment) a title tells."""

from __future__ import annotations

import html
import re
from typing import Literal

from benefice.corpus.dedup.rules import RULES

_LANGUAGES = (
    "afrikaans|arabic|bulgarian|catalan|chinese|croatian|czech|danish|dutch|english|estonian|finnish|french|"
    "german|greek|hebrew|hungarian|icelandic|italian|japanese|korean|latvian|lithuanian|norwegian|persian|"
    "polish|portuguese|romanian|russian|serbian|slovak|slovenian|spanish|swedish|thai|turkish|ukrainian|"
    "vietnamese|chi|eng|fre|ger|spa|ita|jpn|rus|por|pol|dut|cze|hun|ara|kor|tur|swe|dan|nor|fin"
)

# Medline/Ovid annotations appended to titles: they describe *other* records, not this one.
_ANNOTATION_RE = re.compile(
    r"\s*(?:\[\s*(?:erratum|errata|comment|corrected|retracted|republished|update|summary for patients)\b"
    r"|\.?\s*\b(?:erratum|errata|comment|correction)\s+appears\s+in\b"
    r"|\.{2,}\s+[A-Z][\w ]*\.?\s+(?:19|20)\d\d\b).*$",  # "... N Engl J Med. 2009 Jan 29;360(5):544-6"
    re.IGNORECASE | re.DOTALL,
)
# Web of Science "(vol 360, pg 542, 2009)" and Embase "(New England Journal of Medicine (2009) 360 (542-544))"
# tails cite the corrected article: the record is a correction notice.
_CORRECTION_CITE_RE = re.compile(
    r"\s*\((?:vol\.?\s*\d+[^()]*\bpg\.?\s*\w+[^()]*|[^()]*\(\s*(?:19|20)\d\d\s*\)\s*\d+\s*\(\s*\d+[^()]*\))(?:\)|$)\s*\.?\s*$",
    re.IGNORECASE,
)
TAIL_NOISE_RE = re.compile(
    r"(?:\s*\[review\]|\s*\[\d+\s*refs?\]|\s*\[abstract(?: no)?[^\]]*\]|\s*\(multiple letters\)"
    r"|\s*\[\d{1,2}\]|\s*\(review\)|\s*\[(?:editorial|letter|comment)\])+\s*\.?\s*$",
    re.IGNORECASE,
)
LANG_TAIL_RE = re.compile(
    rf"(?:\s*\.?\s*(?:\[\s*(?:in\s+)?(?:{_LANGUAGES})(?:\s*,\s*(?:{_LANGUAGES}))*\s*\]|\bLA:\s*\w+)\s*\.?\s*)+$",
    re.IGNORECASE,
)
# More of what databases write after a title (issue 20), each a note about the record or about another one:
# PubMed's comments-and-corrections labels ("Erratum in: …", "Comment in: …", "Update of: …", MEDLINE's
# CommentsCorrections list) and old MEDLINE's "[published erratum appears in …]", "[see comments]" and
# "[In Process Citation]"; Ovid/Embase/CINAHL publication-type and count notes ("[Review article]",
# "(12 refs)", "[Review; 12 refs]", "[Meeting Abstract]", "[English Abstract]"); PubMed's language note
# "[Article in French]" (also "; Abstract available in …" after it). None is part of the work's title.
_LINKED_RECORD_RE = re.compile(
    r"(?:(?<=[.\]])|\s)\s*\[?\s*(?:(erratum|errata|corrigendum|correction)|(comments?)|(retraction|partial retraction)"
    r"|update|updated|republished|corrected and republished|reprint|expression of concern|summary for patients"
    r"|original report)\s+(in|of|for|on|from)\s*:.*$",
    re.IGNORECASE | re.DOTALL,
)
MORE_TAIL_RE = re.compile(
    r"(?:\s*\[\s*(?:published\s+)?(?:erratum|errata|correction)s?\s+appears?\s+in\b[^\]]*\]?"
    r"|\s*\[\s*see\s+(?:comments?|editorial|letters?)\b[^\]]*\]|\s*\[in process citation\]"
    r"|\s*[\[(]\s*review(?:\s+article)?\s*(?:[;,]\s*\d+\s*refs?\.?)?\s*[\])]"
    r"|\s*[\[(]\s*\d+\s*ref(?:s|erences)?\.?\s*[\])]"
    r"|\s*[\[(]\s*(?:meeting\s+)?abstract\s*[\])]|\s*[\[(]\s*(?:english|french|german|spanish)\s+abstract\s*[\])]"
    rf"|\s*[\[(]\s*article\s+in\s+(?:{_LANGUAGES})\b[^\])]*[\])]"
    rf"|\s*[\[(]\s*abstract\s+(?:available\s+)?in\s+(?:{_LANGUAGES})\b[^\])]*[\])])+\s*\.?\s*$",
    re.IGNORECASE,
)
_ORIGINAL_RE = re.compile(r"<\s*original\s*>.*$", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]{1,40}>")
_WHOLE_BRACKET_RE = re.compile(r"^\s*\[(.+)\]\s*\.?\s*$", re.DOTALL)
# "[English translation] TO: Original title" (Ovid) → the translation
_BRACKET_THEN_ORIGINAL_RE = re.compile(
    r"^\s*\[([^\]]{20,})\]\.?\s*(?:TO|OT|original title)\s*:.*$", re.DOTALL
)
_TRANSLATION_TAIL_RE = re.compile(r"^(.{20,}?)\s*[\[(][^\[\]()]{12,}[\])]\s*\.?\s*$", re.DOTALL)
_ARTICLE_PREFIX_RE = re.compile(
    r"^\s*(?:retracted(?:\s+article)?|withdrawn|reprint(?:ed)?|proceedings)\s*[:.\-]\s*", re.IGNORECASE
)

NoticeKind = Literal["", "erratum", "retraction", "reply", "comment"]
_SEP = r"[\s:.\-,;]"
_NOTICE_PREFIX: list[tuple[NoticeKind, re.Pattern[str]]] = [
    (
        "erratum",
        re.compile(
            rf"^\s*(?:erratum|errata|corrigendum|corrigenda|correction|corrections|addendum|"
            rf"publisher(?:'s)? (?:erratum|correction|note)|author correction)\b(?:{_SEP}*(?:to|for|on|in|of)\b)?{_SEP}*",
            re.IGNORECASE,
        ),
    ),
    (
        "retraction",
        re.compile(
            rf"^\s*(?:retraction(?: notice| note)?|notice of retraction|retraction statement|"
            rf"expression of concern)\b(?:{_SEP}*(?:to|for|on|of)\b)?{_SEP}*",
            re.IGNORECASE,
        ),
    ),
    (
        "reply",
        re.compile(
            rf"^\s*(?:in reply|reply|the authors? reply|authors?'? reply|author(?:s|s')? response|"
            rf"response to (?:the |a )?(?:letters?|comments?|commentary|editorial|correspondence|critique|criticism))"
            rf"\b(?:{_SEP}*(?:to|from)\b)?{_SEP}*",
            re.IGNORECASE,
        ),
    ),
    (
        "comment",
        re.compile(
            rf"^\s*(?:(?:a )?(?:comments?|commentary) (?:on|to|about|regarding)\b|(?:re|comments?|letter)\s*:)"
            rf"{_SEP}*",
            re.IGNORECASE,
        ),
    ),
]
_NOTICE_SUFFIX: list[tuple[NoticeKind, re.Pattern[str]]] = [
    ("erratum", re.compile(r"[\s:.\-,;(\[]+(?:erratum|corrigendum|correction|addendum)[\s.)\]]*$", re.I)),
    ("retraction", re.compile(r"[\s:.\-,;(\[]+(?:retraction(?: notice)?)[\s.)\]]*$", re.I)),
    (
        "reply",
        re.compile(r"[\s:.\-,;(\[]+(?:the authors? reply|authors?'? reply|reply|in reply)[\s.)\]]*$", re.I),
    ),
]
_ONLY_NOTICE_RE = re.compile(r"^\s*(erratum|errata|corrigendum|correction|retraction|reply)\s*\.?\s*$", re.I)


def strip_tails(title: str) -> str:
    """Database notes ("[Review]", "[12 refs]") and language tags ("[in French]", "LA: fre") cut off the end.

    Both kinds end in a bracket (or "LA: xx"): the end-anchored searches, costly on every title, are skipped
    when the end shows neither.
    """
    for _ in range(2):
        if title.rstrip().rstrip(".").rstrip().endswith(("]", ")")):
            title = TAIL_NOISE_RE.sub("", title)
            if RULES["title_annotations"]:
                title = MORE_TAIL_RE.sub("", title)
        if title.rstrip().rstrip(".").rstrip().endswith("]") or "la:" in title.lower():
            title = LANG_TAIL_RE.sub("", title)
    return title


def clean_title(raw: str) -> tuple[str, NoticeKind]:
    """Remove what databases add around a title and tell whether the record is a notice about a work.

    Returns the cleaned (still human-readable) title and the notice kind ("" for an ordinary work).
    """
    title = html.unescape(raw)
    title = _ORIGINAL_RE.sub("", title)
    title = _TAG_RE.sub(" ", title)
    kind: NoticeKind = ""
    linked_kind: NoticeKind = ""
    if RULES["title_annotations"] and ":" in title:
        m = _LINKED_RECORD_RE.search(title)
        if m and m.start() > 0:
            # "Erratum for:", "Retraction of:", "Comment on:" stand on the notice itself and name the article
            # it is about; "… in:" names another record about this one
            linked_to = m.group(4).lower() in {"of", "for", "on"}
            if linked_to and m.group(1):
                linked_kind = "erratum"
            elif linked_to and m.group(3):
                linked_kind = "retraction"
            elif linked_to and m.group(2):
                linked_kind = "comment"
            title = title[: m.start()]
    if RULES["title_annotations"] and "appear" in title.lower():
        # "[published erratum appears in …" is cut whole, before the older rule leaves "[published" behind
        title = MORE_TAIL_RE.sub("", title)
    title = _ANNOTATION_RE.sub("", title)
    title = strip_tails(title)
    title = title.strip().strip('"').strip()
    m = _CORRECTION_CITE_RE.search(title)
    if m and m.start() > 0:
        title, kind = title[: m.start()], "erratum"
    m = _WHOLE_BRACKET_RE.match(title) or _BRACKET_THEN_ORIGINAL_RE.match(title)
    if m and "[" not in m.group(1):
        title = m.group(1)
    m = _TRANSLATION_TAIL_RE.match(title)
    if m and len(m.group(1).split()) >= 3:
        title = m.group(1)
    title = _ARTICLE_PREFIX_RE.sub("", title)
    only = _ONLY_NOTICE_RE.match(title)
    if only:
        word = only.group(1).lower()
        kind = "retraction" if word == "retraction" else "reply" if word == "reply" else "erratum"
        return "", kind
    for k, pattern in [] if kind else _NOTICE_PREFIX:
        m = pattern.match(title)
        if m and m.end() < len(title):
            kind, title = k, title[m.end() :]
            break
    else:
        for k, pattern in [] if kind else _NOTICE_SUFFIX:
            m = pattern.search(title)
            if m and m.start() > 0:
                kind, title = k, title[: m.start()]
                break
    title = title.strip().strip("\"'[]").strip().rstrip(" .;,")
    return _strip_footnote(title), kind or linked_kind


# "…employee representation 1", "…Arbeitsorganisationen **": footnote markers, unlike "Part 1", "phase 1"
_FOOTNOTE_RE = re.compile(r"(?:\s*[*†‡]+|\s1|(?<=[a-z]{5})1)$")
_NUMBERED_WORDS = frozenset(
    "part type phase stage grade class study trial volume vol no number step level wave hiv covid".split()
)


def _strip_footnote(title: str) -> str:
    m = _FOOTNOTE_RE.search(title)
    if not m:
        return title
    before = title[: m.start()].rstrip()
    last_word = before.rsplit(None, 1)[-1].lower().strip("-") if before else ""
    if not before or last_word in _NUMBERED_WORDS:
        return title
    return before
