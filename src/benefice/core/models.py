"""Cross-cutting models: the audit trail every editable piece of curated knowledge writes to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: what the history pages say for each kind of change the services record; an action not listed (a
#: service's own) is shown as written, so a new kind of change is never hidden
ACTION_LABELS = {
    "create": pgettext_lazy("change in a history", "created"),
    "update": pgettext_lazy("change in a history", "edited"),
    "delete": pgettext_lazy("change in a history", "deleted"),
    "load": pgettext_lazy("change in a history", "loaded from the data file"),
    "import": pgettext_lazy("change in a history", "imported"),
    "export": pgettext_lazy("change in a history", "exported"),
    "merge": pgettext_lazy("change in a history", "merged"),
    "split": pgettext_lazy("change in a history", "split"),
    "add": pgettext_lazy("change in a history", "records added"),
    "member": pgettext_lazy("change in a history", "member added"),
    "pseudonymise": pgettext_lazy("change in a history", "pseudonymised"),
    "code": pgettext_lazy("change in a history", "coded"),
    "ground": pgettext_lazy("change in a history", "grounded"),
    "resolve": pgettext_lazy("change in a history", "resolved"),
    "suggest": pgettext_lazy("change in a history", "suggested"),
    "version": pgettext_lazy("change in a history", "new version"),
    "starter": pgettext_lazy("change in a history", "starter codebook"),
}


class AuditEntry(models.Model):
    """One change to a curated object, with the values before and after, so history is never lost."""

    when = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=20)  # create, update, delete, load, merge…
    object_type = models.CharField(max_length=60, db_index=True)  # e.g. "sources.Source"
    object_id = models.CharField(max_length=100, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-when", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    @property
    def action_label(self) -> str:
        """The change in the reader's language (the history pages show this, never the stored code)."""
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def audit(
    action: str,
    obj_type: str,
    obj_id: Any,
    *,
    before: Any = None,
    after: Any = None,
    user=None,
    comment: str = "",
) -> AuditEntry:
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEntry.objects.create(
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        before=before,
        after=after,
        user=user,
        comment=comment,
    )
