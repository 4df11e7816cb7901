"""Kinds of use over JSON-lines files, for ``benefice classify``: read records, learn from labelled ones,
write one labelled record per line. Every bad line is refused with its file and line number.

The classifier itself is :class:`benefice.uses.classify.KindsOfUse`; this module only moves records in and
out of files, so the command line and the benchmarks read and write them one way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from benefice.errors import FormatError
from benefice.i18n import gettext_noop
from benefice.uses.classify import KindsOfUse, record_id


def read_jsonl(handle: IO[bytes] | IO[str], path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each non-empty line; a bad line raises naming the file and line."""
    for n, raw in enumerate(handle, start=1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError(gettext_noop("not UTF-8"), path=path, line=n) from exc
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise FormatError(
                gettext_noop("not valid JSON: %(reason)s"), params={"reason": exc.msg}, path=path, line=n
            ) from exc
        if not isinstance(record, dict):
            raise FormatError(gettext_noop("each line must be a JSON object"), path=path, line=n)
        title, abstract = record.get("title"), record.get("abstract")
        for fld, value in (("title", title), ("abstract", abstract)):
            if value is not None and not isinstance(value, str):
                raise FormatError(gettext_noop("expected text"), path=path, line=n, field=fld)
        if not (title or abstract):
            raise FormatError(
                gettext_noop("a record needs a title or an abstract"), path=path, line=n, field="title"
            )
        yield n, record


NO_CATEGORY = frozenset({"not_applicable", "other", "none", ""})  # labels meaning "no category of use"

SourcesOf = Callable[[dict[str, Any]], list[str]]


def labelled_examples(
    records: Iterable[dict[str, Any] | tuple[int, dict[str, Any]]],
    known: Iterable[str],
    sources_of: SourcesOf,
    *,
    path: str = "<training>",
) -> list[tuple[dict[str, Any], list[str], list[str]]]:
    """(record, sources used, categories main first) from records carrying ``use_categories`` (a list,
    main first) or ``use_category`` (one id), for :func:`benefice.uses.learn.retrain`.

    ``not_applicable``, ``other`` and ``none`` mean "no category". Any other id outside the typology is
    refused, naming the line and field: a typo must not silently teach the model "no category". Records
    marked ``exclude_from_eval`` (gold records whose abstract was withheld, so the title alone no longer
    supports the label) are left out. Records may come as ``(line number, record)`` pairs (as
    :func:`read_jsonl` yields them) so errors name the real line."""
    known = set(known)
    out = []
    for n, item in enumerate(records, start=1):
        line, record = item if isinstance(item, tuple) else (n, item)
        if record.get("exclude_from_eval"):
            continue
        if isinstance(record.get("use_categories"), list):
            labels, fld = [str(c) for c in record["use_categories"]], "use_categories"
        elif "use_category" in record:
            labels, fld = [str(record["use_category"])], "use_category"
        else:
            continue
        unknown = sorted(set(labels) - known - NO_CATEGORY)
        if unknown:
            raise FormatError(
                gettext_noop("unknown category of use %(categories)s (not in the typology)")
                if len(unknown) == 1
                else gettext_noop("unknown categories of use %(categories)s (not in the typology)"),
                params={"categories": ", ".join(map(repr, unknown))},
                path=path,
                line=line,
                field=fld,
            )
        categories = list(dict.fromkeys(c for c in labels if c in known))
        out.append((record, sources_of(record), categories))
    return out


def sources_of_record(detector: Any) -> SourcesOf:
    """The sources a record uses: its ``sources_used`` list when it carries one (``benefice detect`` and
    ``benefice export`` write it), else what ``detector`` finds — the same rule as the product's scan."""

    def sources(record: dict[str, Any]) -> list[str]:
        given = record.get("sources_used")
        if isinstance(given, list):
            return [str(s) for s in given]
        return list(detector.detect(record).get("sources_used") or [])

    return sources


KEEP_FIELDS = ("title", "doi", "pmid", "year", "language")


def classify_jsonl(
    source: IO[bytes] | IO[str],
    sink: IO[str],
    kinds: KindsOfUse,
    sources_of: SourcesOf,
    *,
    path: str = "<input>",
    batch: int = 256,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Classify JSON lines in batches; writes id, sources_used, use_categories (main first), use_labels,
    use_review, use_categories_method, use_classifier (+ a few fields). Returns the count."""
    count = 0
    pending: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        nonlocal count
        used = [sources_of(r) for _, r in pending]
        results = kinds.classify_many([r for _, r in pending], used)
        for (n, record), sources, result in zip(pending, used, results, strict=True):
            out: dict[str, Any] = {"id": record_id(record, n), "sources_used": sources}
            out["use_categories"] = result.categories
            out["use_labels"] = [lab.to_dict() for lab in result.labels]
            out["use_review"] = result.review
            out["use_categories_method"] = result.labels[0].method if result.labels else "none"
            out["use_classifier"] = result.version
            for key in KEEP_FIELDS:
                if record.get(key) not in (None, ""):
                    out[key] = record[key]
            sink.write(json.dumps(out, ensure_ascii=False) + "\n")
        count += len(pending)
        pending.clear()
        if progress:
            progress(count)

    for n, record in read_jsonl(source, path):
        pending.append((n, record))
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return count
