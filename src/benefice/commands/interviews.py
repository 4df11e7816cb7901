"""Interview commands that need no database: pseudonymise, agreement.

The DB-backed ``benefice qda import/export`` commands live with the interview project models; these two
work on files so they can run on a researcher's laptop before anything reaches the server.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from benefice.commands.messages import counted, number, say, say_n
from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop

TRANSCRIPT_SUFFIXES = {".docx", ".odt", ".vtt", ".srt"}


@click.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Transcript to pseudonymise (txt; docx, odt, vtt and srt are read as their plain text).",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Pseudonymised text. Never contains the detected originals.",
)
@click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Language of the transcript (chooses the spaCy model and the pseudonym labels).",
)
@click.option(
    "--names",
    "names_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Project list of names, one per line, optionally 'name<TAB>PERSON|PLACE|ORG'.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a JSON report of entities found (type, count, replacement, spans). WARNING: the "
    "report CONTAINS THE ORIGINAL names, addresses and numbers; keep it as private as the "
    "raw transcript. Without --report, originals are written nowhere.",
)
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON mapping shared across a project's transcripts: read if it exists, then updated, so "
    "the same person gets the same pseudonym in every transcript. Contains originals.",
)
@click.option("--no-ner", is_flag=True, help="Rules and the names list only (no spaCy model).")
def pseudonymise(
    input_path: Path,
    output_path: Path,
    lang: str,
    names_path: Path | None,
    report_path: Path | None,
    mapping_path: Path | None,
    no_ner: bool,
) -> None:
    """Replace person names, places, organisations, e-mails, phones and dates of birth by pseudonyms.

    Detection combines spaCy NER (fr_core_news_md / en_core_web_sm), rules and the project's list of names;
    replacements are consistent ([PERSONNE_1] everywhere for the same person). The output holds no
    originals; the optional --report and --mapping files do.
    """
    from benefice.interviews.pseudonymise import Mapping, read_names
    from benefice.interviews.pseudonymise import pseudonymise as run
    from benefice.interviews.transcripts import read_transcript, read_txt

    resolved = {p.resolve() for p in (report_path, mapping_path) if p is not None}
    if output_path.resolve() == input_path.resolve() or output_path.resolve() in resolved:
        raise BeneficeError(
            gettext_noop("--output must differ from --input, --report and --mapping"), path=str(output_path)
        )
    if not input_path.exists():
        raise BeneficeError(gettext_noop("no such file"), path=str(input_path))
    if input_path.suffix.lower() in TRANSCRIPT_SUFFIXES:
        text = read_transcript(input_path).text
    else:
        text = read_txt(input_path).text
    names = read_names(names_path) if names_path else None
    mapping = Mapping.load(mapping_path) if mapping_path and mapping_path.exists() else Mapping(lang=lang)
    result = run(text, lang=lang, names=names, mapping=mapping, use_ner=not no_ner)
    output_path.write_text(result.text, encoding="utf-8")
    if report_path:
        report_path.write_text(json.dumps(result.report(), ensure_ascii=False, indent=2), encoding="utf-8")
    if mapping_path:
        mapping.save(mapping_path)
    by_type = result.report()["by_type"]
    summary = ", ".join(
        say(gettext_noop("%(kind)s: %(count)s"), kind=_entity_kind(kind), count=count)
        for kind, count in sorted(by_type.items())
    ) or say(gettext_noop("nothing found"))
    replacements = say_n("%(n)s replacement", "%(n)s replacements", len(result.entities))
    click.echo(
        say(gettext_noop("%(path)s: %(replacements)s (%(summary)s)"), path=output_path, replacements=replacements,
            summary=summary)
    )  # fmt: skip


#: what each kind of entity the pseudonymiser replaces is called in its report (never its code, PERSON…)
ENTITY_KINDS = {
    "PERSON": gettext_noop("people"),
    "PLACE": gettext_noop("places"),
    "ORG": gettext_noop("organisations"),
    "EMAIL": gettext_noop("e-mail addresses"),
    "PHONE": gettext_noop("phone numbers"),
    "BIRTH_DATE": gettext_noop("dates of birth"),
}


def _entity_kind(code: str) -> str:
    """A kind of entity named in the user's locale; a kind without a name is shown as its code."""
    return say(ENTITY_KINDS[code]) if code in ENTITY_KINDS else code


def _format(value: float | None) -> str:
    """A figure with three decimals, in the user's locale (a decimal comma in French); a dash for none."""
    return "—" if value is None else number(value, 3)


@click.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Codings CSV with columns coder,document,start,end,code (0-based, end exclusive).",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON result: figures per code, pooled, and the list of disagreements.",
)
@click.option(
    "--lengths",
    "lengths_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV with columns document,length (characters).",
)
def agreement(input_path: Path, output_path: Path, lengths_path: Path) -> None:
    """Inter-coder agreement at character level: percent agreement, Cohen's kappa, Krippendorff's alpha."""
    from benefice.interviews.agreement import agreement as compute
    from benefice.interviews.agreement import read_codings, read_lengths

    lengths = read_lengths(lengths_path)
    codings = read_codings(input_path, lengths)
    result = compute(codings, lengths)
    output_path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(
        say(
            gettext_noop("coders: %(coders)s; documents: %(documents)s; characters: %(characters)s"),
            coders=", ".join(result["coders"]),
            documents=counted(result["documents"]),
            characters=counted(result["characters"]),
        )
    )
    heads = (say(gettext_noop("code")), say(gettext_noop("agree")), "kappa", "alpha")
    click.echo(f"{heads[0]:<30} {heads[1]:>7} {heads[2]:>7} {heads[3]:>7}")
    for code, entry in result["codes"].items():
        click.echo(
            f"{code[:30]:<30} {_format(entry['percent_agreement']):>7} {_format(entry['cohen_kappa']):>7} "
            f"{_format(entry['krippendorff_alpha']):>7}"
        )
    pooled = result["pooled"]
    pooled_label = say(gettext_noop("(pooled)"))
    click.echo(
        f"{pooled_label:<30} {_format(pooled['percent_agreement']):>7} {_format(pooled['cohen_kappa']):>7} "
        f"{_format(pooled['krippendorff_alpha']):>7}"
    )
    spans = say_n("%(n)s span", "%(n)s spans", len(result["disagreements"]))
    click.echo(say(gettext_noop("disagreements: %(spans)s; written to %(path)s"), spans=spans, path=output_path))


COMMANDS = [pseudonymise, agreement]
