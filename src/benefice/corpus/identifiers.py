"""Normalise persistent identifiers so the same work is recognised whatever the source wrote.

Pure functions; each returns "" when the input holds no valid identifier, never raises.
"""

from __future__ import annotations

import re

_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_PMID_RE = re.compile(r"^\s*(?:pmid\s*:?\s*)?(\d{1,9})\s*(?:\[[^\]]*\])?\s*$", re.IGNORECASE)
_PMCID_RE = re.compile(r"(?:PMC)?\s*(\d{1,9})", re.IGNORECASE)
_OPENALEX_RE = re.compile(r"(?:openalex\.org/)?(W\d+)\b", re.IGNORECASE)
_HAL_RE = re.compile(
    r"\b((?:hal|tel|inserm|pasteur|halshs|cea|in2p3|hal-pasteur|inria)-\d{8})(?:v\d+)?\b", re.I
)


def normalise_doi(value: str | None) -> str:
    """Lower-case DOI without resolver prefix or trailing punctuation: DOIs are case-insensitive."""
    if not value:
        return ""
    text = str(value).strip()
    text = re.sub(r"%2F", "/", text, flags=re.IGNORECASE)
    m = _DOI_RE.search(text)
    if not m:
        return ""
    doi = m.group(0).rstrip(".,;:)]}>\"'")
    # a closing parenthesis is legitimate when the DOI also opens one
    if m.group(0).rstrip(".,;:]}>\"'").endswith(")") and doi.count("(") > doi.count(")"):
        doi += ")"
    return doi.lower()


def normalise_pmid(value: str | int | None) -> str:
    if value is None or value == "":
        return ""
    m = _PMID_RE.match(str(value))
    if not m:
        return ""
    digits = m.group(1).lstrip("0")
    return digits


def normalise_pmcid(value: str | int | None) -> str:
    if value is None or value == "":
        return ""
    text = str(value).strip()
    if not re.match(r"^(PMC)?\s*\d{1,9}$", text, re.IGNORECASE):
        m = re.search(r"PMC\s*(\d{1,9})", text, re.IGNORECASE)
        if not m:
            return ""
        return f"PMC{m.group(1).lstrip('0')}"
    m = _PMCID_RE.search(text)
    return f"PMC{m.group(1).lstrip('0')}" if m else ""


def normalise_openalex(value: str | None) -> str:
    if not value:
        return ""
    m = _OPENALEX_RE.search(str(value).strip())
    return m.group(1).upper() if m else ""


def normalise_hal(value: str | None) -> str:
    if not value:
        return ""
    m = _HAL_RE.search(str(value).strip())
    return m.group(1).lower() if m else ""


def normalise_issn(value: str | None) -> str:
    if not value:
        return ""
    m = re.search(r"(\d{4})-?(\d{3}[\dXx])", str(value))
    return f"{m.group(1)}-{m.group(2).upper()}" if m else ""


def normalise_orcid(value: str | None) -> str:
    if not value:
        return ""
    m = re.search(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", str(value).upper())
    return m.group(1) if m else ""
