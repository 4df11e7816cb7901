"""Guards for the zip containers we read (docx, odt, qdpx).

All three formats are zip archives supplied by users, so before any library opens one we check that it
is a zip at all, that no member name escapes the archive (absolute paths, ``..``, drive letters), and that
the declared uncompressed sizes and compression ratios stay within limits: a few kilobytes must not be
able to inflate into gigabytes in memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from benefice.errors import FormatError

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
    """Open ``path`` as a zip after checking names and sizes; raise ``FormatError`` naming the file."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FormatError(f"not a readable {what} (zip) file: {exc}", path=str(path)) from None
    try:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise FormatError(f"{what} has {len(infos)} members (more than {MAX_MEMBERS})", path=str(path))
        total = 0
        for info in infos:
            if unsafe_member_name(info.filename):
                raise FormatError(
                    f"{what} member {info.filename!r} points outside the archive (path traversal)",
                    path=str(path),
                )
            if info.file_size > MAX_MEMBER_BYTES:
                raise FormatError(
                    f"{what} member {info.filename!r} is too large ({info.file_size} bytes)", path=str(path)
                )
            if (
                info.compress_size
                and info.file_size / info.compress_size > MAX_RATIO
                and info.file_size > 1 << 20
            ):
                raise FormatError(
                    f"{what} member {info.filename!r} expands {info.file_size // info.compress_size}-fold "
                    "(zip bomb?)",
                    path=str(path),
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise FormatError(f"{what} expands to {total} bytes (too large)", path=str(path))
    except BaseException:
        archive.close()
        raise
    return archive


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
        raise FormatError(f"cannot read member {name!r}: {exc}", path=str(path)) from None
    if size > limit:
        raise FormatError(f"member {name!r} is larger than {limit} bytes", path=str(path))
    if budget is not None:
        if size > cap:
            raise FormatError(
                f"archive expands to more than {budget.total} bytes (limit reached reading member {name!r})",
                path=str(path),
            )
        budget.used += size
    return b"".join(chunks)
