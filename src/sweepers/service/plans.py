"""The plan job: the existing planner (``sweepers.salvage.planner``) on the ship's start orbit,
over the catalog without objects salvaged or held by other crews; its route JSON, OEM (GCRF)
and CZML are stored with the plan, and the ship flies it (its OEM is what refreshes screen).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from sweepers.errors import SweepersError
from sweepers.formats import oem as oem_codec
from sweepers.formats.omm import element_set_from_omm
from sweepers.salvage.planner import Ship, plan_job, plan_job_fast
from sweepers.salvage.planner.output import plan_czml, plan_oem
from sweepers.salvage.planner.ship import StartOrbit
from sweepers.salvage.planner.targets import NoCandidatesError, candidates_in_reach
from sweepers.salvage.value import score_objects
from sweepers.salvage.value.unclaimed import unclaimed
from sweepers.service.claims import active_claims, salvaged_ids
from sweepers.service.db import audit, write
from sweepers.service.models import plans, ships
from sweepers.service.worker import JobContext

STAGE_SPAN = {"table": (10.0, 40.0), "search": (40.0, 55.0), "legs": (55.0, 90.0)}


def run_plan(ctx: JobContext) -> dict[str, Any]:
    """Plan job: params ``plan_id``; returns totals. Marks the plan failed (and re-raises) when
    there is nothing to plan."""
    engine = ctx.store.engine
    plan_id = int(ctx.params["plan_id"])
    with engine.connect() as conn:
        plan_row = conn.execute(select(plans).where(plans.c.id == plan_id)).one()
        ship_row = conn.execute(select(ships).where(ships.c.id == plan_row.ship_id)).one()
    params = json.loads(plan_row.params)
    try:
        result = _plan(ctx, ship_row, params)
    except (SweepersError, NoCandidatesError, ValueError) as exc:
        with write(engine) as conn:
            conn.execute(update(plans).where(plans.c.id == plan_id).values(status="failed"))
        raise SweepersError(f"plan {plan_id}: {exc}") from exc
    route, oem_text, czml = result
    with write(engine) as conn:
        conn.execute(update(plans).where(plans.c.id == plan_id).values(
            status="done", route=json.dumps(route, default=str), oem=oem_text, czml=czml))
        if oem_text:
            conn.execute(update(ships).where(ships.c.id == ship_row.id)
                         .values(active_plan_id=plan_id))
        audit(conn, "plan.done", "plan", crew_id=plan_row.crew_id, member_id=None,
              subject_id=plan_id, targets=len(route["targets"]))
    return {"plan_id": plan_id, "targets": [t["id"] for t in route["targets"]],
            "totals": route["totals"]}


def _plan(ctx: JobContext, ship_row: Any, params: dict[str, Any]
          ) -> tuple[dict[str, Any], str | None, str | None]:
    ctx.progress(1.0, "reading the catalog")
    store = ctx.store
    elements = store.latest()
    if not elements:
        raise SweepersError("the catalog is empty")
    start_id = ship_row.start_norad_id
    if ship_row.start_omm:
        start = element_set_from_omm(json.loads(ship_row.start_omm))
        elements = [e for e in elements if e.norad_id != start.norad_id] + [start]
        start_id = start.norad_id
    meta = {o.norad_id: o for o in store.objects()}
    ctx.progress(5.0, "scoring targets")
    scored = score_objects(elements, meta)
    drop = salvaged_ids(store.engine)
    if params.get("unclaimed", True):
        drop |= {n for n, r in active_claims(store.engine).items()
                 if r.crew_id != ship_row.crew_id}
    drop.discard(start_id)
    pool = {s.norad_id: s for s in unclaimed(scored, drop)}
    wanted = params.get("candidates")
    if wanted:
        taken = sorted(set(wanted) & drop)
        if taken:
            raise SweepersError(f"candidates claimed by other crews or salvaged: {taken}")
    ship = Ship(name=ship_row.name, dry_mass_kg=ship_row.dry_mass_kg,
                propellant_kg=ship_row.propellant_kg, isp_s=ship_row.isp_s,
                months=float(params.get("months", 12.0)),
                orbit=StartOrbit(from_norad_id=start_id))
    by_id = {e.norad_id: e for e in elements}
    cands = candidates_in_reach(ship, by_id, pool, top=int(params.get("top", 30)),
                                start_id=start_id, wanted=wanted)

    def report(stage: str, done: int, total: int) -> None:
        lo, hi = STAGE_SPAN.get(stage, (0.0, 90.0))
        ctx.progress(lo + (hi - lo) * done / max(total, 1), stage)

    run = plan_job_fast if params.get("quick", True) else plan_job
    plan = run(ship, cands, progress=report)
    route = plan.as_dict()
    if not plan.stops:
        return route, None, None
    ctx.progress(92.0, "writing OEM and CZML")
    oem = plan_oem(plan)
    return route, oem_codec.dumps_kvn(oem), plan_czml(plan, oem)
