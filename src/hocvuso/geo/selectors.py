"""Reads of the geography. Units are public reference data: anyone may look them up."""

from __future__ import annotations

from django.db.models import QuerySet

from hocvuso.core.errors import NotFound
from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, Province, Village


def province_search(*, q: str = "") -> QuerySet[Province]:
    qs = Province.objects.all()
    q = q.strip()
    if q:
        qs = qs.filter(code=q.zfill(2)) if q.isdigit() else qs.filter(search_key__contains=fold(q))
    return qs.order_by("code")


def commune_search(*, q: str = "", province: str | None = None) -> QuerySet[Commune]:
    """Communes by code ("00715", "715") or by name ignoring diacritics and case."""
    qs = Commune.objects.select_related("province")
    if province:
        qs = qs.filter(province_id=province)
    q = q.strip()
    if q:
        if q.isdigit():
            qs = qs.filter(code=q.zfill(5))
        else:
            key = fold(q)
            qs = qs.filter(search_key__contains=key) | qs.filter(province__search_key__contains=key)
    return qs.order_by("province_id", "name")


def commune_get(*, code: str) -> Commune:
    try:
        return Commune.objects.select_related("province").get(code=code.zfill(5))
    except Commune.DoesNotExist:
        raise NotFound() from None


def village_list(*, commune: Commune) -> QuerySet[Village]:
    return Village.objects.filter(commune=commune).order_by("name")
