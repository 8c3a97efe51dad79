"""Appointing people to roles, inside the appointer's own scope only; every write audited.

- :mod:`.grants`: granting and revoking roles, linking a citizen's account to their person
- :mod:`.invitations`: one-time links that appoint someone to a role
"""

from hocvuso.roles.services.grants import ROLE_SCOPE, citizen_link, role_grant, role_revoke
from hocvuso.roles.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_pending,
    invitation_revoke,
)

__all__ = [
    "ROLE_SCOPE",
    "citizen_link",
    "invitation_accept",
    "invitation_create",
    "invitation_pending",
    "invitation_revoke",
    "role_grant",
    "role_revoke",
]
