"""The learning indicators (online learners, courses completed, valid certificates), counts
shown at the national, province and commune levels."""

from django.db import migrations

UP = ["national", "province", "commune"]
GEO_UP = ["province", "commune", "remote"]

INDICATORS = [
    ("online_learners", "Người học trực tuyến", "Online learners", "learners", 300),
    ("online_completed", "Khóa học trực tuyến đã hoàn thành", "Online courses completed",
     "courses_completed", 310),
    ("certificates_valid", "Chứng chỉ còn hiệu lực", "Valid certificates",
     "certificates_valid", 320),
]  # fmt: skip


def load(apps, schema_editor):
    Indicator = apps.get_model("kpi", "Indicator")
    for code, vi, en, numerator, order in INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "group": "basic",
                "name_vi": vi,
                "name_en": en,
                "numerator": numerator,
                "denominator": "",
                "unit": "count",
                "default_target": None,
                "levels": UP,
                "breakdowns": GEO_UP,
                "order": order,
                "active": True,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("kpi", "Indicator").objects.filter(code__in=[i[0] for i in INDICATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0005_learning_figures")]

    operations = [migrations.RunPython(load, unload)]
