"""Archives bounded by what they produce, for every compressed input (issue 17, item 5): one module for
every zip, gzip and zip-based format benefice reads (docx, odt, qdpx, xlsx, OpenAlex zips, API answers).

All of them come from users or from the network, so before any library opens one we check that it is a zip
at all, that no member name escapes the archive (absolute paths, ``..``, drive letters), and that the
declared uncompressed sizes and compression ratios stay within limits (:func:`open_checked_zip`): a few
kilobytes must not be able to inflate into gigabytes in memory. Small containers (``.qdpx``, ``.docx``,
``.odt``) are then read whole, member by member, under a :class:`Budget` (:func:`read_member`). The corpus
reads larger archives — OpenAlex zips of JSONL (hundreds of megabytes, streamed record
by record), Excel workbooks (a zip that openpyxl opens itself) and gzip-encoded API responses — which
must be streamed, not held in memory. This module gives those inputs the same guarantees, counted on the
bytes actually inflated and never on the sizes an archive declares:

- :func:`open_zip` opens a zip after the header checks (member count, names that escape the archive,
  declared sizes) so an archive that admits to being a bomb is refused before any inflation;
- :class:`BoundedReader` wraps a member's (or a gzip stream's) file object and raises
  :class:`~benefice.errors.FormatError` naming the file and the member as soon as the member's limit or
  the archive's :class:`Budget` is exceeded, whatever the headers said;
- :func:`verify_zip` inflates the members once, counting and discarding, before a library that opens the
  archive itself (openpyxl) is allowed to: Python's ``zipfile`` never returns more than a member's
  declared size (it fails the CRC beyond), so once the real sizes are counted and within the limits, the
  library's own inflation is bounded too.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO

from benefice.errors import FormatError
from benefice.i18n import Message, gettext_noop

__all__ = [
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "BoundedReader",
    "Budget",
    "open_checked_zip",
    "open_member",
    "open_zip",
    "read_member",
    "unsafe_member_name",
    "verify_zip",
]

READ_CHUNK = 1 << 20

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, beyond which a member is treated as a zip bomb


def unsafe_member_name(name: str) -> bool:
    """True when extracting ``name`` naively would write outside the archive's folder."""
    if not name or "\x00" in name:
        return True
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return True
    return ".." in PurePosixPath(normalised).parts


def open_checked_zip(path: Path | str, what: str) -> zipfile.ZipFile:
    """A small container read whole (qdpx, docx, odt): :func:`open_zip` with the container limits and the
    compression-ratio check (a member inflating more than ``MAX_RATIO``-fold past 1 MB is a bomb: text and
    XML compress about 5–20-fold)."""
    return open_zip(path, what, max_member=MAX_MEMBER_BYTES, max_total=MAX_TOTAL_BYTES, max_ratio=MAX_RATIO)


class Budget:
    """What a whole archive may produce, counted on the bytes actually inflated (issue 17, failure 4): the
    headers' sizes are checked first but never trusted, so a member that lies about its size is caught too."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0


def read_member(
    archive: zipfile.ZipFile,
    name: str,
    path: Path | str,
    limit: int = MAX_MEMBER_BYTES,
    budget: Budget | None = None,
) -> bytes:
    """Read one member, streaming, never more than ``limit`` bytes (nor what is left of ``budget``)
    whatever its header claims; FormatError naming the file and the member beyond."""
    cap = limit if budget is None else min(limit, budget.total - budget.used)
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(name) as handle:
            while size <= cap:
                chunk = handle.read(min(1 << 20, cap + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise FormatError(
            gettext_noop("cannot read member %(member)r: %(reason)s"), params={"member": name, "reason": str(exc)},
            path=str(path),
        ) from None
    if size > limit:
        raise FormatError(
            gettext_noop("member %(member)r is larger than %(limit)s bytes"),
            params={"member": name, "limit": limit},
            path=str(path),
        )
    if budget is not None:
        if size > cap:
            raise FormatError(
                gettext_noop("archive expands to more than %(limit)s bytes (limit reached reading member %(member)r)"),
                params={"limit": budget.total, "member": name},
                path=str(path),
            )
        budget.used += size
    return b"".join(chunks)


def _mb(n: int) -> Message:
    """Sizes in messages: megabytes people can compare with the file they have, bytes when small (said in
    the reader's language with the message: "12 Mo" in French)."""
    if n >= 1024**2:
        return Message(gettext_noop("%(n)s MB"), {"n": f"{n / 1024**2:.0f}"})
    return Message(gettext_noop("%(n)s bytes"), {"n": n})


class BoundedReader(io.RawIOBase):
    """A read-only stream that refuses to produce more than ``limit`` bytes (and what is left of ``budget``).

    Why a stream wrapper and not a size check: the sizes in a zip's or gzip's headers are written by
    whoever made the archive, so only counting the inflated bytes as they are read bounds the work. The
    error names the file and the member so the user knows which part of the archive is too large.
    """

    def __init__(
        self,
        raw: IO[bytes],
        *,
        path: Path | str,
        member: str,
        limit: int,
        budget: Budget | None = None,
    ) -> None:
        super().__init__()
        self._raw = raw
        self.path = str(path)
        self.member = member
        self.limit = limit
        self.budget = budget
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - io API (a writable buffer)
        view = memoryview(buffer).cast("B")
        data = self._raw.read(min(len(view), READ_CHUNK))
        n = len(data)
        if n:
            self._count(n)
            view[:n] = data
        return n

    def _count(self, n: int) -> None:
        self.size += n
        if self.size > self.limit:
            raise FormatError(
                gettext_noop("member %(member)r expands beyond its %(limit)s limit (zip or gzip bomb?)"),
                params={"member": self.member, "limit": _mb(self.limit)},
                path=self.path,
            )
        if self.budget is not None:
            self.budget.used += n
            if self.budget.used > self.budget.total:
                raise FormatError(
                    gettext_noop(
                        "archive expands beyond its %(limit)s limit (limit reached reading member %(member)r; "
                        "zip bomb?)"
                    ),
                    params={"limit": _mb(self.budget.total), "member": self.member},
                    path=self.path,
                )

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def open_zip(
    path: Path | str,
    what: str,
    *,
    max_member: int,
    max_total: int,
    select: Callable[[zipfile.ZipInfo], bool] | None = None,
    max_ratio: int | None = None,
) -> zipfile.ZipFile:
    """Open ``path`` as a zip after the header checks; FormatError naming the file (and member) otherwise.

    ``select``, when given, restricts the size checks to the members that will be read (an OpenAlex zip
    may carry a large README that is never opened); names are always checked, since a path-traversal name
    is a sign of a hostile archive whatever is read from it.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FormatError(
            gettext_noop("not a readable %(what)s (zip) file: %(reason)s"),
            params={"what": what, "reason": str(exc)},
            path=str(path),
        ) from None
    try:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise FormatError(
                gettext_noop("%(what)s has %(n)s members (more than %(limit)s)"),
                params={"what": what, "n": len(infos), "limit": MAX_MEMBERS},
                path=str(path),
            )
        total = 0
        for info in infos:
            if unsafe_member_name(info.filename):
                raise FormatError(
                    gettext_noop("%(what)s member %(member)r points outside the archive (path traversal)"),
                    params={"what": what, "member": info.filename},
                    path=str(path),
                )
            if select is not None and not select(info):
                continue
            if info.file_size > max_member:
                raise FormatError(
                    gettext_noop(
                        "%(what)s member %(member)r is too large: it declares %(size)s, above the %(limit)s limit "
                        "per member (zip bomb?)"
                    ),
                    params={"what": what, "member": info.filename, "size": _mb(info.file_size), "limit": _mb(max_member)},
                    path=str(path),
                )
            if (
                max_ratio is not None
                and info.compress_size
                and info.file_size / info.compress_size > max_ratio
                and info.file_size > 1 << 20
            ):
                raise FormatError(
                    gettext_noop("%(what)s member %(member)r expands %(ratio)s-fold (zip bomb?)"),
                    params={"what": what, "member": info.filename, "ratio": info.file_size // info.compress_size},
                    path=str(path),
                )
            total += info.file_size
        if total > max_total:
            raise FormatError(
                gettext_noop("%(what)s declares %(size)s once uncompressed, above the %(limit)s limit (zip bomb?)"),
                params={"what": what, "size": _mb(total), "limit": _mb(max_total)},
                path=str(path),
            )
    except BaseException:
        archive.close()
        raise
    return archive


def open_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    path: Path | str,
    *,
    limit: int,
    budget: Budget | None = None,
) -> BoundedReader:
    """Open one member as a bounded stream; FormatError naming the file and member if it cannot be opened."""
    try:
        raw = archive.open(info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
        raise FormatError(
            gettext_noop("cannot open member %(member)r: %(reason)s"),
            params={"member": info.filename, "reason": str(exc)},
            path=str(path),
        ) from None
    return BoundedReader(raw, path=path, member=info.filename, limit=limit, budget=budget)


def verify_zip(path: Path | str, what: str, *, max_member: int, max_total: int) -> None:
    """Inflate every member once, counting and discarding, so a library opening the archive itself is bounded.

    Costs one extra inflation of the archive (about a second for a 500 MB workbook), paid so that a
    workbook claiming 10 kB per member but inflating to gigabytes is refused here, naming the member,
    instead of exhausting memory inside openpyxl. Memory stays at one chunk.
    """
    budget = Budget(max_total)
    with open_zip(path, what, max_member=max_member, max_total=max_total) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            try:
                with open_member(archive, info, path, limit=max_member, budget=budget) as stream:
                    while stream.read(READ_CHUNK):
                        pass
            except FormatError:
                raise
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                raise FormatError(
                    gettext_noop("damaged %(what)s (zip) file: member %(member)r: %(reason)s"),
                    params={"what": what, "member": info.filename, "reason": str(exc)},
                    path=str(path),
                ) from None
