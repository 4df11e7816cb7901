"""The codebook: codes and themes, their edits, merges and splits, versions and the orders-of-worth
starter codebook. Every change goes into the project's codebook history (``CodeChange``) and the audit.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db import transaction

from benefice.core.models import audit
from benefice.errors import BeneficeError
from benefice.i18n import LANGS, gettext_noop, pick
from benefice.interviews import refi
from benefice.interviews.colours import PALETTE, next_colour
from benefice.interviews.models import Code, CodebookVersion, Coding, IndicatorGrounding, InterviewProject
from benefice.interviews.services._shared import _json_parts, _norm, _record


def next_colour_for(project: InterviewProject) -> str:
    """The colour a new code of ``project`` gets: the next palette colour its active codes do not use."""
    return next_colour(project.codes.filter(active=True).values_list("colour", flat=True))


def _code_state(code: Code) -> dict:
    return {
        "id": code.pk,
        "name": code.name,
        "parent": code.parent_id,
        "description": code.description,
        "colour": code.colour,
        "memo": code.memo,
        "is_theme": code.is_theme,
        "active": code.active,
    }


def _check_colour(colour: str) -> str:
    colour = (colour or "").strip() or PALETTE[0]
    if not refi.RGB_RE.fullmatch(colour):
        raise BeneficeError(
            gettext_noop("colour “%(colour)s” is not #RRGGBB"), params={"colour": colour}, field="colour"
        )
    return colour


def create_code(
    project: InterviewProject,
    name: str,
    user,
    *,
    parent: Code | None = None,
    description: str = "",
    colour: str = "",
    memo: str = "",
    is_theme: bool = False,
) -> Code:
    name = name.strip()
    if not name:
        raise BeneficeError(gettext_noop("a code needs a name"), field="name")
    if parent is not None and parent.project_id != project.pk:
        raise BeneficeError(gettext_noop("the parent code belongs to another project"), field="parent")
    if project.codes.filter(parent=parent, name__iexact=name, active=True).exists():
        raise BeneficeError(
            gettext_noop("a code named “%(name)s” already exists at this level"), params={"name": name}, field="name"
        )
    if not colour:
        colour = next_colour_for(project)
    code = Code.objects.create(
        project=project,
        parent=parent,
        name=name,
        description=description.strip(),
        colour=_check_colour(colour),
        memo=memo.strip(),
        is_theme=is_theme,
    )
    _record(project, "create", user, after=_code_state(code))
    return code


def update_code(code: Code, user, **fields) -> Code:
    """Edit name, description, colour, memo, theme flag or parent; a new name is a 'rename' in the history."""
    before = _code_state(code)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise BeneficeError(gettext_noop("a code needs a name"), field="name")
    if "colour" in fields:
        fields["colour"] = _check_colour(fields["colour"])
    if "parent" in fields and fields["parent"] is not None:
        ancestor = fields["parent"]
        while ancestor is not None:
            if ancestor.pk == code.pk:
                raise BeneficeError(
                    gettext_noop("a code cannot be placed under itself or its descendants"), field="parent"
                )
            ancestor = ancestor.parent
    for name, value in fields.items():
        setattr(code, name, value)
    code.save()
    after = _code_state(code)
    kind = (
        "rename"
        if before["name"] != after["name"]
        else "move"
        if before["parent"] != after["parent"]
        else "edit"
    )
    if before != after:
        _record(code.project, kind, user, before=before, after=after)
    return code


@transaction.atomic
def merge_codes(source: Code, target: Code, user, note: str = "") -> Code:
    """Move every coding and child of ``source`` to ``target``; ``source`` stays, inactive, for the history."""
    if source.pk == target.pk or source.project_id != target.project_id:
        raise BeneficeError(gettext_noop("merge two different codes of the same project"), field="target")
    moved = 0
    for coding in list(source.codings.all()):
        if Coding.objects.filter(selection=coding.selection, coder=coding.coder, code=target).exists():
            coding.delete()  # the coder had already applied the target here
        else:
            coding.code = target
            coding.save(update_fields=["code"])
        moved += 1
    moved += _merge_media_codings(source.project, _norm(source.guid), _norm(target.guid))
    source.children.update(parent=target)
    IndicatorGrounding.objects.filter(code=source).update(code=target)
    before = {"source": _code_state(source), "target": _code_state(target)}
    if source.memo:
        target.memo = (target.memo + "\n\n" if target.memo else "") + f"[{source.name}] {source.memo}"
        target.save(update_fields=["memo"])
    source.active = False
    source.memo = (source.memo + "\n" if source.memo else "") + f"→ merged into {target.name}"
    source.save(update_fields=["active", "memo"])
    after = {
        "id": target.pk,
        "source": _code_state(source),
        "target": _code_state(target),
        "codings_moved": moved,
    }
    _record(source.project, "merge", user, before=before, after=after, note=note)
    return target


def _merge_media_codings(project: InterviewProject, old: str, new: str) -> int:
    """Codings kept on media sources move from code ``old`` to ``new`` (GUIDs), as text codings do."""
    moved = 0
    project = InterviewProject.objects.select_for_update().get(pk=project.pk)
    for item in project.other_sources:
        for part in _json_parts(item):
            for holder in [part, *part.get("selections", [])]:
                codings = holder.get("codings", [])
                coders_with_new = {c.get("coder") for c in codings if _norm(c["code"]) == new}
                kept = []
                for coding in codings:
                    if _norm(coding["code"]) == old:
                        moved += 1
                        if coding.get("coder") in coders_with_new:
                            continue  # the coder had already applied the target here
                        coders_with_new.add(coding.get("coder"))
                        coding = {**coding, "code": new}
                    kept.append(coding)
                holder["codings"] = kept
    if moved:
        project.save(update_fields=["other_sources"])
    return moved


@transaction.atomic
def split_code(code: Code, parts: list[tuple[str, list[int]]], user, note: str = "") -> list[Code]:
    """New sibling codes, each taking the given codings of ``code``; the rest stay where they were."""
    if not parts:
        raise BeneficeError(gettext_noop("a split needs at least one new code"), field="name")
    owned = set(code.codings.values_list("pk", flat=True))
    taken: set[int] = set()
    for name, coding_ids in parts:
        if not name.strip():
            raise BeneficeError(gettext_noop("each new code needs a name"), field="name")
        wrong = set(coding_ids) - owned
        if wrong:
            raise BeneficeError(
                gettext_noop("codings %(ids)s are not codings of “%(code)s”"),
                params={"ids": ", ".join(map(str, sorted(wrong))), "code": code.name},
                field="codings",
            )
        if taken & set(coding_ids):
            raise BeneficeError(gettext_noop("a coding can go to one new code only"), field="codings")
        taken |= set(coding_ids)
    before = {"code": _code_state(code), "codings": sorted(owned)}
    created = []
    for name, coding_ids in parts:
        new = Code.objects.create(
            project=code.project,
            parent=code.parent,
            name=name.strip(),
            description=f"← split from {code.name}",
            colour=next_colour_for(code.project),
        )
        Coding.objects.filter(pk__in=coding_ids).update(code=new)
        created.append(new)
    after = {
        "id": code.pk,
        "code": _code_state(code),
        "parts": [
            {"code": _code_state(c), "codings": ids} for c, (_, ids) in zip(created, parts, strict=True)
        ],
    }
    _record(code.project, "split", user, before=before, after=after, note=note)
    return created


def code_tree(project: InterviewProject, include_inactive: bool = False) -> list[dict]:
    """Codes as nested dicts with coding counts (the codebook page and the snapshots)."""
    codes = list(project.codes.all() if include_inactive else project.codes.filter(active=True))
    counts = Counter(Coding.objects.filter(code__project=project).values_list("code_id", flat=True))
    children: dict[int | None, list[Code]] = defaultdict(list)
    ids = {c.pk for c in codes}
    for code in codes:
        children[code.parent_id if code.parent_id in ids else None].append(code)

    def build(parent_id, depth):
        return [
            {
                **_code_state(c),
                "guid": c.guid,
                "count": counts.get(c.pk, 0),
                "depth": depth,
                "children": build(c.pk, depth + 1),
            }  # fmt: skip
            for c in children.get(parent_id, [])
        ]

    return build(None, 0)


def flatten(tree: list[dict]) -> list[dict]:
    out = []
    for node in tree:
        out.append(node)
        out.extend(flatten(node["children"]))
    return out


def save_version(project: InterviewProject, user, note: str = "") -> CodebookVersion:
    number = (project.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = CodebookVersion.objects.create(
        project=project, number=number, note=note.strip(), snapshot=code_tree(project), created_by=user
    )
    audit(
        "version", "interviews.CodebookVersion", version.pk, after={"number": number, "note": note}, user=user
    )
    return version


# Boltanski & Thévenot, De la justification (1991), plus the project city (Boltanski & Chiapello 1999)
# and the green order (Lafaye & Thévenot 1993). Definitions written for this workspace, short on purpose.
ORDERS_OF_WORTH = [
    ("civic", "Civique", "Civic",
     "La grandeur tient à l'intérêt général, à la solidarité et à l'égalité : volonté collective exprimée "
     "par des règles, des droits et des instances représentatives.",
     "Worth lies in the general interest, solidarity and equality: the collective will expressed through "
     "rules, rights and representative bodies."),
    ("market", "Marchande", "Market",
     "La grandeur tient au prix et à la concurrence : ce qui se vend, s'achète et rapporte.",
     "Worth lies in price and competition: what is bought, sold and profitable."),
    ("industrial", "Industrielle", "Industrial",
     "La grandeur tient à l'efficacité et à la performance : mesure, méthode, planification, expertise, "
     "normes.",
     "Worth lies in efficiency and performance: measurement, method, planning, expertise, standards."),
    ("domestic", "Domestique", "Domestic",
     "La grandeur tient à la tradition, à la confiance et à la fidélité : relations personnelles, "
     "hiérarchie, réputation acquise dans la durée.",
     "Worth lies in tradition, trust and loyalty: personal relations, hierarchy, reputation built over "
     "time."),
    ("inspired", "Inspirée", "Inspired",
     "La grandeur tient à la créativité et à la passion : singularité, intuition, rupture avec la routine.",
     "Worth lies in creativity and passion: singularity, intuition, breaking with routine."),
    ("fame", "De l'opinion (renom)", "Fame",
     "La grandeur tient à la reconnaissance par les autres : visibilité, notoriété, place dans les médias.",
     "Worth lies in recognition by others: visibility, renown, presence in the media."),
    ("project", "Par projets (connexionniste)", "Project",
     "La grandeur tient à l'activité et aux connexions : réseaux, flexibilité, capacité à lancer et "
     "rejoindre des projets.",
     "Worth lies in activity and connections: networks, flexibility, the ability to start and join "
     "projects."),
    ("green", "Écologique", "Green",
     "La grandeur tient à la préservation de l'environnement : durabilité, soin de la nature et des "
     "générations futures.",
     "Worth lies in protecting the environment: sustainability, care for nature and future generations."),
]  # fmt: skip


STARTER_TITLES = (
    "Économies de la grandeur (Boltanski et Thévenot)",
    "Orders of worth (Boltanski & Thévenot)",
)


@transaction.atomic
def load_starter_codebook(project: InterviewProject, user) -> Code:
    """The orders of worth as a theme with one code per order, in the project's language (once)."""
    lang = project.language  # "fr" or "en" (the field's choices)
    other = next(code for code in LANGS if code != lang)  # the memo keeps the other language's version
    title = pick(*STARTER_TITLES, lang)
    existing = project.codes.filter(name=title, parent=None, active=True).first()
    if existing:
        raise BeneficeError(gettext_noop("the orders-of-worth starter codebook is already loaded"))
    root = Code.objects.create(
        project=project,
        name=title,
        is_theme=True,
        is_codable=False,
        colour="#999999",
        description=pick(
            "Comment les acteurs justifient la valeur des usages des données.",
            "How actors justify the worth of data uses.",
            lang,
        ),
    )
    for _key, name_fr, name_en, text_fr, text_en in ORDERS_OF_WORTH:
        Code.objects.create(
            project=project,
            parent=root,
            name=pick(name_fr, name_en, lang),
            colour=next_colour_for(project),  # the palette keeps highlighted text readable
            description=pick(text_fr, text_en, lang),
            memo=f"{pick(name_fr, name_en, other)}: {pick(text_fr, text_en, other)}",
        )
    _record(project, "starter", user, after={"id": root.pk, "name": title, "codes": len(ORDERS_OF_WORTH)})
    return root


def history(project: InterviewProject):
    return project.code_changes.select_related("user")
