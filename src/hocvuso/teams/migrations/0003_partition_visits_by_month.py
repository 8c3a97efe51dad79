"""PostgreSQL: teams_visit partitioned by month (core.partitions); SQLite keeps the plain table."""

from django.db import migrations

from hocvuso.core import partitions


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    partitions.partition(schema_editor, "teams_visit", partitions.column_of("teams_visit"))


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    partitions.unpartition(schema_editor, "teams_visit")


class Migration(migrations.Migration):
    dependencies = [("teams", "0002_team_on_member_role")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
