"""Plan outputs: JSON, the ship's trajectory as a CCSDS OEM and as CZML, a route plot, and the
conjunction-screening hook. Units: km, km/s, s; epochs UTC.

The ship's trajectory, arc by arc (one OEM segment per arc, split at every impulse so no
interpolation crosses a velocity jump):

* riding with an object (on the start orbit, or attached to a target from arrival to departure):
  that object's ephemeris (SGP4 for catalogued objects, the GTOC9 secular-J2 model for
  debris; the ship's start orbit: its secular-J2 elements);
* between impulses: full-J2 integration (heyoka dense output) from the state after the impulse.

Samples every ``step_s`` ≤ 60 s plus each arc's ends. Frame: the plan's states are in the
targets' frame — TEME of the element sets for catalogued objects, rotated here to **GCRF**
(:func:`sweepers.orbits.frames.teme_to_gcrs`, UT1 = UTC) and written with ``REF_FRAME = GCRF``;
GTOC9 plans are in the GTOC9 inertial frame, written as ``EME2000`` unchanged. Both are inertial
frames Cesium accepts (``INERTIAL``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sweepers.epochs import DAY_S, JD_MJD2000, mjd2000_s_to_datetime64, seconds_since_mjd2000
from sweepers.files import write_atomic
from sweepers.formats import oem as oem_codec
from sweepers.formats.czml import Event, Trajectory, write_czml
from sweepers.orbits.constants import MU_EARTH_KM3_S2, R_EARTH_KM
from sweepers.orbits.frames import teme_to_gcrs_matrix
from sweepers.orbits.j2 import J2Propagator
from sweepers.orbits.kepler import state_to_elements
from sweepers.salvage.planner.plan import Plan

Array = NDArray[np.float64]
MAX_STEP_S = 60.0
FRAME_NODE_STEP_S = 3600.0


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


def teme_to_gcrf_matrices(t_s: Array, node_step_s: float = FRAME_NODE_STEP_S) -> Array:
    """Rotations ``(m, 3, 3)``, r_GCRF = M · r_TEME, at ``t_s`` [s since MJD2000, UTC].

    The rotation is the slow precession-nutation (plus the equation of the equinoxes): ERFA
    evaluates it at nodes every ``node_step_s`` and it is interpolated linearly in between.
    The largest short-period nutation term (0.2″, 13.7 days) leaves an interpolation error
    below 1e-5″ over an hour (< 1 mm at LEO radii), and ERFA's IAU 2006/2000A call costs
    ≈ 30 µs per epoch — a year of minute samples would take over 15 s."""
    t = np.asarray(t_s, float)
    lo = np.floor(t.min() / node_step_s) * node_step_s
    nodes = lo + node_step_s * np.arange(int(np.ceil((t.max() - lo) / node_step_s)) + 2)
    days = nodes / DAY_S
    whole = np.floor(days)
    mats = teme_to_gcrs_matrix(JD_MJD2000 + whole, days - whole)
    k = np.clip(((t - lo) // node_step_s).astype(np.int64), 0, nodes.size - 2)
    f = ((t - nodes[k]) / node_step_s)[:, None, None]
    return mats[k] * (1.0 - f) + mats[k + 1] * f


def to_output_frame(plan: Plan, arc: Arc) -> tuple[Array, Array, str]:
    """(r, v, OEM REF_FRAME) of ``arc`` in the output frame (TEME → GCRF by
    :func:`teme_to_gcrf_matrices`; GTOC9 unchanged)."""
    if plan.frame.upper() != "TEME":
        return arc.r_km, arc.v_km_s, plan.frame
    m = teme_to_gcrf_matrices(arc.t_s)
    return (np.einsum("mij,mj->mi", m, arc.r_km), np.einsum("mij,mj->mi", m, arc.v_km_s),
            "GCRF")


def plan_oem(plan: Plan, step_s: float = MAX_STEP_S,
             arcs: list[Arc] | None = None) -> oem_codec.Oem:
    """The ship's trajectory as an OEM (one segment per arc; ``arcs`` from :func:`ship_arcs`
    when already computed)."""
    segments = []
    for arc in ship_arcs(plan, step_s) if arcs is None else arcs:
        r, v, frame = to_output_frame(plan, arc)
        epochs = mjd2000_s_to_datetime64(arc.t_s)
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
        seg_t = mjd2000_s_to_datetime64(stop.t_arrive_s)
        near = np.argmin(np.abs(epochs - seg_t))
        events.append(Event(id=f"target-{k + 1}-{stop.target_id}", epoch=seg_t,
                            position_km=pos[near], name=f"{k + 1}: {stop.name}", frame=frame,
                            description=f"value {stop.value:g}; arrival {seg_t}Z",
                            after_s=stop.t_depart_s - stop.t_arrive_s))
    return write_czml([ship], events, name=f"sweepers plan: {plan.ship.name}")


def _orbit_mean(t_s: Array, a_km: Array) -> tuple[Array, Array]:
    """Running mean of the osculating semi-major axis [km] over one orbital period (removes the
    J2 short-period terms, ±10 km in LEO) at the window centres [s]; arcs shorter than a period
    (or riding an object, whose a is already the mean) unchanged."""
    if t_s.size < 3:
        return t_s, a_km
    step = float(np.median(np.diff(t_s)))
    n = round(2 * np.pi * np.sqrt(float(np.mean(a_km)) ** 3 / MU_EARTH_KM3_S2) / step)
    if n < 2 or n >= t_s.size or np.ptp(a_km) < 1e-6:
        return t_s, a_km
    kernel = np.full(n, 1.0 / n)
    return np.convolve(t_s, kernel, "valid"), np.convolve(a_km, kernel, "valid")


def format_value(value: float, unit: str) -> str:
    """A plan value with its unit: ``"27,418 k$"`` (salvage value), ``"12 debris"`` (a count).
    """
    return f"{value:,.0f} {unit}"


def route_title(plan: Plan) -> str:
    """Title of the route plot: ship, targets, value with its unit (:attr:`Plan.value_unit`),
    total Δv [m/s]."""
    return (f"{plan.ship.name}: {len(plan.stops)} targets, value "
            f"{format_value(plan.value, plan.value_unit)}, Δv {plan.total_dv_km_s * 1e3:.0f} m/s")


def plot_route(plan: Plan, arcs: list[Arc], path: str | Path, *, every: int = 10) -> None:
    """PNG of the route: the ship's osculating RAAN [deg] and altitude (a − R_e, orbit-averaged)
    [km] against days since the window start, from every ``every``-th sample of ``arcs`` (the
    plan's frame, :func:`ship_arcs`), targets marked and numbered at their arrival; titled by
    :func:`route_title` (the value with its unit)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = plan.cands.t_start_s
    fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    for arc in arcs:
        el = state_to_elements(arc.r_km, arc.v_km_s)
        t, a = _orbit_mean(arc.t_s, el.a_km)
        idx = np.unique(np.r_[np.arange(0, arc.t_s.size, every), arc.t_s.size - 1])
        ax1.plot((arc.t_s[idx] - t0) / DAY_S, np.degrees(el.raan_rad[idx]), ".", ms=1,
                 color="tab:blue")
        ax2.plot((t[::every] - t0) / DAY_S, a[::every] - R_EARTH_KM, "-", lw=1.5,
                 color="tab:blue")
    eph = plan.cands.ephemeris
    for k, stop in enumerate(plan.stops):
        el = eph.take([stop.node]).elements_at([stop.t_arrive_s])
        d = (stop.t_arrive_s - t0) / DAY_S
        for ax, y in ((ax1, np.degrees(el.raan_rad[0])), (ax2, el.a_km[0] - R_EARTH_KM)):
            ax.plot(d, y, "o", color="tab:red", ms=5)
            ax.annotate(str(k + 1), (d, y), textcoords="offset points", xytext=(3, 3),
                        fontsize=7)
    ax1.set_ylabel(f"RAAN [deg] ({plan.frame}, osculating)")
    ax2.set_ylabel("a − R_e [km] (mean over an orbit)")
    ax2.set_xlabel(f"days since {str(mjd2000_s_to_datetime64(t0))[:16]} UTC")
    ax1.set_title(route_title(plan))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


SCREEN_ENTRY_POINT = "screen_ephemeris"


SCREEN_DAYS = 7.0
"""Default screened span of a plan [days from its start]. Element sets predict positions to
about a kilometre for a few days and to tens of kilometres after weeks, so close approaches
screened months ahead with today's catalog would mostly not happen; like CelesTrak's SOCRATES
(7 days), the plan is screened over its first week, and re-screening with fresh element sets as
the job proceeds is the operator's routine (``sweepers screen --oem ship.oem --start ...``)."""


def screen_plan(plan: Plan, oem: oem_codec.Oem, elsets: Any = None,
                threshold_km: float = 5.0, *, start_id: int | None = None,
                margin_s: float = 7200.0, days: float | None = SCREEN_DAYS) -> dict[str, Any]:
    """Screen the planned trajectory (``oem``) against the catalog ``elsets`` [km, UTC].

    Every range minimum ≤ ``threshold_km`` between the ship and a catalog object over the first
    ``days`` of the OEM's span (:data:`SCREEN_DAYS`; None: all of it;
    :func:`sweepers.conjunctions.ephemeris.screen_ephemeris`: each OEM segment on its
    own, SGP4 for the catalog, Alfano maximum Pc) is listed, by TCA, as
    :meth:`Conjunction.to_dict` plus ``"rendezvous"`` and ``"target"``:

    * ``"rendezvous": "target"`` (and ``"target": true``) when the secondary is one of the
      plan's targets and the TCA lies between the departure of the leg that reaches it (its
      arrival, for a launch straight to it) and ``margin_s`` after the ship leaves it — the
      rendezvous itself, not a hazard;
    * ``"rendezvous": "start orbit"`` when the secondary is the object whose orbit the ship
      starts on (``start_id``; default ``plan.ship.orbit.from_norad_id``, else the catalog
      object whose mean elements and epoch are the start node's, as ``sweepers plan --from``
      builds it) while the ship rides that orbit (until ``margin_s`` after the first
      departure);
    * otherwise ``"rendezvous": null``, ``"target": false``: a hazard (counted in ``hazards``).

    The planner moves targets by secular J2 from their mean elements (``targets.py``), so
    against their SGP4 positions a "co-located" target sits up to ~10 km away: rendezvous
    approaches are recognised by object and time, not by a distance. Without ``elsets`` (or if
    the screener refuses the OEM) the result is ``{"status": "unavailable", "reason": ...}``.
    """
    from sweepers.conjunctions.ephemeris import screen_ephemeris
    from sweepers.errors import SweepersError

    if not elsets:
        return {"status": "unavailable", "reason": "no catalog given", "close_approaches": []}
    if days is not None and days <= 0:
        return {"status": "skipped", "reason": "screening span of 0 days requested",
                "close_approaches": []}
    if not oem.segments:
        return {"status": "unavailable", "reason": "empty trajectory", "close_approaches": []}
    try:
        found = screen_ephemeris(oem, list(elsets), days=days, threshold_km=threshold_km)
    except SweepersError as exc:
        return {"status": "unavailable", "reason": str(exc), "close_approaches": []}
    windows: list[tuple[str, str, float, float]] = []  # (kind, id, from, to) [s since MJD2000]
    reach = {leg.to_node: leg.t_depart_s for leg in plan.legs}
    for stop in plan.stops:
        windows.append(("target", stop.target_id, reach.get(stop.node, stop.t_arrive_s),
                        stop.t_depart_s + margin_s))
    if start_id is None:
        start_id = plan.ship.orbit.from_norad_id
    if start_id is None and not plan.cands.free_start:
        # ``sweepers plan --from ID``: node 0 is that object's ephemeris; find it back
        from sweepers.salvage.planner.targets import ephemeris_from_elsets

        node0 = plan.cands.ephemeris.take([0])
        same_epoch = [e for e in elsets
                      if abs(seconds_since_mjd2000(e.epoch) - float(node0.epoch_s[0])) < 1e-3]
        if same_epoch:
            eph = ephemeris_from_elsets(same_epoch)
            keys = ("a_km", "e", "i_rad", "raan_rad", "argp_rad", "m_rad")
            match = np.logical_and.reduce([
                np.isclose(np.broadcast_to(getattr(eph, k), (len(same_epoch),)),
                           float(np.ravel(getattr(node0, k))[0]), rtol=1e-12, atol=1e-12)
                for k in keys])
            if match.any():
                start_id = same_epoch[int(np.argmax(match))].norad_id
    if start_id is not None and not plan.cands.free_start:
        ride_end = plan.legs[0].t_depart_s if plan.legs else plan.cands.t_end_s
        windows.append(("start orbit", str(start_id), plan.cands.t_start_s, ride_end + margin_s))
    listed = []
    for event in found:
        t_s = ((event.tca_jd - JD_MJD2000) + event.tca_fr) * DAY_S
        kind = next((k for k, who, lo, hi in windows
                     if who == str(event.secondary_id) and lo <= t_s <= hi), None)
        listed.append({**event.to_dict(), "rendezvous": kind, "target": kind == "target"})
    return {"status": "screened", "threshold_km": threshold_km, "days": days,
            "pc_method": "alfano-max",
            "primary": oem.segments[0].object_id, "count": len(listed),
            "hazards": sum(1 for c in listed if c["rendezvous"] is None),
            "close_approaches": listed}


def write_outputs(plan: Plan, out_dir: str | Path, *, step_s: float = MAX_STEP_S,
                  elsets: Any = None, plot: bool = True,
                  screen_days: float | None = SCREEN_DAYS) -> dict[str, Any]:
    """Write ``plan.json``, ``ship.oem``, ``plan.czml`` and ``route.png`` into ``out_dir``;
    returns the plan dictionary (with the screening result over the first ``screen_days`` of
    the route — :func:`screen_plan` — and the file names)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = plan.as_dict()
    files: dict[str, str] = {}
    if plan.stops:
        arcs = ship_arcs(plan, step_s)
        oem = plan_oem(plan, step_s, arcs)
        if oem.segments:
            write_atomic(out / "ship.oem", oem_codec.dumps_kvn(oem))
            write_atomic(out / "plan.czml", plan_czml(plan, oem))
            files.update(oem="ship.oem", czml="plan.czml")
            if plot:
                plot_route(plan, arcs, out / "route.png")
                files["plot"] = "route.png"
            data["screening"] = screen_plan(plan, oem, elsets, days=screen_days)
    files["json"] = "plan.json"
    data["files"] = files
    write_atomic(out / "plan.json", json.dumps(data, indent=2, default=str))
    return data


def write_route(plan: Plan, out_dir: str | Path, *, json_name: str = "route.json",
                png_name: str = "route.png") -> dict[str, Any]:
    """The light report of a plan (what ``sweepers sweep`` writes): the plan dictionary as
    ``json_name`` and the RAAN/altitude plot as ``png_name`` (no OEM/CZML: ``sweepers plan
    --out`` writes those). Returns the plan dictionary with the file names."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = plan.as_dict()
    files: dict[str, str] = {"json": json_name}
    if plan.stops:
        plot_route(plan, ship_arcs(plan), out / png_name)
        files["plot"] = png_name
    data["files"] = files
    write_atomic(out / json_name, json.dumps(data, indent=2, default=str))
    return data


def route_lines(data: dict[str, Any], rows: int = 12) -> list[str]:
    """Plain-text summary of a plan dictionary (:meth:`Plan.as_dict`): a headline, then one
    line per target (arrival UTC, id, name, value, Δv of the leg reaching it), then the
    baseline."""
    totals, legs = data["totals"], {g["to"]: g for g in data["legs"]}
    settings = data.get("settings", {})
    if not data["targets"]:
        return [f"{data['ship']}: no target reachable within the budget"]
    worst_m = max((g["miss_m"] for g in data["legs"]), default=0.0)
    worst_m_s = max((g["miss_m_s"] for g in data["legs"]), default=0.0)
    how = (f"{len(data['legs'])} exact full-J2 legs (≤ {settings.get('max_impulses', 3)} "
           f"impulses), worst arrival miss {worst_m * 1e3:.2g} mm, {worst_m_s * 1e3:.2g} mm/s "
           "(bar 100 m, 1 m/s)"
           if settings.get("exact_legs", True) else "table estimate only: legs not solved")
    unit = totals.get("value_unit", "k$")
    lines = [f"{data['ship']}: {totals['targets']} targets, value "
             f"{format_value(totals['value'], unit)}, "
             f"Δv {totals['dv_km_s'] * 1e3:,.0f} m/s, propellant {totals['propellant_kg']:,.0f} "
             f"kg; {how}"]
    for k, t in enumerate(data["targets"][:rows], start=1):
        leg = legs.get(t["id"])
        dv = f"{leg['dv_km_s'] * 1e3:5.0f} m/s {leg['kind']}" if leg else "launch"
        lines.append(f"{k:>3}. {t['arrival'][:10]} {t['arrival'][11:16]}  {t['id']:>6}  "
                     f"{t['name'][:18]:<18} {t['value']:>7,.0f} {unit} {dv}")
    if len(data["targets"]) > rows:
        lines.append(f"  ... {len(data['targets']) - rows} more")
    base = data["baseline_greedy"]
    lines.append(f"greedy nearest-next on the same cost table: {base['targets']} targets, "
                 f"value {format_value(base['value'], unit)}")
    left = left_out_line(data)
    return [*lines, left] if left else lines


def left_out_line(data: dict[str, Any], show: int = 5) -> str | None:
    """One line saying how many candidates the selection left out and why (the first
    ``show`` of them), or None when it left none out."""
    left = data.get("left_out") or []
    if not left:
        return None
    shown = "; ".join(f"{x['id']} ({x['reason']})" for x in left[:show])
    more = f"; and {len(left) - show} more" if len(left) > show else ""
    return f"{len(left)} candidate(s) left out: {shown}{more}"


def route_markdown(data: dict[str, Any], title: str) -> str:
    """A Markdown section (``## title``) for a plan dictionary: the summary lines of
    :func:`route_lines` as a list and table, and the plot when one was written."""
    totals, legs = data["totals"], {g["to"]: g for g in data["legs"]}
    head, *_ = route_lines(data)
    out = [f"## {title}", "", head, ""]
    if data["targets"]:
        out += ["| # | arrival (UTC) | id | name | value k$ | leg Δv m/s | leg | miss mm |",
                "|---:|---|---:|---|---:|---:|---|---:|"]
        for k, t in enumerate(data["targets"], start=1):
            g = legs.get(t["id"])
            out.append(f"| {k} | {t['arrival'][:16]} | {t['id']} | {t['name']} | "
                       f"{t['value']:,.0f} | "
                       + (f"{g['dv_km_s'] * 1e3:.1f} | {g['kind']} | {g['miss_m'] * 1e3:.2g} |"
                          if g else "– | launch | – |"))
        base = data["baseline_greedy"]
        out += ["", f"Window {data['window']['start'][:16]} – {data['window']['end'][:16]} UTC; "
                    f"greedy nearest-next baseline {base['targets']} targets, value "
                    f"{base['value']:,.0f} k$; value per tonne of propellant "
                    f"{totals['value_per_tonne_propellant'] or 0:,.0f} k$."]
    left = left_out_line(data)
    if left:
        out += ["", left + "."]
    if "plot" in data.get("files", {}):
        out += ["", f"![route: RAAN and altitude against time]({data['files']['plot']})"]
    return "\n".join(out) + "\n"
