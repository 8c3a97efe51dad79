"""Every model of online learning and every field it declares has a verbose name, and each one
reads in Vietnamese (the admin, exports and error messages show them)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

from hocvuso.core.models import BaseModel

INHERITED = {f.name for f in BaseModel._meta.fields}  # id, created_at, updated_at: core's own


def _named() -> list[tuple[str, str, str]]:
    """(what, English, Vietnamese) for every model and every field learning declares."""
    out: list[tuple[str, str, str]] = []
    for model in apps.get_app_config("learning").get_models():
        meta = model._meta
        fields = [
            f
            for f in meta.get_fields(include_parents=False)
            if (f.concrete and not f.auto_created) or (f.many_to_many and not f.auto_created)
        ]
        base = issubclass(model, BaseModel)
        names = [
            (model.__name__, meta.verbose_name),
            (model.__name__ + "s", meta.verbose_name_plural),
        ]
        names += [
            (f"{model.__name__}.{f.name}", f._verbose_name)  # as given (None: not given)
            for f in fields
            if not (base and f.name in INHERITED)
        ]
        for what, name in names:
            if name is None:
                out.append((what, "", ""))
                continue
            with translation.override("en"):
                english = str(name)
            with translation.override("vi"):
                out.append((what, english, str(name)))
    return out


def test_there_are_names_to_check():
    named = _named()
    assert len(named) > 60
    assert (
        "LearnerUnit.commune",
        "commune or ward where they live",
        "xã, phường nơi sinh sống",
    ) in named


@pytest.mark.parametrize(("what", "english", "vietnamese"), _named())
def test_every_model_and_field_reads_in_vietnamese(what, english, vietnamese):
    assert english, f"{what} has no verbose_name"
    assert vietnamese != english, f"{what}: '{english}' has no Vietnamese translation"
