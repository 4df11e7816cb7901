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

Messages built where Django is absent (an error raised by a parser, a dedup reason, a connector's
complaint) are translations too, said later: the pure module marks an English template with
:func:`gettext_noop` (Django's ``makemessages`` extracts that keyword; here it is the identity) and keeps
its parameters apart, as a :class:`Message` or in a :class:`~benefice.errors.BeneficeError`
(``BeneficeError(gettext_noop("field longer than %(limit)s characters"), params={"limit": n}, line=3)``).
Whoever shows it picks the reader's language and calls ``.localized(lang)``, which translates the template
through :func:`translator` and only then fills in the parameters (:func:`render`, which never raises):
the web passes the request's language, a command the user's locale (:func:`cli_language`). Stored
messages (a job's error, a dedup reason in the database) keep the template and parameters
(``to_data()``), never a sentence in the language of whoever happened to run the import. An old
``BeneficeError("literal")`` still works: a literal without parameters is shown as written.

This module imports nothing from Django, so that both kinds of code can use it.
"""

from __future__ import annotations

import functools
import gettext
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

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


def pick_with_language(fr: str, en: str, lang: str | None) -> tuple[str, str]:
    """:func:`pick`, and the language of the version given ("fr" or "en", "" when both are empty): a page
    shows a text only curated in the other language marked ``lang`` (RGAA 8.7)."""
    text = pick(fr, en, lang)
    if not text:
        return "", ""
    return text, "fr" if text == fr else "en"


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


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalogues without translating it here: the identity.

    Django's ``makemessages`` extracts the ``gettext_noop`` keyword, so a template written in a pure
    module (an error, a dedup reason) reaches the catalogue while the module stays free of Django; the
    text is translated later, when someone reads it, by :func:`render`."""
    return message


@dataclass(frozen=True)
class Message:
    """A sentence to be said later in the reader's language: its English template (a msgid marked with
    :func:`gettext_noop`) and its parameters, kept apart until :meth:`localized` joins them.

    Why not a translated string at once: a pure module does not know who will read its text (an import
    run by one person in French is read on the web by another in English; a reason stored in the
    database outlives both), so it keeps what to say and the page or the command says it."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)
    context: str = ""

    def localized(self, lang: str | None) -> str:
        return render(self.template, self.params, lang, context=self.context)

    def __str__(self) -> str:
        return self.localized("en")

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form, to store the message (a job file, a JSON field) and say it later."""
        data: dict[str, Any] = {"template": self.template, "params": json_params(self.params)}
        if self.context:
            data["context"] = self.context
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Message:
        return cls(
            str(data.get("template", "")), dict(data.get("params") or {}), str(data.get("context", ""))
        )


def json_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with every value JSON-ready: numbers, text and None as they are, a nested message as its
    data (so it is still translated when read), anything else as its text."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Message):
            out[str(key)] = {"message": value.to_data()}
        elif value is None or isinstance(value, (str, int, float, bool)):
            out[str(key)] = value
        else:
            out[str(key)] = str(value)
    return out


class _Params(dict):
    """Parameters for ``%`` formatting: a placeholder without a value stays visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return f"%({key})s"


def _params_in(params: Mapping[str, Any], lang: str | None) -> _Params:
    values = _Params()
    for key, value in params.items():
        if isinstance(value, Message) or (not isinstance(value, str) and hasattr(value, "localized")):
            value = value.localized(lang)
        elif isinstance(value, dict) and set(value) == {"message"} and isinstance(value["message"], dict):
            value = Message.from_data(value["message"]).localized(lang)  # a nested message, stored
        values[key] = value
    return values


def _interpolate(template: str, params: Mapping[str, Any]) -> str | None:
    try:
        return template % params
    except (KeyError, ValueError, TypeError, IndexError, OverflowError):
        return None


def render(template: str, params: Mapping[str, Any] | None, lang: str | None, *, context: str = "") -> str:
    """``template`` translated into ``lang`` through :func:`translator`, then filled with ``params``.

    Never raises, whatever the parameters: a template without parameters is shown as it is (a literal,
    even one holding a ``%``); a placeholder without a value stays as written; if the translation cannot
    take the parameters (a wrong placeholder in a msgstr, a number format given text), the English
    template is used, and failing that the template followed by the values."""
    catalogue = translator(lang)
    translated = catalogue.pgettext(context, template) if context else catalogue.gettext(template)
    if not params:
        return translated
    values = _params_in(params, lang)
    for candidate in (translated, template):
        text = _interpolate(candidate, values)
        if text is not None:
            return text
    shown = ", ".join(f"{key}={value}" for key, value in values.items())
    return f"{template} ({shown})"


def render_plural(
    singular: str,
    plural: str,
    count: int,
    params: Mapping[str, Any] | None,
    lang: str | None,
    *,
    context: str = "",
) -> str:
    """:func:`render` for a sentence whose words follow a count ("1 record", "2 records"): the catalogue's
    plural forms choose the form (in French 0 and 1 take the singular). Never raises, as :func:`render`:
    a translation that cannot take the parameters falls back to the English form, then to the template
    followed by the values."""
    catalogue = translator(lang)
    if context:
        translated = catalogue.npgettext(context, singular, plural, count)
    else:
        translated = catalogue.ngettext(singular, plural, count)
    english = singular if count == 1 else plural
    values = _params_in(params or {}, lang)
    for candidate in (translated, english):
        text = _interpolate(candidate, values)
        if text is not None:
            return text
    shown = ", ".join(f"{key}={value}" for key, value in values.items())
    return f"{english} ({shown})"


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of a command's messages: the user's locale, read as gettext does (``LANGUAGE``, then
    ``LC_ALL``, ``LC_MESSAGES``, ``LANG``; the first one set wins): French when it starts with ``fr``,
    English otherwise (``C``, ``POSIX``, any other language, nothing set)."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").strip()
        if value:
            first = value.split(":")[0].strip().lower()
            return "fr" if first.startswith("fr") else "en"
    return "en"
