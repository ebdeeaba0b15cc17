"""Ships and plans: register a ship, plan its job (a queued job running the planner), download
the route (JSON, CCSDS OEM, CZML) and claim its targets in one transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from sweepers.errors import FormatError, SweepersError
from sweepers.formats import oem as oem_codec
from sweepers.formats.omm import element_set_from_omm
from sweepers.service.claims import CONFLICT_RESPONSES, ClaimError, claim_objects, error_response
from sweepers.service.common import CallerDep, IdPath, Problem, ServicesDep, WriterDep, not_found
from sweepers.service.db import audit, utcnow, write
from sweepers.service.jobs import enqueue
from sweepers.service.models import plans, ships

router = APIRouter(prefix="/api/v1", tags=["ships"])


class ShipIn(BaseModel):
    """A ship: masses [kg], specific impulse [s], and its start orbit — a catalogued object
    (``start_norad_id``: start co-located with it) or an uploaded OMM (CelesTrak JSON object)."""

    name: str = Field(min_length=1, max_length=64)
    dry_mass_kg: float = Field(gt=0, le=1e6)
    propellant_kg: float = Field(ge=0, le=1e6)
    isp_s: float = Field(gt=0, le=1e5)
    start_norad_id: int | None = Field(None, ge=1, le=999_999_999)
    start_omm: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_start(self) -> ShipIn:
        if (self.start_norad_id is None) == (self.start_omm is None):
            raise ValueError("give exactly one of start_norad_id and start_omm")
        return self


class ShipOut(BaseModel):
    """A ship of the crew."""

    id: int
    name: str
    dry_mass_kg: float
    propellant_kg: float
    isp_s: float
    start_norad_id: int | None
    start_omm: dict[str, Any] | None
    active_plan_id: int | None
    created_at: datetime


class PlanIn(BaseModel):
    """Planning parameters: window [months], how many candidates, or exactly which."""

    months: float = Field(12.0, gt=0, le=60)
    top: int = Field(30, ge=1, le=200)
    candidates: list[int] | None = Field(None, min_length=1, max_length=200)
    unclaimed: bool = Field(True, description="leave out objects other crews hold")
    quick: bool = Field(True, description="the planner's quick mode (plan_job_fast)")


class PlanOut(BaseModel):
    """A plan and its job; ``route`` once done (the planner's JSON)."""

    id: int
    ship_id: int
    job_id: int | None
    status: str
    params: dict[str, Any]
    route: dict[str, Any] | None = None
    created_at: datetime


def _ship(row: Any) -> ShipOut:
    return ShipOut(id=row.id, name=row.name, dry_mass_kg=row.dry_mass_kg,
                   propellant_kg=row.propellant_kg, isp_s=row.isp_s,
                   start_norad_id=row.start_norad_id,
                   start_omm=json.loads(row.start_omm) if row.start_omm else None,
                   active_plan_id=row.active_plan_id, created_at=row.created_at)


def _plan(row: Any, with_route: bool = True) -> PlanOut:
    return PlanOut(id=row.id, ship_id=row.ship_id, job_id=row.job_id, status=row.status,
                   params=json.loads(row.params),
                   route=json.loads(row.route) if with_route and row.route else None,
                   created_at=row.created_at)


def own_row(svc: Any, table: Any, row_id: int, crew_id: int, what: str) -> Any:
    """A row of ``table`` owned by the crew, else 404."""
    with svc.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == row_id,
                                               table.c.crew_id == crew_id)).first()
    if row is None:
        raise not_found(what, row_id)
    return row


@router.post("/ships", status_code=201, response_model=ShipOut,
             responses={400: {"model": Problem}, 404: {"model": Problem}})
def create_ship(body: ShipIn, who: WriterDep, svc: ServicesDep) -> ShipOut:
    """Register a ship of your crew."""
    omm_text = None
    if body.start_omm is not None:
        try:
            element_set_from_omm(body.start_omm)
        except (FormatError, ValueError, KeyError, TypeError) as exc:
            raise HTTPException(400, f"start_omm is not a usable OMM: {exc}") from None
        omm_text = json.dumps(body.start_omm)
    else:
        from sweepers.service.catalog_routes import views

        if body.start_norad_id not in views(svc).get().by_id:
            raise HTTPException(404, f"start object {body.start_norad_id} is not in the catalog")
    with write(svc.engine) as conn:
        ship_id = conn.execute(ships.insert().returning(ships.c.id).values(
            crew_id=who.crew_id, name=body.name, dry_mass_kg=body.dry_mass_kg,
            propellant_kg=body.propellant_kg, isp_s=body.isp_s,
            start_norad_id=body.start_norad_id, start_omm=omm_text,
            created_at=utcnow())).scalar_one()
        audit(conn, "ship.create", "ship", crew_id=who.crew_id, member_id=who.member_id,
              subject_id=ship_id, name=body.name)
    return _ship(own_row(svc, ships, ship_id, who.crew_id, "ship"))


@router.get("/ships", response_model=list[ShipOut])
def list_ships(who: CallerDep, svc: ServicesDep) -> list[ShipOut]:
    """Your crew's ships."""
    with svc.engine.connect() as conn:
        rows = conn.execute(select(ships).where(ships.c.crew_id == who.crew_id)
                            .order_by(ships.c.id)).all()
    return [_ship(r) for r in rows]


@router.get("/ships/{ship_id}", response_model=ShipOut, responses={404: {"model": Problem}})
def get_ship(ship_id: IdPath, who: CallerDep, svc: ServicesDep) -> ShipOut:
    """One of your crew's ships."""
    return _ship(own_row(svc, ships, ship_id, who.crew_id, "ship"))


@router.put("/ships/{ship_id}/trajectory", response_model=ShipOut,
            responses={400: {"model": Problem}, 404: {"model": Problem}},
            openapi_extra={"requestBody": {"required": True, "content": {
                "text/plain": {"schema": {"type": "string"}}}}})
async def upload_trajectory(ship_id: IdPath, request: Request, who: WriterDep,
                            svc: ServicesDep) -> ShipOut:
    """Set the trajectory the ship flies (a CCSDS OEM in KVN): screened after every refresh in
    place of its plan's."""
    own_row(svc, ships, ship_id, who.crew_id, "ship")
    body = (await request.body()).decode("utf-8", "replace")
    try:
        parsed = oem_codec.loads_kvn(body, "upload")
    except SweepersError as exc:
        raise HTTPException(400, f"not a usable OEM: {exc}") from None
    if not parsed.segments:
        raise HTTPException(400, "the OEM has no segment")
    with write(svc.engine) as conn:
        conn.execute(ships.update().where(ships.c.id == ship_id).values(trajectory_oem=body))
        audit(conn, "ship.trajectory", "ship", crew_id=who.crew_id, member_id=who.member_id,
              subject_id=ship_id, segments=len(parsed.segments))
    return _ship(own_row(svc, ships, ship_id, who.crew_id, "ship"))


@router.post("/ships/{ship_id}/plans", status_code=202, response_model=PlanOut,
             responses={404: {"model": Problem}})
def create_plan(ship_id: IdPath, body: PlanIn, who: WriterDep, svc: ServicesDep) -> PlanOut:
    """Plan the ship's job: queued for a worker; poll the plan or its job for progress."""
    own_row(svc, ships, ship_id, who.crew_id, "ship")
    with write(svc.engine) as conn:
        plan_id = conn.execute(plans.insert().returning(plans.c.id).values(
            crew_id=who.crew_id, ship_id=ship_id, status="queued",
            params=body.model_dump_json(), created_at=utcnow())).scalar_one()
        job_id = enqueue(conn, "plan", {"plan_id": plan_id}, crew_id=who.crew_id,
                         max_attempts=2)
        conn.execute(plans.update().where(plans.c.id == plan_id).values(job_id=job_id))
        audit(conn, "plan.create", "plan", crew_id=who.crew_id, member_id=who.member_id,
              subject_id=plan_id, ship_id=ship_id, job_id=job_id)
    return _plan(own_row(svc, plans, plan_id, who.crew_id, "plan"))


@router.get("/plans", response_model=list[PlanOut])
def list_plans(who: CallerDep, svc: ServicesDep) -> list[PlanOut]:
    """Your crew's plans (without their routes)."""
    with svc.engine.connect() as conn:
        rows = conn.execute(select(plans).where(plans.c.crew_id == who.crew_id)
                            .order_by(plans.c.id)).all()
    return [_plan(r, with_route=False) for r in rows]


@router.get("/plans/{plan_id}", response_model=PlanOut, responses={404: {"model": Problem}})
def get_plan(plan_id: IdPath, who: CallerDep, svc: ServicesDep) -> PlanOut:
    """One of your crew's plans, with its route once done."""
    return _plan(own_row(svc, plans, plan_id, who.crew_id, "plan"))


_FILES = {"oem": ("oem", "text/plain", "ship.oem"),
          "czml": ("czml", "application/json", "plan.czml")}


def _file(svc: Any, who: Any, plan_id: int, kind: str) -> Response:
    row = own_row(svc, plans, plan_id, who.crew_id, "plan")
    column, media, name = _FILES[kind]
    content = getattr(row, column)
    if content is None:
        raise HTTPException(404, f"plan {plan_id} has no {kind.upper()} "
                                 f"({'no target reached' if row.status == 'done' else row.status})")
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/plans/{plan_id}/oem", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}, 404: {"model": Problem}})
def plan_oem_file(plan_id: IdPath, who: CallerDep, svc: ServicesDep) -> Response:
    """The ship's planned trajectory as a CCSDS OEM (KVN, GCRF)."""
    return _file(svc, who, plan_id, "oem")


@router.get("/plans/{plan_id}/czml", response_class=Response,
            responses={200: {"content": {"application/json": {}}}, 404: {"model": Problem}})
def plan_czml_file(plan_id: IdPath, who: CallerDep, svc: ServicesDep) -> Response:
    """The route as CZML (for Cesium)."""
    return _file(svc, who, plan_id, "czml")


@router.post("/plans/{plan_id}/claim", status_code=201, response_model=list[int],
             responses={**CONFLICT_RESPONSES})
def claim_route(plan_id: IdPath, who: WriterDep, svc: ServicesDep,
                until: Annotated[datetime | None, None] = None) -> Any:
    """Claim every target of the plan's route at once: all (201, the claim ids) or none
    (409 with the first object held by someone else)."""
    row = own_row(svc, plans, plan_id, who.crew_id, "plan")
    if row.status != "done" or not row.route:
        raise HTTPException(409, f"plan {plan_id} is {row.status}, not done")
    ids = [int(t["id"]) for t in json.loads(row.route)["targets"]]
    if not ids:
        raise HTTPException(409, f"plan {plan_id} reaches no target")
    try:
        return claim_objects(svc.engine, who.crew_id, who.member_id, ids, until, plan_id=plan_id)
    except ClaimError as exc:
        return error_response(exc)
