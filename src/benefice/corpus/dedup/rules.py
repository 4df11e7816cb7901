"""The switchable notation rules of issue 20 (see :func:`benefice.corpus.dedup.set_rules`)."""

from __future__ import annotations

# The rules of issue 20 (notations of pages, issues, journal titles, title annotations and group authors),
# each switchable so that ``benchmarks/dedup.py`` can measure its effect on every set; always on otherwise.
RULES: dict[str, bool] = {
    "pages_notation": True,  # unreadable pages are unknown; article numbers vs printed pages do not contradict
    "issue_supplement": True,  # an issue field naming a supplement is not an issue number
    "journal_notation": True,  # entities, "Title: subtitle" without a space, "[...]" notes, supplement suffixes
    "title_annotations": True,  # MEDLINE/Ovid/Embase notes about other records and language tags
    "group_authors": True,  # a group author in place of persons is unknown authorship, not other authors
}
