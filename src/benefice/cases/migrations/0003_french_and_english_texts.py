"""Every prose field of a case in French and English (issue 19), and a kind for each timeline entry.

Each old field is renamed to its ``_en`` twin, so the text stored so far (written in English) is kept
whole, in place; the ``_fr`` twin starts empty and the pages show the English until the data file's French
is loaded (``i18n.pick`` falls back to the version there is). A case publication gets its ``language`` (empty: not known). Timeline entries get ``kind`` "other": the
data file says which entry is the study, nothing here guesses it from the wording."""

from django.db import migrations, models

KINDS = ("signal", "study", "publication", "decision", "report", "other")  # catalogue.TIMELINE_KINDS then

RENAMED = [
    ("case", "summary", models.TextField(blank=True)),
    ("case", "notes", models.TextField(blank=True)),
    ("policydecision", "agency", models.CharField(blank=True, max_length=200)),
    ("policydecision", "description", models.TextField(blank=True)),
    ("policydecision", "source_location", models.TextField(blank=True, verbose_name="location in the source (English)")),
    ("figure", "label", models.TextField(blank=True)),
    ("figure", "text", models.TextField(blank=True)),
    ("figure", "population", models.TextField(blank=True)),
    ("figure", "period", models.CharField(blank=True, max_length=100)),
    ("figure", "source_location", models.TextField(blank=True, verbose_name="location in the source (English)")),
    ("timelineevent", "event", models.TextField(blank=True)),
]


def _french_twin(field: models.Field) -> models.Field:
    _name, _path, args, kwargs = field.deconstruct()
    if "verbose_name" in kwargs:
        kwargs["verbose_name"] = "location in the source (French)"
    return type(field)(*args, **kwargs)


operations = []
for model, name, field in RENAMED:
    operations += [
        migrations.RenameField(model_name=model, old_name=name, new_name=f"{name}_en"),
        migrations.AlterField(model_name=model, name=f"{name}_en", field=field),
        migrations.AddField(model_name=model, name=f"{name}_fr", field=_french_twin(field)),
    ]


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_tables_named_after_their_app")]

    operations = [
        *operations,
        migrations.AddField(
            model_name="casepublication",
            name="language",
            field=models.CharField(blank=True, help_text="ISO 639-1 code of the publication", max_length=12),
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="kind",
            field=models.CharField(
                choices=[(k, k) for k in KINDS], default="other", max_length=20
            ),
        ),
    ]
