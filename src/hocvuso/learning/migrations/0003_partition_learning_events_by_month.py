"""PostgreSQL: learning_learningevent partitioned by month (core.partitions); SQLite keeps the plain table."""

from django.db import migrations

from hocvuso.core import partitions


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    partitions.partition(schema_editor, "learning_learningevent", partitions.column_of("learning_learningevent"))


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    partitions.unpartition(schema_editor, "learning_learningevent")


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_diagnostic")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
