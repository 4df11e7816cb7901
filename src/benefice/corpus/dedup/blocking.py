"""Blocking: the keys a prepared record is filed under; two records are compared only if they share one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benefice.corpus.dedup.normalise import _STOPWORDS, skeleton

if TYPE_CHECKING:  # pragma: no cover
    from benefice.corpus.dedup.prepared import Prepared

# Prefixes of the keys made of an identifier (DOI, PMID, PMCID, OpenAlex id): a match found through them may
# join records of any years. Through any other key, ``compare`` never matches records more than
# MAX_YEAR_GAP years apart, so a store of keys can skip such candidates before reading their forms.
IDENTIFIER_KEYS = frozenset("dpco")
MAX_YEAR_GAP = 1


def years_compatible(a: int | None, b: int | None) -> bool:
    """Whether two records' years allow a match other than by a shared identifier (unknown allows it)."""
    return not a or not b or abs(a - b) <= MAX_YEAR_GAP


def _block_keys(p: Prepared) -> list[str]:
    """Keys under which a record is filed; two records are compared only if they share one."""
    keys: list[str] = []
    if p.doi:
        keys.append("d" + p.doi)
    if p.pmid:
        keys.append("p" + p.pmid)
    if p.pmcid:
        keys.append("c" + p.pmcid)
    if p.openalex:
        keys.append("o" + p.openalex)
    sig = [skeleton(t) for t in p.tokens if t not in _STOPWORDS]
    persons = [x for x in p.authors if not x.group] or p.authors
    fam = persons[0].core[:8] if persons else ""
    if len(sig) >= 3:
        keys.append("h" + " ".join(sig[:4]))  # survives dropped subtitles and tails
        if len(sig) >= 5:
            keys.append("t" + " ".join(sig[-4:]))  # survives prefixes ("Review:", translations first)
        if len(sig) >= 8:
            keys.append("m" + " ".join(sig[2:6]))  # survives a typo at both ends
    elif sig:
        keys.append("s" + " ".join(sig) + f"|{p.year or ''}")
    if fam and p.year and p.page_first:
        keys.append(f"a{fam}|{p.year}|{p.page_first}")
    if p.year and p.volume and p.page_first:
        keys.append(f"v{p.year}|{p.volume}|{p.page_first}")
    if fam and sig:
        keys.append(f"f{fam}|{' '.join(sig[:2])}")
    return keys
