"""Links and messages every admin module uses."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html

from .. import workflow


def link(obj, label=None):
    if obj is None:
        return "—"
    url = reverse(f"admin:archive_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else obj)


def admin_url(view: str, *args) -> str:
    return reverse(f"admin:archive_{view}", args=args)


def message_of(error: Exception) -> str:
    if isinstance(error, workflow.InvalidChange):
        return " ".join(message for messages_ in error.errors.values() for message in messages_)
    return str(error)
