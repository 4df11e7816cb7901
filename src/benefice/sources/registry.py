"""The source registry: which health data sources exist, what they are called, how they relate.

The registry is a human-readable YAML file shipped in the package (``benefice/data/sources.yaml``),
versioned with the code so a detection result can always be traced to the registry that produced it.
This module loads and validates it (pure Python, no Django) and exports it as JSON, YAML or CSV. The web
app imports the same dictionaries into the database and calls :func:`registry_from_dict` to validate an
edit before saving it, so a registry that would make an alias point to two sources, refer to an unknown
parent or create a parent cycle is refused with a message naming the source and the field.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from benefice import csvout
from benefice.curated import Ctx, Text, read_yaml
from benefice.errors import BeneficeError
from benefice.i18n import pick
from benefice.paths import package_data

KINDS = frozenset(
    {
        "claims",
        "hospital_discharge",
        "cause_of_death",
        "cohort",
        "disease_registry",
        "hospital_data_warehouse",
        "survey",
        "sample",
        "surveillance",
        "linked_database",
        "primary_care",
        "administrative",
        "actor",
    }
)
FORMS = ("acronym", "official_name", "translation", "former_name", "description")
#: the fields a reader sees as prose (notes, custodian): {fr, en} in the file, French written first
PROSE_FIELDS = ("ambiguity", "custodian", "access")
_GENERIC_WORDS = frozenset(
    "the la le les l cohort cohorte study etude registry registre network reseau database base sample".split()
)
_ID_RE = re.compile(r"^[A-Z0-9][A-Z0-9_]*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_LIST_FIELDS = (
    "acronyms",
    "former_names",
    "variants",
    "translations",
    "descriptions",
    "ambiguous",
    "context",
)
_KNOWN_FIELDS = frozenset(
    {
        "id",
        "kind",
        "country",
        "names",
        "parent",
        "predecessor",
        "successor",
        "ambiguity",
        "custodian",
        "first_year",
        "history",
        "access",
        "documentation_url",
        "citation",
        "grammar",
        "components",  # derived from the other sources' parent: accepted (as exported) and ignored
        *_LIST_FIELDS,
    }
)


_SPECIAL_LETTERS = {"ø": "o", "æ": "a", "œ": "o", "ß": "s", "ł": "l", "đ": "d", "ð": "d", "þ": "t", "ı": "i"}
_ASCII_FOLD = bytes(
    (b + 32 if 65 <= b <= 90 else b) if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else 32
    for b in range(256)
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    """One non-ASCII character to one ASCII character: its unaccented letter or digit, else a space."""
    low = char.lower()
    if low in _SPECIAL_LETTERS:
        return _SPECIAL_LETTERS[low]
    base = unicodedata.normalize("NFKD", char)[:1]
    if base.isascii() and base.isalnum():
        return base.lower()
    return " "


def fold_chars(text: str) -> str:
    """Fold case, accents and punctuation one character for one character (offsets are unchanged):
    ASCII letters and digits lower-cased, accented Latin letters to their base letter, everything else
    (punctuation, symbols, other scripts) to a space. The result is pure ASCII, so the bulk of the work is
    a C-level ``bytes.translate``."""
    if not text.isascii():
        # Few distinct non-ASCII characters per text: replace each everywhere at C speed.
        for char in set(_NON_ASCII.findall(text)):
            text = text.replace(char, _fold_char(char))
    return text.encode("ascii").translate(_ASCII_FOLD).decode("ascii")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key of an alias: how aliases are compared.

    The same folding as detection applies to texts (:func:`fold_chars`), with space runs collapsed.
    """
    return " ".join(fold_chars(text).split())


@dataclass(frozen=True)
class Alias:
    """One way of writing a source's name, with the form it represents and when it may be trusted."""

    text: str
    form: str  # one of FORMS
    field: str  # registry field it comes from (names.fr, acronyms, descriptions…)
    requires: tuple[str, ...] = ()  # cue words one of which must be near (descriptions)


@dataclass
class Source:
    """One data source (or actor) of the registry."""

    id: str
    kind: str
    country: str
    names: dict[str, str]
    acronyms: list[str] = field(default_factory=list)
    former_names: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)
    descriptions: list[Alias] = field(default_factory=list)
    grammar: list[Any] = field(default_factory=list)  # grammar.GrammarRule: how texts describe it unnamed
    ambiguous: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    ambiguity: Text = Text("", "")
    parent: str | None = None
    predecessor: str | None = None
    successor: str | None = None
    components: list[str] = field(default_factory=list)  # derived from the other sources' parent
    custodian_text: Text = Text("", "")  # the custodian for a reader (a proper name is the same in both)
    first_year: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # {year, event: {fr, en}}
    access: Text = Text("", "")
    documentation_url: str = ""
    citation: str = ""

    @property
    def custodian(self) -> str:
        """The custodian's name as the citation statistics and the barometer group and match it: the French
        text (a French institution's proper name, or the French wording of a note about it)."""
        return self.custodian_text.fr or self.custodian_text.en

    @property
    def own_language(self) -> str:
        """The language of the source's official name: French for French sources, else English."""
        return "fr" if self.country == "FR" else "en"

    @property
    def is_actor(self) -> bool:
        return self.kind == "actor"

    def aliases(self) -> list[Alias]:
        """Every name, acronym, variant, translation and description, each tagged with its form.

        A name that is only an acronym plus a generic word ("CONSTANCES cohort", "Cohorte GAZEL") counts
        as the acronym form: it does not spell the source out."""
        out: list[Alias] = []
        acronyms = {fold(a) for a in self.acronyms}
        for lang, name in self.names.items():
            form = "official_name" if lang == self.own_language else "translation"
            bare = " ".join(w for w in fold(name).split() if w not in _GENERIC_WORDS)
            out.append(Alias(name, "acronym" if bare in acronyms else form, f"names.{lang}"))
        out += [Alias(a, "acronym", "acronyms") for a in self.acronyms]
        out += [Alias(v, "official_name", "variants") for v in self.variants]
        out += [Alias(t, "translation", "translations") for t in self.translations]
        out += [Alias(f, "former_name", "former_names") for f in self.former_names]
        out += list(self.descriptions)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data for export (JSON/YAML/CSV) and for the web app's import."""
        return {
            "id": self.id,
            "kind": self.kind,
            "country": self.country,
            "names": dict(self.names),
            "acronyms": list(self.acronyms),
            "former_names": list(self.former_names),
            "variants": list(self.variants),
            "translations": list(self.translations),
            "descriptions": [
                {"text": d.text, "requires": list(d.requires)} if d.requires else d.text
                for d in self.descriptions
            ],
            "grammar": [rule.to_dict() for rule in self.grammar],
            "ambiguous": list(self.ambiguous),
            "context": list(self.context),
            "ambiguity": _text_record(self.ambiguity),
            "parent": self.parent,
            "components": list(self.components),
            "predecessor": self.predecessor,
            "successor": self.successor,
            "custodian": _custodian_record(self.custodian_text),
            "first_year": self.first_year,
            "history": [{"year": h["year"], "event": dict(h["event"])} for h in self.history],
            "access": _text_record(self.access),
            "documentation_url": self.documentation_url,
            "citation": self.citation,
        }


@dataclass
class Registry:
    """All sources, by id, with the registry version they come from."""

    version: str
    changelog: list[dict[str, Any]]
    sources: dict[str, Source]
    path: str = ""

    def __iter__(self) -> Iterator[Source]:
        return iter(self.sources.values())

    def __len__(self) -> int:
        return len(self.sources)

    def __contains__(self, source_id: object) -> bool:
        return source_id in self.sources

    def __getitem__(self, source_id: str) -> Source:
        return self.sources[source_id]

    def ancestors(self, source_id: str) -> list[str]:
        """Parent, grandparent… of a source (nearest first)."""
        out: list[str] = []
        parent = self.sources[source_id].parent
        while parent is not None:
            out.append(parent)
            parent = self.sources[parent].parent
        return out

    def descendants(self, source_id: str) -> list[str]:
        """Components, their components… of a source (breadth first)."""
        out: list[str] = []
        queue = list(self.sources[source_id].components)
        while queue:
            current = queue.pop(0)
            out.append(current)
            queue.extend(self.sources[current].components)
        return out

    def is_french(self, source_id: str) -> bool:
        source = self.sources.get(source_id)
        return source is not None and source.country == "FR"

    def to_records(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.sources.values()]


def _fail(
    message: str, path: str, index: int | None, source_id: str | None, fld: str | None
) -> BeneficeError:
    """The registry's errors in the words of every curated file: file, record number, source and field."""
    return Ctx(path, f"source {source_id!r}" if source_id else "", index).fail(message, fld)


def _str_list(value: Any, *, path: str, index: int, sid: str, fld: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail("must be a list of non-empty strings", path, index, sid, fld)
    return [v.strip() for v in value]


def _descriptions(value: Any, *, path: str, index: int, sid: str) -> list[Alias]:
    out: list[Alias] = []
    for item in value or []:
        if isinstance(item, str) and item.strip():
            out.append(Alias(item.strip(), "description", "descriptions"))
        elif isinstance(item, Mapping) and isinstance(item.get("text"), str) and item["text"].strip():
            requires = _str_list(item.get("requires"), path=path, index=index, sid=sid, fld="descriptions")
            out.append(Alias(item["text"].strip(), "description", "descriptions", tuple(requires)))
        else:
            raise _fail("each description is a string or {text, requires}", path, index, sid, "descriptions")
    return out


def _grammar(value: Any, *, path: str, index: int, sid: str) -> list[Any]:
    from benefice.sources.grammar import parse_rules  # grammar imports this module's folding

    try:
        return parse_rules(value, where=f"source {sid!r}")
    except BeneficeError as exc:
        raise BeneficeError(exc.message, path=path, record=index, field="grammar") from exc


def _url(value: Any, *, path: str, index: int, sid: str) -> str:
    """A documentation URL: http(s) only (issue 17), refused naming the source and the field."""
    from benefice.weblinks import url_problem

    text = str(value or "").strip()
    problem = url_problem(text)
    if problem:
        raise _fail(f"documentation_url {text[:80]!r} {problem}", path, index, sid, "documentation_url")
    return text


def _optional_id(value: Any, *, path: str, index: int, sid: str, fld: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise _fail(f"{fld} must be a source id, got {value!r}", path, index, sid, fld)
    return value


def _text_record(text: Text) -> dict[str, str] | str:
    """A prose field as the file writes it: {fr, en}, or "" when the source has none."""
    return {"fr": text.fr, "en": text.en} if text.fr or text.en else ""


def _custodian_record(text: Text) -> dict[str, str] | str:
    """The custodian as the file writes it: one string when it is a proper name (the same in both
    languages), else {fr, en}."""
    return text.fr if text.fr == text.en else _text_record(text)


def _prose(
    value: Any, *, path: str, index: int, sid: str, fld: str, bilingual: bool, name_ok: bool = False
) -> Text:
    """A text a reader sees, {fr, en}, French first; both are required in the registry file (``bilingual``).

    ``name_ok``: a plain string is a proper name, the same in both languages (the custodian). Without
    ``bilingual`` (a registry kept by an older version: a frozen edition, a database not yet edited) a
    plain string is that version's English text, and a missing French stays empty: :func:`text_in`
    shows the English then, so nothing is lost."""
    if value is None or value == "":
        return Text("", "")
    if isinstance(value, str):
        if not value.strip():
            return Text("", "")
        if name_ok:
            return Text(value.strip(), value.strip())
        if bilingual:
            raise _fail(
                f"{fld} must be {{fr: ..., en: ...}} (French first), got a plain text", path, index, sid, fld
            )
        return Text("", value.strip())
    if not isinstance(value, Mapping) or not set(value) <= {"fr", "en"}:
        raise _fail(f"{fld} must be {{fr: ..., en: ...}}", path, index, sid, fld)
    texts = {}
    for lang in ("fr", "en"):
        text = value.get(lang)
        if text is not None and not isinstance(text, str):
            raise _fail(f"{fld}.{lang} must be a text", path, index, sid, f"{fld}.{lang}")
        texts[lang] = (text or "").strip()
        if bilingual and not texts[lang]:
            raise _fail(f"{fld}.{lang} is missing or empty", path, index, sid, f"{fld}.{lang}")
    if not texts["fr"] and not texts["en"]:
        return Text("", "")
    return Text(texts["fr"], texts["en"])


def _history(value: Any, *, path: str, index: int, sid: str, bilingual: bool) -> list[dict[str, Any]]:
    history = value or []
    if not isinstance(history, list) or not all(
        isinstance(h, Mapping) and isinstance(h.get("year"), int) and not isinstance(h.get("year"), bool)
        for h in history
    ):
        raise _fail("history must be a list of {year, event}", path, index, sid, "history")
    out = []
    for i, h in enumerate(history):
        fld = f"history[{i}].event"
        event = _prose(h.get("event"), path=path, index=index, sid=sid, fld=fld, bilingual=bilingual)
        if not event.fr and not event.en:
            raise _fail("history must be a list of {year, event}", path, index, sid, fld)
        out.append({"year": h["year"], "event": {"fr": event.fr, "en": event.en}})
    return out


def text_in(value: Any, lang: str | None) -> str:
    """A prose field of a registry entry (as stored: {fr, en}, or an older version's plain text) for a
    reader of ``lang``: the other language's text when this one is missing, so nothing written is hidden."""
    if isinstance(value, Mapping):
        return pick(str(value.get("fr") or ""), str(value.get("en") or ""), lang)
    return str(value or "")


def _parse_source(raw: Any, index: int, path: str, bilingual: bool = False) -> Source:
    if not isinstance(raw, Mapping):
        raise _fail("each source must be a mapping", path, index, None, None)
    sid = raw.get("id")
    if not isinstance(sid, str) or not _ID_RE.match(sid):
        raise _fail(f"id must be upper-case letters, digits or _, got {sid!r}", path, index, None, "id")
    unknown = set(raw) - _KNOWN_FIELDS
    if unknown:
        raise _fail(f"unknown field(s) {sorted(unknown)}", path, index, sid, sorted(unknown)[0])
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _fail(f"kind must be one of {sorted(KINDS)}, got {kind!r}", path, index, sid, "kind")
    country = raw.get("country")
    if not isinstance(country, str) or not _COUNTRY_RE.match(country):
        raise _fail(
            f"country must be an ISO 3166-1 alpha-2 code, got {country!r}", path, index, sid, "country"
        )
    names = raw.get("names")
    if (
        not isinstance(names, Mapping)
        or not names
        or not set(names) <= {"fr", "en"}
        or not all(isinstance(v, str) and v.strip() for v in names.values())
    ):
        raise _fail("names must map fr and/or en to a non-empty name", path, index, sid, "names")
    first_year = raw.get("first_year")
    if first_year is not None and (not isinstance(first_year, int) or not 1800 <= first_year <= 2100):
        raise _fail(f"first_year must be a year, got {first_year!r}", path, index, sid, "first_year")
    prose = {
        f: _prose(
            raw.get(f), path=path, index=index, sid=sid, fld=f, bilingual=bilingual, name_ok=f == "custodian"
        )
        for f in PROSE_FIELDS
    }
    lists = {f: _str_list(raw.get(f), path=path, index=index, sid=sid, fld=f) for f in _LIST_FIELDS[:4]}
    source = Source(
        id=sid,
        kind=kind,
        country=country,
        names={k: v.strip() for k, v in names.items()},
        descriptions=_descriptions(raw.get("descriptions"), path=path, index=index, sid=sid),
        grammar=_grammar(raw.get("grammar"), path=path, index=index, sid=sid),
        ambiguous=_str_list(raw.get("ambiguous"), path=path, index=index, sid=sid, fld="ambiguous"),
        context=_str_list(raw.get("context"), path=path, index=index, sid=sid, fld="context"),
        ambiguity=prose["ambiguity"],
        parent=_optional_id(raw.get("parent"), path=path, index=index, sid=sid, fld="parent"),
        predecessor=_optional_id(raw.get("predecessor"), path=path, index=index, sid=sid, fld="predecessor"),
        successor=_optional_id(raw.get("successor"), path=path, index=index, sid=sid, fld="successor"),
        custodian_text=prose["custodian"],
        first_year=first_year,
        history=_history(raw.get("history"), path=path, index=index, sid=sid, bilingual=bilingual),
        access=prose["access"],
        documentation_url=_url(raw.get("documentation_url"), path=path, index=index, sid=sid),
        citation=str(raw.get("citation") or "").strip(),
        **lists,
    )
    folded_aliases = {fold(a.text) for a in source.aliases()}
    for form in source.ambiguous:
        if fold(form) not in folded_aliases:
            raise _fail(f"ambiguous form {form!r} is not one of its aliases", path, index, sid, "ambiguous")
    return source


def check_source(raw: Any, path: str = "<registry>") -> Source:
    """One entry checked as the registry file's are, its prose in both languages (an edit from the web app:
    who edits a source writes its French too); the rest of the registry is checked by
    :func:`registry_from_dict`."""
    return _parse_source(raw, 1, path, bilingual=True)


def registry_from_dict(data: Any, path: str = "<registry>", *, bilingual: bool = False) -> Registry:
    """Validate registry data (as read from YAML or sent by the web app) and build a :class:`Registry`.

    Raises BeneficeError naming the source and field for: a duplicate id, an alias (after folding case,
    accents and punctuation) claimed by two sources, an unknown parent/predecessor/successor, a parent
    cycle, or a malformed field. With ``bilingual`` (a registry file, an edit saved from the web app) every
    prose field (:data:`PROSE_FIELDS`, history events) must be written in French and in English; without
    it, an older version's English-only text is read as English (frozen editions keep such files).
    """
    ctx = Ctx(path)
    if not isinstance(data, Mapping):
        raise ctx.fail("the registry must be a mapping with version, changelog and sources")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ctx.fail("the registry needs a version string", "version")
    changelog = data.get("changelog") or []
    if not isinstance(changelog, list):
        raise ctx.fail("changelog must be a list", "changelog")
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ctx.fail("sources must be a non-empty list", "sources")

    sources: dict[str, Source] = {}
    for index, raw in enumerate(raw_sources, start=1):
        source = _parse_source(raw, index, path, bilingual)
        if source.id in sources:
            raise _fail("duplicate id", path, index, source.id, "id")
        sources[source.id] = source

    # folded alias -> (source id, field, contextual). Two sources may share a description only when both
    # copies carry `requires` cues (the nearby words decide; the first source in file order wins a tie).
    owner: dict[str, tuple[str, str, bool]] = {}
    for index, source in enumerate(sources.values(), start=1):
        for alias in source.aliases():
            key = fold(alias.text)
            if not key:
                raise _fail(
                    f"alias {alias.text!r} has no letters or digits", path, index, source.id, alias.field
                )
            contextual = bool(alias.requires)
            other = owner.get(key)
            if other is not None and other[0] != source.id and not (contextual and other[2]):
                raise _fail(
                    f"alias {alias.text!r} ({alias.field}) also belongs to source {other[0]!r} ({other[1]})",
                    path,
                    index,
                    source.id,
                    alias.field,
                )
            owner.setdefault(key, (source.id, alias.field, contextual))

    for index, source in enumerate(sources.values(), start=1):
        for rule in source.grammar:
            if rule.period_source is not None and rule.period_source not in sources:
                raise _fail(
                    f"grammar period source {rule.period_source!r} is not a source of the registry",
                    path,
                    index,
                    source.id,
                    "grammar",
                )
        for fld in ("parent", "predecessor", "successor"):
            target = getattr(source, fld)
            if target is not None and target not in sources:
                raise _fail(f"{fld} {target!r} is not a source of the registry", path, index, source.id, fld)
            if target == source.id:
                raise _fail(f"{fld} cannot be the source itself", path, index, source.id, fld)
    for index, source in enumerate(sources.values(), start=1):
        seen = [source.id]
        parent = source.parent
        while parent is not None:
            if parent in seen:
                cycle = " → ".join([*seen, parent])
                raise _fail(f"parent cycle {cycle}", path, index, source.id, "parent")
            seen.append(parent)
            parent = sources[parent].parent
    for source in sources.values():
        if source.parent is not None:
            sources[source.parent].components.append(source.id)
    return Registry(version=version.strip(), changelog=list(changelog), sources=sources, path=path)


def load_registry(path: str | Path | None = None) -> Registry:
    """Read and validate a registry file (default: the one shipped with benefice)."""
    if path is None:
        return _default_registry()
    return _read(Path(path))


@lru_cache(maxsize=1)
def _default_registry() -> Registry:
    return _read(package_data("sources.yaml"))


def _read(path: Path) -> Registry:
    return registry_from_dict(read_yaml(path), path=str(path), bilingual=True)


EXPORT_FORMATS = ("json", "yaml", "csv")
_CSV_COLUMNS = (
    "id",
    "kind",
    "country",
    "name_fr",
    "name_en",
    "acronyms",
    "former_names",
    "variants",
    "translations",
    "descriptions",
    "parent",
    "components",
    "predecessor",
    "successor",
    "custodian_fr",
    "custodian_en",
    "first_year",
    "access_fr",
    "access_en",
    "documentation_url",
    "citation",
    "ambiguity_fr",
    "ambiguity_en",
)


def export_registry(registry: Registry, fmt: str) -> str:
    """The registry as text: ``json`` (a list of sources), ``yaml`` (same shape as the shipped file,
    so an export edited in the web app can replace it) or ``csv`` (one row per source, lists joined
    with `` | `` for spreadsheets)."""
    records = registry.to_records()
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        for record in records:
            record.pop("components")  # derived from parent on load
        document = {"version": registry.version, "changelog": registry.changelog, "sources": records}
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=110)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csvout.DictWriter(buffer, fieldnames=_CSV_COLUMNS)
        writer.writeheader()
        for record in records:
            row = {k: record.get(k) for k in _CSV_COLUMNS if k in record}
            row["name_fr"] = record["names"].get("fr", "")
            row["name_en"] = record["names"].get("en", "")
            for key in ("acronyms", "former_names", "variants", "translations", "components"):
                row[key] = " | ".join(record[key])
            for key in PROSE_FIELDS:
                value = record[key]
                row[f"{key}_fr"] = value.get("fr", "") if isinstance(value, dict) else value
                row[f"{key}_en"] = value.get("en", "") if isinstance(value, dict) else value
            row["descriptions"] = " | ".join(
                d if isinstance(d, str) else d["text"] for d in record["descriptions"]
            )
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return buffer.getvalue()
    raise BeneficeError(
        f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}", field="format"
    )
