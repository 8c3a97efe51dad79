"""Scan every text and binary column of every table for given plain strings."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, models

_SCANNED = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def tables_containing(needles: list[str]) -> list[tuple[str, str]]:
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, _SCANNED):
                    continue
                table, column = model._meta.db_table, field.column
                cursor.execute(f'SELECT "{column}" FROM "{table}"')  # noqa: S608
                for (value,) in cursor.fetchall():
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("latin-1")
                    else:
                        text = str(value or "")
                    found += [(table, column) for n in needles if n in text]
    return found
