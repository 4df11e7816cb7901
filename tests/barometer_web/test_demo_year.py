"""The demo edition's year follows the last year with a publication using a French source (issue 19: the demo
edition opened on "0 publications in its last year, -100 %" because that year held only negatives)."""

from __future__ import annotations

import datetime

from benefice.barometer import demo
from benefice.corpus.models import Publication
from benefice.sources import services as sources


def _corpus(*rows: tuple[int | None, str]) -> None:
    sources.sync_registry()
    for n, (year, abstract) in enumerate(rows, 1):
        Publication.objects.create(title=f"Study {n}", year=year, abstract=abstract)
    sources.scan_database()


def test_last_year_of_negatives_only_does_not_set_the_edition(db) -> None:
    _corpus(
        (2019, "We used the SNDS to follow 2 million patients."),
        (2020, "A cohort study using the French hospital discharge database (PMSI)."),
        (2022, "A randomised trial in 300 patients."),  # the corpus's last year: no French source
        (None, "We used the SNDS."),  # no year: in no perimeter
    )
    assert demo.last_french_year() == 2020
    assert demo.demo_year() == 2021


def test_without_any_french_source_the_last_publication_year_counts(db) -> None:
    _corpus((2015, "A randomised trial in 300 patients."), (2016, "Data from the CPRD were used."))
    assert demo.last_french_year() is None
    assert demo.demo_year() == min(2017, datetime.date.today().year)


def test_empty_corpus_has_no_demo_year(db) -> None:
    assert demo.demo_year() is None
