"""Plan outputs: JSON, the ship's trajectory as a CCSDS OEM and as CZML, a route plot, and the
conjunction-screening hook. Units: km, km/s, s; epochs UTC.

The ship's trajectory, arc by arc (one OEM segment per arc, split at every impulse so no
interpolation crosses a velocity jump):

* riding with an object (on the start orbit, or attached to a target from arrival to departure):
  that object's ephemeris (secular J2);
* between impulses: full-J2 integration (heyoka dense output) from the state after the impulse.

Samples every ``step_s`` ≤ 60 s plus each arc's ends. Frame: the plan's states are in the
targets' frame — TEME of the element sets for catalogued objects, rotated here to **GCRF**
(:func:`sweepers.orbits.frames.teme_to_gcrs`, UT1 = UTC) and written with ``REF_FRAME = GCRF``;
GTOC9 plans are in the GTOC9 inertial frame, written as ``EME2000`` unchanged. Both are inertial
frames Cesium accepts (``INERTIAL``).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.formats import oem as oem_codec
from sweepers.formats.czml import Event, Trajectory, write_czml
from sweepers.orbits.frames import teme_to_gcrs
from sweepers.orbits.j2 import J2Propagator
from sweepers.orbits.kepler import R_EARTH_KM, state_to_elements
from sweepers.salvage.planner.plan import Plan
from sweepers.salvage.planner.targets import datetime64_utc

Array = NDArray[np.float64]
MAX_STEP_S = 60.0
JD_MJD2000 = 2451544.5


@dataclass(frozen=True, slots=True)
class Arc:
    """One continuous piece of the ship's trajectory: times [s since MJD2000], positions [km],
    velocities [km/s] in the output frame, and what it is (``"ride <id>"`` or ``"transfer"``)."""

    t_s: Array
    r_km: Array
    v_km_s: Array
    kind: str


def _times(t0: float, t1: float, step_s: float) -> Array:
    n = max(int(np.ceil((t1 - t0) / step_s)), 1)
    return np.linspace(t0, t1, n + 1)


def _ride(plan: Plan, node: int, t0: float, t1: float, step_s: float) -> Arc:
    t = _times(t0, t1, step_s)
    r, v = plan.cands.ephemeris.take(np.full(t.size, node)).state(t)
    label = "start orbit" if node == 0 else plan.cands.ids[node - 1]
    return Arc(t, r, v, f"ride {label}")


def ship_arcs(plan: Plan, step_s: float = MAX_STEP_S) -> list[Arc]:
    """The ship's trajectory from the window start (or the first arrival with a free start) to
    the last departure, as arcs in the plan's frame (module docstring)."""
    if step_s > MAX_STEP_S:
        raise ValueError(f"step_s must be <= {MAX_STEP_S} s")
    arcs: list[Arc] = []
    prop = J2Propagator()
    if plan.cands.free_start:
        if not plan.stops:
            return arcs
        node, t = plan.stops[0].node, plan.stops[0].t_arrive_s
    else:
        node, t = 0, plan.cands.t_start_s
    for leg in plan.legs:
        if leg.t_depart_s > t:
            arcs.append(_ride(plan, node, t, leg.t_depart_s, step_s))
        r, v = leg.r0_km, leg.v0_km_s
        for k in range(len(leg.burn_times_s) - 1):
            ta, tb = leg.burn_times_s[k], leg.burn_times_s[k + 1]
            grid = _times(0.0, tb - ta, step_s)
            rs, vs = prop.propagate_grid(r, v + leg.dv_km_s[k], grid)
            arcs.append(Arc(ta + grid, rs, vs, "transfer"))
            r, v = rs[-1], vs[-1]
        node, t = leg.to_node, leg.t_arrive_s
    if plan.stops:
        end = plan.stops[-1].t_depart_s
        if end > t:
            arcs.append(_ride(plan, node, t, end, step_s))
    return arcs


def to_output_frame(plan: Plan, arc: Arc) -> tuple[Array, Array, str]:
    """(r, v, OEM REF_FRAME) of ``arc`` in the output frame (TEME → GCRF; GTOC9 unchanged)."""
    if plan.frame.upper() != "TEME":
        return arc.r_km, arc.v_km_s, plan.frame
    days = arc.t_s / 86400.0
    whole = np.floor(days)
    r, v = teme_to_gcrs(arc.r_km, arc.v_km_s, JD_MJD2000 + whole, days - whole)
    return r, v, "GCRF"


def plan_oem(plan: Plan, step_s: float = MAX_STEP_S) -> oem_codec.Oem:
    """The ship's trajectory as an OEM (one segment per arc)."""
    segments = []
    for arc in ship_arcs(plan, step_s):
        r, v, frame = to_output_frame(plan, arc)
        epochs = datetime64_utc(arc.t_s)
        keep = np.r_[True, np.diff(epochs) > np.timedelta64(0, "us")]
        segments.append(oem_codec.OemSegment(
            object_name=plan.ship.name, object_id=plan.ship.name.upper(), center_name="EARTH",
            ref_frame=frame, time_system="UTC", start_time=epochs[keep][0],
            stop_time=epochs[keep][-1], epochs=epochs[keep], positions_km=r[keep],
            velocities_km_s=v[keep], interpolation="HERMITE", interpolation_degree=5,
            meta_comments=[arc.kind]))
    return oem_codec.Oem(originator="sweepers", segments=segments,
                         creation_date=np.datetime64(datetime.now(UTC).replace(tzinfo=None), "us"))


def plan_czml(plan: Plan, oem: oem_codec.Oem, every: int = 5) -> str:
    """CZML document: the ship's path (every ``every``-th OEM sample, plus arc ends) and a
    marker at each rendezvous."""
    t_list, r_list = [], []
    for seg in oem.segments:
        idx = np.unique(np.r_[np.arange(0, seg.epochs.size, every), seg.epochs.size - 1])
        t_list.append(seg.epochs[idx])
        r_list.append(seg.positions_km[idx])
    epochs = np.concatenate(t_list)
    pos = np.concatenate(r_list)
    keep = np.r_[True, np.diff(epochs) > np.timedelta64(0, "us")]
    frame = oem.segments[0].ref_frame
    ship = Trajectory(id="ship", name=plan.ship.name, epochs=epochs[keep], positions_km=pos[keep],
                      frame=frame, trail_time_s=6 * 3600.0, lead_time_s=0.0)
    events = []
    for k, stop in enumerate(plan.stops):
        seg_t = datetime64_utc(stop.t_arrive_s)
        near = np.argmin(np.abs(epochs - seg_t))
        events.append(Event(id=f"target-{k + 1}-{stop.target_id}", epoch=seg_t,
                            position_km=pos[near], name=f"{k + 1}: {stop.name}", frame=frame,
                            description=f"value {stop.value:g}; arrival {seg_t}Z",
                            after_s=stop.t_depart_s - stop.t_arrive_s))
    return write_czml([ship], events, name=f"sweepers plan: {plan.ship.name}")


def plot_route(plan: Plan, oem: oem_codec.Oem, path: str | Path) -> None:
    """PNG of the route: the ship's RAAN [deg] and altitude [km] against days since the window
    start, targets marked at their arrival."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = datetime64_utc(plan.cands.t_start_s)
    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    for seg in oem.segments:
        idx = np.arange(0, seg.epochs.size, 10)
        el = state_to_elements(seg.positions_km[idx], seg.velocities_km_s[idx])
        days = (seg.epochs[idx] - t0) / np.timedelta64(1, "s") / 86400.0
        ax1.plot(days, np.degrees(el.raan_rad), ",", color="tab:blue")
        ax2.plot(days, el.a_km - R_EARTH_KM, ",", color="tab:blue")
    eph = plan.cands.ephemeris
    for k, stop in enumerate(plan.stops):
        el = eph.take([stop.node]).elements_at([stop.t_arrive_s])
        d = (stop.t_arrive_s - plan.cands.t_start_s) / 86400.0
        for ax, y in ((ax1, np.degrees(el.raan_rad[0])), (ax2, el.a_km[0] - R_EARTH_KM)):
            ax.plot(d, y, "o", color="tab:red", ms=5)
            ax.annotate(str(k + 1), (d, y), textcoords="offset points", xytext=(3, 3),
                        fontsize=7)
    ax1.set_ylabel("RAAN [deg] (osculating)")
    ax2.set_ylabel("semi-major axis − R_e [km]")
    ax2.set_xlabel(f"days since {t0}Z")
    ax1.set_title(f"{plan.ship.name}: {len(plan.stops)} targets, value {plan.value:g}, "
                  f"Δv {plan.total_dv_km_s * 1e3:.0f} m/s")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


SCREEN_ENTRY_POINT = "screen_ephemeris"


def screen_plan(plan: Plan, oem: oem_codec.Oem, elsets: Any = None,
                threshold_km: float = 5.0) -> dict[str, Any]:
    """Screen the planned trajectory against the catalog — the hook.

    Calls ``sweepers.conjunctions.screen.screen_ephemeris(oem, elsets, threshold_km=...)`` when
    the screening engine offers it (a tabulated primary); the engine does not yet, so this
    returns ``{"status": "unavailable", ...}`` and the plan is written without close approaches.
    """
    try:
        module = importlib.import_module("sweepers.conjunctions.screen")
    except ImportError:
        module = None
    fn = getattr(module, SCREEN_ENTRY_POINT, None)
    if fn is None or elsets is None:
        why = ("no catalog given" if fn is not None else
               f"sweepers.conjunctions.screen has no {SCREEN_ENTRY_POINT}() for an OEM primary")
        return {"status": "unavailable", "reason": why, "close_approaches": []}
    found = fn(oem, elsets, threshold_km=threshold_km)
    return {"status": "screened", "threshold_km": threshold_km,
            "close_approaches": [c.as_dict() if hasattr(c, "as_dict") else str(c)
                                 for c in found]}


def write_outputs(plan: Plan, out_dir: str | Path, *, step_s: float = MAX_STEP_S,
                  elsets: Any = None, plot: bool = True) -> dict[str, Any]:
    """Write ``plan.json``, ``ship.oem``, ``plan.czml`` and ``route.png`` into ``out_dir``;
    returns the plan dictionary (with the screening result and the file names)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = plan.as_dict()
    files: dict[str, str] = {}
    if plan.stops:
        oem = plan_oem(plan, step_s)
        if oem.segments:
            oem_codec.dump(oem, out / "ship.oem")
            (out / "plan.czml").write_text(plan_czml(plan, oem), encoding="utf-8")
            files.update(oem="ship.oem", czml="plan.czml")
            if plot:
                plot_route(plan, oem, out / "route.png")
                files["plot"] = "route.png"
            data["screening"] = screen_plan(plan, oem, elsets)
    files["json"] = "plan.json"
    data["files"] = files
    (out / "plan.json").write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return data
