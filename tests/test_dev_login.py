"""`manage.py ensure_dev_login`: local logins for `make run`, never a fixed password."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from archive import workflow
from archive.models import Claim, ProposalState

from .conftest import draft_edit

pytestmark = pytest.mark.django_db


def ensure_logins():
    out = StringIO()
    call_command("ensure_dev_login", stdout=out)
    return out.getvalue()


def printed_passwords(output):
    return dict(re.findall(r"^  (\w+)\s+(\S+)\s+\(", output, re.MULTILINE))


def test_first_run_creates_admin_editor_and_two_reviewers_with_working_passwords():
    passwords = printed_passwords(ensure_logins())
    assert set(passwords) == {"admin", "editor", "reviewer", "reviewer2"}
    admin = authenticate(username="admin", password=passwords["admin"])
    assert admin is not None and admin.is_superuser
    editor = authenticate(username="editor", password=passwords["editor"])
    assert [g.name for g in editor.groups.all()] == ["Editor"]
    assert editor.has_perm("archive.add_changeproposal")
    assert not editor.has_perm("archive.review_changeproposal")
    reviewer = authenticate(username="reviewer", password=passwords["reviewer"])
    assert reviewer.has_perm("archive.review_changeproposal")
    assert all(len(p) >= 12 for p in passwords.values())


def test_passwords_are_printed_once_and_never_the_same_twice():
    first = printed_passwords(ensure_logins())
    again = ensure_logins()
    assert printed_passwords(again) == {}
    assert not any(password in again for password in first.values())
    assert "changepassword" in again
    assert get_user_model().objects.count() == 4
    get_user_model().objects.all().delete()
    second = printed_passwords(ensure_logins())
    assert first["admin"] != second["admin"]


def test_refused_outside_development_settings(settings):
    del settings.ARCHIVE_ALLOW_DEV_LOGIN
    with pytest.raises(CommandError, match="not development settings"):
        ensure_logins()
    assert not get_user_model().objects.exists()


def test_a_reviewer_s_own_proposal_can_be_approved_by_the_second_reviewer(seed_document):
    ensure_logins()
    users = get_user_model().objects
    claim = Claim.objects.filter(section__document=seed_document).first()
    proposal = draft_edit(users.get(username="reviewer"), claim, claim.text + " Reworded.")
    workflow.submit_proposal(proposal=proposal, user=proposal.proposer)
    approved = workflow.approve_proposal(proposal=proposal, user=users.get(username="reviewer2"))
    assert approved.state == ProposalState.APPROVED


def test_a_login_missing_from_an_earlier_run_is_added_and_the_others_kept():
    ensure_logins()
    get_user_model().objects.filter(username="reviewer2").delete()
    again = printed_passwords(ensure_logins())
    assert set(again) == {"reviewer2"}
