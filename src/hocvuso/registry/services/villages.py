"""Villages of a commune: added one by one or from a CSV file, renamed, re-kinded — by the
commune's keepers (the commune's own registry)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hocvuso.access.units import ensure_commune
from hocvuso.core import hooks
from hocvuso.core.audit import AuditAction, audit_record, diff, snapshot
from hocvuso.core.errors import CoreError, DomainError
from hocvuso.core.text import clean, fold
from hocvuso.geo.errors import GeoError
from hocvuso.geo.models import Commune, Village, VillageKind

VILLAGE_FIELDS = ["name", "kind", "is_remote", "is_ethnic_minority"]
# What officers write in front of a village's name, folded: "Thôn Đông", "Tổ dân phố 3", "Ấp 2".
_KIND_BY_PREFIX = {
    "thon": VillageKind.THON,
    "to dan pho": VillageKind.TO_DAN_PHO,
    "to": VillageKind.TO_DAN_PHO,
    "ap": VillageKind.AP,
    "ban": VillageKind.BAN,
    "buon": VillageKind.BUON,
    "khom": VillageKind.KHOM,
    "plei": VillageKind.PLEI,
    "khu pho": VillageKind.KHU_PHO,
}


def guess_village_kind(name: str) -> str:
    """ "Thôn Đông" → thôn, "Tổ dân phố 3" → tổ dân phố; otherwise thôn."""
    key = fold(name)
    for prefix, value in sorted(_KIND_BY_PREFIX.items(), key=lambda kv: -len(kv[0])):
        if key.startswith(prefix + " "):
            return str(value)
    return str(VillageKind.THON)


def _check_unique(commune: Commune, key: str, exclude: Any = None) -> None:
    qs = Village.objects.filter(commune=commune, search_key=key)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise DomainError(
            GeoError.DUPLICATE_VILLAGE,
            _("This commune already has a village with this name."),
            field="name",
        )


@transaction.atomic
def village_create(
    *,
    actor: Any,
    commune: Commune,
    name: str,
    kind: str | None = None,
    is_remote: bool = False,
    is_ethnic_minority: bool = False,
) -> Village:
    ensure_commune(actor, commune.code, write=True)
    name = clean(name)
    if not name:
        raise DomainError(CoreError.REQUIRED, _("A village needs a name."), field="name")
    key = fold(name)
    _check_unique(commune, key)
    village = Village(
        commune=commune,
        name=name,
        kind=kind or guess_village_kind(name),
        is_remote=is_remote,
        is_ethnic_minority=is_ethnic_minority,
        search_key=key,
    )
    try:
        with transaction.atomic():
            village.save()
    except IntegrityError as exc:  # a concurrent insert of the same name
        raise DomainError(
            GeoError.DUPLICATE_VILLAGE, _("This commune already has a village with this name.")
        ) from exc
    audit_record(
        actor=actor,
        action=AuditAction.VILLAGE_CREATE,
        obj=village,
        changes=diff({}, snapshot(village, ["commune", *VILLAGE_FIELDS])),
    )
    return village


@transaction.atomic
def village_update(*, actor: Any, village: Village, **values: Any) -> Village:
    ensure_commune(actor, village.commune_id, write=True)
    unknown = set(values) - set(VILLAGE_FIELDS)
    if unknown:
        raise TypeError(f"unknown village fields: {sorted(unknown)}")
    before = snapshot(village, VILLAGE_FIELDS)
    if "name" in values:
        values["name"] = clean(values["name"])
        if not values["name"]:
            raise DomainError(CoreError.REQUIRED, _("A village needs a name."), field="name")
        _check_unique(village.commune, fold(values["name"]), exclude=village.pk)
        village.search_key = fold(values["name"])
    for k, v in values.items():
        setattr(village, k, v)
    changes = diff(before, snapshot(village, VILLAGE_FIELDS))
    if changes:
        village.save(update_fields=[*changes.keys(), "search_key", "updated_at"])
        audit_record(actor=actor, action=AuditAction.VILLAGE_UPDATE, obj=village, changes=changes)
        if {"is_remote", "is_ethnic_minority", "name"} & set(changes):
            # The village's households change priority (registry.priority), or place in the
            # lists' order (by village name).
            hooks.areas_changed.send(provinces=[], villages=[village.pk])
    return village


@dataclass
class VillageImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


_TRUE = {"1", "x", "co", "yes", "true", "c"}
_HEADERS = {
    "name": {"ten", "ten thon", "thon", "ten thon/to dan pho", "thon/to dan pho", "name"},
    "kind": {"loai", "kind", "type"},
    "is_remote": {"vung kho khan", "kho khan", "remote", "vung sau vung xa"},
    "is_ethnic_minority": {"vung dong bao dan toc thieu so", "dan toc thieu so", "ethnic minority"},
}


def _header_map(header: list[str]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, h in enumerate(header):
        key = fold(h)
        for name, synonyms in _HEADERS.items():
            if key in synonyms or key == name:
                out[i] = name
    return out


def _kind_from_text(text: str) -> str | None:
    key = fold(text)
    if not key:
        return None
    for value, label in VillageKind.choices:
        if key in {fold(str(label)), fold(str(label)).split(" (")[0], value.replace("_", " ")}:
            return str(value)
    if key in _KIND_BY_PREFIX:
        return str(_KIND_BY_PREFIX[key])
    raise DomainError(CoreError.INVALID, _("Unknown village kind."), field="kind")


def villages_import_csv(*, actor: Any, commune: Commune, data: bytes) -> VillageImportResult:
    """Create or update the commune's villages from a CSV (name, kind, remote, ethnic minority).

    Each row is its own transaction: a bad row is rejected with its number and reason and the
    good rows are kept. Running the same file twice changes nothing the second time.
    """
    ensure_commune(actor, commune.code, write=True)
    text = data.decode("utf-8-sig") if not data.startswith(b"\xff\xfe") else data.decode("utf-16")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    result = VillageImportResult()
    header = next(reader, None)
    columns = _header_map(header or [])
    if "name" not in columns.values():
        result.rejected.append(
            {"row": 1, "code": CoreError.REQUIRED, "reason": _("No village name column.")}
        )
        return result
    existing = {v.search_key: v for v in Village.objects.filter(commune=commune)}
    for number, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        result.read += 1
        row = {columns[i]: cell for i, cell in enumerate(raw) if i in columns}
        try:
            name = clean(row.get("name", ""))
            values: dict[str, Any] = {
                "name": name,
                "is_remote": fold(row.get("is_remote", "")) in _TRUE,
                "is_ethnic_minority": fold(row.get("is_ethnic_minority", "")) in _TRUE,
            }
            kind = _kind_from_text(row.get("kind", ""))
            if kind:
                values["kind"] = kind
            current = existing.get(fold(name))
            if current is None:
                if not name:
                    raise DomainError(
                        CoreError.REQUIRED, _("A village needs a name."), field="name"
                    )
                existing[fold(name)] = village_create(actor=actor, commune=commune, **values)
                result.created += 1
            else:
                before = snapshot(current, VILLAGE_FIELDS)
                village_update(actor=actor, village=current, **values)
                if snapshot(current, VILLAGE_FIELDS) == before:
                    result.unchanged += 1
                else:
                    result.updated += 1
        except DomainError as exc:
            result.rejected.append({"row": number, "code": exc.code, "reason": exc.message})
    return result
