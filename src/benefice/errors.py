"""The one error type users see.

Every parser, connector and service raises ``BeneficeError`` (or a subclass) for problems caused by
input, so the CLI and the web app can show one clear message naming the file, line or record, and never
a traceback. Anything else escaping is a bug in our code.
"""

from __future__ import annotations


class BeneficeError(Exception):
    """An error caused by input or environment, with where it happened."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.record = record
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(str(self.path))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.record is not None:
            where.append(f"record {self.record}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class FormatError(BeneficeError):
    """A file cannot be read as the format it claims or seems to be."""


class ConnectorError(BeneficeError):
    """A remote API answered with an error or something we cannot read."""
