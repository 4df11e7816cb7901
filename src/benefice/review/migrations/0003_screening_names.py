"""Names that say what they are (issue 18, item 6): a screening decision is not a policy decision
(impact), and a screening ranking is not the ranking of impact cases. The tables are renamed with them."""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_model_svm_default"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("Decision", "ScreeningDecision"),
        migrations.RenameModel("Ranking", "ScreeningRanking"),
    ]
