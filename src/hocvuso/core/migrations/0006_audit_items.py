"""The audit items: each object's own line of a bulk change's audit entry (``AuditItem``).

On PostgreSQL a trigger refuses UPDATE and DELETE, as on the audit log (an item holds no value
that erasure would have to redact). SQLite has no such guard; the application writes items
only through the import's COPY and never changes them.
"""

from django.db import migrations, models

from hocvuso.core.migration_ops import postgresql_sql

CREATE = """
CREATE OR REPLACE FUNCTION hocvuso_audititem_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_audititem is append-only'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_audititem_append_only
    BEFORE UPDATE OR DELETE ON core_audititem
    FOR EACH ROW EXECUTE FUNCTION hocvuso_audititem_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_audititem_append_only ON core_audititem;
DROP FUNCTION IF EXISTS hocvuso_audititem_append_only();
"""



class Migration(migrations.Migration):
    dependencies = [("core", "0005_verbose_names_vi")]

    operations = [
        migrations.CreateModel(
            name="AuditItem",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "object_id",
                        "entry_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("object_id", models.UUIDField(verbose_name="object ID")),
                ("entry_id", models.BigIntegerField(verbose_name="audit entry")),
                ("action", models.CharField(max_length=64, verbose_name="action")),
                (
                    "fields",
                    models.JSONField(blank=True, default=list, verbose_name="fields changed"),
                ),
            ],
            options={"verbose_name": "audit item", "verbose_name_plural": "audit items"},
        ),
        postgresql_sql(CREATE, DROP),
    ]
