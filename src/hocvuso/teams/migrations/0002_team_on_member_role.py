"""A team role names its team: filled here from the memberships. An assignment that two active
memberships shared is split, one assignment per membership."""

from django.db import migrations


def fill(apps, schema_editor):
    TeamMember = apps.get_model("teams", "TeamMember")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    for member in TeamMember.objects.filter(removed_at__isnull=True, assignment__isnull=False):
        a = RoleAssignment.objects.get(pk=member.assignment_id)
        if a.team_id is None:
            a.team_id = member.team_id
            a.save(update_fields=["team"])
        elif a.team_id != member.team_id:
            villages = list(a.villages.all())
            copy = RoleAssignment.objects.create(
                user_id=a.user_id,
                role=a.role,
                commune_id=a.commune_id,
                team_id=member.team_id,
                granted_by_id=a.granted_by_id,
            )
            copy.villages.set(villages)
            member.assignment_id = copy.pk
            member.save(update_fields=["assignment"])


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_teams_visits_claims"),
        ("accounts", "0004_team_roles_carry_team_mentor_reach"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
