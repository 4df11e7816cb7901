"""The shipped registry is complete and consistent; invalid edits are refused with a clear error."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
import yaml

from benefice.errors import BeneficeError
from benefice.paths import package_data
from benefice.sources.registry import KINDS, export_registry, fold, load_registry, registry_from_dict

REQUIRED_IDS = (
    "SNDS SNIIRAM DCIR PMSI CEPIDC EGB ESND CONSTANCES E3N NUTRINET ELFE GAZEL 3C CANTO FRANCIM REIN "
    "EDS_APHP EDP_SANTE ESPS_EHIS"
).split()


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(package_data("sources.yaml").read_text(encoding="utf-8"))


def test_required_ids_and_size() -> None:
    registry = load_registry()
    missing = [i for i in REQUIRED_IDS if i not in registry]
    assert not missing
    french = [s for s in registry if s.country == "FR" and s.kind != "actor"]
    foreign = [s for s in registry if s.country != "FR"]
    assert len(french) >= 40
    assert {"CPRD", "UK_BIOBANK", "MEDICARE", "KR_NHIS", "JP_JMDC"} <= {s.id for s in foreign}
    assert registry.version and registry.changelog


def test_every_source_is_well_formed() -> None:
    registry = load_registry()
    for source in registry:
        assert source.kind in KINDS
        assert len(source.country) == 2 and source.country.isupper()
        assert source.names
        assert source.citation, source.id
    assert registry["EPIPHARE"].kind == "actor"


def test_hierarchy_of_the_snds() -> None:
    registry = load_registry()
    assert registry.ancestors("DCIR") == ["SNIIRAM", "SNDS"]
    assert {"SNIIRAM", "PMSI", "CEPIDC", "ESND"} <= set(registry["SNDS"].components)
    assert {"PMSI_MCO", "PMSI_SSR", "PMSI_HAD", "RIM_P"} == set(registry["PMSI"].components)
    assert registry["EGB"].successor == "ESND" and registry["ESND"].predecessor == "EGB"
    assert registry["SNIIRAM"].successor == "SNDS"


def test_no_alias_points_to_two_sources() -> None:
    """Only descriptions guarded by `requires` cues may be shared (the cues decide)."""
    owner: dict[str, str] = {}
    for source in load_registry():
        for alias in source.aliases():
            if alias.requires:
                continue
            key = fold(alias.text)
            assert owner.setdefault(key, source.id) == source.id, (alias.text, owner[key], source.id)


def test_no_parent_cycle() -> None:
    registry = load_registry()
    for source in registry:
        chain = registry.ancestors(source.id)
        assert source.id not in chain and len(chain) == len(set(chain))


def _with(raw: dict, sid: str, **changes) -> dict:
    data = copy.deepcopy(raw)
    for source in data["sources"]:
        if source["id"] == sid:
            source.update(changes)
    return data


def test_alias_collision_is_refused_naming_both_sources(raw: dict) -> None:
    data = _with(raw, "GAZEL", acronyms=["GAZEL", "pmsi"])
    with pytest.raises(BeneficeError) as caught:
        registry_from_dict(data)
    message = str(caught.value)
    assert "GAZEL" in message and "PMSI" in message and caught.value.field == "acronyms"


def test_alias_collision_ignores_case_and_accents(raw: dict) -> None:
    data = _with(raw, "CANTO", variants=["Systeme National des Donnees de Sante"])
    with pytest.raises(BeneficeError, match="SNDS"):
        registry_from_dict(data)


def test_parent_cycle_is_refused(raw: dict) -> None:
    data = _with(raw, "SNDS", parent="DCIR")
    with pytest.raises(BeneficeError, match="parent cycle") as caught:
        registry_from_dict(data)
    assert caught.value.field == "parent"


def test_unknown_parent_and_duplicate_id_are_refused(raw: dict) -> None:
    with pytest.raises(BeneficeError, match="NOPE") as caught:
        registry_from_dict(_with(raw, "E3N", parent="NOPE"))
    assert "E3N" in str(caught.value) and caught.value.field == "parent"
    data = copy.deepcopy(raw)
    data["sources"].append(copy.deepcopy(data["sources"][0]))
    with pytest.raises(BeneficeError, match="duplicate id") as caught:
        registry_from_dict(data)
    assert "SNDS" in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "database"),
        ("country", "France"),
        ("names", {}),
        ("first_year", "2006"),
        ("acronyms", "SNDS"),
    ],
)
def test_malformed_fields_are_refused(raw: dict, field: str, value) -> None:
    with pytest.raises(BeneficeError) as caught:
        registry_from_dict(_with(raw, "SNDS", **{field: value}))
    assert caught.value.field == field and "SNDS" in str(caught.value)


def test_bad_yaml_names_the_file_and_line(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: '1'\nsources:\n  - id: X\n   kind: [\n", encoding="utf-8")
    with pytest.raises(BeneficeError) as caught:
        load_registry(path)
    assert caught.value.path == str(path) and caught.value.line is not None


def test_exports_round_trip() -> None:
    registry = load_registry()
    records = json.loads(export_registry(registry, "json"))
    assert len(records) == len(registry)
    by_id = {r["id"]: r for r in records}
    for key in ("id", "names", "acronyms", "country", "parent", "kind"):
        assert key in by_id["DCIR"]
    assert by_id["DCIR"]["parent"] == "SNIIRAM" and by_id["SNDS"]["country"] == "FR"
    again = registry_from_dict(yaml.safe_load(export_registry(registry, "yaml")))
    assert again.to_records() == registry.to_records()
    rows = list(csv.DictReader(io.StringIO(export_registry(registry, "csv"))))
    assert len(rows) == len(registry) and rows[0]["id"] == "SNDS"
    with pytest.raises(BeneficeError):
        export_registry(registry, "xml")


def test_contextual_descriptions_may_be_shared_but_plain_ones_may_not(raw: dict) -> None:
    shared = {"text": "national cohort database", "requires": ["france"]}
    data = _with(raw, "GAZEL", descriptions=[shared])
    data = _with(data, "E3N", descriptions=[shared])
    registry_from_dict(data)  # both carry cues: allowed
    data = _with(data, "E3N", descriptions=["national cohort database"])
    with pytest.raises(BeneficeError, match="GAZEL"):
        registry_from_dict(data)


def test_exported_records_validate_again_as_they_are() -> None:
    registry = load_registry()
    data = {"version": registry.version, "changelog": registry.changelog, "sources": registry.to_records()}
    assert registry_from_dict(data).to_records() == registry.to_records()
