"""The editorial roles as groups with their permissions (see archive/roles.py).

The permission lists are frozen here, as a migration must be; a later change of roles is a
new migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = ["document", "section", "claim", "source", "citation", "flag"]
READ = [*CONTENT, "importrun", "changeproposal", "proposedchange", "reviewcomment"]

EDITOR = [
    *(f"view_{model}" for model in READ),
    "add_changeproposal",
    "change_changeproposal",
    "add_proposedchange",
    "change_proposedchange",
    "delete_proposedchange",
    "add_reviewcomment",
]
REVIEWER = [*EDITOR, "review_changeproposal"]
ARCHIVIST = [
    *REVIEWER,
    *(f"{action}_{model}" for model in CONTENT for action in ("add", "change", "delete")),
    "import_document",
    "revert_content",
    "export_history",
]
GROUPS = {"Editor": EDITOR, "Reviewer": REVIEWER, "Archivist": ARCHIVIST}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    app_config = apps.get_app_config("archive")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="archive", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions missing for {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_proposals"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
