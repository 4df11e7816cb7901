"""Fixtures of the kinds-of-use tests (stub detector and classifier in uses_fixtures)."""

from __future__ import annotations

import pytest
from uses_fixtures import StubDetector, StubKinds, make_corpus

from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user
from benefice.sources import services as source_services
from benefice.uses import services


@pytest.fixture(autouse=True)
def job_home(settings, tmp_path):
    """Job files (the retraining's) of each test in a directory of its own."""
    settings.HOME = tmp_path


@pytest.fixture
def stub(monkeypatch):
    """Both stubs; returns the classifier class, whose ``version`` a test may change."""
    monkeypatch.setattr(source_services.detection, "Detector", StubDetector)  # where scan_database looks it up
    monkeypatch.setattr(StubKinds, "version", "stub 1")
    monkeypatch.setattr(StubKinds, "calls", 0)
    monkeypatch.setattr(services, "current_classifier", StubKinds)
    return StubKinds


@pytest.fixture
def corpus(db, stub):
    source_services.sync_registry()
    pubs = make_corpus()
    source_services.scan_database()
    return pubs


@pytest.fixture
def editor(db):
    return ensure_user("edith", "pw", EDITOR)


@pytest.fixture
def other_editor(db):
    return ensure_user("oscar", "pw", EDITOR)
