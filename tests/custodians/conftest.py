"""Fixtures for the custodian pages: the demo corpus scanned, the illustrative directory, an editor and a viewer."""

from __future__ import annotations

import pytest
from django.test import Client

from benefice.core.roles import EDITOR, VIEWER
from benefice.core.users import ensure_user
from benefice.paths import package_data

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_custodian_demo() -> None:
    from benefice.corpus.services import import_file
    from benefice.custodians import demo
    from benefice.sources.services import scan_database, sync_registry

    import_file(package_data("demo", "corpus.ris"), kind="demo")
    sync_registry()
    scan_database()
    demo.load_demo(lambda _message: None)


@pytest.fixture
def demo_data(db) -> None:
    load_custodian_demo()


@pytest.fixture
def people(db) -> dict:
    return {"editor": ensure_user("eddie", PASSWORD, EDITOR), "viewer": ensure_user("vera", PASSWORD, VIEWER)}


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client
