"""Fixtures of the correction tests (data and the stub detector in corrections_fixtures)."""

from __future__ import annotations

import pytest
from corrections_fixtures import ABSTRACT_A, ABSTRACT_B, TITLE_A, TITLE_B, StubDetector, make_raw

from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user
from benefice.corpus.models import Publication
from benefice.sources import services


@pytest.fixture
def stub(monkeypatch):
    monkeypatch.setattr(services.detection, "Detector", StubDetector)  # where scan_database looks it up


@pytest.fixture
def stub_corpus(stub):
    services.sync_registry()
    a = Publication.objects.create(title=TITLE_A, abstract=ABSTRACT_A, year=2018, keywords=["pregnancy"])
    b = Publication.objects.create(title=TITLE_B, abstract=ABSTRACT_B, year=2020)
    make_raw(a, 1)
    make_raw(b, 2)
    services.scan_database()
    return a, b


@pytest.fixture
def editor(db):
    return ensure_user("edith", "pw", EDITOR)
