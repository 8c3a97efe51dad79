"""Fill the list facts stored on every household (registry 0011) for the rows already there:
live members, members with the basic set, the Digital Family priority of this year, the
village's sort key — the rule
of ``registry.priority`` on the historical models (the recount of
``kpi.summaries.households``, written here so that this migration keeps working as the code
moves on). A database with no household does nothing; a large one can instead be filled by
``hocvuso rebuild_summaries`` (which recounts these facts too) after migrating."""

from django.db import migrations
from django.db.models import Count, Q
from django.utils import timezone

BATCH = 2000


def fill(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    year = timezone.localdate().year
    last = year - 60
    live = Q(members__erased_at__isnull=True, members__merged_into__isnull=True)
    elderly = Q(members__birth_year__lte=last) | Q(
        members__birth_year__isnull=True, members__birth_date__year__lte=last
    )
    flags = (
        "village__is_remote",
        "village__is_ethnic_minority",
        "commune__is_remote",
        "commune__is_ethnic_minority",
    )
    rows = (
        Household.objects.order_by()
        .values("pk", *flags, "village_id", "village__name")
        .annotate(
            n=Count("members", filter=live),
            t=Count("members", filter=live & Q(members__skill_status__basic_complete=True)),
            e=Count("members", filter=live & elderly),
            s=Count("members", filter=live & Q(members__special_needs__gt="")),
        )
    )
    out = []
    for r in rows.iterator(chunk_size=BATCH):
        if any(r[f] for f in flags):
            priority = 0
        elif r["e"] == r["n"]:
            priority = 1
        elif r["s"]:
            priority = 2
        else:
            priority = 3
        key = "1" if r["village_id"] is None else "0" + r["village__name"]
        out.append(
            Household(
                pk=r["pk"],
                members_live=r["n"],
                members_trained=r["t"],
                priority=priority,
                village_key=key,
            )
        )
    Household.objects.bulk_update(
        out, ["members_live", "members_trained", "priority", "village_key"], batch_size=BATCH
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0008_summaries_without_commune_constraint"),
        ("registry", "0011_household_list_facts"),
        ("skills", "0006_back_check_channel_choices"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
