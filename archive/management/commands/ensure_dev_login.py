"""Create the local development logins, once, each with a fresh random password.

Exists so `make run` gives a new user working logins without any fixed password living in
the code: a superuser, an editor and two reviewers, so the four-eyes workflow can be tried
end to end (nobody may approve their own proposal, so a reviewer's own proposal needs the
second reviewer). It refuses to run outside development settings. Logins missing from an
earlier run (the second reviewer, after an upgrade) are created; existing ones are kept.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from archive import roles

ACCOUNTS = (
    ("admin", None),
    ("editor", roles.EDITOR),
    ("reviewer", roles.REVIEWER),
    ("reviewer2", roles.REVIEWER),
)


class Command(BaseCommand):
    help = "Create local logins with random passwords (development settings only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/admin/", help="where the admin is served"
        )

    def handle(self, *args, url, **options):
        if not getattr(settings, "ARCHIVE_ALLOW_DEV_LOGIN", False):
            raise CommandError(
                "refusing to create development logins: these are not development settings "
                "(use `manage.py createsuperuser` in production)"
            )
        users = get_user_model().objects
        created, existing = [], []
        for username, role in ACCOUNTS:
            if users.filter(username=username).exists():
                existing.append(username)
                continue
            password = secrets.token_urlsafe(12)
            if role is None:
                users.create_superuser(username=username, email="", password=password)
            else:
                user = users.create_user(username=username, password=password, is_staff=True)
                user.groups.add(Group.objects.get(name=role))
            created.append(f"  {username:<9} {password}   ({role or 'superuser'})")
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Local logins for {url}, passwords shown only this once:\n"
                    + "\n".join(created)
                )
            )
        if existing:
            self.stdout.write(
                f"Existing local logins: {', '.join(existing)} (passwords were printed when "
                "they were created; reset with `python manage.py changepassword NAME`)"
            )
