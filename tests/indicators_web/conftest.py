"""Fixtures for the indicator pages: the shipped catalogue loaded, an editor and a viewer."""

from __future__ import annotations

import pytest
from django.test import Client

from benefice.core.roles import EDITOR, VIEWER
from benefice.core.users import ensure_user
from benefice.indicators import services as indicator_services

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalogue(db) -> None:
    """indicators.yaml, as shipped, in the database."""
    indicator_services.sync_indicators()


def _signed_in(username: str, role: str) -> Client:
    client = Client()
    ensure_user(username, PASSWORD, role)
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def editor(db) -> Client:
    return _signed_in("alice", EDITOR)


@pytest.fixture
def bruno(db) -> Client:
    """A second editor, to edit the same indicator at the same time."""
    return _signed_in("bruno", EDITOR)


@pytest.fixture
def viewer(db) -> Client:
    return _signed_in("vera", VIEWER)
