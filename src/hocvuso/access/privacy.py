"""Consent, data-subject requests, exports and erasure, and the audit trail.

A person's consents and requests are kept by the officers who keep their commune, and by the
person themself; read also by officers over the commune. The audit trail is for national
administrators."""

from __future__ import annotations

from typing import Any

from hocvuso.access.registry import is_self
from hocvuso.access.scope import scope_of
from hocvuso.access.units import can_edit_commune, is_officer


def can_keep_privacy(actor: Any, person: Any) -> bool:
    """May record consents and requests for the person (officer of the commune, or themself)."""
    return can_edit_commune(actor, person.commune_id) or is_self(actor, person)


def can_read_privacy(actor: Any, person: Any) -> bool:
    """May see the person's consents, requests and everything held about them."""
    return is_officer(actor, person.commune_id) or is_self(actor, person)


def can_handle_requests(actor: Any, person: Any) -> bool:
    """Acknowledge, complete or refuse a person's request, erase: the commune's keepers."""
    return can_edit_commune(actor, person.commune_id)


def can_read_audit(actor: Any) -> bool:
    """The audit trail (and its export): national administrators signed in as themselves."""
    return scope_of(actor).national and getattr(actor, "pk", None) is not None


def can_keep_breaches(actor: Any) -> bool:
    """The breach register: national administrators signed in as themselves."""
    return scope_of(actor).national and getattr(actor, "pk", None) is not None
