"""Plumbing that lets every historical row say what produced it.

simple-history builds a historical row whenever a tracked row is saved or deleted. The
workflow marks the instance it writes with ``_history_provenance`` (the proposal, or the
import run); this receiver copies those values onto the historical row being created. It
holds no rules of its own: ``workflow`` decides what to write and why.
"""

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

PROVENANCE_FIELDS = ("history_proposal", "history_import_run")


@receiver(pre_create_historical_record)
def copy_provenance(sender, instance, history_instance, **kwargs):
    for name, value in getattr(instance, "_history_provenance", {}).items():
        if name in PROVENANCE_FIELDS:
            setattr(history_instance, name, value)
