"""Hand the models over to the ``cases`` and ``indicators`` apps (issue 18: the evidence chain in the app names).

No row is copied, dropped or lost: the models leave this app's state only (``cases`` 0001 and
``indicators`` 0001 declared them there on the same tables). Two things outside the tables still say
"impact" and move with the models, so that nothing that pointed at a case or an indicator points nowhere:

* the content types (admin log entries and any permission granted on them keep their target; the policy
  decision model, ``Decision`` until now, is ``PolicyDecision``, and its permissions' codenames follow);
* the audit trail's object types (``impact.Case`` → ``cases.Case``, ``impact.Indicator`` →
  ``indicators.Indicator``), which the history pages read.

Both steps can be reversed, so a rollback to ``impact`` 0002 finds the database as that code expects it.
"""

from django.db import migrations

#: (old app, old model) -> (new app, new model), as content types spell them
MOVED = {
    ("impact", "case"): ("cases", "case"),
    ("impact", "casepublication"): ("cases", "casepublication"),
    ("impact", "decision"): ("cases", "policydecision"),
    ("impact", "figure"): ("cases", "figure"),
    ("impact", "timelineevent"): ("cases", "timelineevent"),
    ("impact", "indicator"): ("indicators", "indicator"),
}
AUDIT = {"impact.Case": "cases.Case", "impact.Indicator": "indicators.Indicator"}


def _move(apps, pairs, audit):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    Permission = apps.get_model("auth", "Permission")
    for (old_app, old_model), (new_app, new_model) in pairs:
        old = ContentType.objects.filter(app_label=old_app, model=old_model).first()
        if old is None:
            continue  # a fresh database: post_migrate creates the new content types
        # a content type created for the new name meanwhile (by a partial run) is empty: the old one wins
        ContentType.objects.filter(app_label=new_app, model=new_model).exclude(pk=old.pk).delete()
        old.app_label, old.model = new_app, new_model
        old.save(update_fields=["app_label", "model"])
        if old_model != new_model:  # the default permissions are named after the model: rename them too
            for perm in Permission.objects.filter(content_type=old, codename__endswith=f"_{old_model}"):
                perm.codename = perm.codename[: -len(old_model)] + new_model
                perm.save(update_fields=["codename"])
    for old_type, new_type in audit:
        AuditEntry.objects.filter(object_type=old_type).update(object_type=new_type)


def forwards(apps, schema_editor):
    _move(apps, MOVED.items(), AUDIT.items())


def backwards(apps, schema_editor):
    _move(apps, ((new, old) for old, new in MOVED.items()), ((new, old) for old, new in AUDIT.items()))


class Migration(migrations.Migration):
    dependencies = [
        ("impact", "0002_refuse_unsafe_urls"),
        ("cases", "0001_initial"),
        ("indicators", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="TimelineEvent"),
                migrations.DeleteModel(name="Figure"),
                migrations.DeleteModel(name="Decision"),
                migrations.DeleteModel(name="CasePublication"),
                migrations.DeleteModel(name="Case"),
                migrations.DeleteModel(name="Indicator"),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
