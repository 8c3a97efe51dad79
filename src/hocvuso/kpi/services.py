"""Setting targets: by the level above, for the units below it.

- National administrators: the nation's target and each province's.
- Province officers: each commune of their province, and one target for all remote /
  ethnic-minority communes of their province.
A value of ``None`` clears the row (the unit inherits again). Every change is audited.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.access.kpi import can_set_target
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.geo.models import Commune, Province
from hocvuso.kpi.models import Indicator, Target, Unit

MIN_YEAR, MAX_YEAR = 2024, 2035


def target_key(
    indicator: str, year: int, month: int | None, province: str, commune: str, remote: bool
) -> str:
    return f"{indicator}|{year}|{month or 0}|{province}|{commune}|{int(remote)}"


@transaction.atomic
def target_set(
    *,
    actor: Any,
    indicator: Indicator,
    year: int,
    value: Decimal | str | None,
    month: int | None = None,
    province: Province | None = None,
    commune: Commune | None = None,
    remote_only: bool = False,
) -> Target | None:
    """Set (or with ``value=None`` clear) one target. Returns the row, or None when cleared."""
    if commune is not None:
        province, remote_only = None, False
    if province is None:
        remote_only = False
    if not can_set_target(actor, province=province, commune=commune, remote_only=remote_only):
        raise NotFound()
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(CoreError.INVALID, _("Choose a year from the list."), "year")
    if month is not None and not 1 <= month <= 12:
        raise DomainError(CoreError.INVALID, _("A month is 1 to 12."), "month")
    key = target_key(
        indicator.code,
        year,
        month,
        province.code if province else "",
        commune.code if commune else "",
        remote_only,
    )
    existing = Target.objects.select_for_update().filter(key=key).first()
    if value is None or value == "":
        if existing is None:
            return None
        old = str(existing.value)
        existing.delete()
        audit_record(
            actor=actor,
            action=AuditAction.TARGET_CLEAR,
            obj=indicator,
            changes={"key": key, "value": [old, None]},
        )
        return None
    try:
        number = Decimal(str(value).replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise DomainError(CoreError.INVALID, _("Enter a number."), "value") from None
    if number < 0 or (indicator.unit == Unit.PERCENT and number > 100):
        raise DomainError(
            CoreError.INVALID,
            _("A percentage is between 0 and 100; a count cannot be negative."),
            "value",
        )
    if existing is not None and existing.value == number:
        return existing
    old_value = str(existing.value) if existing else None
    target, _created = Target.objects.update_or_create(
        key=key,
        defaults={
            "indicator": indicator,
            "year": year,
            "month": month,
            "province": province,
            "commune": commune,
            "remote_only": remote_only,
            "value": number,
            "set_by": user_or_none(actor),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.TARGET_SET,
        obj=target,
        changes={"key": key, "value": [old_value, str(number)]},
    )
    return target
