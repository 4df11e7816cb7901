"""Messages from pure modules said in the reader's language (issue 19): a template and its parameters kept
apart on the error, translated when shown, never a sentence frozen in the language of whoever raised it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefice import i18n
from benefice.corpus import formats
from benefice.corpus.dedup import reasons
from benefice.errors import BeneficeError, FormatError, localized_error

SRC = Path(i18n.__file__).parent
NBSP = "\u00a0"


def _templates() -> list[str]:
    """Every template the corpus's pure modules mark with ``gettext_noop`` (as makemessages sees them)."""
    files = [SRC / "errors.py", *sorted((SRC / "corpus").rglob("*.py"))]
    files += [SRC / "commands" / "corpus.py", SRC / "commands" / "dedup_file.py"]
    out = subprocess.run(
        ["xgettext", "-L", "Python", "-k", "--keyword=gettext_noop", "--from-code=utf-8", "--no-wrap", "-o", "-"]
        + [str(f) for f in files if "migrations" not in f.parts],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r'^msgid "(.+)"$', out, re.MULTILINE)
    return [m.encode().decode("unicode_escape").encode("latin-1").decode("utf-8") for m in found]


TEMPLATES = _templates()
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
)
PARAMS = st.dictionaries(st.sampled_from(["reason", "limit", "record", "start", "format", "x", "tag"]), VALUES)


def test_the_corpus_marks_its_messages_and_each_has_french():
    assert len(TEMPLATES) > 50  # the parsers' and dedup's messages, not only a handful
    catalogues, chain = [], i18n.translator("fr")
    while chain is not None:  # the chained catalogues: a msgstr equal to its msgid ("volume") counts too
        catalogues.append(getattr(chain, "_catalog", {}))
        chain = chain._fallback
    missing = [t for t in TEMPLATES if not any(c.get(t) for c in catalogues)]
    assert missing == []


@given(template=st.sampled_from(TEMPLATES) | st.text(max_size=40), params=PARAMS, lang=st.sampled_from(["fr", "en"]))
def test_any_parameters_format_in_both_languages_without_raising(template, params, lang):
    error = FormatError(template, params=params, path="/srv/data/uploads/x.ris", line=3, field="TI")
    text = error.localized(lang, name_only=True)
    assert isinstance(text, str) and "/srv/data" not in text
    assert isinstance(str(error), str)
    again = localized_error(error.to_data(), lang)  # stored, then read back
    assert again == text


def test_a_literal_still_works_and_is_shown_as_written():
    error = BeneficeError("50% of nothing, %(not a placeholder)s", path="a.ris")
    assert str(error) == "a.ris: 50% of nothing, %(not a placeholder)s"
    assert error.localized("fr") == f"a.ris{NBSP}: 50% of nothing, %(not a placeholder)s"
    assert localized_error("an old stored text", "fr") == "an old stored text"


def test_where_and_what_are_translated_english_unchanged():
    error = FormatError(
        i18n.gettext_noop("field longer than %(limit)s characters"),
        params={"limit": 12},
        path="/tmp/up/refs.ris",
        line=4,
        record=2,
        field="TI",
    )
    assert str(error) == "/tmp/up/refs.ris, line 4, record 2, field 'TI': field longer than 12 characters"
    assert error.message == "field longer than 12 characters"
    assert error.localized("fr", name_only=True) == (
        f"refs.ris, ligne 4, notice 2, champ «{NBSP}TI{NBSP}»{NBSP}: champ de plus de 12 caractères"
    )


def test_a_broken_translation_falls_back_instead_of_raising():
    assert i18n.render("%(n)d records", {"n": "many"}, "fr") == "%(n)d records (n=many)"
    assert i18n.render("%(missing)s and %(n)s", {"n": 1}, "en") == "%(missing)s and 1"
    nested = i18n.Message(i18n.gettext_noop("cannot read file: %(reason)s"), {"reason": "denied"})
    assert i18n.render("%(where)s: %(message)s", {"where": "x", "message": nested}, "fr") == (
        f"x{NBSP}: impossible de lire le fichier{NBSP}: denied"
    )


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANGUAGE": "en_GB:fr", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_a_command_speaks_the_users_locale(environ, lang):
    assert i18n.cli_language(environ) == lang


def test_an_import_error_reads_in_french(tmp_path):
    path = tmp_path / "export.ris"
    path.write_text("TY  - JOUR\nTI  - A title\n", encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        list(formats.read(path))
    assert caught.value.localized("fr", name_only=True) == (
        f"export.ris, ligne 1, notice 1{NBSP}: le fichier se termine au milieu de la notice 1 (commencée "
        f"ligne 1){NBSP}: «{NBSP}ER  -{NBSP}» manquant, fichier tronqué{NBSP}?"
    )
    assert "file ends inside record 1" in str(caught.value)  # the log and English readers


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("ris", "Hello,\nthese are meeting notes, not references.\n"),
        ("bibtex", "Hello,\nthese are meeting notes, not references.\n"),
        ("csv", "title,doi\n"),  # a header and no row
    ],
)
def test_a_file_without_records_is_an_error_naming_it(tmp_path, fmt, text):
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        list(formats.read(path, fmt))
    french = caught.value.localized("fr", name_only=True)
    assert french.startswith(f"notes.txt{NBSP}: aucune notice lue{NBSP}: ")
    assert str(tmp_path) not in french


@pytest.mark.parametrize(
    "stored",
    [
        "same DOI 10.1002/pds.2044",
        "same PMID 20681016",
        "same OpenAlex id W2034",
        "same hal_id hal-01234",
        "same abstract, title 0.95 and authors",
        "same authors, venue, year, volume and page range; title differs",
        "title 0.93 (subtitle), same first author, year ±1, venue≈, volume, pages",
        "title 1.00, authors 67% shared, other venue, pages",
        "corpus deduplication",
    ],
)
def test_reasons_stored_in_english_are_read_back_as_messages(stored):
    """The migration of existing merge events: every reason the engine wrote is parsed into parts that say
    the same in English and are translated in French."""
    parts = reasons.parse(stored)
    assert parts, stored
    english = reasons.text(parts, "en")
    assert english == stored.replace("same hal_id", "same HAL id")
    french = reasons.text(parts, "fr")
    assert french != english and "same" not in french
    assert reasons.localized(reasons.to_data(parts), stored, "fr") == french


def test_a_reason_nobody_can_parse_is_kept_as_written():
    assert reasons.parse("merged by hand after checking the PDF") is None
    assert reasons.localized([], "merged by hand after checking the PDF", "fr") == "merged by hand after checking the PDF"


def test_the_engine_gives_its_reasons_as_messages():
    from benefice.corpus import dedup

    a = dedup.prepare({"id": "a", "title": "Benfluorex and valvular heart disease", "doi": "10.1002/pds.2044"})
    b = dedup.prepare({"id": "b", "title": "Benfluorex and valvular heart disease", "doi": "10.1002/PDS.2044"})
    match = dedup.compare(a, b)
    assert match is not None and match.reason == "same DOI 10.1002/pds.2044"
    assert reasons.text(match.parts, "fr") == "même DOI 10.1002/pds.2044"


@given(count=st.integers(min_value=0, max_value=10**7), params=PARAMS, lang=st.sampled_from(["fr", "en"]))
def test_plural_sentences_never_raise_and_agree_with_the_count(count, params, lang):
    text = i18n.render_plural("%(n)s record read", "%(n)s records read", count, {**params, "n": count}, lang)
    expected = {
        ("fr", True): f"{count} notice lue",
        ("fr", False): f"{count} notices lues",
        ("en", True): f"{count} record read",
        ("en", False): f"{count} records read",
    }
    assert text == expected[(lang, count <= 1 if lang == "fr" else count == 1)]
