"""Conjunction alerts: re-screen ships after a refresh, decide what is new, worsened or a
persistent proximity, and deliver (SSE stream per crew, list, CDM download; webhooks in
:mod:`sweepers.service.webhooks`).

Rules, per ship and catalog object (the "secondary"), over the screened window:

* **persistent proximity** — the two fly together: a docked vehicle and its station, a ship
  riding its target during a stay. Recognised by a relative speed at closest approach below
  :data:`COLOCATED_KM_S` (10 m/s; the ISS and a docked visitor screen at 0.84 m/s) or by
  :data:`REPEATS` or more close approaches in the window. Reported once per (ship, object),
  never again while it lasts.
* **new** — a close approach over the crew's thresholds (Pc ≥ ``pc_threshold`` or miss ≤
  ``miss_threshold_km``) with no earlier alert for the same pair within :data:`SAME_EVENT`
  of its TCA.
* **worsened** — an earlier alert exists for that event and the Pc at least doubled or the miss
  at least halved.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from sweepers.catalog.store import CatalogStore
from sweepers.conjunctions.ephemeris import screen_ephemeris
from sweepers.conjunctions.events import Conjunction
from sweepers.epochs import datetime_to_jd
from sweepers.errors import SweepersError
from sweepers.formats import oem as oem_codec
from sweepers.formats.cdm import dumps_kvn
from sweepers.formats.cdm import loads_kvn as load_cdm
from sweepers.orbits.frames import gcrs_to_teme
from sweepers.service.common import CallerDep, IdPath, Problem, ServicesDep, not_found
from sweepers.service.db import utcnow, write
from sweepers.service.models import alerts, crews, deliveries, plans, ships, webhooks

COLOCATED_KM_S = 0.010
REPEATS = 3
SAME_EVENT = timedelta(minutes=10)
SCREEN_DAYS = 7.0
SCREEN_KM = 5.0
STREAM_POLL_S = 0.25
MAX_ID = 2_147_483_647  # an INTEGER id column: a larger cursor is a 422, not a database error

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


def ship_trajectory(engine: Any, ship: Any) -> str | None:
    """The OEM a ship flies: its uploaded trajectory, else its active plan's."""
    if ship.trajectory_oem:
        return ship.trajectory_oem
    if ship.active_plan_id is None:
        return None
    with engine.connect() as conn:
        return conn.execute(select(plans.c.oem).where(plans.c.id == ship.active_plan_id)
                            ).scalar_one_or_none()


def _cdm_text(event: Conjunction, ship: Any, names: dict[int, str]) -> str:
    from sweepers.conjunctions.cdm_build import Label, conjunction_cdm

    first = Label(f"SHIP-{ship.id}", ship.name, "", "OEM", "YES")
    second = Label(str(event.secondary_id), names.get(event.secondary_id, ""))
    return dumps_kvn(conjunction_cdm(event, first, second, datetime.now(UTC)))


def screen_ships(store: CatalogStore, *, refresh_job_id: int | None = None,
                 catalog_at: datetime | None = None, as_of: datetime | None = None,
                 progress: Callable[[float], None] | None = None) -> list[dict[str, Any]]:
    """Screen every ship with a trajectory for :data:`SCREEN_DAYS` from ``as_of`` (default
    now) against the latest catalog and store the alerts the rules give; a summary per ship."""
    engine = store.engine
    with engine.connect() as conn:
        fleet = conn.execute(select(ships, crews.c.pc_threshold, crews.c.miss_threshold_km)
                             .join(crews, crews.c.id == ships.c.crew_id)
                             .order_by(ships.c.id)).all()
    elsets = store.latest()
    names = {e.norad_id: e.object_name or "" for e in elsets}
    start = (as_of or utcnow()).astimezone(UTC).replace(tzinfo=None)
    out = []
    for n, ship in enumerate(fleet):
        if progress:
            progress(n / max(len(fleet), 1))
        text = ship_trajectory(engine, ship)
        if not text:
            continue
        try:
            oem = oem_codec.loads_kvn(text, f"ship {ship.id}")
            events = screen_ephemeris(oem, elsets, start=start, days=SCREEN_DAYS,
                                      threshold_km=max(SCREEN_KM, ship.miss_threshold_km))
        except SweepersError as exc:
            out.append({"ship_id": ship.id, "status": "not screened", "reason": str(exc)})
            continue
        made = _raise_alerts(engine, ship, events, names, refresh_job_id, catalog_at)
        out.append({"ship_id": ship.id, "status": "screened", "close_approaches": len(events),
                    "alerts": made})
    return out


def _raise_alerts(engine: Any, ship: Any, events: list[Conjunction], names: dict[int, str],
                  refresh_job_id: int | None, catalog_at: datetime | None) -> list[int]:
    by_secondary: dict[int, list[Conjunction]] = defaultdict(list)
    for e in events:
        by_secondary[e.secondary_id].append(e)
    made: list[int] = []
    with write(engine) as conn:
        for secondary, evs in sorted(by_secondary.items()):
            prior = conn.execute(select(alerts).where(alerts.c.ship_id == ship.id,
                                                      alerts.c.secondary_id == secondary)).all()
            colocated = (len(evs) >= REPEATS
                         or min(e.relative_speed_km_s for e in evs) < COLOCATED_KM_S)
            if colocated:
                if any(a.kind == "proximity" for a in prior):
                    continue
                todo = [("proximity", min(evs, key=lambda e: e.miss_km))]
            else:
                todo = []
                for e in evs:
                    if not (e.pc >= ship.pc_threshold or e.miss_km <= ship.miss_threshold_km):
                        continue
                    same = [a for a in prior if abs(a.tca - e.tca.replace(tzinfo=UTC))
                            <= SAME_EVENT]
                    if not same:
                        todo.append(("new", e))
                    elif (e.pc >= 2 * max(a.pc for a in same)
                          or e.miss_km <= 0.5 * min(a.miss_km for a in same)):
                        todo.append(("worsened", e))
            for kind, e in todo:
                made.append(conn.execute(alerts.insert().returning(alerts.c.id).values(
                    crew_id=ship.crew_id, ship_id=ship.id, secondary_id=secondary, kind=kind,
                    tca=e.tca, miss_km=e.miss_km, pc=e.pc,
                    relative_speed_km_s=e.relative_speed_km_s,
                    cdm=_cdm_text(e, ship, names), refresh_job_id=refresh_job_id,
                    catalog_at=catalog_at, created_at=utcnow())).scalar_one())
                _queue_deliveries(conn, ship.crew_id, made[-1])
    return made


def _queue_deliveries(conn: Any, crew_id: int, alert_id: int) -> None:
    for hook in conn.execute(select(webhooks.c.id).where(webhooks.c.crew_id == crew_id,
                                                         webhooks.c.active.is_(True))):
        conn.execute(deliveries.insert().values(
            webhook_id=hook.id, alert_id=alert_id, idempotency_key=f"alert-{alert_id}-hook-"
            f"{hook.id}", status="pending", attempts=0, next_attempt_at=utcnow()))


Vec3 = Annotated[list[float], Field(min_length=3, max_length=3)]


class AlertOut(BaseModel):
    """One alert: ship, other object, kind (new | worsened | proximity), TCA (UTC), miss [km],
    Alfano maximum Pc, relative speed [km/s]; its CDM at ``/alerts/{id}/cdm``.

    The geometry at TCA, for drawing it (the 3D console) without reading the CDM: both objects'
    TEME states [km, km/s] (the frame SGP4 and ``sweepers where`` give; the CDM's states are
    GCRF), the miss vector (secondary minus ship) in TEME [km] and in the ship's RTN frame [m].
    Null when the alert's CDM cannot be read."""

    id: int
    ship_id: int
    secondary_id: int
    kind: str
    tca: datetime
    miss_km: float
    pc: float
    relative_speed_km_s: float
    created_at: datetime
    catalog_at: datetime | None
    ship_r_teme_km: Vec3 | None = Field(None, description="ship position at TCA, TEME [km]")
    ship_v_teme_km_s: Vec3 | None = Field(None, description="ship velocity, TEME [km/s]")
    secondary_r_teme_km: Vec3 | None = Field(None, description="object position, TEME [km]")
    secondary_v_teme_km_s: Vec3 | None = Field(None, description="object velocity, TEME [km/s]")
    miss_teme_km: Vec3 | None = Field(None, description="object minus ship, TEME [km]")
    miss_rtn_m: Vec3 | None = Field(None, description="object minus ship in the ship's "
                                                      "radial/transverse/normal frame [m]")


def tca_geometry(cdm_text: str) -> dict[str, list[float]]:
    """The TEME states at TCA of an alert's CDM (object 1 the ship, object 2 the secondary),
    the miss vector in TEME [km] and RTN [m]; empty when the CDM cannot be read.

    The CDM holds the screening's TEME states rotated to GCRF at TCA
    (:func:`sweepers.conjunctions.cdm_build.conjunction_cdm`, written with ``repr`` precision);
    :func:`sweepers.orbits.frames.gcrs_to_teme` at the same TCA is that rotation's transpose, so
    the TEME states come back to rounding, and no column is needed for them."""
    try:
        cdm = load_cdm(cdm_text, "alert CDM")
    except SweepersError:
        return {}
    objs = cdm.objects[:2]
    if (cdm.tca is None or len(objs) != 2
            or any(o.ref_frame.strip().upper() != "GCRF" for o in objs)
            or not all(np.all(np.isfinite(o.state_km)) for o in objs)):
        return {}
    jd, fr = datetime_to_jd(cdm.tca)
    states = np.array([o.state_km for o in objs])[:, None, :]  # (object, epoch, 6)
    r, v = gcrs_to_teme(states[..., :3], states[..., 3:], jd, fr)
    rtn = np.asarray(cdm.relative_position_rtn_m, np.float64)
    out = {"ship_r_teme_km": r[0, 0], "ship_v_teme_km_s": v[0, 0],
           "secondary_r_teme_km": r[1, 0], "secondary_v_teme_km_s": v[1, 0],
           "miss_teme_km": r[1, 0] - r[0, 0]}
    if np.all(np.isfinite(rtn)):
        out["miss_rtn_m"] = rtn
    return {k: [float(x) for x in a] for k, a in out.items()}


def alert_out(row: Any) -> AlertOut:
    """API form of an ``alerts`` row (with :func:`tca_geometry` of its CDM)."""
    return AlertOut(id=row.id, ship_id=row.ship_id, secondary_id=row.secondary_id,
                    kind=row.kind, tca=row.tca, miss_km=row.miss_km, pc=row.pc,
                    relative_speed_km_s=row.relative_speed_km_s, created_at=row.created_at,
                    catalog_at=row.catalog_at, **tca_geometry(row.cdm or ""))


def _alerts_after(engine: Any, crew_id: int, after: int, limit: int = 500) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(select(alerts).where(alerts.c.crew_id == crew_id,
                                                 alerts.c.id > after)
                            .order_by(alerts.c.id).limit(limit)).all()


@router.get("", response_model=list[AlertOut])
def list_alerts(who: CallerDep, svc: ServicesDep,
                after: Annotated[int, Query(ge=0, le=MAX_ID,
                                            description="only ids above this")] = 0,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[AlertOut]:
    """Your crew's alerts, oldest first, ids above ``after`` (a cursor: the last id seen)."""
    return [alert_out(r) for r in _alerts_after(svc.engine, who.crew_id, after, limit)]


@router.get("/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
def stream_alerts(who: CallerDep, svc: ServicesDep,
                  last_event_id: Annotated[int | None, Header(ge=0, le=MAX_ID)] = None,
                  after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None) -> StreamingResponse:
    """Server-sent events, one ``alert`` event per new alert of your crew (``id:`` is the alert
    id; resume with ``Last-Event-ID`` or ``after``). Authorised by the Authorization header
    (read it with fetch streaming). A comment line every 15 s keeps proxies from closing it."""
    start = after if after is not None else (last_event_id if last_event_id is not None else
                                             _latest_id(svc.engine, who.crew_id))

    async def events() -> AsyncIterator[str]:
        last = start
        idle = 0.0
        yield ": connected\n\n"
        while True:
            rows = await asyncio.to_thread(_alerts_after, svc.engine, who.crew_id, last)
            for r in rows:
                last = r.id
                yield f"id: {r.id}\nevent: alert\ndata: {alert_out(r).model_dump_json()}\n\n"
            idle = 0.0 if rows else idle + STREAM_POLL_S
            if idle >= 15.0:
                idle = 0.0
                yield ": keep-alive\n\n"
            await asyncio.sleep(STREAM_POLL_S)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _latest_id(engine: Any, crew_id: int) -> int:
    with engine.connect() as conn:
        rows = conn.execute(select(alerts.c.id).where(alerts.c.crew_id == crew_id)
                            .order_by(alerts.c.id.desc()).limit(1)).scalars().all()
    return rows[0] if rows else 0


@router.get("/{alert_id}", response_model=AlertOut, responses={404: {"model": Problem}})
def get_alert(alert_id: IdPath, who: CallerDep, svc: ServicesDep) -> AlertOut:
    """One of your crew's alerts."""
    return alert_out(_own_alert(svc, alert_id, who.crew_id))


@router.get("/{alert_id}/cdm", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}, 404: {"model": Problem}})
def alert_cdm(alert_id: IdPath, who: CallerDep, svc: ServicesDep) -> Response:
    """The alert's CCSDS CDM (KVN)."""
    row = _own_alert(svc, alert_id, who.crew_id)
    return Response(row.cdm, media_type="text/plain",
                    headers={"Content-Disposition": f'attachment; filename="alert-{row.id}.cdm"'})


def _own_alert(svc: Any, alert_id: int, crew_id: int) -> Any:
    with svc.engine.connect() as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id,
                                                alerts.c.crew_id == crew_id)).first()
    if row is None:
        raise not_found("alert", alert_id)
    return row


def alert_payload(row: Any) -> dict[str, Any]:
    """JSON body of an alert for webhooks."""
    return json.loads(alert_out(row).model_dump_json())
