"""`manage.py ensure_dev_login`: a local admin login for `make run`, never a fixed password."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def ensure_login():
    out = StringIO()
    call_command("ensure_dev_login", stdout=out)
    return out.getvalue()


def printed_password(output):
    return re.search(r"password: (\S+)", output).group(1)


def test_first_run_creates_a_superuser_and_prints_a_working_password_once():
    output = ensure_login()
    password = printed_password(output)
    assert len(password) >= 12
    user = authenticate(username="admin", password=password)
    assert user is not None and user.is_superuser
    again = ensure_login()
    assert password not in again
    assert "changepassword admin" in again
    assert get_user_model().objects.filter(username="admin").count() == 1


def test_password_is_fresh_each_time_an_account_is_created():
    first = printed_password(ensure_login())
    get_user_model().objects.all().delete()
    second = printed_password(ensure_login())
    assert first != second


def test_refused_outside_development_settings(settings):
    del settings.ARCHIVE_ALLOW_DEV_LOGIN
    with pytest.raises(CommandError, match="not development settings"):
        ensure_login()
    assert not get_user_model().objects.exists()
