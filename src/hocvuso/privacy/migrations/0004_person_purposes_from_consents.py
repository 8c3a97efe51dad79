"""Fill each person's purposes (registry.purposes) from the consents already recorded: those
standing are consented; a public-task purpose whose consent was withdrawn and not given again
is withheld."""

from django.db import migrations

PUBLIC_TASK = {"registry", "skills"}


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Consent = apps.get_model("privacy", "Consent")
    Person = apps.get_model("registry", "Person")
    standing: dict[object, set[str]] = {}
    withdrawn: dict[object, set[str]] = {}
    for person_id, purpose, gone in Consent.objects.values_list(
        "person_id", "purpose", "withdrawn_at"
    ):
        (withdrawn if gone else standing).setdefault(person_id, set()).add(purpose)
    changed = []
    for person in Person.objects.filter(pk__in=set(standing) | set(withdrawn)):
        given = standing.get(person.pk, set())
        person.purposes_consented = sorted(given) or None
        person.purposes_withheld = (
            sorted((withdrawn.get(person.pk, set()) - given) & PUBLIC_TASK) or None
        )
        changed.append(person)
    Person.objects.bulk_update(changed, ["purposes_consented", "purposes_withheld"], 1000)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_breach_register"),
        ("registry", "0005_person_restriction_and_purposes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=False)]
