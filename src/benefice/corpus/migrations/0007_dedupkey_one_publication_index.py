"""The foreign key already indexes dedup keys by publication: the second index only slowed every insert."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0006_dedupkey_year"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="dedupkey",
            name="corpus_dedupkey_pub",
        ),
    ]
