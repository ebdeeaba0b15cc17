"""Exact debris-to-debris legs of the campaign solver, valid under the full GTOC9 J2 dynamics.

A leg i → j departs debris i at t0 and arrives at debris j at t1 (days apart), with two impulses
(three when a deep-space manoeuvre closes it). Each plane change is made where the debris crosses
the mutual node of the two planes (so the position is on both planes and the rotation costs v·θ):

* ``"dep"`` mode — at t0 the ship rotates into the plane debris j will have at t1 (Ω adjusted for
  the ship's own J2 drift), then coasts;
* ``"arr"`` mode — the ship stays in debris i's plane and rotates into j's plane at t1;
* ``"mix"`` mode — the rotation is split (:func:`split_plane_change`): the ship leaves on an
  intermediate plane whose inclination offset changes its node drift, and rotates the rest of
  the way at t1.

The coast length is the phasing: the departure speed sets the ship's semi-major axis so that after
τ days of J2 drift it meets debris j (secant iterations on the propagated along-track angle;
``LegPlan.phase_wraps`` adds whole revolutions). The design is then polished by damped Newton
shooting on the departure velocity (:func:`shoot_damped`) so the J2-propagated position meets the
debris within 1 mm; when the long arc is too ill-conditioned for that (transfer angle near kπ, or
the coast arriving off in radius by Δa + a·Δe, which is the common case), the designed coast is
kept and a deep-space manoeuvre 0.4–0.85 revolution before arrival (the cheapest of
:data:`FINAL_ARC_PERIODS`) starts a short J2 arc (``transfer.shoot_j2``) to the debris. The
arrival impulse matches the debris velocity exactly. Units: m, m/s, s; epochs MJD2000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet, j2_node_rate_rad_s
from sweepers.gtoc9.dynamics import PropagationError, integrate_j2, pericentre_radius_m
from sweepers.gtoc9.solution import DSM_ID, Event
from sweepers.gtoc9.transfer import TransferError, lambert_two_body, shoot_j2

NODE_SEARCH_STEPS = 64
"""Samples per orbital period when looking for the mutual node crossing."""


def _unit(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return x / np.linalg.norm(x)


def _plane_normal(inc: float, raan: float) -> NDArray[np.float64]:
    """Unit orbit normal of the plane (i, Ω) [rad]."""
    return np.array(
        [math.sin(inc) * math.sin(raan), -math.sin(inc) * math.cos(raan), math.cos(inc)]
    )


def _normal(debris: DebrisSet, k: int, t: float) -> NDArray[np.float64]:
    """Unit orbit normal of debris ``k`` at epoch ``t`` [MJD2000]."""
    _, _, inc, raan, _, _ = debris.elements(k, t)
    return _plane_normal(float(inc), float(raan))


def _period_days(debris: DebrisSet, k: int) -> float:
    return float(2.0 * math.pi / debris.mean_motion_rad_s()[k] / rules.DAY_S)


def _node_crossing(
    debris: DebrisSet, k: int, normal: NDArray[np.float64], t_lo: float, t_hi: float
) -> float | None:
    """First epoch in [t_lo, t_hi] where debris ``k`` crosses the plane of unit ``normal``."""
    ts = np.linspace(t_lo, t_hi, NODE_SEARCH_STEPS + 1)
    r, _ = debris.states(np.full(ts.shape, k), ts)
    f = r @ normal
    idx = np.nonzero(np.sign(f[:-1]) != np.sign(f[1:]))[0]
    if idx.size == 0:
        return None
    a, b = float(ts[idx[0]]), float(ts[idx[0] + 1])
    fa = float(f[idx[0]])
    for _ in range(60):
        m = 0.5 * (a + b)
        fm = float(debris.states(k, m)[0] @ normal)
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
        else:
            b = m
        if (b - a) * rules.DAY_S < 1e-4:
            break
    return 0.5 * (a + b)


def _in_plane_velocity(
    r: NDArray[np.float64], v: NDArray[np.float64], normal: NDArray[np.float64], scale: float
) -> NDArray[np.float64]:
    """``v`` rotated about ``r`` into the plane of ``normal`` (radial part kept), the transverse
    part scaled by ``scale``."""
    r_hat = _unit(r)
    v_r = float(v @ r_hat)
    v_t = float(np.linalg.norm(v - v_r * r_hat))
    t_hat = _unit(np.cross(normal - (normal @ r_hat) * r_hat, r_hat))
    return v_r * r_hat + scale * v_t * t_hat


def _plane_rotation(n_from: NDArray[np.float64], dnode: float, dinc: float) -> NDArray[np.float64]:
    """Normal with Ω shifted by ``dnode`` and i by ``dinc`` [rad]."""
    inc = math.acos(max(-1.0, min(1.0, float(n_from[2]))))
    raan = math.atan2(float(n_from[0]), float(-n_from[1]))
    return _plane_normal(inc + dinc, raan + dnode)


def _node_and_inc(normal: NDArray[np.float64]) -> tuple[float, float]:
    return math.atan2(float(normal[0]), float(-normal[1])), math.acos(float(normal[2]))


def _wrap(x: float) -> float:
    return (x + math.pi) % (2.0 * math.pi) - math.pi


@dataclass(frozen=True)
class PlaneSplit:
    """How a leg's plane change is best shared between its two ends (:func:`split_plane_change`).

    ``arrival_offset_rad`` = (ΔΩ, Δi) [rad] of the ship's plane at arrival relative to debris j's
    (what ``LegPlan.arrival_offset_rad`` takes); the costs [m/s] are the rotation estimates v·θ of
    the split and of the two one-end modes."""

    arrival_offset_rad: tuple[float, float]
    dv_split_m_s: float
    dv_dep_m_s: float
    dv_arr_m_s: float


def split_plane_change(
    debris: DebrisSet, i: int, j: int, t0_mjd2000: float, t1_mjd2000: float
) -> PlaneSplit:
    """Best intermediate plane for a leg i → j departing t0 and arriving t1 [MJD2000].

    The ship rotates at t0 from debris i's plane into a plane (i_s, Ω_s), drifts in node at its
    own J2 rate Ω̇(ā, ē, i_s) for τ = t1 − t0, and rotates at t1 into debris j's plane. An
    inclination offset changes the drift rate (∂Ω̇/∂i = −Ω̇ tan i, large near the Sun-synchronous
    98°), so part of a node difference can be closed by the natural drift: the estimate
    v_i θ_0 + v_j θ_1 is minimised over (i_s, Ω_s) by Nelder–Mead from both one-end designs
    (all the rotation at departure, or all at arrival). Angles between orbit normals; ā, ē: the
    mean of the two debris's a and e."""
    from scipy.optimize import minimize

    a_s = 0.5 * float(debris.a_m[i] + debris.a_m[j])
    e_s = 0.5 * float(debris.e[i] + debris.e[j])
    tau_s = (t1_mjd2000 - t0_mjd2000) * rules.DAY_S
    v_i = math.sqrt(rules.MU_M3_S2 / float(debris.a_m[i]))
    v_j = math.sqrt(rules.MU_M3_S2 / float(debris.a_m[j]))
    n_i = _normal(debris, i, t0_mjd2000)
    n_j = _normal(debris, j, t1_mjd2000)
    node_j, inc_j = _node_and_inc(n_j)
    node_i, inc_i = _node_and_inc(n_i)

    def ends(x: NDArray[np.float64]) -> tuple[float, float, float]:
        inc_s, node_s0 = float(x[0]), float(x[1])
        node_s1 = node_s0 + float(j2_node_rate_rad_s(a_s, e_s, inc_s)) * tau_s
        c0 = math.acos(max(-1.0, min(1.0, float(n_i @ _plane_normal(inc_s, node_s0)))))
        c1 = math.acos(max(-1.0, min(1.0, float(n_j @ _plane_normal(inc_s, node_s1)))))
        return v_i * c0, v_j * c1, node_s1

    def cost(x: NDArray[np.float64]) -> float:
        c0, c1, _ = ends(x)
        return c0 + c1

    dep = np.array([inc_j, node_j - float(j2_node_rate_rad_s(a_s, e_s, inc_j)) * tau_s])
    arr = np.array([inc_i, node_i])
    dv_dep, dv_arr = cost(dep), cost(arr)
    best_x, best = (dep, dv_dep) if dv_dep <= dv_arr else (arr, dv_arr)
    for start in (dep, arr, 0.5 * (dep + arr)):
        res = minimize(
            cost,
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-4, "maxiter": 400},
        )
        if res.fun < best:
            best_x, best = np.asarray(res.x, dtype=float), float(res.fun)
    _, _, node_s1 = ends(best_x)
    node_c, inc_c = _node_and_inc(_plane_normal(float(best_x[0]), node_s1))  # i in [0, π]
    offset = (_wrap(node_c - node_j), inc_c - inc_j)
    return PlaneSplit(offset, best, dv_dep, dv_arr)


FINAL_ARC_PERIODS = tuple(round(0.4 + 0.025 * k, 3) for k in range(19))
"""Lengths tried for the closing arc after a deep-space manoeuvre, 0.4–0.85 orbital periods of
the target (the cheapest wins: on eight legs of the 2026-11-24 campaign, arcs of 0.6–0.75
period saved 17–35 % of the leg's Δv over the former fixed 0.4, and this 0.025 grid 0–1.6 %
more than a 0.1 grid)."""


def shoot_damped(
    r1_m: NDArray[np.float64],
    v1_guess_m_s: NDArray[np.float64],
    r2_target_m: NDArray[np.float64],
    tof_s: float,
    *,
    tol_m: float = 1e-3,
    max_iter: int = 12,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Like ``transfer.shoot_j2`` but with damped (Levenberg–Marquardt) steps and backtracking,
    which survives the near-singular Jacobian of multi-revolution arcs whose transfer angle is
    close to kπ. Returns (v1 [m/s], state at arrival [m, m/s]); raises :class:`TransferError`."""
    v1 = np.asarray(v1_guess_m_s, dtype=float).copy()
    state = np.concatenate([r1_m, v1])
    arrival = integrate_j2(state, tof_s)
    miss = arrival[:3] - r2_target_m
    step = 1e-3
    for _ in range(max_iter):
        norm = float(np.linalg.norm(miss))
        if norm < tol_m:
            return v1, arrival
        jac = np.empty((3, 3))
        for k in range(3):
            dv = np.zeros(3)
            dv[k] = step
            moved = integrate_j2(np.concatenate([r1_m, v1 + dv]), tof_s)
            jac[:, k] = (moved[:3] - arrival[:3]) / step
        u, sv, vt = np.linalg.svd(jac)
        damping = 1e-7 * sv[0]
        delta = -vt.T @ ((sv / (sv**2 + damping**2)) * (u.T @ miss))
        for _ in range(12):
            trial_v = v1 + delta
            trial = integrate_j2(np.concatenate([r1_m, trial_v]), tof_s)
            trial_miss = trial[:3] - r2_target_m
            if np.linalg.norm(trial_miss) < norm:
                v1, arrival, miss = trial_v, trial, trial_miss
                break
            delta *= 0.5
        else:
            break
    raise TransferError(f"damped J2 shooting stalled (miss {np.linalg.norm(miss):.3g} m)")


@dataclass(frozen=True)
class Dsm:
    """A deep-space manoeuvre: epoch [MJD2000], ship state before it [m, m/s], impulse [m/s]."""

    epoch_mjd2000: float
    state_before: NDArray[np.float64]
    dv_m_s: NDArray[np.float64]


@dataclass(frozen=True)
class SolvedLeg:
    """A leg valid under J2: departure impulse, optional DSMs, arrival impulse (m, m/s, MJD2000)."""

    from_id: int
    to_id: int
    departure_mjd2000: float
    arrival_mjd2000: float
    departure_state: NDArray[np.float64]
    """Debris i state at departure (ship state before the first impulse)."""
    dv_departure_m_s: NDArray[np.float64]
    dsms: tuple[Dsm, ...]
    arrival_state: NDArray[np.float64]
    """Ship state at arrival, before the last impulse."""
    dv_arrival_m_s: NDArray[np.float64]

    def impulses(self) -> list[NDArray[np.float64]]:
        """Every impulse of the leg in time order [m/s]."""
        return [self.dv_departure_m_s, *(d.dv_m_s for d in self.dsms), self.dv_arrival_m_s]

    @property
    def dv_total_m_s(self) -> float:
        """Sum of the impulse magnitudes [m/s]."""
        return float(sum(np.linalg.norm(dv) for dv in self.impulses()))


@dataclass(frozen=True)
class LegPlan:
    """Nominal leg from the chain search: debris ids, epochs [MJD2000] and plane-change end."""

    from_id: int
    to_id: int
    departure_mjd2000: float
    arrival_mjd2000: float
    mode: str
    """``"dep"`` (plane change at departure), ``"arr"`` (at arrival) or ``"mix"`` (split between
    both ends, :func:`split_plane_change`)."""
    arrival_offset_rad: tuple[float, float] = (0.0, 0.0)
    """``"mix"`` only: (ΔΩ, Δi) [rad] of the ship's plane at arrival relative to debris j's plane,
    left for the arrival impulse; (0, 0) is ``"dep"``."""
    phase_wraps: int = 0
    """Revolutions of along-track phasing added to the natural choice (the one whose coast
    semi-major axis lies closest to the two debris's): ±1 gives a coast slightly higher or lower,
    which changes the radius mismatch the closing manoeuvre pays for."""


def exact_leg(debris: DebrisSet, plan: LegPlan, *, iterations: int = 10) -> SolvedLeg:
    """Solve one leg under full J2 (see the module docstring).

    The departure may move forward by up to one orbital period of debris i (``"dep"``, ``"mix"``)
    and the arrival back by up to one period of debris j (``"arr"``, ``"mix"``), to sit on the
    mutual node.
    Raises :class:`TransferError` when no converged rendezvous is found.
    """
    i, j = plan.from_id, plan.to_id
    t0, t1 = plan.departure_mjd2000, plan.arrival_mjd2000
    n_i = _normal(debris, i, t0)
    scale = 1.0
    node_shift, inc_shift = 0.0, 0.0
    wrap_k: int | None = None
    a_lo, a_hi = sorted((float(debris.a_m[i]), float(debris.a_m[j])))
    rotate_at_departure = plan.mode in ("dep", "mix")
    rotate_at_arrival = plan.mode in ("arr", "mix")
    off_node, off_inc = plan.arrival_offset_rad if plan.mode == "mix" else (0.0, 0.0)
    for _ in range(iterations):
        if rotate_at_departure:
            n_target = _normal(debris, j, t0)
            n_ship = _plane_rotation(n_target, node_shift, inc_shift)
            if abs(float(n_ship @ n_i)) < 1.0 - 1e-12:
                tc = _node_crossing(
                    debris,
                    i,
                    n_ship,
                    plan.departure_mjd2000,
                    plan.departure_mjd2000 + 1.02 * _period_days(debris, i),
                )
                t0 = tc if tc is not None else t0
        else:
            n_ship = n_i
        r0, v0 = debris.states(i, t0)
        v_seed = _in_plane_velocity(r0, v0, n_ship, scale)
        tof_s = (t1 - t0) * rules.DAY_S
        end = integrate_j2(np.concatenate([r0, v_seed]), tof_s)
        ship_normal = _unit(np.cross(end[:3], end[3:]))
        if rotate_at_arrival:
            tc = _node_crossing(
                debris,
                j,
                ship_normal,
                plan.arrival_mjd2000 - 1.02 * _period_days(debris, j),
                plan.arrival_mjd2000,
            )
            if tc is not None and abs(tc - t1) > 1e-9:
                t1 = tc
                tof_s = (t1 - t0) * rules.DAY_S
                end = integrate_j2(np.concatenate([r0, v_seed]), tof_s)
                ship_normal = _unit(np.cross(end[:3], end[3:]))
        rj, _ = debris.states(j, t1)
        du = math.atan2(float(np.cross(end[:3], rj) @ ship_normal), float(end[:3] @ rj))
        if rotate_at_departure:
            # steer the departure plane so the drifted plane meets j's plane (offset by the
            # part of the rotation left for arrival) at t1
            node_s, inc_s = _node_and_inc(ship_normal)
            node_j, inc_j = _node_and_inc(_normal(debris, j, t1))
            node_shift += _wrap(node_j + off_node - node_s)
            inc_shift += inc_j + off_inc - inc_s
        a_s = 1.0 / (2.0 / np.linalg.norm(r0) - float(v_seed @ v_seed) / rules.MU_M3_S2)
        n_s = math.sqrt(rules.MU_M3_S2 / a_s**3)
        if wrap_k is None:
            best = None
            for k in range(-4, 5):
                da = -(2.0 / 3.0) * a_s * ((du + 2.0 * math.pi * k) / tof_s) / n_s
                cand = a_s + da
                miss = max(a_lo - cand, cand - a_hi, 0.0)
                key = (miss, abs(da))
                if best is None or key < best[0]:
                    best = (key, k)
            wrap_k = (best[1] if best else 0) + plan.phase_wraps
            du += 2.0 * math.pi * wrap_k
        da = -(2.0 / 3.0) * a_s * (du / tof_s) / n_s
        v_mag = float(np.linalg.norm(v_seed))
        dv_mag = rules.MU_M3_S2 / (2.0 * v_mag * a_s**2) * da
        scale *= (v_mag + dv_mag) / v_mag
        if abs(du) < 1e-5:
            break
    r0, v0 = debris.states(i, t0)
    v_seed = _in_plane_velocity(r0, v0, n_ship, scale)
    tof_s = (t1 - t0) * rules.DAY_S
    rj, vj = debris.states(j, t1)
    dsms: list[Dsm] = []
    try:
        v1, arrival = shoot_damped(r0, v_seed, rj, tof_s)
    except TransferError:
        # long arcs can be ill-conditioned (transfer angle near kπ), and the designed coast only
        # phases along-track (the radius at arrival can be off by Δa + a·Δe): keep the designed
        # coast and close the last part of a revolution with a short J2 arc started by a
        # deep-space manoeuvre, at the cheapest of a few arc lengths
        v1 = v_seed
        best: tuple[float, Dsm, NDArray[np.float64]] | None = None
        coast, coast_s = np.concatenate([r0, v1]), 0.0
        for periods in sorted(FINAL_ARC_PERIODS, reverse=True):  # earliest DSM first
            final_s = periods * _period_days(debris, j) * rules.DAY_S
            coast = integrate_j2(coast, tof_s - final_s - coast_s)  # on along the one coast
            coast_s = tof_s - final_s
            try:
                v_lam, _ = lambert_two_body(coast[:3], rj, final_s, np.cross(coast[:3], coast[3:]))
                v_m, end = shoot_j2(coast[:3], v_lam, rj, final_s, tol_m=1e-3, max_iter=30)
            except (TransferError, PropagationError, ValueError, np.linalg.LinAlgError):
                continue
            states = ((coast[:3], coast[3:]), (coast[:3], v_m), (end[:3], end[3:]))
            if any(_pericentre_low(r, v) for r, v in states):
                continue
            dv = float(np.linalg.norm(v_m - coast[3:]) + np.linalg.norm(vj - end[3:]))
            if best is None or dv < best[0]:
                best = (dv, Dsm(t1 - final_s / rules.DAY_S, coast, v_m - coast[3:]), end)
        if best is None:
            raise TransferError("no deep-space manoeuvre closes the leg") from None
        dsms.append(best[1])
        arrival = best[2]
    if _pericentre_low(r0, v1) or _pericentre_low(arrival[:3], arrival[3:]):
        raise TransferError("leg pericentre below 6601 km")
    return SolvedLeg(
        i, j, t0, t1, np.concatenate([r0, v0]), v1 - v0, tuple(dsms), arrival, vj - arrival[3:]
    )


def _pericentre_low(r: NDArray[np.float64], v: NDArray[np.float64]) -> bool:
    """Osculating pericentre below the rule's 6600 km plus a 1 km margin."""
    return bool(pericentre_radius_m(r, v) < rules.R_PERICENTRE_MIN_M + 1000.0)


def burn_kg(mass_kg: float, dv_m_s: NDArray[np.float64]) -> float:
    """Mass after an impulse ``dv_m_s`` [m/s] (rocket equation, Isp 340 s) [kg]."""
    return mass_kg * math.exp(-float(np.linalg.norm(dv_m_s)) / rules.VE_M_S)


def launch_mass_kg(legs: list[SolvedLeg]) -> float:
    """m0 [kg] that ends the mission exactly at m_dry after the last package (backwards)."""
    mass = rules.M_DRY_KG + rules.M_DEORBIT_KG
    for leg in reversed(legs):
        for dv in reversed(leg.impulses()):
            mass *= math.exp(float(np.linalg.norm(dv)) / rules.VE_M_S)
        mass += rules.M_DEORBIT_KG
    return mass


def mission_events(legs: list[SolvedLeg]) -> list[Event]:
    """Events of a mission (``solution`` layout): departure from the first debris, then per leg
    its DSMs, an arrival and, except at the last debris, a departure; masses forward from
    :func:`launch_mass_kg` so the ship ends at exactly m_dry."""
    events: list[Event] = []
    mass = launch_mass_kg(legs) - rules.M_DEORBIT_KG
    for leg in legs:
        dep = leg.departure_state
        events.append(
            Event.from_arrays(
                leg.departure_mjd2000, dep[:3], dep[3:], mass, leg.dv_departure_m_s, leg.from_id
            )
        )
        mass = burn_kg(mass, leg.dv_departure_m_s)
        for dsm in leg.dsms:
            s = dsm.state_before
            events.append(
                Event.from_arrays(dsm.epoch_mjd2000, s[:3], s[3:], mass, dsm.dv_m_s, DSM_ID)
            )
            mass = burn_kg(mass, dsm.dv_m_s)
        arr = leg.arrival_state
        events.append(
            Event.from_arrays(
                leg.arrival_mjd2000, arr[:3], arr[3:], mass, leg.dv_arrival_m_s, leg.to_id
            )
        )
        mass = burn_kg(mass, leg.dv_arrival_m_s) - rules.M_DEORBIT_KG
    return events
