"""Public look-up of the official units (reference data, no personal data)."""

from ninja import Router, Schema

from hocvuso.geo.models import Commune
from hocvuso.geo.selectors import commune_get, commune_search, province_search

router = Router(tags=["units"])


class ProvinceOut(Schema):
    code: str
    name: str
    kind: str
    latitude: float | None
    longitude: float | None


class CommuneOut(Schema):
    code: str
    name: str
    kind: str
    province_code: str
    province_name: str
    latitude: float | None
    longitude: float | None
    is_remote: bool
    is_ethnic_minority: bool


def _commune_out(c: Commune) -> CommuneOut:
    return CommuneOut(
        code=c.code,
        name=c.name,
        kind=c.kind,
        province_code=c.province_id,
        province_name=c.province.name,
        latitude=c.latitude,
        longitude=c.longitude,
        is_remote=c.is_remote,
        is_ethnic_minority=c.is_ethnic_minority,
    )


@router.get("/provinces", response=list[ProvinceOut])
def provinces(request, q: str = ""):
    return list(province_search(q=q))


@router.get("/communes", response=list[CommuneOut])
def communes(request, q: str = "", province: str | None = None, limit: int = 50):
    limit = max(1, min(limit, 500))
    return [_commune_out(c) for c in commune_search(q=q, province=province)[:limit]]


@router.get("/communes/{code}", response=CommuneOut)
def commune(request, code: str):
    return _commune_out(commune_get(code=code))
