"""PostgreSQL: core_auditlog partitioned by month (core.partitions); SQLite keeps the plain table."""

from django.db import migrations

from hocvuso.core import partitions


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    partitions.partition(schema_editor, "core_auditlog", partitions.column_of("core_auditlog"))


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    partitions.unpartition(schema_editor, "core_auditlog")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_background_jobs")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
