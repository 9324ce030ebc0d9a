"""Local development: DEBUG on, the embedded SQLite file, a throwaway secret."""

from .base import *  # noqa: F403
from .base import env_list

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: F405
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

# Marks settings where `manage.py ensure_dev_login` may create a local admin account.
ARCHIVE_ALLOW_DEV_LOGIN = True
