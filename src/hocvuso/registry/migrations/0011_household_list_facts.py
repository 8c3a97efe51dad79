"""What a household's lists filter and sort on, stored on the household (members, trained
members, the family priority, the village's sort key; filled for existing rows by kpi 0009 and
kept by ``kpi.summaries.households``), the two list indexes, and a small partial index of the
people no worklist shows (erased or restricted), for worklist counts from the summaries."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0003_verbose_names_vi"),
        ("registry", "0010_fewer_person_household_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="members_live",
            field=models.PositiveIntegerField(
                db_default=0, default=0, editable=False, verbose_name="members"
            ),
        ),
        migrations.AddField(
            model_name="household",
            name="members_trained",
            field=models.PositiveIntegerField(
                db_default=0,
                default=0,
                editable=False,
                verbose_name="members with the basic skill set",
            ),
        ),
        migrations.AddField(
            model_name="household",
            name="priority",
            field=models.PositiveSmallIntegerField(
                db_default=3, default=3, editable=False, verbose_name="priority"
            ),
        ),
        migrations.AddField(
            model_name="household",
            name="village_key",
            field=models.CharField(
                db_default="1",
                default="1",
                editable=False,
                max_length=101,
                verbose_name="village sort key",
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                fields=["commune", "village_key", "code"], name="household_commune_list"
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                condition=models.Q(
                    ("members_live__gt", 0), ("members_trained", 0), ("merged_into__isnull", True)
                ),
                fields=["commune", "priority", "village_key", "code"],
                name="household_family_list",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(
                    ("erased_at__isnull", False), ("restricted_at__isnull", False), _connector="OR"
                ),
                fields=["commune"],
                name="person_kept_off",
            ),
        ),
    ]
