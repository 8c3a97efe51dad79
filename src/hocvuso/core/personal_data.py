"""Who holds personal data, and how each holder exports and erases it.

Every app that keeps rows about a person registers a :class:`Provider` in its own
``personal_data.py`` module (found the way Django finds ``admin.py``): the tables it keeps
about a person, what it gives the person's export, and how it erases what identifies them while
keeping what the dashboards count. ``privacy`` — the consumer of every app — goes through all
of them for a data-subject export and for an erasure, so a new app's data is never forgotten:
a test enumerates every model with a key to a person and fails if no provider names it.

An erasure is in two parts. :attr:`Provider.erase` clears the free text and the identifying
fields of the rows about the person (a skill event's note, a mentor's languages …).
:func:`scrub_text` then replaces the person's name, phone number and ID number wherever they
were written in the free-text columns providers declare in :attr:`Provider.free_text` — on
other people's rows as well ("helped with Mai Thanh Vũ, +84…"). Neither deletes a row nor
changes a column a figure is counted from.

A merge of two records of one person (``registry.services.merges``) goes through the same
providers: :attr:`Provider.reassign` moves the app's rows about the duplicate to the survivor and
says which (so a split moves exactly those back), or refuses the merge with a domain error. It
is one hook for both directions: ``reassign(source, target, rows, actor)`` moves every movable row
of ``source`` when ``rows`` is ``None`` (a merge), and only the rows named when it is a mapping
``{"app.model": [ids]}`` (a split, from the survivor back to the duplicate).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils.module_loading import autodiscover_modules

#: What replaces an erased identifier inside a free text.
ERASED_TEXT = "[đã xoá]"


@dataclass(frozen=True)
class FreeText:
    """A free-text column that may name people: ``model`` (``"skills.skillevent"``),
    ``field`` and ``commune`` — the field path to the row's commune, so a scrub reads only the
    commune the person lived in (``None``: the table is small enough to read whole)."""

    model: str
    field: str
    commune: str | None = None


@dataclass(frozen=True)
class Provider:
    """What one app holds about a person.

    - ``app``: the app label; ``models``: the tables of rows about a person (``app.model``).
    - ``export(person) -> dict``: JSON-ready sections of the person's export (merged into it).
    - ``erase(person, actor) -> dict[str, int]``: clears identifying values of the person's own
      rows, keeping every row and every counted column; returns what it changed, by name.
    - ``free_text``: columns where a helper may have written a person's name or number.
    - ``reassign(source, target, rows, actor) -> {"app.model": [ids]}``: moves the rows about
      ``source`` to ``target`` (all of them when ``rows`` is ``None``, else those named) and
      returns the ids moved; ids under ``"kept:app.model"`` stayed on ``source`` (the target
      already had the same row: a registration for the same class). May raise a domain error to
      refuse the merge (nothing is written: the merge is one transaction).
    """

    app: str
    models: tuple[str, ...]
    export: Callable[[Any], dict[str, Any]]
    erase: Callable[[Any, Any], dict[str, int]] | None = None
    free_text: tuple[FreeText, ...] = field(default_factory=tuple)
    reassign: (
        Callable[[Any, Any, dict[str, list[str]] | None, Any], dict[str, list[str]]] | None
    ) = None


_providers: dict[str, Provider] = {}
_discovered = False


def register(provider: Provider) -> Provider:
    """Register (or replace) an app's provider; called at import of its ``personal_data``."""
    _providers[provider.app] = provider
    return provider


def providers() -> list[Provider]:
    """Every registered provider, in the order of ``INSTALLED_APPS`` (lower layers first)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("personal_data")
        _discovered = True
    order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    return sorted(_providers.values(), key=lambda p: order.get(p.app, len(order)))


def covered_models() -> set[str]:
    return {label for p in providers() for label in p.models}


def identifiers(*values: str | None) -> list[str]:
    """The values worth scrubbing: non-empty, at least 4 characters (a short name would
    replace parts of ordinary words), longest first so a full name goes before its parts."""
    kept = {v.strip() for v in values if v and len(v.strip()) >= 4}
    return sorted(kept, key=len, reverse=True)


def scrub_text(values: Iterable[str], *, commune: str | None) -> dict[str, int]:
    """Replace each value wherever it appears in every declared free-text column, in one
    query per column and value over the rows that contain it (of ``commune`` where the column
    says how to find it). Returns the rows changed by ``model.field``."""
    from django.db.models import F, Value
    from django.db.models.functions import Replace

    values = list(values)
    changed: dict[str, int] = {}
    if not values:
        return changed
    for provider in providers():
        for column in provider.free_text:
            model = apps.get_model(column.model)
            rows = model._default_manager.all()
            if column.commune and commune is not None:
                rows = rows.filter(**{column.commune: commune})
            total = 0
            for value in values:
                total += rows.filter(Q(**{f"{column.field}__contains": value})).update(
                    **{column.field: Replace(F(column.field), Value(value), Value(ERASED_TEXT))}
                )
            if total:
                changed[f"{column.model}.{column.field}"] = total
    return changed


def move_rows(
    label: str,
    field_name: str,
    source: Any,
    target: Any,
    rows: dict[str, list[str]] | None,
    *,
    unique_with: tuple[str, ...] = (),
    value: Callable[[Any], Any] = lambda p: p,
    extra: Q | None = None,
) -> dict[str, list[str]]:
    """The common case of :attr:`Provider.reassign`: the rows of ``label`` whose ``field_name``
    is ``source`` (those named in ``rows`` when given) now point to ``target``, in one UPDATE.
    ``unique_with``: the other columns of a unique constraint with ``field_name`` — a row whose
    twin the target already has stays on the source (returned under ``"kept:<label>"``).
    ``value``: what the column holds for a person (the person itself for a foreign key)."""
    model = apps.get_model(label)
    manager = model._base_manager
    qs = manager.filter(**{field_name: value(source)})
    if extra is not None:
        qs = qs.filter(extra)
    if rows is not None:
        qs = qs.filter(pk__in=rows.get(label, []))
    kept: list[str] = []
    if unique_with:
        taken = set(manager.filter(**{field_name: value(target)}).values_list(*unique_with))
        ids: list[Any] = []
        for pk, *twin in qs.values_list("pk", *unique_with):
            (kept if tuple(twin) in taken else ids).append(pk)
    else:
        ids = list(qs.values_list("pk", flat=True))
    if ids:
        manager.filter(pk__in=ids).update(**{field_name: value(target)})
    out = {label: [str(i) for i in ids]} if ids else {}
    if kept:
        out[f"kept:{label}"] = [str(i) for i in kept]
    return out
