"""Fold the stored search text (lower case, no accents, no punctuation) so both engines see the same words."""

from django.db import migrations


def refold(apps, schema_editor):
    from benefice.corpus.search import fold

    Publication = apps.get_model("corpus", "Publication")
    batch = []
    for pub in Publication.objects.only("id", "search_text").iterator(chunk_size=2000):
        folded = "\n".join(fold(line) for line in (pub.search_text or "").split("\n") if line.strip())
        if folded != pub.search_text:
            pub.search_text = folded
            batch.append(pub)
        if len(batch) >= 2000:
            Publication.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Publication.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("corpus", "0003_dedupkey")]
    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
