"""Publications written for the barometer tests, and a helper that builds an edition from them with the
shipped registry, typology, indicators and cases (a module name of its own: every test folder has a conftest)."""

from __future__ import annotations

from pathlib import Path

from benefice.barometer.freeze import build
from benefice.barometer.inputs import write_inputs

YEAR = 2026
OBSERVED = "2026-11-28"

PUBLICATIONS = [
    {
        "id": "pub-001",
        "year": 2021,
        "doi": "10.1136/bmjresp-2021-001002",
        "title": "Risk factors of mortality among patients hospitalised with COVID-19",
        "journal": "BMJ Open Respir Res",
        "sources_used": ["PMSI"],
        "forms": {"PMSI": ["acronym"]},
        "categories": ["crisis_surveillance"],
        "cites_authorisation": True,
    },
    {
        "id": "pub-002",
        "year": 2023,
        "pmid": "36841656",
        "title": "Performing pharmacoepidemiological studies using the French health insurance data warehouse",
        "journal": "Therapie",
        "sources_mentioned": ["SNDS"],
        "forms": {"SNDS": ["acronym"]},
        "categories": ["methods_data_quality"],
    },
    {
        "id": "pub-003",
        "year": 2024,
        "doi": "10.1002/pds.2044",
        "title": "Benfluorex and valvular heart disease: a cohort study of a million people with diabetes",
        "journal": "Pharmacoepidemiol Drug Saf",
        "sources_used": ["DCIR", "PMSI"],
        "forms": {"DCIR": ["acronym"], "PMSI": ["description"]},
        "categories": ["pharmacovigilance_drug_safety"],
        "cites_authorisation": True,
        "cites_documentation": True,
    },
    {
        "id": "pub-004",
        "year": 2025,
        "doi": "10.1093/ije/dyu184",
        "title": "Cohort profile: the CONSTANCES cohort",
        "journal": "Int J Epidemiol",
        "sources_used": ["CONSTANCES"],
        "forms": {"CONSTANCES": ["official_name"]},
        "categories": ["methods_data_quality"],
        "cites_custodian": True,
    },
    {
        "id": "pub-005",
        "year": 2025,
        "doi": "10.1016/j.therap.2020.01.001",
        "title": "Use of the SNDS for drug utilisation",
        "journal": "Therapie",
        "sources_used": ["SNDS", "SNIIRAM"],
        "forms": {"SNDS": ["official_name"], "SNIIRAM": ["acronym"]},
        "categories": ["drug_utilisation"],
    },
    {"id": "pub-006", "year": 2026, "title": "Too recent for the 2026 edition", "sources_used": ["SNDS"]},
]


def make_edition(tmp: Path, publications=None, *, name="edition", inputs_name="inputs", **kw) -> Path:
    inputs = write_inputs(tmp / inputs_name, PUBLICATIONS if publications is None else publications)
    from benefice.barometer.inputs import inputs_from_directory

    return build(inputs_from_directory(inputs), YEAR, tmp / "editions" / name, OBSERVED, version="test", **kw)
