"""Tests: SQLite by default, PostgreSQL when ``DATABASE_URL`` says so; fast hashing."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ARCHIVE_ALLOW_DEV_LOGIN = True
