"""Create the local development login, once, with a fresh random password.

Exists so `make run` gives a new user a working admin login without any fixed password
living in the code. It refuses to run outside development settings.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a local superuser with a random password (development settings only)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/admin/", help="where the admin is served"
        )

    def handle(self, *args, username, url, **options):
        if not getattr(settings, "ARCHIVE_ALLOW_DEV_LOGIN", False):
            raise CommandError(
                "refusing to create a development login: these are not development settings "
                "(use `manage.py createsuperuser` in production)"
            )
        users = get_user_model().objects
        if users.filter(username=username).exists():
            self.stdout.write(
                f"Local admin login: {username!r} (its password was printed when it was "
                f"created; reset it with `python manage.py changepassword {username}`)"
            )
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Local admin login created, shown only this once:\n"
                f"  {url}  user: {username}  password: {password}"
            )
        )
