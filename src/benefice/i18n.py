"""The project's one way to speak the reader's language, with or without Django.

Two needs, two tools, never mixed:

* the words and sentences we write (menus, labels, axis titles, table headers) are *translations*: they
  live in the gettext catalogues (``locale/`` and each app's ``locale/``), English msgid, French msgstr,
  so translators work in one place with the usual tools. Django reads them for templates and views;
  :func:`translator` reads the very same compiled ``.mo`` files with the standard library, for the
  parts built without Django (the barometer's static site, PDF and charts are pure modules, and a frozen
  edition must rebuild the same without a settings module);
* bilingual *curated content* (a case's title written in French and in English, stored as two fields or
  a ``curated.Text``) is data, not translation: no catalogue could hold it, since it changes with the
  curated files and the database. :func:`pick` chooses which of the two versions the reader gets.

This module imports nothing from Django, so that both kinds of code can use it.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path
from typing import Protocol

#: the languages the project is written in; French is the original of every curated text
LANGS = ("fr", "en")
DOMAIN = "django"  # the catalogues are Django's (``makemessages``/``compilemessages`` write them)
PACKAGE_DIR = Path(__file__).resolve().parent


class Bilingual(Protocol):
    fr: str
    en: str


def pick(fr: str, en: str, lang: str | None) -> str:
    """The version of a bilingual curated text for a reader of ``lang``.

    Not gettext: the two versions are data written side by side by the curators, not a msgid and its
    translation. French for any French locale ("fr", "fr-ca"…) and when no language is known (French is
    the project's default and the language every text is curated in first), English for every other
    language (the project has no third one, and English is what a foreign reader is likeliest to read). A
    missing version falls back to the other, so a text curated in one language only still shows."""
    french = (lang or "fr").lower().startswith("fr")
    first, second = (fr, en) if french else (en, fr)
    return first or second


def pick_text(text: Bilingual, lang: str | None) -> str:
    """:func:`pick` for an object with ``fr`` and ``en`` attributes (``curated.Text``)."""
    return pick(text.fr, text.en, lang)


def locale_dirs() -> list[Path]:
    """The project's catalogue directories in Django's order of precedence for this project: the main
    catalogue (``LOCALE_PATHS``) first, then each app's."""
    apps = sorted(p for p in PACKAGE_DIR.glob("*/locale") if p.is_dir())
    return [PACKAGE_DIR / "locale", *apps]


@functools.cache
def translator(lang: str | None) -> gettext.NullTranslations:
    """The project's catalogues in ``lang``, read by the standard library (``.gettext``, ``.pgettext``…).

    English (or any language without a catalogue) gives the msgids back, as Django does: the msgids are
    the English text. The catalogues are chained in :func:`locale_dirs` order, the first that has a
    message wins, as in Django."""
    code = (lang or "").lower().replace("-", "_")
    chain = gettext.NullTranslations()
    for directory in reversed(locale_dirs()):
        found = gettext.translation(DOMAIN, localedir=directory, languages=[code], fallback=True)
        if type(found) is gettext.NullTranslations:
            continue
        found.add_fallback(chain)
        chain = found
    return chain


def pgettext(context: str, message: str, lang: str | None) -> str:
    """``message`` in ``lang`` within its message context, without Django."""
    return translator(lang).pgettext(context, message)
