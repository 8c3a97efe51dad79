"""A mentor's reach (their active mentees) is kept on their mentor role assignment, so that the
access policy reads it without importing mentoring: filled here from the mentorships."""

from django.db import migrations


def fill(apps, schema_editor):
    Mentor = apps.get_model("mentoring", "Mentor")
    Mentorship = apps.get_model("mentoring", "Mentorship")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    for mentor in Mentor.objects.all():
        mentees = (
            list(
                Mentorship.objects.filter(mentor=mentor, status="active").values_list(
                    "mentee_id", flat=True
                )
            )
            if mentor.active
            else []
        )
        for assignment in RoleAssignment.objects.filter(
            user_id=mentor.user_id, role="mentor", revoked_at__isnull=True
        ):
            assignment.mentees.set(mentees)


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0001_mentors_mentorships_sessions"),
        ("accounts", "0004_team_roles_carry_team_mentor_reach"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
