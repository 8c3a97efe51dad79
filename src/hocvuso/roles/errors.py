"""Stable error codes of appointments (roles, invitations, citizen links)."""

from hocvuso.core.errors import Code, Kind


class RolesError(Code):
    INVITATION_INVALID = "invitation_invalid"  # unknown, used, expired or revoked: one answer
    OWN_ROLE = "own_role"  # nobody revokes their own role
    TEAM_REQUIRED = "team_required"  # a team role is given for a team, from the team's page
    ACCOUNT_HAS_ROLES = "account_has_roles", Kind.CONFLICT  # only a plain account is a citizen's
    ALREADY_LINKED = "already_linked", Kind.CONFLICT  # the account is another person's
