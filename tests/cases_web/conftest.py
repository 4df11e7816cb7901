"""Fixtures for the impact web app: the bundled catalogue and cases loaded, two editors and a viewer."""

from __future__ import annotations

import pytest
from django.test import Client

from benefice.cases import services as case_services
from benefice.core.roles import EDITOR, VIEWER
from benefice.core.users import ensure_user
from benefice.indicators import services as indicator_services

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def loaded(db) -> None:
    """indicators.yaml and cases.yaml, as shipped, in the database."""
    indicator_services.sync_indicators()
    case_services.sync_cases()


@pytest.fixture
def people(db) -> dict:
    return {
        "alice": ensure_user("alice", PASSWORD, EDITOR),
        "bruno": ensure_user("bruno", PASSWORD, EDITOR),
        "viewer": ensure_user("vera", PASSWORD, VIEWER),
    }


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client
