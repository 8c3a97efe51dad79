"""Seven indexes fewer on the two largest tables, each one another index already covers: the
people's and households' commune (the composite indexes lead with it), the people's household
(indexed twice), and the ``LIKE 'x%'`` copies Django adds beside a text column's index (no
search uses a prefix: a CCCD hash is looked up whole, names anywhere in the key). Every
inserted person updated eleven indexes; now six (bench/import_bench.py)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0003_verbose_names_vi"),
        ("registry", "0009_verbose_names_vi"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="person",
            name="person_household",
        ),
        migrations.AlterField(
            model_name="household",
            name="commune",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="households",
                to="geo.commune",
                verbose_name="commune",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="cccd_hash",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                verbose_name="CCCD lookup hash",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="commune",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="persons",
                to="geo.commune",
                verbose_name="commune",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="search_key",
            field=models.CharField(editable=False, max_length=150, verbose_name="search key"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["search_key"], name="person_search_key"),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                fields=("cccd_hash",), name="person_cccd_hash_unique"
            ),
        ),
    ]
