"""benefice.i18n: the one way to choose the language of curated content, and the Django-free reader of
the project's gettext catalogues that the barometer's site, PDF and charts are built with."""

from __future__ import annotations

import gettext
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from benefice import i18n
from benefice.barometer import texts
from benefice.curated import Text

BAROMETER_PO = Path(i18n.__file__).parent / "barometer" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_pick_chooses_the_readers_language_and_falls_back_to_the_other():
    assert i18n.pick("Bonjour", "Hello", "fr") == "Bonjour"
    assert i18n.pick("Bonjour", "Hello", "fr-ca") == "Bonjour"
    assert i18n.pick("Bonjour", "Hello", "en") == "Hello"
    assert i18n.pick("Bonjour", "Hello", "de") == "Hello"  # no third language: English
    assert i18n.pick("Bonjour", "Hello", None) == "Bonjour"  # French, the project's default
    assert i18n.pick("Bonjour", "Hello", "") == "Bonjour"
    assert i18n.pick("", "Hello", "fr") == "Hello"  # curated in one language only: still shown
    assert i18n.pick("Bonjour", "", "en") == "Bonjour"
    assert i18n.pick("", "", "en") == ""
    assert i18n.pick_text(Text(fr="Cas", en="Case"), "en") == "Case"


def test_every_label_the_barometer_uses_has_a_french_msgstr():
    catalogue = i18n.translator("fr")
    words = {**texts.LABELS, **{f"measure {k}": v for k, v in texts.MEASURES.items()}}
    words |= {f"unit {k}": v for k, v in texts.UNITS.items()}
    missing = [key for key, msgid in words.items() if catalogue.pgettext(texts.CONTEXT, msgid) == msgid]
    # the words that are the same in both languages (Source, Publications, Type…) are the only ones
    same = {key for key in missing if _msgstr(texts.CONTEXT, words[key]) == words[key]}
    assert set(missing) == same
    assert texts.label("title", "fr") == "Baromètre des bénéfices de la réutilisation des données de santé"
    assert texts.label("interval_low", "fr") == "Intervalle à 95\u00a0% (bas)"
    assert texts.labels("en") == texts.LABELS  # English is the msgid
    assert texts.unit_name("deaths", "fr") == "décès" and texts.unit_name("zebras", "fr") == "zebras"
    assert texts.measure_name("avoided", "fr") == "Événements évités"


def _msgstr(context: str, msgid: str) -> str | None:
    """The msgstr written in the barometer's .po for (context, msgid), read from the text file."""
    text = BAROMETER_PO.read_text(encoding="utf-8")
    quoted = msgid.replace("\\", "\\\\").replace('"', '\\"')
    found = re.search(rf'msgctxt "{re.escape(context)}"\nmsgid "{re.escape(quoted)}"\nmsgstr "(.*)"\n', text)
    return found.group(1) if found else None


def test_the_context_keeps_the_barometer_words_apart():
    """"Français" is the web app's name of French; in the barometer it is the link to the other language."""
    assert i18n.translator("fr").gettext("Français") == "Français"
    assert i18n.pgettext("barometer", "Français", "fr") == "English"
    assert i18n.pgettext("barometer", "Français", "en") == "Français"


@pytest.mark.parametrize(
    ("context", "msgid"),
    [
        ("barometer", "Barometer of the benefits of reusing health data"),
        ("barometer", "Plausible ranks"),
        ("barometer", "events per year"),
        (None, "Barometer"),
        (None, "Français"),
        (None, "English"),
        (None, "Add a figure"),
        (None, "Cases"),
        (None, "Indicators"),
        (None, "Sign in"),
        (None, "Search"),
        ("status of one merge", "Merged"),
        ("verdict on a data source", "rejected"),
    ],
)
def test_the_django_free_translator_reads_what_django_reads(context, msgid):
    with translation.override("fr"):
        expected = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    got = i18n.pgettext(context, msgid, "fr") if context else i18n.translator("fr").gettext(msgid)
    assert got == expected
    with translation.override("en"):
        english = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    assert (i18n.pgettext(context, msgid, "en") if context else i18n.translator("en").gettext(msgid)) == english


def test_the_committed_catalogue_is_the_po_compiled(tmp_path):
    """The .mo that Django and benefice.i18n read holds what the .po says (msgfmt --check passes)."""
    fresh = tmp_path / "django.mo"
    try:
        subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(BAROMETER_PO)], check=True, capture_output=True)
    except FileNotFoundError:
        pytest.skip("msgfmt (gettext) is not installed")
    with fresh.open("rb") as new, BAROMETER_PO.with_suffix(".mo").open("rb") as committed:
        assert gettext.GNUTranslations(new)._catalog == gettext.GNUTranslations(committed)._catalog


def test_every_word_of_the_source_charts_has_a_french_msgstr():
    """The source pages' chart words are read through the Django-free translator from a dict, where
    makemessages cannot see them: this test is what keeps them in the catalogue."""
    from benefice.sources import charts

    french = i18n.translator("fr")
    same = {"Publications", "Mentions"}  # the same words in both languages
    missing = [m for m in charts.LABELS.values() if french.pgettext(charts.CONTEXT, m) == m and m not in same]
    assert not missing, f"no French for the source chart words {missing} (main catalogue, context {charts.CONTEXT!r})"


def _po_entries(path: Path) -> list[dict]:
    """The live entries of a .po file (obsolete ``#~`` ones left out), each with its flags, msgid and msgstrs.

    Read with the standard library: the test must not depend on gettext's tools being installed."""
    entries: list[dict] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        entry: dict = {"flags": set(), "msgid": "", "msgstr": []}
        current = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith(("msgid ", "msgid_plural ", "msgctxt ")):
                current = line.split(" ", 1)[0]
                entry.setdefault(current, "")
                entry[current] = _unquote(line.split(" ", 1)[1])
            elif line.startswith("msgstr"):
                current = "msgstr"
                entry["msgstr"].append(_unquote(line.split(" ", 1)[1]))
            elif line.startswith('"') and current:
                if current == "msgstr":
                    entry["msgstr"][-1] += _unquote(line)
                else:
                    entry[current] += _unquote(line)
        entries.append(entry)
    return entries


def _unquote(text: str) -> str:
    return text.strip()[1:-1]


CATALOGUES = sorted(Path(i18n.__file__).parent.glob("**/locale/fr/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(Path(i18n.__file__).parent)))
def test_no_french_message_is_missing_or_fuzzy(po):
    """Issue 19: a French reader must never meet a message makemessages added but nobody translated, nor a
    fuzzy guess (makemessages' guesses are often another message's French). Every catalogue, every entry."""
    entries = [e for e in _po_entries(po) if e["msgid"]]  # the header has an empty msgid
    assert entries, f"{po} has no message"
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    assert not fuzzy, f"{po}: fuzzy French for {fuzzy[:10]}"
    assert not untranslated, f"{po}: no French for {untranslated[:10]}"


def test_the_catalogue_reader_sees_fuzzy_and_missing_entries(tmp_path):
    """The check above could pass by reading nothing: it must see a fuzzy and an empty entry."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "Cases"\nmsgstr "Indicateurs"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\nmsgstr[1] ""\n\n'
        'msgid ""\n"long "\n"text"\nmsgstr ""\n"texte "\n"long"\n\n'
        '#~ msgid "gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = {e["msgid"]: e for e in _po_entries(po) if e["msgid"]}
    assert set(entries) == {"Cases", "one", "long text"}
    assert "fuzzy" in entries["Cases"]["flags"]
    assert entries["one"]["msgstr"] == ["un", ""]
    assert entries["long text"]["msgstr"] == ["texte long"]


def test_pick_with_language_says_which_version_it_gave():
    assert i18n.pick_with_language("Bonjour", "Hello", "fr") == ("Bonjour", "fr")
    assert i18n.pick_with_language("", "Hello", "fr") == ("Hello", "en")  # only English: marked lang="en"
    assert i18n.pick_with_language("Bonjour", "", "en") == ("Bonjour", "fr")
    assert i18n.pick_with_language("", "", "fr") == ("", "")
