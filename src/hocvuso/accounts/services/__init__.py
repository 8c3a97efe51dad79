"""Writes to accounts. Every one is keyword-only, atomic and audited.

- :mod:`.auth`: log-in, log-out, failures and lockouts in the audit log
- :mod:`.two_factor`: TOTP enrolment, code checks, recovery codes
- :mod:`.tokens`: device tokens for the field app and API clients
- :mod:`.phone`: citizens registering with a phone number and an SMS code

Granting roles and invitations need the access policy, which sits above ``accounts``: they live
in :mod:`hocvuso.roles`.
"""
