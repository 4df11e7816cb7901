"""Fixtures for the interview workspace: a project with a lead, two coders, a viewer and an outsider.

The outsider is a site superuser on purpose: site roles give no access to interviews, only membership does.
The transcript is the French test interview of ``tests/interviews/fixtures`` (written for these tests),
imported and pseudonymised through the services with the real spaCy model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from benefice.core.roles import ADMIN, EDITOR, VIEWER
from benefice.core.users import ensure_user
from benefice.interviews import services
from benefice.interviews.models import Membership

PASSWORD = "correct horse battery staple"
FIXTURES = Path(__file__).resolve().parents[1] / "interviews" / "fixtures"
INTERVIEW = FIXTURES / "entretien_fr.txt"
# Originals that appear in the test interview and must never reach coders or exports.
ORIGINALS = ("Marchetti", "Vasseur", "thomas.nguyen@", "06 12 34 56 78", "12 avril 1971")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db) -> dict:
    return {
        "lead": ensure_user("lead", PASSWORD, EDITOR),
        "coder1": ensure_user("coder1", PASSWORD, VIEWER),
        "coder2": ensure_user("coder2", PASSWORD, VIEWER),
        "viewer": ensure_user("reader", PASSWORD, VIEWER),
        "outsider": ensure_user("outsider", PASSWORD, ADMIN, superuser=True),
    }


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def project(people):
    project = services.create_project("Entretiens SNDS", people["lead"], keep_originals=False)
    services.set_member(project, people["coder1"], Membership.CODER, people["lead"])
    services.set_member(project, people["coder2"], Membership.CODER, people["lead"])
    services.set_member(project, people["viewer"], Membership.VIEWER, people["lead"])
    services.update_project(project, people["lead"], names_list=(FIXTURES / "noms_projet.txt").read_text())
    return project


@pytest.fixture
def transcript(project, people):
    """The test interview, imported and reviewed with every proposal accepted."""
    transcript = services.import_transcript(project, INTERVIEW.name, INTERVIEW.read_bytes(), people["lead"])
    services.apply_review(transcript, {}, people["lead"])
    transcript.refresh_from_db()
    return transcript
