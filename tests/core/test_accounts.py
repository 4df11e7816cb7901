"""Accounts and deployment (issue 17, failure 7): throttled sign-in, password rules, the demo account
flagged, `benefice check --deploy` clean with deploy/env.example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.test import Client

from benefice.cli import main
from benefice.core.accounts import forget_demo_account
from benefice.core.roles import ADMIN, EDITOR
from benefice.core.users import ensure_user
from benefice.errors import BeneficeError

PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_wrong_passwords_then_the_right_one_is_refused_for_a_while(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    ensure_user("ed", PASSWORD, EDITOR)
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "ed", "password": "wrong"})
        assert response.status_code in (200, 429)
    response = client.post("/login/", {"username": "ed", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    assert "Trop d'échecs de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another account, or the same from another address, is not blocked
    ensure_user("other", PASSWORD, EDITOR)
    assert Client().post("/login/", {"username": "other", "password": PASSWORD}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert elsewhere.post("/login/", {"username": "ed", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_password_rules_apply_to_the_cli() -> None:
    with pytest.raises(BeneficeError, match="password refused"):
        ensure_user("root", "a", ADMIN, validate=True)
    result = CliRunner().invoke(main, ["init", "--admin", "root", "--password", "a"])
    assert result.exit_code == 2 and "password refused" in result.output
    assert "trop court" in result.output  # Django's own messages, in French (LANGUAGE_CODE)


@pytest.mark.django_db
def test_the_demo_account_is_flagged_on_every_page() -> None:
    forget_demo_account()
    ensure_user("ed", PASSWORD, EDITOR)
    client = Client()
    client.login(username="ed", password=PASSWORD)
    assert "Base de démonstration" not in client.get("/corpus/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    ensure_user("demo", "demo", ADMIN, superuser=True, demo=True)
    page = client.get("/corpus/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Base de démonstration" in page and "demo / demo" in page
    forget_demo_account()


def _check_deploy(tmp_path: Path, extra: dict) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "BENEFICE_HOME": str(tmp_path / "h")}
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-m", "benefice", "check", "--deploy"], env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_the_example_environment(tmp_path) -> None:
    values = {}
    for line in (ROOT / "deploy" / "env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key] = value
    values.pop("BENEFICE_HOME")
    values.pop("DATABASE_URL")  # the checks need no database; the example's server is not there
    clean = _check_deploy(tmp_path, values)
    assert clean.returncode == 0, clean.stderr
    assert "no issues" in clean.stdout and "WARNING" not in clean.stdout + clean.stderr
    bare = _check_deploy(tmp_path, {})
    assert bare.returncode == 1
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in bare.stderr


def test_behind_a_proxy_failures_are_counted_by_the_address_the_proxy_saw(settings) -> None:
    from django.test import RequestFactory

    from benefice.core.accounts import client_address

    request = RequestFactory().post(
        "/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3"
    )
    settings.BEHIND_PROXY = False
    assert client_address(request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_address(request) == "10.1.2.3"  # the hop the proxy appended; the first may be forged


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters(settings) -> None:
    from django.contrib.auth.hashers import identify_hasher, make_password

    from benefice import settings as shipped

    assert shipped.PASSWORD_HASHERS[0] == "benefice.core.accounts.Argon2idHasher"
    settings.PASSWORD_HASHERS = shipped.PASSWORD_HASHERS
    with_settings = make_password(PASSWORD)
    assert with_settings.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(with_settings).verify(PASSWORD, with_settings)
    assert not identify_hasher(with_settings).verify("wrong", with_settings)


@pytest.mark.django_db
def test_an_older_pbkdf2_hash_still_signs_in_and_is_rehashed_with_argon2id(settings) -> None:
    from django.conf import global_settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    settings.PASSWORD_HASHERS = [
        "benefice.core.accounts.Argon2idHasher",
        *global_settings.PASSWORD_HASHERS,
    ]
    user = ensure_user("old", PASSWORD, EDITOR)
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    response = Client().post("/login/", {"username": "old", "password": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")


def test_history_pages_name_a_change_in_the_readers_language(db):
    """Issue 19: the history showed the stored action code ("load", "update") on French pages."""
    from django.utils import translation

    from benefice.core.models import AuditEntry

    entry = AuditEntry(action="load", object_type="x", object_id="1")
    with translation.override("fr"):
        assert entry.action_label == "chargé depuis le fichier de données"
        assert AuditEntry(action="update").action_label == "modifié"
        assert AuditEntry(action="a_service_own").action_label == "a_service_own"  # never hidden
    with translation.override("en"):
        assert entry.action_label == "loaded from the data file"
