from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class User(AbstractUser):
    """A person who signs in: officer, volunteer, mentor or citizen.

    What they may see and do comes from their role assignments (below), never from ``is_staff``
    (which only opens the Django admin to national administrators).
    """

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, db_index=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National administrator")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    DESK_STAFF = "desk_staff", _("Support-desk staff")
    TEAM_LEADER = "team_leader", _("Community tech team leader")
    TEAM_MEMBER = "team_member", _("Community tech team member")
    YOUTH_VOLUNTEER = "youth_volunteer", _("Youth volunteer")
    MENTOR = "mentor", _("Digital ambassador (mentor)")
    CITIZEN = "citizen", _("Citizen / learner")


class RoleAssignment(BaseModel):
    """A role held by a user over a scope: the whole country, a province, a commune, some villages
    (a community tech team's), or a person (the citizen themself).

    Assignments are never deleted: a revoked one keeps who revoked it and when.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The villages a team covers (until teams have their own table, they are named here).
    villages = models.ManyToManyField("geo.Village", blank=True, related_name="+")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        indexes = [models.Index(fields=["user", "revoked_at"], name="role_user_active")]

    def __str__(self) -> str:
        where = self.commune_id or self.province_id or ("person" if self.person_id else "")
        return f"{self.get_role_display()} {where}".strip()
