"""Tests: SQLite by default, PostgreSQL when ``DATABASE_URL`` says so; fast hashing."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ARCHIVE_ALLOW_DEV_LOGIN = True
# django-axes refuses authenticate() calls without a request, as the test client's login()
# and plain authenticate() make. The lockout's own tests switch it back on
# (tests/test_login_protection.py); everything else about it is configured in base.py.
AXES_ENABLED = False

# Static files come from the apps' folders (no collectstatic before a test run).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# pytest-django empties the tables between transactional tests with `manage.py flush`; the
# history tables refuse that (append-only triggers), so flush may switch the guard off here,
# and only here. See archive/models/audit.py and archive/management/commands/flush.py.
ARCHIVE_HISTORY_TEARDOWN_BYPASS = True
