"""Back-checks move to the skills app (verification of reported skill events), which sits below
classes and so may not refer to a class. Here, before the move: each round and check gets the
text ``source``/``label`` of the frame it was drawn from ("class:<id>" and the class's title,
copied from the class they pointed at), the foreign keys to the class go, and the two models leave
this app's state — their tables stay, with every row (``skills.0004`` adopts them)."""

from django.db import migrations, models


def copy_class_to_source(apps, schema_editor):
    ClassEvent = apps.get_model("classes", "ClassEvent")
    titles = dict(ClassEvent.objects.values_list("pk", "title"))
    for name in ("CheckRound", "BackCheck"):
        model = apps.get_model("classes", name)
        rows = list(model.objects.filter(klass__isnull=False).only("pk", "klass_id"))
        for row in rows:
            row.source = f"class:{row.klass_id}"
            row.label = titles.get(row.klass_id, "")[:200]
        model.objects.bulk_update(rows, ["source", "label"], batch_size=500)


def copy_source_to_class(apps, schema_editor):
    for name in ("CheckRound", "BackCheck"):
        model = apps.get_model("classes", name)
        rows = list(model.objects.filter(source__startswith="class:"))
        for row in rows:
            row.klass_id = row.source.removeprefix("class:")
        model.objects.bulk_update(rows, ["klass"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("classes", "0001_classes_and_backchecks"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkround",
            name="source",
            field=models.CharField(blank=True, max_length=64, verbose_name="sample frame"),
        ),
        migrations.AddField(
            model_name="checkround",
            name="label",
            field=models.CharField(blank=True, max_length=200, verbose_name="sample frame name"),
        ),
        migrations.AddField(
            model_name="backcheck",
            name="source",
            field=models.CharField(blank=True, max_length=64, verbose_name="sample frame"),
        ),
        migrations.AddField(
            model_name="backcheck",
            name="label",
            field=models.CharField(blank=True, max_length=200, verbose_name="sample frame name"),
        ),
        migrations.RunPython(copy_class_to_source, copy_source_to_class),
        migrations.RemoveField(model_name="checkround", name="klass"),
        migrations.RemoveField(model_name="backcheck", name="klass"),
        # The models leave this app; their tables stay (state only).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="BackCheck"),
                migrations.DeleteModel(name="CheckRound"),
            ],
            database_operations=[],
        ),
    ]
