"""Login protection: lockout after repeated failures, and passwords of at least 12 characters.

django-axes counts failed logins per username and address (settings in base.py: 5 failures,
15 minutes' cool-off since the last attempt). The test settings switch axes off because the
test client's ``login()`` gives it no request; here it is on again, and every login goes
through the real admin login form. Time is moved by backdating the recorded attempts, never
by waiting.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse

from .conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # what conftest.make_user gives everyone
TOO_SHORT = "Plum-tree-7"  # 11 characters, otherwise a fine password
LONG_ENOUGH = "Plum-tree-77"  # 12 characters


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


@pytest.fixture
def editor(db):
    return make_user("edna", "Editor")


def log_in(client, username, password, address="192.0.2.10"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def logged_in_as(client):
    response = client.get(reverse("admin:index"))
    return response.context["user"].get_username() if response.status_code == 200 else None


def fail(client, times, username="edna", address="192.0.2.10"):
    return [log_in(client, username, "not-the-password", address) for _ in range(times)]


def let_time_pass(minutes):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


# --------------------------------------------------------------------------- lockout


def test_configured_for_five_failures_and_fifteen_minutes(axes_on):
    cool_off = axes_on.AXES_COOLOFF_TIME
    assert cool_off == timedelta(minutes=15)
    assert axes_on.AXES_FAILURE_LIMIT == 5
    assert axes_on.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert axes_on.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert axes_on.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_four_failures_leave_the_right_password_working(client, editor):
    for response in fail(client, 4):
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text

    response = log_in(client, "edna", PASSWORD)

    assert response.status_code == 302
    assert logged_in_as(client) == "edna"


def test_fifth_failure_locks_out_even_the_right_password_until_the_cool_off(client, editor):
    *_, fifth = fail(client, 5)
    assert fifth.status_code == 429

    refused = log_in(client, "edna", PASSWORD)

    assert refused.status_code == 429
    assert "Account locked: too many failed logins" in refused.text
    assert "Try again in 15 minutes" in refused.text
    assert logged_in_as(client) is None

    let_time_pass(14)
    assert log_in(client, "edna", PASSWORD).status_code == 429
    assert logged_in_as(client) is None

    let_time_pass(16)  # 15 minutes after the last attempt, refused ones included
    assert log_in(client, "edna", PASSWORD).status_code == 302
    assert logged_in_as(client) == "edna"


def test_lockout_is_for_one_username_from_one_address(client, editor):
    make_user("otto", "Editor")
    fail(client, 5, username="edna", address="192.0.2.10")

    assert log_in(client, "edna", PASSWORD, address="192.0.2.10").status_code == 429
    assert log_in(client, "otto", PASSWORD, address="192.0.2.10").status_code == 302
    client.logout()
    assert log_in(client, "edna", PASSWORD, address="198.51.100.7").status_code == 302
    assert logged_in_as(client) == "edna"


def test_a_successful_login_clears_earlier_failures(client, editor):
    fail(client, 4)
    assert log_in(client, "edna", PASSWORD).status_code == 302
    client.logout()

    *_, last = fail(client, 4)

    assert last.status_code == 200  # four new failures, not eight
    assert log_in(client, "edna", PASSWORD).status_code == 302


def test_the_attempted_password_is_never_stored(client, editor):
    fail(client, 2)
    attempt = AccessAttempt.objects.get(username="edna")
    assert attempt.failures_since_start == 2
    assert "not-the-password" not in attempt.post_data


# --------------------------------------------------------------------------- passwords


def test_validators_refuse_a_password_shorter_than_twelve_characters(editor):
    with pytest.raises(ValidationError) as refused:
        validate_password(TOO_SHORT, user=editor)
    assert refused.value.messages == [
        "This password is too short. It must contain at least 12 characters."
    ]
    validate_password(LONG_ENOUGH, user=editor)  # the boundary itself is allowed


def test_admin_refuses_to_set_a_short_password(client, archivist, editor):
    client.force_login(archivist)
    url = reverse("admin:auth_user_password_change", args=[editor.pk])

    response = client.post(url, {"password1": TOO_SHORT, "password2": TOO_SHORT})

    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in (response.text)
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)

    response = client.post(url, {"password1": LONG_ENOUGH, "password2": LONG_ENOUGH})

    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password(LONG_ENOUGH)


def test_people_cannot_change_their_own_password_to_a_short_one(client, editor):
    client.force_login(editor)
    url = reverse("admin:password_change")
    form = {"old_password": PASSWORD, "new_password1": TOO_SHORT, "new_password2": TOO_SHORT}

    response = client.post(url, form)

    assert response.status_code == 200
    assert "This password is too short." in response.text
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)
