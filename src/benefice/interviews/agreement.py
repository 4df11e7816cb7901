"""Inter-coder agreement at character level: percent agreement, Cohen's kappa, Krippendorff's alpha.

Why characters: coders select free spans of text, so there is no shared list of segments to compare;
each character of each document is a unit and, for each code, each coder either applied that code to it
or did not. A character can carry several codes (overlapping selections are normal in qualitative
coding), so every code is judged as its own binary variable ("present"/"absent"), as QualCoder, MAXQDA
(character mode) and the literature on multi-label coding do.

Figures, for each code:

* percent agreement: share of characters on which all coders agree;
* Cohen's kappa for each pair of coders (two coders: the one kappa);
* Krippendorff's alpha (nominal), computed by the ``krippendorff`` package, for any number of coders.

Pooled over codes: kappa pooled as in De Vries et al. (2008), κ = (mean Po − mean Pe) / (1 − mean Pe) over
codes, and alpha from the coincidence matrices of all codes added up (the alpha of all (character, code)
units taken together). Every character of every document in the lengths file is a unit; all coders are
taken to have coded every document (characters they did not select are "absent").

Offsets are 0-based, ``end`` exclusive (the REFI-QDA ``startPosition``/``endPosition`` convention).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from benefice.errors import BeneficeError
from benefice.i18n import Message, gettext_noop

CODING_COLUMNS = ("coder", "document", "start", "end", "code")
LENGTH_COLUMNS = ("document", "length")
MAX_CHARACTERS = 200_000_000


@dataclass(frozen=True)
class Coding:
    """One code applied by one coder to characters ``start`` (inclusive) to ``end`` (exclusive)."""

    coder: str
    document: str
    start: int
    end: int
    code: str
    line: int | None = None


#: the two input files, named in their messages (translated with them: ``cannot read %(what)s``)
_WHAT = {
    "lengths": Message(gettext_noop("lengths")),
    "codings": Message(gettext_noop("codings")),
}


def _rows(source: Path | str | io.TextIOBase, columns: tuple[str, ...], what: str):
    """(line number, row dict) with the required columns, from a path or an open text stream."""
    name = str(source) if isinstance(source, (str, Path)) else getattr(source, "name", f"<{what}>")
    try:
        handle = open(source, encoding="utf-8-sig", newline="") if isinstance(source, (str, Path)) else source
    except OSError as exc:
        raise BeneficeError(
            gettext_noop("cannot read %(what)s: %(reason)s"),
            params={"what": _WHAT[what], "reason": str(exc.strerror)},
            path=name,
        ) from None
    try:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise BeneficeError(
                gettext_noop("empty %(what)s file (expected header %(columns)s)"),
                params={"what": _WHAT[what], "columns": ",".join(columns)},
                path=name,
            ) from None
        header = [column.strip().lower().lstrip("\ufeff") for column in header]
        missing = [column for column in columns if column not in header]
        if missing:
            raise BeneficeError(
                gettext_noop("missing column(s) %(missing)s (expected %(columns)s)"),
                params={"missing": ", ".join(missing), "columns": ",".join(columns)},
                path=name,
                line=1,
            )
        index = {column: header.index(column) for column in columns}
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                raise BeneficeError(
                    gettext_noop("%(count)s fields, expected %(expected)s"),
                    params={"count": len(row), "expected": len(header)},
                    path=name,
                    line=line,
                )
            yield line, {column: row[i].strip() for column, i in index.items()}, name
    except csv.Error as exc:
        raise BeneficeError(
            gettext_noop("malformed CSV: %(reason)s"), params={"reason": str(exc)}, path=name
        ) from None
    except UnicodeDecodeError:
        raise BeneficeError(gettext_noop("not UTF-8 text"), path=name) from None
    finally:
        if isinstance(source, (str, Path)):
            handle.close()


def _integer(value: str, field: str, name: str, line: int) -> int:
    try:
        return int(value)
    except ValueError:
        raise BeneficeError(
            gettext_noop("%(field)s must be an integer, got %(value)r"),
            params={"field": field, "value": value},
            path=name,
            line=line,
            field=field,
        ) from None


def read_lengths(source: Path | str | io.TextIOBase) -> dict[str, int]:
    """Document lengths in characters from ``document,length``."""
    lengths: dict[str, int] = {}
    for line, row, name in _rows(source, LENGTH_COLUMNS, "lengths"):
        if not row["document"]:
            raise BeneficeError(gettext_noop("empty document name"), path=name, line=line, field="document")
        length = _integer(row["length"], "length", name, line)
        if length < 0:
            raise BeneficeError(
                gettext_noop("negative length %(length)s"),
                params={"length": length},
                path=name,
                line=line,
                field="length",
            )
        if row["document"] in lengths and lengths[row["document"]] != length:
            raise BeneficeError(
                gettext_noop("document %(document)r given two lengths"),
                params={"document": row["document"]},
                path=name,
                line=line,
            )
        lengths[row["document"]] = length
    if sum(lengths.values()) > MAX_CHARACTERS:
        raise BeneficeError(
            gettext_noop("documents total more than %(limit)s characters"),
            params={"limit": MAX_CHARACTERS},
            path=str(source),
        )
    return lengths


def read_codings(source: Path | str | io.TextIOBase, lengths: dict[str, int] | None = None) -> list[Coding]:
    """Codings from ``coder,document,start,end,code``; with ``lengths``, selections are checked in range."""
    codings: list[Coding] = []
    for line, row, name in _rows(source, CODING_COLUMNS, "codings"):
        for column in ("coder", "document", "code"):
            if not row[column]:
                raise BeneficeError(
                    gettext_noop("empty %(column)s"),
                    params={"column": column},
                    path=name,
                    line=line,
                    field=column,
                )
        start = _integer(row["start"], "start", name, line)
        end = _integer(row["end"], "end", name, line)
        if start < 0 or end <= start:
            raise BeneficeError(
                gettext_noop("selection %(start)s-%(end)s is empty or reversed (need 0 <= start < end)"),
                params={"start": start, "end": end},
                path=name,
                line=line,
                field="start",
            )
        if lengths is not None:
            if row["document"] not in lengths:
                raise BeneficeError(
                    gettext_noop("document %(document)r is not in the lengths file"),
                    params={"document": row["document"]},
                    path=name,
                    line=line,
                    field="document",
                )
            if end > lengths[row["document"]]:
                raise BeneficeError(
                    gettext_noop(
                        "selection %(start)s-%(end)s is out of range: document %(document)r has "
                        "%(length)s characters"
                    ),
                    params={
                        "start": start,
                        "end": end,
                        "document": row["document"],
                        "length": lengths[row["document"]],
                    },
                    path=name,
                    line=line,
                    field="end",
                )
        codings.append(Coding(row["coder"], row["document"], start, end, row["code"], line))
    return codings


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's kappa of two binary vectors; None when undefined (both coders constant and equal)."""
    n = a.size
    if n == 0:
        return None
    a = a.astype(bool)
    b = b.astype(bool)
    observed = np.count_nonzero(a == b) / n
    pa, pb = np.count_nonzero(a) / n, np.count_nonzero(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected >= 1.0:
        return None
    return float((observed - expected) / (1 - expected))


def _po_pe(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    n = a.size
    pa, pb = np.count_nonzero(a) / n, np.count_nonzero(b) / n
    return float(np.count_nonzero(a == b) / n), float(pa * pb + (1 - pa) * (1 - pb))


def _coincidences(matrix: np.ndarray) -> np.ndarray:
    """2×2 coincidence matrix of binary data (coders × units, no missing values) as Krippendorff defines it."""
    coders = matrix.shape[0]
    if coders < 2:
        return np.zeros((2, 2))
    present = matrix.sum(axis=0).astype(np.float64)
    absent = coders - present
    scale = 1.0 / (coders - 1)
    return np.array(
        [
            [np.sum(absent * (absent - 1)) * scale, np.sum(absent * present) * scale],
            [np.sum(present * absent) * scale, np.sum(present * (present - 1)) * scale],
        ]
    )


def alpha_from_coincidences(coincidences: np.ndarray) -> float | None:
    """Nominal alpha from a coincidence matrix; None when only one value was ever used."""
    totals = coincidences.sum(axis=1)
    n = totals.sum()
    disagreement_expected = n * n - np.sum(totals**2)
    if n <= 1 or disagreement_expected == 0:
        return None
    observed = coincidences.sum() - np.trace(coincidences)
    return float(1 - (n - 1) * observed / disagreement_expected)


def krippendorff_alpha(matrix: np.ndarray) -> float | None:
    """Nominal alpha of coders × units binary data with the ``krippendorff`` package."""
    try:
        import krippendorff
    except ImportError:
        raise BeneficeError(
            gettext_noop("Krippendorff's alpha needs the krippendorff package: pip install krippendorff")
        ) from None
    if matrix.shape[0] < 2 or matrix.shape[1] == 0 or matrix.min() == matrix.max():
        return None
    return float(
        krippendorff.alpha(reliability_data=matrix.astype(np.float64), level_of_measurement="nominal")
    )


def _spans(mask: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs of equal non-trivial values: (start, end, value) where value is a coder bitmask."""
    if mask.size == 0:
        return []
    change = np.flatnonzero(np.diff(mask)) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [mask.size]))
    return [(int(s), int(e), int(mask[s])) for s, e in zip(starts, ends, strict=True)]


def agreement(codings: list[Coding], lengths: dict[str, int]) -> dict:
    """All figures and the disagreements, as a JSON-ready dict."""
    coders = sorted({c.coder for c in codings})
    codes = sorted({c.code for c in codings})
    documents = sorted(lengths)
    offsets: dict[str, int] = {}
    total = 0
    for document in documents:
        offsets[document] = total
        total += lengths[document]
    for coding in codings:
        if coding.document not in lengths:
            raise BeneficeError(
                gettext_noop("document %(document)r is not in the lengths file"),
                params={"document": coding.document},
                line=coding.line,
            )
        if not 0 <= coding.start < coding.end <= lengths[coding.document]:
            raise BeneficeError(
                gettext_noop(
                    "selection %(start)s-%(end)s is out of range for %(document)r (%(length)s characters)"
                ),
                params={
                    "start": coding.start,
                    "end": coding.end,
                    "document": coding.document,
                    "length": lengths[coding.document],
                },
                line=coding.line,
            )
    if len(coders) > 63:
        raise BeneficeError(
            gettext_noop("%(count)s coders: at most 63 are supported"), params={"count": len(coders)}
        )
    result: dict = {
        "coders": coders,
        "documents": len(documents),
        "characters": total,
        "codes": {},
        "pooled": {},
        "disagreements": [],
        "unit": "character",
        "notes": "Each code is a binary variable per character; all coders are taken to have coded "
        "every document listed in the lengths file.",
    }
    by_code: dict[str, list[Coding]] = {code: [] for code in codes}
    for coding in codings:
        by_code[coding.code].append(coding)
    pair_names = [f"{a}|{b}" for a, b in combinations(coders, 2)]
    po_pe: dict[str, list[tuple[float, float]]] = {name: [] for name in pair_names}
    pooled_coincidences = np.zeros((2, 2))
    for code in codes:
        matrix = np.zeros((len(coders), total), dtype=np.uint8)
        for coding in by_code[code]:
            base = offsets[coding.document]
            matrix[coders.index(coding.coder), base + coding.start : base + coding.end] = 1
        all_agree = np.all(matrix == matrix[0], axis=0) if len(coders) else np.ones(total, bool)
        kappas = {}
        for (i, a), (j, b) in combinations(enumerate(coders), 2):
            kappas[f"{a}|{b}"] = cohen_kappa(matrix[i], matrix[j])
            if total:
                po_pe[f"{a}|{b}"].append(_po_pe(matrix[i], matrix[j]))
        pooled_coincidences += _coincidences(matrix)
        entry = {
            "percent_agreement": float(np.count_nonzero(all_agree) / total) if total else None,
            "characters_coded": {coder: int(matrix[k].sum()) for k, coder in enumerate(coders)},
            "cohen_kappa": kappas[pair_names[0]] if len(pair_names) == 1 else None,
            "cohen_kappa_pairs": kappas,
            "krippendorff_alpha": krippendorff_alpha(matrix),
        }
        result["codes"][code] = entry
        weights = (1 << np.arange(len(coders), dtype=np.int64))[:, None]
        mask = (matrix.astype(np.int64) * weights).sum(axis=0)
        everyone = (1 << len(coders)) - 1
        for document in documents:
            base = offsets[document]
            for start, end, value in _spans(mask[base : base + lengths[document]]):
                if value in (0, everyone):
                    continue
                result["disagreements"].append(
                    {
                        "code": code,
                        "document": document,
                        "start": start,
                        "end": end,
                        "coders_with": [c for k, c in enumerate(coders) if value >> k & 1],
                        "coders_without": [c for k, c in enumerate(coders) if not value >> k & 1],
                    }
                )
    pooled_kappas: dict[str, float | None] = {}
    for name, values in po_pe.items():
        if not values:
            pooled_kappas[name] = None
            continue
        mean_po = float(np.mean([po for po, _ in values]))
        mean_pe = float(np.mean([pe for _, pe in values]))
        pooled_kappas[name] = None if mean_pe >= 1 else (mean_po - mean_pe) / (1 - mean_pe)
    agreements = [
        entry["percent_agreement"]
        for entry in result["codes"].values()
        if entry["percent_agreement"] is not None
    ]
    result["pooled"] = {
        "percent_agreement": float(np.mean(agreements)) if agreements else None,
        "cohen_kappa": pooled_kappas[pair_names[0]] if len(pair_names) == 1 else None,
        "cohen_kappa_pairs": pooled_kappas,
        "krippendorff_alpha": alpha_from_coincidences(pooled_coincidences),
        "method": "kappa: De Vries et al. 2008 (mean Po, mean Pe over codes); alpha: summed coincidences",
    }
    return result
