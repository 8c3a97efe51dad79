"""Writes to the geography: loading the official list, keeping villages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, CommuneKind, Province, ProvinceKind
from hocvuso.geo.units import UnitRow, default_source, read_units

_COMMUNE_KINDS = {"xa": CommuneKind.COMMUNE, "phuong": CommuneKind.WARD, "dac khu": "dac_khu"}


@dataclass
class LoadResult:
    provinces_created: int = 0
    provinces_updated: int = 0
    communes_created: int = 0
    communes_updated: int = 0
    unchanged: int = 0
    # Communes of ours missing from the list (kept: nothing is deleted).
    missing: list[str] = field(default_factory=list)
    # (retired code, successor code) — retired by this load.
    retired: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _province_kind(name: str) -> str:
    return ProvinceKind.CITY if fold(name).startswith("thanh pho") else ProvinceKind.PROVINCE


def _commune_kind(type_name: str) -> str:
    kind = _COMMUNE_KINDS.get(fold(type_name))
    if kind is None:
        raise ValueError(f"unknown commune type {type_name!r}")
    return str(kind)


@transaction.atomic
def units_load(
    *,
    source: Path | None = None,
    rows: list[UnitRow] | None = None,
    successors: dict[str, str] | None = None,
    actor: Any = None,
) -> LoadResult:
    """Insert or update provinces and communes by official code. Loading twice changes nothing.

    Names, kinds and coordinates follow the list; the remote/ethnic-minority flags are ours (set by
    officers) and are never overwritten by a reload. Units missing from the list are never
    deleted: without ``successors`` they are reported (``missing``); with it (retired code →
    successor code, the official list's "merged into" mapping) each missing unit is retired with
    its successor (audited) and ``units_retired`` queues the move of its registry there. A
    missing unit with no successor, or a successor not in the list, refuses the whole load
    (nothing written) naming the codes.
    """
    if rows is None:
        rows = read_units(source or default_source())
    result = LoadResult()

    provinces: dict[str, dict[str, Any]] = {}
    for r in rows:
        provinces.setdefault(
            r.province_code,
            {
                "name": r.province_name,
                "short_name": r.province_short,
                "kind": _province_kind(r.province_name),
                "latitude": r.province_lat,
                "longitude": r.province_lon,
                "search_key": fold(r.province_name),
            },
        )
    existing_p = {p.code: p for p in Province.objects.all()}
    new_p, changed_p = [], []
    for code, values in provinces.items():
        current = existing_p.get(code)
        if current is None:
            new_p.append(Province(code=code, **values))
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            changed_p.append(current)
        else:
            result.unchanged += 1
    Province.objects.bulk_create(new_p, batch_size=500)
    if changed_p:
        Province.objects.bulk_update(changed_p, list(next(iter(provinces.values())).keys()))
    result.provinces_created, result.provinces_updated = len(new_p), len(changed_p)

    existing_c = {c.code: c for c in Commune.objects.all()}
    new_c, changed_c = [], []
    fields = [
        "province_id",
        "name",
        "short_name",
        "kind",
        "latitude",
        "longitude",
        "area_km2",
        "search_key",
    ]
    for r in rows:
        values = {
            "province_id": r.province_code,
            "name": r.commune_name,
            "short_name": r.commune_short,
            "kind": _commune_kind(r.commune_type),
            "latitude": r.commune_lat,
            "longitude": r.commune_lon,
            "area_km2": r.commune_area,
            "search_key": fold(r.commune_name),
        }
        current_c = existing_c.get(r.commune_code)
        if current_c is None:
            new_c.append(Commune(code=r.commune_code, **values))
        elif any(getattr(current_c, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current_c, k, v)
            changed_c.append(current_c)
        else:
            result.unchanged += 1
    Commune.objects.bulk_create(new_c, batch_size=1000)
    if changed_c:
        Commune.objects.bulk_update(changed_c, [f.replace("_id", "") for f in fields], 1000)
    result.communes_created, result.communes_updated = len(new_c), len(changed_c)
    listed = {r.commune_code for r in rows}
    # A unit listed again is active again.
    Commune.objects.filter(code__in=listed, retired_at__isnull=False).update(
        retired_at=None, successor=None
    )
    result.missing = sorted(
        code for code, c in existing_c.items() if code not in listed and c.retired_at is None
    )
    if successors is not None and result.missing:
        _retire(result, successors, listed, actor)
    return result


def _retire(result: LoadResult, successors: dict[str, str], listed: set[str], actor: Any) -> None:
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from hocvuso.core import hooks
    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.audit import AuditAction, audit_record
    from hocvuso.core.errors import CoreError, DomainError

    unmapped = [c for c in result.missing if successors.get(c) not in listed]
    if unmapped:
        raise DomainError(
            CoreError.INVALID,
            _("These units are missing from the new list without a successor in it: %(codes)s.")
            % {"codes": ", ".join(unmapped)},
            "successors",
        )
    now = timezone.now()
    for code in result.missing:
        commune = Commune.objects.get(code=code)
        commune.retired_at, commune.successor_id = now, successors[code]
        commune.save(update_fields=["retired_at", "successor"])
        audit_record(
            actor=actor or SYSTEM,
            action=AuditAction.UNIT_RETIRE,
            obj=commune,
            changes={"retired": [None, now.isoformat()], "successor": [None, successors[code]]},
        )
        result.retired.append((code, successors[code]))
    hooks.units_retired.send(pairs=list(result.retired), actor=actor or SYSTEM)


# --- Villages -------------------------------------------------------------------------------
