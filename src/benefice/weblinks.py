"""External links: which URLs we store and render (issue 17, failure 3).

Every URL a person or a file gives us (a source's documentation, a figure's source, a case's link, a
custodian's reference…) must be ``http://`` or ``https://`` with a host; ``mailto:`` and DOIs only where the
field means them. Anything else (``javascript:``, ``data:``, ``vbscript:``, a scheme hidden behind spaces or
control characters) is refused with an error naming the field, and :func:`safe_href` is what templates use
(through the ``external_url`` filter) so that no page renders an unchecked URL, even one stored before this
check existed.

:class:`WebURLValidator` (``validate_web_url``, ``validate_web_url_or_doi``…) is the same rule as a Django
model and form validator, so a field refuses such a value at ``full_clean`` and in every form (admin
included), not only in the services; it is deconstructible, so migrations name it instead of copying it.
No Django import at module level: the import pipeline's child process uses :func:`url_problem` without
settings.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from benefice.errors import BeneficeError
from benefice.i18n import Message, gettext_noop

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_LINK = re.compile(r"[a-z][a-z0-9+.\-]*://")
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


def _problem(value: str, mailto: bool, doi: bool) -> tuple[str, dict[str, str]] | None:
    """The reason code and its parameters, shared by the English text and the translated validator."""
    text = (value or "").strip()
    if not text:
        return None
    if doi and _DOI.fullmatch(text):
        return None
    if _CONTROL.search(text):
        return "control", {}
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError as exc:
        return "invalid", {"error": str(exc)}
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return None if host else ("no_host", {})
    if scheme == "mailto" and mailto:
        return None if "@" in parts.path else ("not_email", {})
    return "scheme", {"scheme": scheme + ":" if scheme else ""}


def _allowed(mailto: bool, doi: bool) -> str:
    return "http(s)" + (", mailto" if mailto else "") + (" or a DOI" if doi else "")


def url_problem(value: str, *, mailto: bool = False, doi: bool = False) -> str | None:
    """Why ``value`` is not an acceptable external link, or None when it is (empty is acceptable)."""
    found = _problem(value, mailto, doi)
    if found is None:
        return None
    code, params = found
    if code == "control":
        return "contains spaces or control characters"
    if code == "invalid":
        return f"is not a valid URL ({params['error']})"
    if code == "no_host":
        return "has no host"
    if code == "not_email":
        return "is not an e-mail address"
    return f"must be an {_allowed(mailto, doi)} address, not {params['scheme'] or 'a relative link'}"


_REASONS = {
    "control": gettext_noop("it contains spaces or control characters"),
    "invalid": gettext_noop("it is not a valid address"),
    "no_host": gettext_noop("it has no host"),
    "not_email": gettext_noop("it is not an e-mail address"),
}


def problem_message(value: str, *, mailto: bool = False, doi: bool = False) -> Message | None:
    """Why ``value`` is refused, as a message said later in its reader's language (the web form's error,
    an import report's note), or None when it is acceptable: what is accepted, why not, and the value."""
    found = _problem(str(value or ""), mailto, doi)
    if found is None:
        return None
    code, params = found
    if code in _REASONS:
        reason = Message(_REASONS[code])
    elif params.get("scheme"):
        reason = Message(gettext_noop("%(scheme)s links are refused"), {"scheme": params["scheme"]})
    else:
        reason = Message(gettext_noop("a relative link is refused"))
    if mailto and doi:
        accepted = gettext_noop("an http(s) or mailto: address, or a DOI")
    elif mailto:
        accepted = gettext_noop("an http(s) or mailto: address")
    elif doi:
        accepted = gettext_noop("an http(s) address or a DOI")
    else:
        accepted = gettext_noop("an http(s) address")
    return Message(
        gettext_noop("Give %(accepted)s: %(reason)s (“%(value)s”)."),
        {"accepted": Message(accepted), "reason": reason, "value": str(value)[:80]},
    )


def looks_like_link(value: str) -> bool:
    """Whether free text (a reference, a figure's source) is meant as a link: ``scheme://…``, or a scheme a
    browser would run (``javascript:``, ``vbscript:``, ``data:``) even behind spaces or control characters.

    Why not every ``word:`` prefix: references are also citations ("PMID:123", "ISBN:…", "Rapport : p. 4"),
    which stay text and are never rendered as links.
    """
    compact = _CONTROL.sub("", value or "").lower()
    return bool(_LINK.match(compact)) or compact.startswith(_SCRIPT_SCHEMES)


def reference_problem(value: str) -> str | None:
    """Why a reference (free text, a DOI or a link) is not acceptable: only when it is a link
    (:func:`looks_like_link`) that is not http(s) with a host or a DOI."""
    return url_problem(value, doi=True) if looks_like_link(value) else None


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


class WebURLValidator:
    """Django validator: ``value`` must pass :func:`url_problem` (with ``mailto``/``doi`` where the field means
    them). The message is translated (French first, English) and says what is accepted and why not.

    Deconstructible by hand (:meth:`deconstruct`, as ``django.utils.deconstruct`` would make it) so that this
    module does not import Django when the import pipeline loads it.

    With ``reference=True`` the field holds a reference (a citation, a DOI or a link): only a value that
    :func:`looks_like_link` is checked, so citations stay accepted.
    """

    code = "unsafe_url"

    def __init__(self, *, mailto: bool = False, doi: bool = False, reference: bool = False) -> None:
        self.mailto = mailto
        self.doi = doi or reference
        self.reference = reference

    def __call__(self, value: object) -> None:
        text = str(value or "")
        if self.reference and not looks_like_link(text):
            return
        message = problem_message(text, mailto=self.mailto, doi=self.doi)
        if message is None:
            return
        from django.core.exceptions import ValidationError
        from django.utils.translation import get_language

        raise ValidationError(message.localized(get_language()), code=self.code)

    def deconstruct(self) -> tuple[str, tuple, dict[str, bool]]:
        pairs = (
            ("mailto", self.mailto),
            ("doi", self.doi and not self.reference),
            ("reference", self.reference),
        )
        kwargs = {k: v for k, v in pairs if v}
        return "benefice.weblinks.WebURLValidator", (), kwargs

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WebURLValidator) and (self.mailto, self.doi, self.reference) == (
            other.mailto,
            other.doi,
            other.reference,
        )

    def __hash__(self) -> int:
        return hash((self.mailto, self.doi, self.reference))


validate_web_url = WebURLValidator()  # http(s) with a host
validate_web_url_or_doi = WebURLValidator(doi=True)  # … or a bare DOI (10.xxxx/…)
validate_web_reference = WebURLValidator(reference=True)  # a citation, a DOI, or an http(s) link
