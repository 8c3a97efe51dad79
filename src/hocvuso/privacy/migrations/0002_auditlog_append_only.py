"""Audit rows cannot be changed or deleted, not even by a bug or a stray ORM call (PostgreSQL).

A trigger refuses UPDATE and DELETE on ``core_auditlog``. The one exception is erasure
(``privacy.services.person_erase``): inside its own transaction it sets ``hocvuso.audit_redact``
and may then rewrite the ``changes`` of a row — every other column must stay the same — to drop
the erased person's values. SQLite has no session settings a trigger could read; there the
application is the only guard (the admin and every page are read-only).
"""

from django.db import migrations

from hocvuso.core.migration_ops import postgresql_sql

CREATE = """
CREATE OR REPLACE FUNCTION hocvuso_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('hocvuso.audit_redact', true) = 'on'
       AND NEW.id = OLD.id
       AND NEW.at = OLD.at
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.action = OLD.action
       AND NEW.object_type = OLD.object_type
       AND NEW.object_id = OLD.object_id
       AND NEW.request_id = OLD.request_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'core_auditlog is append-only'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;
CREATE TRIGGER core_auditlog_append_only
    BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION hocvuso_auditlog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;
DROP FUNCTION IF EXISTS hocvuso_auditlog_append_only();
"""



class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("privacy", "0001_consents_and_data_requests"),
    ]

    operations = [postgresql_sql(CREATE, DROP)]
