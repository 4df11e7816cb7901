"""Failure 3 of issue 17: a javascript: URL is refused wherever it comes in, never rendered as a link, and
every page carries a Content-Security-Policy without inline script and a Permissions-Policy."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from benefice.core.headers import CONTENT_SECURITY_POLICY
from benefice.core.roles import VIEWER
from benefice.core.users import ensure_user
from benefice.errors import BeneficeError
from benefice.sources import registry, services
from benefice.sources.models import Source
from benefice.weblinks import check_url, safe_href, url_problem

HOSTILE = ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,<b>",
           "vbscript:msgbox", "//evil.example/x", "/relative", "http://", "ftp://example.org/f"]  # fmt: skip


def test_only_http_https_and_where_meant_mailto_and_doi() -> None:
    for value in HOSTILE:
        assert url_problem(value), value
        assert safe_href(value) == ""
    assert url_problem("https://documentation-snds.health-data-hub.fr/") is None
    assert url_problem("mailto:a@b.fr") and url_problem("mailto:a@b.fr", mailto=True) is None
    assert url_problem("10.1000/xyz") and safe_href("10.1000/xyz") == "https://doi.org/10.1000/xyz"
    with pytest.raises(BeneficeError) as err:
        check_url("javascript:alert(1)", "documentation_url")
    assert err.value.field == "documentation_url" and "documentation_url" in str(err.value)


@given(st.text(max_size=40))
def test_anything_safe_href_returns_is_http_https_or_mailto(text: str) -> None:
    href = safe_href(text)
    assert href == "" or href.lower().startswith(("http://", "https://", "mailto:"))


def test_registry_yaml_refuses_a_javascript_documentation_url() -> None:
    raw = {"id": "X", "names": {"fr": "X", "en": "X"}, "kind": "cohort", "country": "FR",
           "documentation_url": "javascript:alert(1)"}  # fmt: skip
    with pytest.raises(BeneficeError) as err:
        registry.registry_from_dict({"version": "1", "sources": [raw]}, path="sources.yaml")
    assert err.value.field == "documentation_url" and "sources.yaml" in str(err.value)


@pytest.mark.django_db
def test_web_edit_refuses_it_and_pages_carry_the_policies() -> None:
    services.sync_registry()
    snds = Source.objects.get(pk="SNDS")
    with pytest.raises(BeneficeError) as err:
        services.update_source(
            "SNDS", dict(snds.data, documentation_url="javascript:alert(1)"), expected_version=snds.version
        )
    assert err.value.field == "documentation_url"
    ensure_user("viewer", "a long enough passphrase", VIEWER)
    client = Client()
    client.login(username="viewer", password="a long enough passphrase")
    page = client.get("/sources/SNDS/")
    assert page.status_code == 200 and 'href="javascript:' not in page.content.decode()
    assert page["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert (
        "script-src 'self'" in CONTENT_SECURITY_POLICY
        and "unsafe-inline" not in CONTENT_SECURITY_POLICY.split("style-src")[0]
    )
    assert "camera=()" in page["Permissions-Policy"]
    assert "Content-Security-Policy" in Client().get("/login/")


def test_templates_render_external_links_through_the_filter() -> None:
    from django.template import Context, Template

    html = Template('{% load corpus_tags %}<a href="{{ u|external_url }}">').render(
        Context({"u": "javascript:x"})
    )
    assert html == '<a href="">'


@pytest.mark.django_db
def test_a_url_stored_before_the_check_is_moved_to_the_audit_log_by_the_migration() -> None:
    """A javascript: URL saved before links were checked would make the database registry refuse to load
    (every source page would fail); migration 0003 empties the field and keeps the URL in the audit log."""
    import importlib

    from django.apps import apps

    from benefice.core.models import AuditEntry

    services.sync_registry()
    src = Source.objects.get(pk="SNDS")
    src.data = {**src.data, "documentation_url": "javascript:alert(1)"}
    src.save()
    with pytest.raises(BeneficeError, match="documentation_url"):
        services.db_registry()
    migration = importlib.import_module("benefice.sources.migrations.0003_refuse_unsafe_urls")
    migration.clear_refused_urls(apps, None)
    assert services.db_registry()["SNDS"].documentation_url == ""
    entry = AuditEntry.objects.filter(object_id="SNDS", comment__contains="migration 0003").get()
    assert entry.before["documentation_url"] == "javascript:alert(1)" and entry.after["documentation_url"] == ""
