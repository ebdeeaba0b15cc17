"""Catalog reads for crews and the 3D console: objects (filtered, cursor-paginated), latest
element sets as CelesTrak OMM JSON, positions at a time (batch SGP4), OMM downloads, and the
target list (unclaimed only by default). Catalog reads carry ETags; ``If-None-Match`` → 304.

They are public like the claims registry: no key needed (then rate-limited per client address),
a key is checked and counted when sent; crews' own resources stay behind their keys.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel

from sweepers.formats.omm import write_omm_json, write_omm_kvn, write_omm_xml
from sweepers.orbits.frames import teme_to_itrs
from sweepers.orbits.sgp4_batch import propagate
from sweepers.salvage.value import rank_targets
from sweepers.salvage.value.unclaimed import unclaimed
from sweepers.service.catalog_view import CatalogView, ViewCache, body_etag
from sweepers.service.claims import active_claims, salvaged_ids
from sweepers.service.common import (
    IdPath,
    Problem,
    ReaderDep,
    Services,
    ServicesDep,
    decode_cursor,
    encode_cursor,
    not_found,
)

router = APIRouter(prefix="/api/v1", tags=["catalog"])

OBJECT_TYPES = ("PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN")
MAX_POSITION_IDS = 50_000


class ClaimRef(BaseModel):
    """Who holds an object, until when (UTC)."""

    crew: str
    until: datetime


class CatalogObject(BaseModel):
    """One catalogued object: identity, SATCAT class, mass estimate, mean orbit (a [km], e,
    i [deg], perigee/apogee altitudes [km]), ESA regime, salvage value [k$], criticality, and
    its active claim (null when free)."""

    norad_id: int
    name: str | None
    object_id: str | None
    object_type: str
    rcs_size: str | None
    mass_kg: float | None
    mass_source: str
    epoch: datetime
    a_km: float | None
    e: float
    i_deg: float
    perigee_km: float | None
    apogee_km: float | None
    regime: str
    value: float | None
    criticality: float | None
    excluded: str | None
    salvaged: bool
    claim: ClaimRef | None


class ObjectPage(BaseModel):
    """A page of objects by catalog number; ``next_cursor`` null on the last page."""

    items: list[CatalogObject]
    next_cursor: str | None
    total: int


class Target(CatalogObject):
    """A target-list row: an object with its rank."""

    rank: int


class Position(BaseModel):
    """An object's position at ``at``: TEME and ITRS [km]; null where SGP4 failed."""

    norad_id: int
    teme_km: list[float] | None
    itrs_km: list[float] | None
    status: int


class Positions(BaseModel):
    """Positions of objects at one UTC instant (SGP4 on the latest element sets; ITRS with
    UT1 = UTC and no polar motion, ~10 m)."""

    at: datetime
    items: list[Position]
    missing: list[int]


def views(svc: Services) -> ViewCache:
    """The process's catalog view cache."""
    with svc.lock:
        cache = svc.cache.get("views")
        if cache is None:
            cache = svc.cache["views"] = ViewCache(svc.store)
    return cache


def _claim_refs(svc: Services, norad_ids: list[int] | None = None
                ) -> tuple[dict[int, ClaimRef], set[int]]:
    """Active claims and salvaged marks, of the whole sky or of ``norad_ids`` only."""
    held = {nid: ClaimRef(crew=r.crew, until=r.until)
            for nid, r in active_claims(svc.engine, norad_ids).items()}
    return held, salvaged_ids(svc.engine, norad_ids)


def _object(view: CatalogView, k: int, held: dict[int, ClaimRef],
            gone: set[int]) -> dict[str, Any]:
    nid = view.elements[k].norad_id
    return {**view.item(k), "salvaged": nid in gone, "claim": held.get(nid)}


def _cached_json(request: Request, model: BaseModel) -> Response:
    """The JSON of ``model`` with a content ETag; 304 when the client has it already."""
    body = model.model_dump_json().encode()
    etag = body_etag(body)
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag})


def _range(lo: float | None, hi: float | None, what: str) -> None:
    if lo is not None and hi is not None and lo > hi:
        raise HTTPException(400, f"{what}: the minimum must not exceed the maximum")


@router.get("/catalog/objects", response_model=ObjectPage,
            responses={304: {"description": "not modified"}, 400: {"model": Problem}})
def list_objects(
    request: Request, who: ReaderDep, svc: ServicesDep,
    object_type: Annotated[Literal["PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN"] | None,
                           Query(alias="type")] = None,
    regime: Annotated[str | None, Query(max_length=3, description="ESA class, e.g. LEO")] = None,
    alt_min_km: Annotated[float | None, Query(description="perigee altitude ≥ [km]")] = None,
    alt_max_km: Annotated[float | None, Query(description="apogee altitude ≤ [km]")] = None,
    inc_min_deg: Annotated[float | None, Query()] = None,
    inc_max_deg: Annotated[float | None, Query()] = None,
    claimed: Annotated[bool | None, Query(description="true: held; false: free")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    cursor: str | None = None,
) -> Response:
    """Catalogued objects by catalog number, filtered; follow ``next_cursor`` for more."""
    after = decode_cursor(cursor)
    if after is not None and not isinstance(after, int):
        raise HTTPException(400, "invalid cursor (use next_cursor of a previous page)")
    _range(alt_min_km, alt_max_km, "altitude")
    _range(inc_min_deg, inc_max_deg, "inclination")
    view = views(svc).get()
    held, gone = _claim_refs(svc)
    keep = []
    for k, (e, s) in enumerate(zip(view.elements, view.scored, strict=True)):
        if after is not None and e.norad_id <= after:
            continue
        if object_type is not None and s.object_type != object_type:
            continue
        if regime is not None and view.regime[k] != regime.upper():
            continue
        if alt_min_km is not None and not s.perigee_km >= alt_min_km:
            continue
        if alt_max_km is not None and not s.apogee_km <= alt_max_km:
            continue
        if inc_min_deg is not None and not e.inclination_deg >= inc_min_deg:
            continue
        if inc_max_deg is not None and not e.inclination_deg <= inc_max_deg:
            continue
        if claimed is not None and (e.norad_id in held) != claimed:
            continue
        keep.append(k)
    page = keep[:limit]
    items = [CatalogObject(**_object(view, k, held, gone)) for k in page]
    more = len(keep) > limit
    return _cached_json(request, ObjectPage(
        items=items, total=len(keep) if after is None else -1,
        next_cursor=encode_cursor(items[-1].norad_id) if more else None))


@router.get("/catalog/objects/{norad_id}", response_model=CatalogObject,
            responses={304: {"description": "not modified"}, 404: {"model": Problem}})
def get_object(norad_id: IdPath, request: Request, who: ReaderDep, svc: ServicesDep) -> Response:
    """One catalogued object."""
    view = views(svc).get()
    k = view.by_id.get(norad_id)
    if k is None:
        raise not_found("catalog object", norad_id)
    held, gone = _claim_refs(svc, [norad_id])  # this object's, not the whole registry
    return _cached_json(request, CatalogObject(**_object(view, k, held, gone)))


@router.get("/catalog/objects/{norad_id}/omm", response_class=Response,
            responses={200: {"content": {"application/json": {}, "application/xml": {},
                                         "text/plain": {}}}, 404: {"model": Problem}})
def object_omm(norad_id: IdPath, who: ReaderDep, svc: ServicesDep,
               format: Literal["json", "xml", "kvn"] = "kvn") -> Response:
    """The object's latest element set as a CCSDS OMM (KVN or XML) or CelesTrak JSON."""
    view = views(svc).get()
    k = view.by_id.get(norad_id)
    if k is None:
        raise not_found("catalog object", norad_id)
    es = [view.elements[k]]
    if format == "json":
        return Response(write_omm_json(es), media_type="application/json")
    if format == "xml":
        return Response(write_omm_xml(es), media_type="application/xml")
    return Response(write_omm_kvn(es), media_type="text/plain",
                    headers={"Content-Disposition": f'attachment; filename="{norad_id}.omm"'})


@router.get("/catalog/elements", response_class=Response,
            responses={200: {"content": {"application/json": {"schema": {
                "type": "array", "items": {"type": "object"}}}},
                "description": "CelesTrak OMM JSON of every latest element set"},
                304: {"description": "not modified"}})
def all_elements(request: Request, who: ReaderDep, svc: ServicesDep) -> Response:
    """Every object's latest element set as a CelesTrak ``FORMAT=json`` OMM array (the same 17
    keys), for client-side SGP4. Carries an ETag; send it back in ``If-None-Match``."""
    view = views(svc).get()
    if view.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": view.etag})
    return Response(view.omm_json(), media_type="application/json", headers={"ETag": view.etag})


@router.get("/catalog/positions", response_model=Positions, responses={400: {"model": Problem}})
def positions(who: ReaderDep, svc: ServicesDep,
              at: Annotated[datetime | None, Query(description="UTC instant; default now")] = None,
              ids: Annotated[str | None, Query(description="catalog numbers N,N,...; "
                                                           "default every object")] = None,
              ) -> Positions:
    """Where objects are at ``at``: SGP4 (TEME) and Earth-fixed ITRS positions [km]."""
    when = datetime.now(UTC) if at is None else (
        at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC))
    if not datetime(1957, 10, 4, tzinfo=UTC) <= when <= datetime(2100, 1, 1, tzinfo=UTC):
        raise HTTPException(400, "at must lie between 1957-10-04 and 2100-01-01")
    view = views(svc).get()
    if ids is None:
        wanted = [e.norad_id for e in view.elements]
    else:
        try:
            wanted = list(dict.fromkeys(int(x) for x in ids.split(",") if x.strip()))
        except ValueError:
            raise HTTPException(400, "ids wants catalog numbers N,N,...") from None
        if len(wanted) > MAX_POSITION_IDS:
            raise HTTPException(400, f"at most {MAX_POSITION_IDS} ids per request")
    missing = [i for i in wanted if i not in view.by_id]
    found = [view.elements[view.by_id[i]] for i in wanted if i in view.by_id]
    items: list[Position] = []
    if found:
        t = np.array([when.replace(tzinfo=None)], dtype="datetime64[us]")
        eph = propagate(found, t)
        r_itrs, _ = teme_to_itrs(eph.r, eph.v, eph.jd, eph.fr)
        for k, e in enumerate(found):
            ok = int(eph.status[k, 0]) == 0 and bool(np.all(np.isfinite(eph.r[k, 0])))
            items.append(Position(
                norad_id=e.norad_id, status=int(eph.status[k, 0]),
                teme_km=[round(float(x), 4) for x in eph.r[k, 0]] if ok else None,
                itrs_km=[round(float(x), 4) for x in r_itrs[k, 0]] if ok else None))
    return Positions(at=when, items=items, missing=missing)


@router.get("/targets", response_model=list[Target], responses={400: {"model": Problem}})
def targets(
    who: ReaderDep, svc: ServicesDep,
    top: Annotated[int, Query(ge=1, le=1000)] = 20,
    by: Literal["value", "criticality"] = "value",
    unclaimed_only: Annotated[bool, Query(alias="unclaimed",
                                          description="leave out objects other crews hold "
                                                      "(default)")] = True,
    object_type: Annotated[Literal["rb", "payload", "debris", "unknown"] | None,
                           Query(alias="type")] = None,
    alt_min_km: float | None = None, alt_max_km: float | None = None,
    inc_min_deg: float | None = None, inc_max_deg: float | None = None,
) -> list[Target]:
    """Salvage targets best first (value or criticality); salvaged objects never appear, and
    objects held by other crews are left out unless ``unclaimed=false``."""
    _range(alt_min_km, alt_max_km, "altitude")
    _range(inc_min_deg, inc_max_deg, "inclination")
    view = views(svc).get()
    held, gone = _claim_refs(svc)
    mine = who.crew_id if who else None  # anonymous: every claim is someone else's
    others = {nid for nid, r in active_claims(svc.engine).items() if r.crew_id != mine}
    pool = unclaimed(view.scored, gone | (others if unclaimed_only else set()))
    alt = None if alt_min_km is None and alt_max_km is None else (
        -np.inf if alt_min_km is None else alt_min_km, np.inf if alt_max_km is None else alt_max_km)
    inc = None if inc_min_deg is None and inc_max_deg is None else (
        -np.inf if inc_min_deg is None else inc_min_deg,
        np.inf if inc_max_deg is None else inc_max_deg)
    ranked = rank_targets(pool, by=by, object_type=object_type, alt_km=alt, inc_deg=inc, top=top)
    return [Target(rank=n, **_object(view, view.by_id[s.norad_id], held, gone))
            for n, s in enumerate(ranked, start=1)]

