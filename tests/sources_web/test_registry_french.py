"""The source pages in French first (issue 19): the registry's notes in the reader's language, codes shown as
words, an edit written in both languages, and the migration that keeps an older database's texts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from benefice.core.roles import ADMIN, VIEWER
from benefice.core.users import ensure_user
from benefice.sources import services
from benefice.sources.models import Source
from benefice.sources.registry import KINDS, load_registry


def _visible(html: str) -> str:
    """The text a reader sees: no tags, no attributes (data-kind keeps the code for scripts and tests)."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def reader(db):
    services.sync_registry()
    ensure_user("viewer", "pw", VIEWER)
    client = Client()
    client.login(username="viewer", password="pw")
    return client


def test_the_french_source_page_shows_french_notes_and_no_codes(reader) -> None:
    html = reader.get("/sources/SNDS/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    snds = load_registry()["SNDS"]
    assert snds.access.fr.replace("'", "&#x27;") in html and snds.access.en not in html
    assert snds.ambiguity.fr.split("«")[0].strip() in html
    assert "Création du SNIIRAM" in html and "SNIIRAM created" not in html  # the history, in French
    assert "Base de données chaînée" in html and "France" in html
    text = _visible(html)
    assert not [k for k in KINDS if re.search(rf"\b{k}\b", text) and "_" in k]
    assert 'data-kind="linked_database"' in html
    assert ">Cartographie des pathologies et des dépenses</a>" in html and ">PMSI</a>" in html  # components named
    sniiram = reader.get("/sources/SNIIRAM/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'href="/sources/SNDS/">SNDS</a>' in sniiram  # its parent, by its acronym

    english = reader.get("/sources/SNDS/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Permanent access for bodies listed by decree" in english and "Linked database" in english
    assert "SNIIRAM created by the social security" in english


def test_the_list_shows_kinds_and_countries_in_words(reader) -> None:
    html = reader.get("/sources/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    text = _visible(html)
    assert "Cohorte" in text and "Royaume-Uni" in text and "Dossiers de soins primaires" in text
    assert not re.search(r"\b(primary_care|linked_database|hospital_discharge|disease_registry)\b", text)
    assert 'class="table-scroll"' in html  # the table scrolls inside the page on a 390 px phone


def test_an_edit_is_written_in_both_languages_and_exported(db) -> None:
    services.sync_registry()
    ensure_user("ed", "pw", ADMIN)
    editor = Client()
    editor.login(username="ed", password="pw")
    src = Source.objects.get(pk="REIN")
    form = editor.get("/sources/REIN/edit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert form.index('name="access_fr"') < form.index('name="access_en"')  # French first
    assert "Note sur l" in form and ">ambiguity<" not in form
    post = {
        "version": src.version,
        "name_fr": src.data["names"]["fr"],
        "name_en": src.data["names"]["en"],
        "kind": "disease_registry",
        "country": "FR",
        "acronyms": "REIN\nRein",
        "ambiguous": "Rein",
        "context": "registre\nregistry\ndialyse",
        "custodian_fr": "Agence de la biomédecine",
        "custodian_en": "",
        "access_fr": "Demande à l'Agence de la biomédecine.",
        "access_en": "",
        "history": "2002 | Démarrage du registre | Registry starts",
    }
    refused = editor.post("/sources/REIN/edit/", post, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 400 and "access.en" in refused.content.decode()
    post["access_en"] = "Application to the Agence de la biomédecine."
    assert editor.post("/sources/REIN/edit/", post).status_code == 302
    row = Source.objects.get(pk="REIN")
    assert row.data["access"] == {
        "fr": "Demande à l'Agence de la biomédecine.",
        "en": "Application to the Agence de la biomédecine.",
    }
    assert (
        row.data["custodian"] == "Agence de la biomédecine"
        and row.custodian("en") == "Agence de la biomédecine"
    )
    assert row.data["history"] == [
        {"year": 2002, "event": {"fr": "Démarrage du registre", "en": "Registry starts"}}
    ]
    exported = services.db_registry()["REIN"].to_dict()
    assert exported["access"] == row.data["access"] and exported["history"] == row.data["history"]

    history = editor.get("/sources/REIN/history/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Note sur l&#x27;ambiguïté" in history  # the note the form left empty: its field, in words
    assert "{&#x27;fr&#x27;" not in history and "2002 — Démarrage du registre" in history
    assert "modifié" in history and "chargé depuis le fichier du registre" in history

    bad = {**post, "version": row.version, "history": "2002 | only French"}
    page = editor.post("/sources/REIN/edit/", bad, HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert page.status_code == 400 and "Historique, ligne 1" in html
    assert "2002 | only French</textarea>" in html and "Application to the Agence" in html  # nothing lost


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_an_older_databases_texts() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = [("sources", "0004_detection_generation")]
    try:
        executor.migrate(before)
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps.get_model("sources", "Source")
        shipped = load_registry()["SNDS"].to_dict()
        old.objects.create(
            id="SNDS",
            name_fr="Système national des données de santé",
            kind="linked_database",
            country="FR",
            custodian=shipped["custodian"]["en"],
            data={
                **shipped,
                "grammar": [],  # its rules name the SNIIRAM, not in this small database
                "access": shipped["access"]["en"],  # as the shipped file said it: its French is known
                "ambiguity": "A note a person wrote in English.",  # edited: no French yet
                "custodian": shipped["custodian"]["en"],
                "history": [{"year": h["year"], "event": h["event"]["en"]} for h in shipped["history"]],
            },
        )
        old.objects.create(id="CEGEDIM_X", kind="primary_care", country="GB", custodian="Cegedim", data={
            "id": "CEGEDIM_X", "kind": "primary_care", "country": "GB", "names": {"en": "X"}, "custodian": "Cegedim"
        })  # fmt: skip

        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        row = Source.objects.get(pk="SNDS")
        assert row.data["access"] == shipped["access"]
        assert row.data["ambiguity"] == {"fr": "", "en": "A note a person wrote in English."}
        assert row.data["history"] == shipped["history"]
        assert row.data["custodian"] == shipped["custodian"]
        assert (row.custodian_fr, row.custodian_en) == (
            shipped["custodian"]["fr"],
            shipped["custodian"]["en"],
        )
        other = Source.objects.get(pk="CEGEDIM_X")
        assert other.data["custodian"] == "Cegedim" and other.custodian("fr") == "Cegedim"
        # the database registry still reads: the English-only note is shown until someone writes the French
        assert services.db_registry()["SNDS"].ambiguity.en == "A note a person wrote in English."

        executor = MigrationExecutor(connection)
        executor.migrate(before)  # and back: the plain English texts again
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps.get_model("sources", "Source")
        back = old.objects.get(pk="SNDS")
        assert back.data["access"] == shipped["access"]["en"] and back.custodian == shipped["custodian"]["en"]
    finally:
        MigrationExecutor(connection).migrate(latest)
