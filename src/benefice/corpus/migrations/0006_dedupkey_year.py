"""The compared year on each blocking key: candidates too far apart in time are skipped unread.

Keys written before have no year, which means unknown: they stay candidates for every record.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0005_dedupform"),
    ]

    operations = [
        migrations.AddField(
            model_name="dedupkey",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
    ]
