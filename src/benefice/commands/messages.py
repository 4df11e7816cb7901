"""What a command says to its user, in the user's locale (issue 19): the corpus commands' way, for all.

A command's report is an English msgid marked with :func:`~benefice.i18n.gettext_noop`, translated through
the project's catalogues into the language of :func:`~benefice.i18n.cli_language` (French under a French
``LANG``/``LANGUAGE``/``LC_ALL``, English otherwise), then filled with its parameters: :func:`say`, the
function of :mod:`benefice.commands.corpus`. :func:`say_n` is the same for a sentence whose words depend
on a count ("1 publication", "2 publications"), with the catalogue's plural forms, so that no command has
to write "publication(s)". Machine-readable output (JSON, CSV, file contents) never goes through here.
"""

from __future__ import annotations

import re
from typing import Any

from benefice.commands.corpus import say
from benefice.i18n import cli_language, pgettext, render_plural

__all__ = ["as_stored", "counted", "ngettext_noop", "number", "percent", "say", "say_n", "version_words"]


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural msgid pair for the catalogue without translating it: the identity."""
    return singular, plural


def say_n(singular: str, plural: str, count: int, **params: Any) -> str:
    """The sentence for ``count`` in the user's locale, filled with ``n`` (the count, unless ``params``
    give another way to write it) and ``params``.

    ``singular`` and ``plural`` are English msgids (``"%(n)s record"``, ``"%(n)s records"``); the
    catalogue's ``Plural-Forms`` choose the form (in French 0 and 1 take the singular). Never raises: a
    translation that cannot take the parameters falls back to the English, as :func:`benefice.i18n.render`."""
    return render_plural(singular, plural, count, {"n": counted(count), **params}, cli_language())


def number(value: float, digits: int = 0) -> str:
    """``value`` written for the user's locale: ``1,234.5`` in English, ``1 234,5`` in French (narrow
    no-break space between thousands and a decimal comma, as Django and Babel write French numbers)."""
    text = f"{value:,.{digits}f}"
    if cli_language() != "fr":
        return text
    return text.replace(",", "\u202f").replace(".", ",")


def counted(n: Any) -> Any:
    """A count for the user's locale: French groups thousands ("12 345"); English keeps the digits as
    they were always printed ("12345"); anything but a whole number is left as it is."""
    if isinstance(n, int) and not isinstance(n, bool) and cli_language() == "fr":
        return number(n)
    return n


def as_stored(value: float) -> str:
    """A figure with the digits it was stored with (a report's rounded value), its decimal point a comma
    in French: ``0.3124`` in English, ``0,3124`` in French."""
    text = str(value)
    return text.replace(".", ",") if cli_language() == "fr" else text


def percent(fraction: float, digits: int = 1) -> str:
    """A fraction as a percentage for the user's locale: ``45.3%`` in English, ``45,3 %`` in French (a
    no-break space before the sign)."""
    shown = number(fraction * 100, digits)
    return f"{shown}\u00a0%" if cli_language() == "fr" else f"{shown}%"


#: the words of a classifier's version ("rules 1.1.0, typology 1.1.0, use_model 3 ab12") and their msgids,
#: in the context the web pages use (``benefice.uses.pages.provenance``)
VERSION_CONTEXT = "part of a classifier version"
_VERSION_WORDS = {"rules": "rules", "typology": "typology", "use_model": "model"}
_VERSION_RE = re.compile(r"(?<![\w.])(rules|typology|use_model)(?= )")


def version_words(version: str) -> str:
    """A classifier's version with its words in the user's locale ("règles 1.1.0, typologie 1.1.0"), the
    numbers as stored, since they are what reproduces the result."""
    lang = cli_language()
    return _VERSION_RE.sub(lambda m: pgettext(VERSION_CONTEXT, _VERSION_WORDS[m.group(1)], lang), version or "")
