"""The registry of change kinds: every stored kind is declared once, with its form."""

import pytest

from archive import forms, workflow
from archive.models import ChangeKind
from archive.workflow.kinds import Kind, registry


def test_every_stored_kind_is_declared_once_and_nothing_else_is():
    assert set(workflow.KINDS) == set(ChangeKind.values)
    assert all(kind.name == name for name, kind in workflow.KINDS.items())


@pytest.mark.parametrize("name", ChangeKind.values)
def test_each_kind_names_a_form_that_proposes_it(name):
    form_class = forms.form_for(name)
    assert issubclass(form_class, forms.ChangeForm)
    assert forms.kind_of(form_class) == name


def test_every_form_an_admin_page_offers_proposes_a_declared_kind():
    offered = {form for menu in forms.FORMS.values() for form in menu}
    assert {forms.kind_of(form) for form in offered} == set(ChangeKind.values)


@pytest.mark.parametrize("name", ChangeKind.values)
def test_each_kind_names_real_records(name):
    kind = workflow.KINDS[name]
    names = {*kind.needs, *kind.hidden_targets, kind.target} - {None}
    assert names <= set(workflow.kinds.TARGETS)
    assert kind.creates in {None, *workflow.kinds.TARGETS}


def test_a_kind_declared_twice_is_refused():
    class Again(Kind):
        name = ChangeKind.EDIT_CLAIM
        form = "EditClaimForm"

    with pytest.raises(ValueError, match="declared twice"):
        registry.register(Again)
    assert type(workflow.KINDS[ChangeKind.EDIT_CLAIM]).__name__ == "EditClaim"
