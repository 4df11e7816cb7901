"""External links: which URLs we store and render (issue 17, failure 3).

Every URL a person or a file gives us (a source's documentation, a figure's source, a case's link, a
custodian's reference…) must be ``http://`` or ``https://`` with a host; ``mailto:`` and DOIs only where the
field means them. Anything else (``javascript:``, ``data:``, ``vbscript:``, a scheme hidden behind spaces or
control characters) is refused with an error naming the field, and :func:`safe_href` is what templates use
(through the ``external_url`` filter) so that no page renders an unchecked URL, even one stored before this
check existed. No Django import.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from benefice.errors import BeneficeError

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def url_problem(value: str, *, mailto: bool = False, doi: bool = False) -> str | None:
    """Why ``value`` is not an acceptable external link, or None when it is (empty is acceptable)."""
    text = (value or "").strip()
    if not text:
        return None
    if doi and _DOI.fullmatch(text):
        return None
    if _CONTROL.search(text):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return None if parts.hostname else "has no host"
    if scheme == "mailto" and mailto:
        return None if "@" in parts.path else "is not an e-mail address"
    allowed = "http(s)" + (", mailto" if mailto else "") + (" or a DOI" if doi else "")
    return f"must be an {allowed} address, not {scheme + ':' if scheme else 'a relative link'}"


def check_url(value: str, field: str, *, mailto: bool = False, doi: bool = False, **where) -> str:
    """``value`` stripped, or BeneficeError naming ``field`` (and any ``path``/``line``/``record`` given)."""
    problem = url_problem(value, mailto=mailto, doi=doi)
    if problem:
        raise BeneficeError(f"{field}: {str(value)[:80]!r} {problem}", field=field, **where)
    return (value or "").strip()


def safe_href(value: str, *, mailto: bool = True, doi: bool = True) -> str:
    """The URL to put in ``href``: ``value`` when acceptable (a bare DOI becomes https://doi.org/…), else ""."""
    text = (value or "").strip()
    if not text or url_problem(text, mailto=mailto, doi=doi):
        return ""
    if _DOI.fullmatch(text):
        return "https://doi.org/" + text
    return text
