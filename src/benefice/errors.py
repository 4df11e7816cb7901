"""The one error type users see.

Every parser, connector and service raises ``BeneficeError`` (or a subclass) for problems caused by
input, so the CLI and the web app can show one clear message naming the file, line or record, and never
a traceback. Anything else escaping is a bug in our code.

The message is said in the reader's language, not the raiser's: a pure module passes an English template
marked with :func:`benefice.i18n.gettext_noop` and its parameters apart
(``FormatError(gettext_noop("line longer than %(limit)s characters"), params={"limit": n}, line=4)``);
``str(exc)`` and ``exc.message`` stay English (logs, tests, old callers), and whoever shows the error calls
:meth:`BeneficeError.localized` with the reader's language (the web: the request's; a command:
:func:`benefice.i18n.cli_language`). ``to_data``/``from_data`` keep it, untranslated, in a job file or a
JSON field. ``BeneficeError("a literal")`` still works: a literal without parameters is shown as written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

from benefice.i18n import cli_language, gettext_noop, json_params, render

# The "where" of an error, each part translated with the message (the English keeps the old wording).
LINE = gettext_noop("line %(line)s")
RECORD = gettext_noop("record %(record)s")
FIELD = gettext_noop("field %(field)r")
WHERE = gettext_noop("%(where)s: %(message)s")


class BeneficeError(Exception):
    """An error caused by input or environment, with where it happened."""

    def __init__(
        self,
        message: str,
        *,
        params: Mapping[str, Any] | None = None,
        path: str | None = None,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
    ) -> None:
        self.template = message
        self.params = dict(params or {})
        self.path = path
        self.line = line
        self.record = record
        self.field = field
        self.message = self.localized_message("en")
        super().__init__(self.__str__())

    def localized_message(self, lang: str | None) -> str:
        """The message alone (without where) in ``lang``; subclasses with structured messages override it."""
        return render(self.template, self.params, lang)

    def localized(self, lang: str | None, *, name_only: bool = False) -> str:
        """The whole error in ``lang``: where (file, line, record, field), then what.

        ``name_only`` shows the file's name, not its directory: a web user must never read a server path."""
        return _with_where(
            self.localized_message(lang),
            lang,
            path=self.path,
            line=self.line,
            record=self.record,
            field=self.field,
            name_only=name_only,
        )

    def __str__(self) -> str:
        return _with_where(
            self.message, "en", path=self.path, line=self.line, record=self.record, field=self.field
        )

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form, untranslated, to say the error later in its reader's language."""
        return {
            "kind": "message",
            "template": self.template,
            "params": json_params(self.params),
            "path": self.path,
            "line": self.line,
            "record": self.record,
            "field": self.field,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> BeneficeError:
        return cls(
            str(data.get("template", "")),
            params=data.get("params") or {},
            path=data.get("path"),
            line=data.get("line"),
            record=data.get("record"),
            field=data.get("field"),
        )


def _with_where(
    message: str,
    lang: str | None,
    *,
    path: str | None,
    line: int | None,
    record: int | None,
    field: str | None,
    name_only: bool = False,
) -> str:
    where = []
    if path:
        where.append(PurePath(str(path)).name if name_only else str(path))
    if line is not None:
        where.append(render(LINE, {"line": line}, lang))
    if record is not None:
        where.append(render(RECORD, {"record": record}, lang))
    if field:
        where.append(render(FIELD, {"field": field}, lang))
    if not where:
        return message
    return render(WHERE, {"where": ", ".join(where), "message": message}, lang)


#: how to say the stored data of an error with a structured message (its ``kind``), registered by the
#: module that defines it (``invalid_utf8``: :mod:`benefice.corpus.formats._common`)
RENDERERS: dict[str, Callable[[Mapping[str, Any], str | None], str]] = {}


def localized_error(error: str | Mapping[str, Any], lang: str | None, *, name_only: bool = True) -> str:
    """A stored error in ``lang``: the ``to_data()`` of a BeneficeError or of a message, or the plain text
    older versions stored (translated if the catalogue knows it, else shown as written). ``name_only`` (the
    default, since stored errors are read on the web) shows a file's name without its directory."""
    if not isinstance(error, Mapping):
        return render(str(error), None, lang)
    kind = str(error.get("kind") or "message")
    if kind in RENDERERS:
        message = RENDERERS[kind](error, lang)
    elif "template" in error:
        message = render(str(error["template"]), error.get("params") or {}, lang)
    else:
        return str(error.get("message") or "")
    return _with_where(
        message,
        lang,
        path=error.get("path"),
        line=error.get("line"),
        record=error.get("record"),
        field=error.get("field"),
        name_only=name_only,
    )


CLI_ERROR = gettext_noop("error: %(message)s")


def cli_message(exc: BeneficeError) -> str:
    """The line a command prints for ``exc``, in the user's locale (:func:`benefice.i18n.cli_language`)."""
    lang = cli_language()
    return render(CLI_ERROR, {"message": exc.localized(lang)}, lang)


class FormatError(BeneficeError):
    """A file cannot be read as the format it claims or seems to be."""


class ConnectorError(BeneficeError):
    """A remote API answered with an error or something we cannot read."""
