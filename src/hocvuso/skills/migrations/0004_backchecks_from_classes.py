"""Back-checks live with skill verification: ``CheckRound`` and ``BackCheck`` join this app's state
over the tables the classes app made (``classes_checkround``, ``classes_backcheck``, every row
kept; ``classes.0002`` replaced their class foreign keys with a text frame ``source``/``label``).
Their content types follow, so permissions and admin history stay attached."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import hocvuso.core.ids

MODELS = ("checkround", "backcheck")


def move_content_types(apps, schema_editor, *, old="classes", new="skills"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label=new, model=model).exists():
            continue
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="skills", new="classes")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("geo", "0001_initial"),
        ("skills", "0003_status_t4_mask"),
        ("classes", "0002_backchecks_leave_for_skills"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CheckRound",
                    fields=[
                        ("id", models.UUIDField(default=hocvuso.core.ids.uuid7, editable=False, primary_key=True, serialize=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("period_from", models.DateField(verbose_name="from")),
                        ("period_to", models.DateField(verbose_name="to")),
                        ("channel", models.CharField(blank=True, max_length=24, verbose_name="channel")),
                        ("source", models.CharField(blank=True, max_length=64, verbose_name="sample frame")),
                        ("label", models.CharField(blank=True, max_length=200, verbose_name="sample frame name")),
                        ("percent", models.DecimalField(decimal_places=2, max_digits=5, verbose_name="sample size (%)")),
                        ("seed", models.BigIntegerField(verbose_name="seed")),
                        ("population", models.PositiveIntegerField(verbose_name="events reported")),
                        ("size", models.PositiveIntegerField(verbose_name="events drawn")),
                        ("commune", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.commune", verbose_name="commune")),
                        ("drawn_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("helper", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="helped by")),
                    ],
                    options={
                        "verbose_name": "back-check round",
                        "verbose_name_plural": "back-check rounds",
                        "db_table": "classes_checkround",
                    },
                ),
                migrations.CreateModel(
                    name="BackCheck",
                    fields=[
                        ("id", models.UUIDField(default=hocvuso.core.ids.uuid7, editable=False, primary_key=True, serialize=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("channel", models.CharField(max_length=24, verbose_name="channel")),
                        ("source", models.CharField(blank=True, max_length=64, verbose_name="sample frame")),
                        ("label", models.CharField(blank=True, max_length=200, verbose_name="sample frame name")),
                        ("outcome", models.CharField(choices=[("pending", "Not checked yet"), ("confirmed", "Confirmed"), ("not_confirmed", "Not confirmed"), ("unreachable", "Unreachable")], default="pending", max_length=16, verbose_name="outcome")),
                        ("checked_at", models.DateTimeField(blank=True, null=True)),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        ("assigned_to", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="assigned to")),
                        ("checked_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("event", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="skills.skillevent", verbose_name="event")),
                        ("helper", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("reversal", models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="skills.skillevent")),
                        ("round", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="checks", to="skills.checkround")),
                    ],
                    options={
                        "verbose_name": "back-check",
                        "verbose_name_plural": "back-checks",
                        "db_table": "classes_backcheck",
                        "indexes": [models.Index(fields=["channel", "outcome"], name="backcheck_group")],
                        "constraints": [models.UniqueConstraint(fields=("round", "event"), name="backcheck_once_per_round")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
