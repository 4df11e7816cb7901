"""Publication URLs must be http(s) or a DOI (issue 17): the validator, and the rows stored before it.

An import used to store whatever a file's URL field said (``javascript:``, ``ftp://``, a relative path); the
pages never linked them unchecked (``external_url``), but such a row would now fail ``full_clean``. Each one is
emptied, its field attribution dropped, and the value kept in the audit log with the publication's id, so
nothing is lost: the raw record still holds it verbatim too.
"""

from django.db import migrations, models

import benefice.weblinks


def clear_refused_urls(apps, schema_editor):
    from benefice.weblinks import url_problem

    Publication = apps.get_model("corpus", "Publication")
    AuditEntry = apps.get_model("core", "AuditEntry")
    refused = [
        (pk, url, problem)
        for pk, url in Publication.objects.exclude(url="").values_list("pk", "url").iterator(chunk_size=2000)
        if (problem := url_problem(url, doi=True))
    ]
    for pk, url, problem in refused:
        pub = Publication.objects.get(pk=pk)
        sources = dict(pub.field_sources or {})
        sources.pop("url", None)
        Publication.objects.filter(pk=pk).update(url="", field_sources=sources)
        AuditEntry.objects.create(
            action="update",
            object_type="corpus.Publication",
            object_id=str(pk),
            before={"url": url},
            after={"url": ""},
            comment=f"url {url[:200]!r} {problem}: removed by migration corpus 0009 (issue 17)",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("corpus", "0008_search_vector"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="publication",
            name="url",
            field=models.TextField(blank=True, validators=[benefice.weblinks.WebURLValidator(doi=True)]),
        ),
        migrations.RunPython(clear_refused_urls, migrations.RunPython.noop),
    ]
