"""``{{ step.html|pictures }}``: a lesson's pictures (``hinh/…`` in the course file) point at
our own static files (fingerprinted in production); the HTML itself was made on load with raw
HTML turned off."""

from __future__ import annotations

import re

from django import template
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_SRC = re.compile(r'src="hinh/([A-Za-z0-9._-]+)"')


@register.filter
def pictures(html: str) -> SafeString:
    out = _SRC.sub(lambda m: f'src="{static("learning/hinh/" + m.group(1))}" loading="lazy"', html)
    return mark_safe(out)  # noqa: S308 (rendered by markdown-it with raw HTML off, on load)
