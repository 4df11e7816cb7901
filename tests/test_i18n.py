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
