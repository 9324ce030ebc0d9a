"""Template helpers for the public pages."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from .. import diffs
from ..selectors import MATCH_END, MATCH_START

register = template.Library()


@register.filter
def highlight(headline: str) -> str:
    """A search headline with its match markers as <mark>, everything else escaped."""
    escaped = str(conditional_escape(headline))
    return mark_safe(escaped.replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>"))


@register.filter
def diff(runs) -> str:
    """Word runs from ``diffs.word_diff`` as escaped text with <del> and <ins>."""
    return diffs.as_html(runs)


@register.filter
def person(user) -> str:
    """How a user is named in public: full name if given, else the user name; never e-mail."""
    if user is None:
        return "unknown"
    return user.get_full_name() or user.get_username()


@register.filter
def percent(share: float) -> str:
    return f"{share * 100:.0f}%"
