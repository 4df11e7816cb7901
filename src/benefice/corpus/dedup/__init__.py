"""Find bibliographic records that describe the same work, without ever merging two different works.

Why this shape
--------------
A corpus built from several databases holds the same article many times, each copy spelled a little
differently (abbreviated journal, initials instead of given names, a translated title in brackets,
``1324-7`` for ``1324-1327``…). A wrong merge silently loses a work, which is worse than a missed
duplicate that a person can still spot, so the engine is built for *zero false positives first*:

1. **Identifiers decide when they can.** Equal DOI / PMID / PMCID / OpenAlex id → same work; two
   different DOIs or PMIDs → different works, whatever the titles say (a DOI identifies one object).
2. **Notices are never the article.** Errata, retraction notices, replies and comments usually repeat
   the article's title; a record's *notice kind* is detected from its title and two records of different
   kinds never match, not even through a chain of other matches. The one exception: a record that
   carries the work's own long abstract, title and authors (see :func:`_same_text`) is a copy of the work
   whatever its title prefix or DOI says.
3. **Fuzzy evidence is cumulative.** A similar title alone proves nothing (short titles, series
   "Part 1/Part 2"); it must be backed by agreeing authors, year, venue, volume, pages, and contradicted
   by none of them. The stronger the title agreement, the less extra evidence is required.
4. **Blocking keeps it linear.** Records are only compared when they share a key (identifier, title
   prefix or suffix skeleton, first author + year + page, year + volume + page, …), so 200k records
   cost 200k small look-ups rather than 20 billion comparisons. Keys are computed on *skeletons*
   (vowels dropped, British/American spellings collapsed) so spelling variants still meet.

The same :class:`DuplicateIndex` serves batch deduplication (:func:`duplicate_groups`) and incremental
imports into an existing corpus (``add`` / ``find`` / ``remove``). Pure Python + rapidfuzz, no Django.

Layout
------
The engine is a package; every name below is importable from ``benefice.corpus.dedup`` as before:

* :mod:`.rules` — the switchable notation rules of issue 20 (:data:`RULES`);
* :mod:`.records` — the public data types (:class:`DedupRecord`, :class:`Match`, :func:`from_record`);
* :mod:`.normalise` — cells to strings, accent folding, title words and their skeletons;
* :mod:`.titles` — title cleaning and notice kinds; :mod:`.authors` — author names and agreement;
  :mod:`.fields` — venue, pages, volume, issue, year and DOI;
* :mod:`.prepared` — a record's prepared form, stored and read back, and :func:`set_rules`;
* :mod:`.blocking` — the keys records are filed under;
* :mod:`.pairs` — the pairwise decision (:func:`compare`);
* :mod:`.index` — :class:`DuplicateIndex`; :mod:`.clusters` — :func:`duplicate_groups`.

Names with a leading underscore are shared between the modules of this package only.
"""

from __future__ import annotations

from benefice.corpus.dedup.authors import (
    AuthorName,
    author_agreement,
    author_evidence,
    parse_author,
    parse_authors,
)
from benefice.corpus.dedup.blocking import IDENTIFIER_KEYS, MAX_YEAR_GAP, years_compatible
from benefice.corpus.dedup.clusters import duplicate_groups
from benefice.corpus.dedup.fields import (
    Pages,
    canonical_doi,
    journal_agreement,
    journal_tokens,
    parse_pages,
    read_issue,
    read_pages,
)
from benefice.corpus.dedup.index import DuplicateIndex
from benefice.corpus.dedup.normalise import skeleton, title_tokens
from benefice.corpus.dedup.pairs import compare, title_similarity
from benefice.corpus.dedup.prepared import (
    PREPARED_FORM_VERSION,
    Prepared,
    dump_prepared,
    load_prepared,
    prepare,
    set_rules,
)
from benefice.corpus.dedup.records import DedupRecord, Match, from_record
from benefice.corpus.dedup.rules import RULES
from benefice.corpus.dedup.titles import NoticeKind, clean_title

__all__ = [
    "AuthorName",
    "DedupRecord",
    "DuplicateIndex",
    "IDENTIFIER_KEYS",
    "MAX_YEAR_GAP",
    "Match",
    "NoticeKind",
    "PREPARED_FORM_VERSION",
    "Pages",
    "Prepared",
    "RULES",
    "author_agreement",
    "author_evidence",
    "canonical_doi",
    "clean_title",
    "compare",
    "dump_prepared",
    "duplicate_groups",
    "from_record",
    "journal_agreement",
    "journal_tokens",
    "load_prepared",
    "parse_author",
    "parse_authors",
    "parse_pages",
    "prepare",
    "read_issue",
    "read_pages",
    "set_rules",
    "skeleton",
    "title_similarity",
    "title_tokens",
    "years_compatible",
]
