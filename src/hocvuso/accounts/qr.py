"""QR codes as inline SVG (no script, no image request, nothing from outside)."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, label: str) -> SafeString:
    """An ``<svg>`` that scales to its container (sized by the ``qr`` class in CSS)."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    head, sep, body = svg.partition(">")
    head = head.replace("<svg ", '<svg class="qr" role="img" ', 1)
    return mark_safe(f"{head}{sep}<title>{escape(label)}</title>{body}")  # noqa: S308
