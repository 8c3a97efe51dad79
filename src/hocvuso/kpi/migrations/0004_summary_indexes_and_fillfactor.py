"""Summary tables are rewritten by nearly every write: one index less each (the unique key
starts with the commune), and on PostgreSQL room left in every page (fillfactor 70) so that
updates stay on the page (HOT) and touch no index at all."""

import django.db.models.deletion
from django.db import migrations, models


TABLES = [
    "kpi_cohortsummary",
    "kpi_villagesummary",
    "kpi_communesummary",
    "kpi_monthsummary",
]


def fillfactor(apps, schema_editor, value=70):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(value)})")


def fillfactor_default(apps, schema_editor):
    fillfactor(apps, schema_editor, value=100)


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0001_initial'),
        ('kpi', '0003_province_month_summary'),
    ]

    operations = [
        migrations.AlterField(
            model_name='cohortsummary',
            name='commune',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='geo.commune'),
        ),
        migrations.AlterField(
            model_name='monthsummary',
            name='commune',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='geo.commune'),
        ),
        migrations.AlterField(
            model_name='villagesummary',
            name='commune',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='geo.commune'),
        ),
        migrations.RunPython(fillfactor, fillfactor_default),
    ]
