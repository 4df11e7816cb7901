"""The registry's prose in French and English (issue 19): the access and ambiguity notes, the history events
and the custodian become {fr, en} in each stored entry, and the custodian column becomes two.

Nothing is lost: every English text an older version stored stays as the English version; its French is
the shipped registry's when that English is the shipped one (an entry nobody edited), else empty, and the
pages show the English until someone writes the French (``registry.text_in`` falls back). A custodian that
is a proper name (one text) stays one text. Backwards, the English version goes back (or the French when
there is no English), so an older version reads its plain texts again.
"""

from pathlib import Path

import yaml
from django.db import migrations, models

NOTES = ("ambiguity", "access")


def _shipped() -> dict:
    """The shipped registry's entries by id, read as plain YAML (no validation: a migration must not fail on
    a later file); empty when it cannot be read."""
    path = Path(__file__).resolve().parents[2] / "data" / "sources.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {s["id"]: s for s in data.get("sources") or [] if isinstance(s, dict) and "id" in s}
    except (OSError, yaml.YAMLError, TypeError, KeyError):
        return {}


def _bilingual(old: str, shipped) -> dict:
    if isinstance(shipped, dict) and shipped.get("en", "").strip() == old.strip() and shipped.get("fr"):
        return {"fr": shipped["fr"].strip(), "en": old.strip()}
    return {"fr": "", "en": old.strip()}


def _custodian(old: str, shipped):
    if isinstance(shipped, dict) and shipped.get("en", "").strip() == old.strip():
        return {"fr": shipped.get("fr", "").strip(), "en": old.strip()}
    return old.strip()  # a proper name, the same in both languages


def _columns(custodian) -> tuple[str, str]:
    if isinstance(custodian, dict):
        return custodian.get("fr") or "", custodian.get("en") or ""
    return custodian or "", custodian or ""


def forward(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    shipped = _shipped()
    for row in Source.objects.all():
        data = dict(row.data or {})
        ref = shipped.get(row.id, {})
        for key in NOTES:
            if isinstance(data.get(key), str) and data[key].strip():
                data[key] = _bilingual(data[key], ref.get(key))
        if isinstance(data.get("custodian"), str) and data["custodian"].strip():
            data["custodian"] = _custodian(data["custodian"], ref.get("custodian"))
        events = {h.get("year"): h.get("event") for h in ref.get("history") or [] if isinstance(h, dict)}
        history = []
        for h in data.get("history") or []:
            if isinstance(h, dict) and isinstance(h.get("event"), str):
                h = {**h, "event": _bilingual(h["event"], events.get(h.get("year")))}
            history.append(h)
        if "history" in data:
            data["history"] = history
        row.data = data
        row.custodian_fr, row.custodian_en = _columns(data.get("custodian"))
        row.save(update_fields=["data", "custodian_fr", "custodian_en"])


def _plain(value):
    if isinstance(value, dict):
        return value.get("en") or value.get("fr") or ""
    return value


def backward(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    for row in Source.objects.all():
        data = dict(row.data or {})
        for key in (*NOTES, "custodian"):
            if key in data:
                data[key] = _plain(data[key])
        if "history" in data:
            data["history"] = [
                {**h, "event": _plain(h.get("event"))} if isinstance(h, dict) else h for h in data["history"]
            ]
        row.data = data
        row.custodian_en = row.custodian_en or row.custodian_fr
        row.save(update_fields=["data", "custodian_en"])


class Migration(migrations.Migration):
    dependencies = [("sources", "0004_detection_generation")]
    operations = [
        migrations.RenameField("source", "custodian", "custodian_en"),
        migrations.AddField(
            model_name="source",
            name="custodian_fr",
            field=models.TextField(
                blank=True, help_text="the custodian, French first (a proper name is the same)"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
