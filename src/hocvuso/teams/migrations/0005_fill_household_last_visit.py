"""Each household's last visit (``registry.Household.last_visit_at``, registry 0013) filled from
the visits already stored: one statement. From now on the summaries' write path keeps it
(``kpi.summaries.households``), as it keeps the household's other list facts."""

from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Household = apps.get_model("registry", "Household")
    Visit = apps.get_model("teams", "Visit")
    q = schema_editor.connection.ops.quote_name
    households, visits = q(Household._meta.db_table), q(Visit._meta.db_table)
    schema_editor.execute(
        f"UPDATE {households} SET {q('last_visit_at')} = ("  # noqa: S608
        f"SELECT MAX(v.{q('visited_at')}) FROM {visits} v "
        f"WHERE v.{q('household_id')} = {households}.{q('id')}) "
        f"WHERE {q('id')} IN (SELECT {q('household_id')} FROM {visits})"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0004_verbose_names_vi"),
        ("registry", "0013_household_last_visit"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
