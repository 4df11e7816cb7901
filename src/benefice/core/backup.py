"""Backup and restore of the whole database (issue 17): ``benefice backup --output FILE`` / ``restore FILE``.

* **SQLite**: SQLite's online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while
  the server runs (WAL readers and writers go on); restoring copies the file back the same way, page by
  page in one step, so the database is never half-restored, then checks its integrity.
* **PostgreSQL**: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner`` with the
  connection from ``DATABASE_URL`` (the password is passed in ``PGPASSWORD``, never on the command line).

Uploaded files, job files and models in ``$BENEFICE_HOME`` are not in the database: copy that directory
too (docs/deploy.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from benefice.errors import BeneficeError
from benefice.i18n import gettext_noop

SQLITE_MAGIC = b"SQLite format 3\x00"


def _database() -> dict:
    from django.db import connection

    return connection.settings_dict


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BeneficeError(
            gettext_noop(
                "%(tool)s is not installed (PostgreSQL client tools are needed to back up PostgreSQL)"
            ),
            params={"tool": name},
        )
    return path


def backup(output: Path) -> str:
    """Write a backup of the database to ``output``; returns the kind ("sqlite" or "postgresql")."""
    from django.db import connection

    db = _database()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.unlink(missing_ok=True)
    if connection.vendor == "sqlite":
        source = sqlite3.connect(db["NAME"])
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        kind = "sqlite"
    elif connection.vendor == "postgresql":
        args, env = _pg_env(db)
        done = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", *args, "--file", str(tmp), db["NAME"]],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            tmp.unlink(missing_ok=True)
            raise BeneficeError(
                gettext_noop("pg_dump failed: %(reason)s"), params={"reason": done.stderr.strip()}
            )
        kind = "postgresql"
    else:
        raise BeneficeError(
            gettext_noop("backup of a %(vendor)s database is not supported"),
            params={"vendor": connection.vendor},
        )
    os.replace(tmp, output)
    return kind


def restore(path: Path) -> str:
    """Replace the database's content by the backup at ``path``; returns the kind restored."""
    from django.db import connection

    path = Path(path)
    if not path.is_file():
        raise BeneficeError(gettext_noop("no such file"), path=str(path))
    db = _database()
    head = path.read_bytes()[:16] if path.stat().st_size >= 16 else b""
    if connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BeneficeError(gettext_noop("not a SQLite backup made by benefice backup"), path=str(path))
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BeneficeError(
                    gettext_noop("the backup is damaged (%(check)s); nothing was restored"),
                    params={"check": check},
                    path=str(path),
                )
            connection.close()
            target = sqlite3.connect(db["NAME"], timeout=60)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        return "sqlite"
    if connection.vendor == "postgresql":
        if not head.startswith(b"PGDMP"):
            raise BeneficeError(
                gettext_noop("not a PostgreSQL backup made by benefice backup"), path=str(path)
            )
        args, env = _pg_env(db)
        connection.close()
        done = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                "--dbname",
                db["NAME"],
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise BeneficeError(
                gettext_noop("pg_restore failed (nothing was changed): %(reason)s"),
                params={"reason": done.stderr.strip()},
            )
        return "postgresql"
    raise BeneficeError(
        gettext_noop("restore of a %(vendor)s database is not supported"),
        params={"vendor": connection.vendor},
    )
