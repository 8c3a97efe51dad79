"""Writes to accounts. Every one is keyword-only, atomic and audited.

- :mod:`.roles`: granting and revoking roles (inside the granter's own scope only)
- :mod:`.auth`: log-in, log-out, failures and lockouts in the audit log
- :mod:`.two_factor`: TOTP enrolment, code checks, recovery codes
- :mod:`.invitations`: one-time links that appoint someone to a role
- :mod:`.tokens`: device tokens for the field app and API clients
- :mod:`.phone`: citizens registering with a phone number and an SMS code
"""

from hocvuso.accounts.services.roles import role_grant, role_revoke

__all__ = ["role_grant", "role_revoke"]
