"""Reviewers may export the audit history, as Archivists already may.

Reviewers decide on other people's proposals; the audit export is the record of those
decisions and what they changed, and they need it to answer for them. The permission is
given to the group, not checked by role name in the view, so an administrator can still
grant or withdraw it per group or per user in the admin.
"""

from django.db import migrations

GROUP = "Reviewer"
CODENAME = "export_history"


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="archive", codename=CODENAME)
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="archive", codename=CODENAME
    ).first()
    group = Group.objects.filter(name=GROUP).first()
    if group and permission:
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_history_append_only")]

    operations = [migrations.RunPython(grant, revoke)]
