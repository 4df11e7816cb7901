"""The import reports what it found about a file's encoding, on the command line and on the web page, in
French and English (issue 17, item 10): damaged UTF-8 refused with its positions, legacy files named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from benefice.core.roles import EDITOR
from benefice.core.users import ensure_user
from benefice.corpus.models import ImportBatch, Publication
from benefice.errors import localized_error

pytestmark = pytest.mark.django_db

RECORD = "TY  - JOUR\nTI  - Étude {i} à l’hôpital\nPY  - 2021\nDO  - 10.1000/enc{i}\nER  - \n\n"
UTF8 = "".join(RECORD.format(i=i) for i in range(1, 4)).encode()
DAMAGED = UTF8.replace("Étude 2".encode(), b"\xc9tude 2")
OFFSET = DAMAGED.index(b"\xc9tude 2")
LINE = DAMAGED[:OFFSET].count(b"\n") + 1
PASSWORD = "correct horse battery staple"


def test_cli_refuses_damaged_utf8_naming_line_record_and_offset(tmp_path: Path) -> None:
    from benefice.cli import main

    path = tmp_path / "damaged.ris"
    path.write_bytes(DAMAGED)
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code == 2
    assert f"line {LINE}, record 2 (DOI 10.1000/enc2), byte offset {OFFSET}: bytes C9" in result.output
    assert Publication.objects.count() == 0
    (batch,) = ImportBatch.objects.all()
    assert batch.status == ImportBatch.Status.FAILED and f"byte offset {OFFSET}" in localized_error(batch.errors[0], "en")


def test_cli_names_the_legacy_encoding_it_read(tmp_path: Path) -> None:
    from benefice.cli import main

    path = tmp_path / "windows.ris"
    path.write_bytes("".join(RECORD.format(i=i) for i in range(1, 4)).encode("cp1252"))
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert "format ris (cp1252 text); records read: 3" in result.output
    assert Publication.objects.filter(title="Étude 1 à l’hôpital").exists()


@pytest.fixture
def editor(settings, tmp_path, monkeypatch) -> Client:
    settings.HOME = tmp_path / "home"
    settings.MEDIA_ROOT = tmp_path / "home" / "uploads"
    ensure_user(EDITOR, PASSWORD, EDITOR)
    client = Client()
    assert client.login(username=EDITOR, password=PASSWORD)
    return client


def _upload(client: Client, name: str, data: bytes) -> str:
    response = client.post(
        reverse("corpus:import"), {"file": SimpleUploadedFile(name, data), "format": "auto"}
    )
    match = re.fullmatch(r"/corpus/import/([0-9a-f]{32})/", response["Location"])
    assert match, response
    return match.group(1)


def test_web_import_says_where_the_utf8_is_damaged_in_french_and_english(editor: Client) -> None:
    job_id = _upload(editor, "damaged.ris", DAMAGED)
    url = reverse("corpus:import_job", args=[job_id])
    french = editor.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "n&#x27;est pas de l&#x27;UTF-8 valide" in french or "n'est pas de l'UTF-8 valide" in french
    assert f"ligne {LINE}, notice n° 2 (DOI 10.1000/enc2), à {OFFSET} octets du début du fichier" in french
    assert "octets C9" in french and "damaged.ris" in french and "/uploads/" not in french
    english = editor.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"line {LINE}, record 2 (DOI 10.1000/enc2), byte offset {OFFSET}: bytes C9" in english
    assert Publication.objects.count() == 0


def test_web_import_names_the_legacy_encoding(editor: Client) -> None:
    data = "".join(RECORD.format(i=i) for i in range(1, 4)).encode("cp1252")
    job_id = _upload(editor, "windows.ris", data)
    url = reverse("corpus:import_job", args=[job_id])
    assert "lu comme texte cp1252" in editor.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "read as cp1252 text" in editor.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert Publication.objects.count() == 3
