"""Migration operations of our own.

:class:`AlterLabels` stands for a run of ``AlterField`` operations that change only what the
database does not store (``verbose_name``, ``help_text``): the Vietnamese labels of every field.
Django applies each ``AlterField`` by copying the whole migration state and rendering the model
and its related models again; for the 466 label changes of the ``*_verbose_names_vi``
migrations that was two thirds of a fresh ``migrate`` (about 18 of 27 seconds), paid by every
new installation and by every test database. Here the state is copied once per migration and
each model rendered once. The resulting state is the same as the ``AlterField`` operations'
(``makemigrations --check`` compares it with the models; ``tests/core/test_migration_ops.py``
compares the two states field by field), and the columns are the same: on PostgreSQL the schema
dumped after a fresh ``migrate`` is identical either way. On SQLite the ``AlterField`` of an
integer ``id`` that lost ``auto_created`` (not stored either) made Django rebuild five tables
with their ``id`` column moved last; here those tables keep the column order they were created
with.

:func:`postgresql_sql` runs SQL (a trigger, a function) on PostgreSQL only, forwards and
backwards; SQLite has no such objects.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.migrations.operations.base import Operation
from django.db.migrations.utils import field_is_referenced  # type: ignore[attr-defined]


class AlterLabels(Operation):
    """Set the fields ``(model_name, name, field)`` of one app in the migration state at once.
    Only for fields whose database column does not change (labels); nothing runs in the
    database, forwards or backwards."""

    reversible = True
    reduces_to_sql = True  # it writes no SQL at all

    def __init__(self, fields: list[tuple[str, str, Any]]) -> None:
        self.fields = fields

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [self.fields], {}

    def state_forwards(self, app_label: str, state: Any) -> None:
        # Each ``alter_field`` would render its model again: the rendered apps are held aside
        # while the fields are set, then every touched model is rendered once, with the same
        # rule as AlterField's (relations and referenced fields render their related models).
        rendered = state.__dict__.pop("apps", None)
        try:
            for model_name, name, field in self.fields:
                state.alter_field(app_label, model_name.lower(), name, field, True)
        finally:
            if rendered is not None:
                state.__dict__["apps"] = rendered
        eager: set[tuple[str, str]] = set()
        delayed: set[tuple[str, str]] = set()
        for model_name, name, field in self.fields:
            key = (app_label, model_name.lower())
            referenced = field.is_relation or field_is_referenced(state, key, (name, field))
            (eager if referenced else delayed).add(key)
        if eager:
            state.reload_models(eager, delay=False)
        if delayed - eager:
            state.reload_models(delayed - eager, delay=True)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        pass

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        pass

    def describe(self) -> str:
        return f"Change the labels of {len(self.fields)} fields"

    @property
    def migration_name_fragment(self) -> str:
        return "labels"


def postgresql_sql(forward: str, backward: str) -> migrations.RunPython:
    """A ``RunPython`` that executes ``forward`` (``backward`` when unapplied) on PostgreSQL and
    nothing elsewhere."""

    def run(sql: str) -> Any:
        def execute(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return execute

    return migrations.RunPython(run(forward), run(backward))
