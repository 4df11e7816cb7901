"""The model and form validator built on weblinks.url_problem (issue 17): http(s) only, DOI/mailto where meant,
translated message, serialisable in migrations."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from benefice.weblinks import (
    WebURLValidator,
    looks_like_link,
    validate_web_reference,
    validate_web_url,
    validate_web_url_or_doi,
)

HOSTILE = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>",
           "vbscript:msgbox(1)", "ftp://example.org/f", "/relative/path", "relative/path", "https://"]  # fmt: skip
VALID = ["https://example.org/report.pdf", "http://example.org", " https://doi.org/10.1000/xyz "]


@pytest.mark.parametrize("value", HOSTILE)
def test_refused_with_a_message_saying_what_is_accepted(value: str) -> None:
    for validator in (validate_web_url, validate_web_url_or_doi):
        with pytest.raises(ValidationError) as err:
            validator(value)
        assert err.value.code == "unsafe_url"
    with translation.override("en"):
        with pytest.raises(ValidationError) as err:
            validate_web_url(value)
        assert "Give an http(s) address" in err.value.messages[0]
    with translation.override("fr"):
        with pytest.raises(ValidationError) as err:
            validate_web_url(value)
        assert "Indiquez une adresse http(s)" in err.value.messages[0]


@pytest.mark.parametrize("value", [*VALID, ""])
def test_http_https_and_empty_accepted(value: str) -> None:
    validate_web_url(value)
    validate_web_url_or_doi(value)


def test_doi_and_mailto_only_where_meant() -> None:
    with pytest.raises(ValidationError):
        validate_web_url("10.1000/xyz")
    validate_web_url_or_doi("10.1000/xyz")
    with pytest.raises(ValidationError):
        validate_web_url("mailto:a@b.fr")
    WebURLValidator(mailto=True)("mailto:a@b.fr")


def test_references_are_text_unless_they_are_links() -> None:
    for text in ("Rapport annuel 2023, p. 12", "PMID:123456", "doi", "/relative is text", "10.1000/xyz"):
        validate_web_reference(text)
    for link in ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:x", "data:text/html,x",
                 "vbscript:x", "ftp://example.org/f", "https://"):  # fmt: skip
        assert looks_like_link(link)
        with pytest.raises(ValidationError):
            validate_web_reference(link)
    validate_web_reference("https://doi.org/10.1038/s41467-022-31401-5")


def test_deconstructs_for_migrations() -> None:
    assert validate_web_url.deconstruct() == ("benefice.weblinks.WebURLValidator", (), {})
    assert validate_web_url_or_doi.deconstruct()[2] == {"doi": True}
    assert validate_web_reference.deconstruct()[2] == {"reference": True}
    assert WebURLValidator(doi=True) == validate_web_url_or_doi != validate_web_url
