"""Deduplication across the notations databases write (issue 20): pages, issues, journals, title notes, groups.

Each normaliser is checked on the notations it reads and by a property; each matching rule by a pair it must
join and, as important, by pairs that are *not* the same work and must stay apart.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefice.corpus.dedup import (
    RULES,
    Pages,
    clean_title,
    compare,
    duplicate_groups,
    journal_agreement,
    journal_tokens,
    parse_authors,
    prepare,
    read_issue,
    read_pages,
    set_rules,
)

BASE = {
    "id": "a",
    "title": "Liquid-based cytology versus conventional smears in cervical screening",
    "year": 2012,
    "author": "Smith, J. and Jones, K. L. and Brown, P.",
    "journal": "Acta Cytologica",
    "volume": "56",
    "number": "3",
    "pages": "233-240",
}


def rec(**changes: object) -> dict[str, object]:
    return {**BASE, **changes}


def same(a: dict[str, object], b: dict[str, object]) -> bool:
    return compare(prepare(a), prepare(b)) is not None


# ---------------------------------------------------------------------------------------------- pages


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("S12-4", Pages("12", "14")),  # MEDLINE: supplement page, last page abbreviated
        ("S12-S14", Pages("12", "14")),
        ("iii45-iii50", Pages("45", "50")),  # supplement iii
        ("123A", Pages("123", "")),  # abstract pages
        ("pp. 12-15", Pages("12", "15")),
        ("12-+", Pages("12", "")),  # Web of Science: continued on later pages
        ("12.e1-12.e7", Pages("12", "")),  # Elsevier's electronic sub-pages
        ("943-5; author reply 945-6", Pages("943", "945")),
        ("e1234", Pages("1234", "", True)),  # electronic article number
        ("e0123456", Pages("123456", "", True)),
        ("[E1234]", Pages("1234", "", True)),
        ("CD006828", Pages("6828", "", True)),  # Cochrane review number
        ("ARTN 1234", Pages("1234", "", True)),  # Web of Science
        ("Art. no. 1234", Pages("1234", "", True)),  # Scopus
        ("101234", Pages("101234", "", True)),  # no printed volume reaches page 100,000
        # unreadable: unknown, never a page
        ("iii-iv", Pages("", "")),
        ("12 pp", Pages("", "")),
        ("N.PAG", Pages("", "")),
        ("var.pagings", Pages("", "")),
        ("01-Jun", Pages("", "")),
        ("12/15", Pages("", "")),
        ("2004;19(8):943-5", Pages("", "")),
        ("A-F99_9-99", Pages("", "")),
        ("[Epub ahead of print]", Pages("", "")),
    ],
)
def test_read_pages_notations(raw: str, expected: Pages) -> None:
    assert read_pages(raw) == expected


@given(st.integers(1, 99_999), st.integers(0, 500), st.sampled_from(["", "S", "A", "iii"]))
def test_pages_abbreviated_full_and_prefixed_agree(first: int, length: int, prefix: str) -> None:
    last = first + length
    full = read_pages(f"{first}-{last}")
    f, la = str(first), str(last)
    common = 0  # MEDLINE drops the leading digits the last page shares with the first ("1324-7")
    while len(f) == len(la) and common < len(la) - 1 and f[common] == la[common]:
        common += 1
    abbreviated = read_pages(f"{first}-{la[common:]}")
    prefixed = read_pages(f"{prefix}{first}-{prefix}{last}")
    assert full == abbreviated == prefixed
    assert full.first == str(first) and full.last == ("" if length == 0 else str(last))


@given(st.text(max_size=30))
def test_read_pages_total(text: str) -> None:
    pages = read_pages(text)
    assert pages.first == "" or pages.first.isdigit()
    assert pages.last == "" or pages.last.isdigit()


def test_article_number_and_printed_pages_do_not_contradict() -> None:
    online = rec(id="b", pages="e1234", number="")
    assert same(rec(pages="1-8"), online)


def test_different_articles_of_one_supplement_stay_apart() -> None:
    a = rec(number="Suppl 2", pages="S12-S14")
    b = rec(id="b", number="Suppl 2", pages="S15-S17", author="Smith, J. and Jones, K. L. and Brown, P.")
    assert not same(a, b)
    # two article numbers are two locations: a series with one title in the same volume stays apart
    assert not same(rec(pages="e1234", number=""), rec(id="b", pages="e1240", number=""))


def test_unreadable_pages_neither_support_nor_contradict() -> None:
    assert same(rec(pages="N.PAG"), rec(id="b"))
    assert prepare(rec(pages="12 pp")).page_first == ""


# ---------------------------------------------------------------------------------------------- issues


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", "3"), ("Suppl 2", ""), ("5 Suppl 1", ""), ("S2", ""), ("SUPPL", ""), ("8-9", "8"), ("", "")],
)
def test_read_issue(raw: str, expected: str) -> None:
    assert read_issue(raw) == expected


def test_supplement_issue_does_not_contradict_an_issue_number() -> None:
    assert same(rec(number="Suppl 1", pages="S233-S240"), rec(id="b", number="7", pages="233-240"))


# ---------------------------------------------------------------------------------------------- journals


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("J Clin Epidemiol & Public Health", "Journal of Clinical Epidemiology and Public Health"),
        ("Seminars in Thrombosis &amp; Hemostasis", "Seminars in Thrombosis and Hemostasis"),
        ("PLoS ONE [Electronic Resource]", "PLoS One"),
        ("Gan to Kagaku Ryoho [Japanese Journal of Cancer & Chemotherapy]", "Gan To Kagaku Ryoho"),
        ("Journal of Thoracic Oncology: Official Publication of the IASLC", "Journal of Thoracic Oncology"),
        ("European Respiratory Journal. Supplement.", "European Respiratory Journal"),
    ],
)
def test_journal_notations_agree(a: str, b: str) -> None:
    assert journal_agreement(journal_tokens(a), journal_tokens(b)) >= 0.85


def test_journal_subtitle_of_its_own_stays() -> None:
    tokens = journal_tokens("Clinical Medicine Insights: Circulatory, Respiratory and Pulmonary Medicine")
    assert "circulatory" in tokens
    assert journal_agreement(journal_tokens("Acta Cytologica"), journal_tokens("Cytopathology")) < 0.7


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)


@given(st.lists(_WORD, min_size=1, max_size=5), st.lists(_WORD, min_size=1, max_size=4))
def test_journal_bracket_note_ignored(words: list[str], note: list[str]) -> None:
    name = " ".join(w.capitalize() for w in words)
    assert journal_tokens(f"{name} [{' '.join(note)}]") == journal_tokens(name)
    assert journal_tokens(name.replace(" ", " & ")) == journal_tokens(name.replace(" ", " and "))


# ---------------------------------------------------------------------------------------------- titles

TITLE = "Liquid-based cytology versus conventional smears in cervical screening"


@pytest.mark.parametrize(
    "tail",
    [
        " (Review)",
        " [Review] [33 refs]",
        " [Review; 33 refs]",
        " (33 refs)",
        " [Article in French]",
        ". [Article in German; Abstract available in German from the publisher]",
        " [English Abstract]",
        " [In Process Citation]",
        " [see comments]",
        " [published erratum appears in Acta Cytol 1999;43(2):300]",
        ". Erratum in: Acta Cytol. 2013;57(1):100.",
        ". Comment in: Acta Cytol. 2013;57(1):101-2.",
        ". Update in: Cochrane Database Syst Rev. 2014;(2):CD001234.",
    ],
)
def test_title_annotations_removed(tail: str) -> None:
    assert clean_title(TITLE + tail) == (TITLE, "")


@given(
    st.lists(_WORD, min_size=3, max_size=10),
    st.sampled_from([" [Article in Spanish]", " (Review)", " [12 refs]", ". Erratum in: J X. 2010;5:1."]),
)
def test_title_annotation_property(words: list[str], tail: str) -> None:
    title = " ".join(words).capitalize()
    assert clean_title(title + tail)[0] == clean_title(title)[0]


def test_notice_naming_its_article_is_a_notice_and_stays_apart() -> None:
    """Policy: an erratum (or retraction, comment) is its own record; it never joins the article it corrects."""
    assert clean_title(f"{TITLE}. Erratum for: Acta Cytol. 2012;56(3):233-40.") == (TITLE, "erratum")
    assert clean_title(f"{TITLE}. Retraction of: Acta Cytol. 2012;56(3):233-40.") == (TITLE, "retraction")
    erratum = rec(id="b", title=f"{TITLE}. Erratum for: Acta Cytol. 2012;56(3):233-40.", pages="500")
    assert not same(rec(), erratum)
    # an article record carrying "Erratum in:" is still the article
    assert same(rec(), rec(id="b", title=f"{TITLE}. Erratum in: Acta Cytol. 2013;57(1):100."))


# ---------------------------------------------------------------------------------------------- groups


def test_group_authors_parsed_as_groups() -> None:
    names = parse_authors("ASCUS-LSIL Triage Study Group and Smith, J. and Alexion Pharmaceuticals, Inc")
    assert [n.group for n in names] == [True, False, True]


def test_group_author_in_place_of_persons_is_unknown_not_different() -> None:
    group = rec(id="b", author="ASCUS-LSIL Triage Study (ALTS) Group")
    assert same(rec(), group)
    # persons compared without the group named among them
    assert same(rec(), rec(id="b", author="ALTS Group and Smith, J. and Jones, K. L. and Brown, P."))


def test_group_authors_do_not_join_different_works() -> None:
    a = rec(author="Cytology Study Group", title="Open label trial of HPV testing in adult women", pages="")
    b = rec(
        id="b", author="Cytology Study Group", title="Open label trial of HPV testing in adolescent women"
    )
    b["pages"] = ""
    assert not same(a, b)
    # other persons than the record's own are still other authors
    assert not same(rec(), rec(id="b", author="Garcia, M. and Lee, H. and Novak, T."))


# ---------------------------------------------------------------------------------------------- switches


def test_rules_switch_and_measure() -> None:
    pair = [rec(pages="1-8"), rec(id="b", pages="e1234", number="")]
    assert duplicate_groups(pair) == [["a", "b"]]
    set_rules(pages_notation=False)
    try:
        assert duplicate_groups(pair) == []
    finally:
        set_rules(pages_notation=True)
    assert all(RULES.values())
    with pytest.raises(KeyError):
        set_rules(no_such_rule=False)
