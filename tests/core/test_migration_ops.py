"""The label-only migration operation leaves the migration state exactly as the ``AlterField``
operations it stands for, and the database untouched."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations import AlterField
from django.db.migrations.loader import MigrationLoader

from hocvuso.core.migration_ops import AlterLabels

pytestmark = pytest.mark.django_db

LABEL_MIGRATIONS = [
    ("accounts", "0009_verbose_names_vi"),
    ("kpi", "0007_verbose_names_vi"),
    ("registry", "0009_verbose_names_vi"),
    ("skills", "0005_verbose_names_vi"),
    ("teams", "0004_verbose_names_vi"),
]


def _fields_of(state, app_label):  # type: ignore[no-untyped-def]
    return {
        key: {name: field.deconstruct()[1:] for name, field in model.fields.items()}
        for key, model in state.models.items()
        if key[0] == app_label
    }


@pytest.mark.parametrize(("app_label", "name"), LABEL_MIGRATIONS)
def test_alter_labels_equals_the_alter_fields_it_replaces(app_label, name):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    migration = loader.get_migration(app_label, name)
    ops = [op for op in migration.operations if isinstance(op, AlterLabels)]
    assert len(ops) == 1
    before = loader.project_state((app_label, name), at_end=False)
    ours, theirs = before.clone(), before.clone()
    ours.apps, theirs.apps  # noqa: B018 (rendered, as during migrate)
    ops[0].state_forwards(app_label, ours)
    for model_name, field_name, field in ops[0].fields:
        AlterField(model_name, field_name, field).state_forwards(app_label, theirs)
    assert _fields_of(ours, app_label) == _fields_of(theirs, app_label)
    # The rendered models (what RunPython code and later operations see) carry the new labels.
    for model_name, field_name, field in ops[0].fields:
        rendered = ours.apps.get_model(app_label, model_name)._meta.get_field(field_name)
        assert rendered.verbose_name == field.verbose_name, (model_name, field_name)
        assert rendered.verbose_name == (
            theirs.apps.get_model(app_label, model_name)._meta.get_field(field_name).verbose_name
        )
    # A change of labels only: before and after, the same columns.
    for model_name, field_name, _field in ops[0].fields:
        old = before.apps.get_model(app_label, model_name)._meta.get_field(field_name)
        new = ours.apps.get_model(app_label, model_name)._meta.get_field(field_name)
        assert _column(old) == _column(new), (model_name, field_name)


def _column(field):  # type: ignore[no-untyped-def]
    return (
        field.column,
        field.db_parameters(connection),
        field.null,
        field.unique,
        field.db_index,
        field.primary_key,
    )


def test_alter_labels_writes_no_sql():
    from django.db.migrations.state import ProjectState

    op = AlterLabels([])
    editor = connection.schema_editor(collect_sql=True)
    op.database_forwards("geo", editor, ProjectState(), ProjectState())
    op.database_backwards("geo", editor, ProjectState(), ProjectState())
    assert editor.collected_sql == []
    assert op.describe() == "Change the labels of 0 fields"
