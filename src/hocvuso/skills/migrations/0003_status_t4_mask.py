from django.db import migrations, models

# The four T in their fixed order (skills.services.T4_CODES when this migration was written).
T4_CODES = ("trade.profile", "sell.online", "pay.qr", "save.digital")


def fill_masks(apps, schema_editor):
    """The bits from the 4T codes each status row already holds."""
    Status = apps.get_model("skills", "PersonSkillStatus")
    changed = []
    for row in Status.objects.exclude(t4=[]).only("person_id", "t4").iterator(chunk_size=2000):
        row.t4_mask = sum(1 << i for i, code in enumerate(T4_CODES) if code in set(row.t4))
        changed.append(row)
        if len(changed) >= 2000:
            Status.objects.bulk_update(changed, ["t4_mask"])
            changed = []
    Status.objects.bulk_update(changed, ["t4_mask"])


class Migration(migrations.Migration):
    dependencies = [
        ("skills", "0002_seed_digcomp_ai_and_milestones"),
    ]

    operations = [
        migrations.AddField(
            model_name="personskillstatus",
            name="t4_mask",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="4T held (bits)"),
        ),
        migrations.RunPython(fill_masks, migrations.RunPython.noop),
    ]
