"""Exact target-to-target legs of a campaign, valid under full J2 (the engine's one implementation).

A leg i → j departs target i at t0 and arrives at target j at t1 (days apart), with two impulses
(three when a deep-space manoeuvre closes it). Each plane change is made where the target
crosses the mutual node of the two planes (so the position is on both planes and the rotation
costs v·θ):

* ``"dep"`` mode — at t0 the ship rotates into the plane target j will have at t1 (Ω adjusted for
  the ship's own J2 drift), then coasts;
* ``"arr"`` mode — the ship stays in target i's plane and rotates into j's plane at t1;
* ``"mix"`` mode — the rotation is split (:func:`split_plane_change`): the ship leaves on an
  intermediate plane whose inclination offset changes its node drift, and rotates the rest of
  the way at t1.

The coast length is the phasing: the departure speed sets the ship's semi-major axis so that after
τ of J2 drift it meets target j (secant iterations on the propagated along-track angle;
``LegPlan.phase_wraps`` adds whole revolutions). The design is then polished by damped Newton
shooting on the departure velocity (``orbits.j2.shoot``) so the J2-propagated position meets the
target within 1 mm; when the long arc is too ill-conditioned for that (transfer angle near kπ, or
the coast arriving off in radius by Δa + a·Δe, which is the common case), the designed coast is
kept and a deep-space manoeuvre 0.4–0.85 revolution before arrival (the cheapest of
:data:`FINAL_ARC_PERIODS`) starts a short J2 arc (zero-revolution Lambert seed, Newton shooting)
to the target. The arrival impulse matches the target's velocity exactly.

A problem gives the legs its targets through two small protocols: :class:`LegTarget` (one
target: state, plane normal, period, reference a and e) and :class:`LegProblem` (the targets by
index, the J2 field as an ``orbits.j2.J2Propagator`` whose μ, r_eq and J2 are the problem's,
the lowest pericentre allowed, and the epoch of a grid day). GTOC9 implements them in
``sweepers.gtoc9.problem``.

Units: km, km/s, s, rad; epochs in seconds on the problem's own time scale (GTOC9: seconds since
MJD2000 0); inertial frame with z along the Earth's axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sweepers.orbits.kepler import j2_node_rate, pericentre_radius
from sweepers.orbits.lambert import lambert

if TYPE_CHECKING:  # orbits.j2 loads heyoka (LLVM): imported where a leg is solved
    from sweepers.orbits.j2 import J2Propagator
    from sweepers.salvage.transfers.base import TargetEphemeris

Array = NDArray[np.float64]

NODE_SEARCH_STEPS = 64
"""Samples per searched span (one orbital period) when looking for the mutual node crossing."""
NODE_TOL_S = 1e-4
"""The node crossing's bisection stops when its bracket is shorter than this [s]."""
SHOOT_TOL_KM = 1e-6
"""Miss of the shooting at arrival [km] (1 mm)."""
FINAL_ARC_PERIODS = tuple(round(0.4 + 0.025 * k, 3) for k in range(19))
"""Lengths tried for the closing arc after a deep-space manoeuvre, 0.4–0.85 orbital periods of
the target (the cheapest wins: on eight legs of the 2026-11-24 GTOC9 campaign, arcs of 0.6–0.75
period saved 17–35 % of the leg's Δv over the former fixed 0.4, and this 0.025 grid 0–1.6 %
more than a 0.1 grid)."""


class ExactLegError(RuntimeError):
    """A leg's Lambert or shooting solve did not converge, or its pericentre is too low."""


class LegTarget(Protocol):
    """One target as the exact legs see it (km, km/s, s, rad)."""

    a_km: float
    """Reference semi-major axis [km] (the coast's phasing aims between the two targets')."""
    e: float
    """Reference eccentricity [-]."""
    period_s: float
    """Orbital period 2π/n [s]."""

    def state(self, t_s: ArrayLike) -> tuple[Array, Array]:
        """Position [km] and velocity [km/s] at the epochs ``t_s`` [s], each of shape
        ``shape(t_s) + (3,)``."""
        ...

    def normal(self, t_s: float) -> Array:
        """Unit normal of the target's orbit plane at ``t_s`` [s], ``(3,)`` (its node drifts)."""
        ...


class LegProblem(Protocol):
    """What the exact legs and their variants need of a problem."""

    propagator: J2Propagator
    """The problem's J2 field (μ [km³/s²], r_eq [km], J2) and integrator."""
    min_pericentre_km: float
    """No state of a leg may have an osculating pericentre below this [km]."""

    def target(self, k: int) -> LegTarget:
        """Target ``k``."""
        ...

    def grid_epoch_s(self, day: float) -> float:
        """Epoch [s] of the search's grid day ``day``."""
        ...


def unit(x: Array) -> Array:
    """``x / |x|``."""
    return x / np.linalg.norm(x)


def plane_normal(inc: float, raan: float) -> Array:
    """Unit orbit normal of the plane (i, Ω) [rad]: (sin i sin Ω, −sin i cos Ω, cos i)."""
    return np.array(
        [math.sin(inc) * math.sin(raan), -math.sin(inc) * math.cos(raan), math.cos(inc)]
    )


def node_and_inc(normal: ArrayLike) -> tuple[float, float]:
    """(Ω, i) [rad] of the plane with unit ``normal`` (inverse of :func:`plane_normal`)."""
    n = np.asarray(normal, float)
    return math.atan2(float(n[0]), float(-n[1])), math.acos(float(n[2]))


def plane_rotation(n_from: Array, dnode: float, dinc: float) -> Array:
    """Normal of the plane ``n_from`` with Ω shifted by ``dnode`` and i by ``dinc`` [rad]."""
    inc = math.acos(max(-1.0, min(1.0, float(n_from[2]))))
    raan = math.atan2(float(n_from[0]), float(-n_from[1]))
    return plane_normal(inc + dinc, raan + dnode)


def wrap_angle(x: float) -> float:
    """``x`` [rad] wrapped to [−π, π)."""
    return (x + math.pi) % (2.0 * math.pi) - math.pi


def in_plane_velocity(r: Array, v: Array, normal: Array, scale: float) -> Array:
    """``v`` rotated about ``r`` into the plane of unit ``normal`` (radial part kept), the
    transverse part scaled by ``scale`` (any one unit of speed)."""
    r_hat = unit(r)
    v_r = float(v @ r_hat)
    v_t = float(np.linalg.norm(v - v_r * r_hat))
    t_hat = unit(np.cross(normal - (normal @ r_hat) * r_hat, r_hat))
    return v_r * r_hat + scale * v_t * t_hat


def node_crossing(
    target: TargetEphemeris, normal: Array, t_lo_s: float, t_hi_s: float,
    steps: int = NODE_SEARCH_STEPS, tol_s: float = NODE_TOL_S,
) -> float | None:
    """First epoch [s] in [``t_lo_s``, ``t_hi_s``] where ``target`` (any ephemeris with
    ``state(t_s)``) crosses the plane of unit ``normal`` through the Earth's centre (``steps``
    samples, then bisection to ``tol_s``), or None. With ``normal`` = z it is the first node
    (equator) crossing."""
    ts = np.linspace(t_lo_s, t_hi_s, steps + 1)
    r, _ = target.state(ts)
    f = r @ normal
    idx = np.nonzero(np.sign(f[:-1]) != np.sign(f[1:]))[0]
    if idx.size == 0:
        return None
    a, b = float(ts[idx[0]]), float(ts[idx[0] + 1])
    fa = float(f[idx[0]])
    for _ in range(60):
        m = 0.5 * (a + b)
        fm = (target.state(m)[0] @ normal).item()
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
        else:
            b = m
        if b - a < tol_s:
            break
    return 0.5 * (a + b)


def node_rate(prop: J2Propagator, a_km: float, e: float, inc: float) -> float:
    """Secular J2 node rate Ω̇ [rad/s] of an orbit (a [km], e, i [rad]) in ``prop``'s field."""
    return float(j2_node_rate(a_km, e, inc, mu=prop.mu, r_eq_km=prop.r_eq_km, j2=prop.j2))


@dataclass(frozen=True)
class PlaneSplit:
    """How a leg's plane change is best shared between its two ends (:func:`split_plane_change`).

    ``arrival_offset_rad`` = (ΔΩ, Δi) [rad] of the ship's plane at arrival relative to target j's
    (what ``LegPlan.arrival_offset_rad`` takes); the costs [km/s] are the rotation estimates v·θ
    of the split and of the two one-end modes."""

    arrival_offset_rad: tuple[float, float]
    dv_split_km_s: float
    dv_dep_km_s: float
    dv_arr_km_s: float


def split_plane_change(
    problem: LegProblem, i: int, j: int, t0_s: float, t1_s: float
) -> PlaneSplit:
    """Best intermediate plane for a leg i → j departing ``t0_s`` and arriving ``t1_s`` [s].

    The ship rotates at t0 from target i's plane into a plane (i_s, Ω_s), drifts in node at its
    own J2 rate Ω̇(ā, ē, i_s) for τ = t1 − t0, and rotates at t1 into target j's plane. An
    inclination offset changes the drift rate (∂Ω̇/∂i = −Ω̇ tan i, large near the Sun-synchronous
    98°), so part of a node difference can be closed by the natural drift: the estimate
    v_i θ_0 + v_j θ_1 is minimised over (i_s, Ω_s) by Nelder–Mead from both one-end designs
    (all the rotation at departure, or all at arrival). Angles between orbit normals; ā, ē: the
    mean of the two targets' a and e; v: circular speeds √(μ/a)."""
    from scipy.optimize import minimize

    prop = problem.propagator
    ti, tj = problem.target(i), problem.target(j)
    a_s = 0.5 * (ti.a_km + tj.a_km)
    e_s = 0.5 * (ti.e + tj.e)
    tau_s = t1_s - t0_s
    v_i = math.sqrt(prop.mu / ti.a_km)
    v_j = math.sqrt(prop.mu / tj.a_km)
    n_i = ti.normal(t0_s)
    n_j = tj.normal(t1_s)
    node_j, inc_j = node_and_inc(n_j)
    node_i, inc_i = node_and_inc(n_i)

    def ends(x: Array) -> tuple[float, float, float]:
        inc_s, node_s0 = float(x[0]), float(x[1])
        node_s1 = node_s0 + node_rate(prop, a_s, e_s, inc_s) * tau_s
        c0 = math.acos(max(-1.0, min(1.0, float(n_i @ plane_normal(inc_s, node_s0)))))
        c1 = math.acos(max(-1.0, min(1.0, float(n_j @ plane_normal(inc_s, node_s1)))))
        return v_i * c0, v_j * c1, node_s1

    def cost(x: Array) -> float:
        c0, c1, _ = ends(x)
        return c0 + c1

    dep = np.array([inc_j, node_j - node_rate(prop, a_s, e_s, inc_j) * tau_s])
    arr = np.array([inc_i, node_i])
    dv_dep, dv_arr = cost(dep), cost(arr)
    best_x, best = (dep, dv_dep) if dv_dep <= dv_arr else (arr, dv_arr)
    for start in (dep, arr, 0.5 * (dep + arr)):
        res = minimize(
            cost,
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-7, "maxiter": 400},  # fatol: 0.1 mm/s
        )
        if res.fun < best:
            best_x, best = np.asarray(res.x, dtype=float), float(res.fun)
    _, _, node_s1 = ends(best_x)
    node_c, inc_c = node_and_inc(plane_normal(float(best_x[0]), node_s1))  # i in [0, π]
    offset = (wrap_angle(node_c - node_j), inc_c - inc_j)
    return PlaneSplit(offset, best, dv_dep, dv_arr)


@dataclass(frozen=True)
class Dsm:
    """A deep-space manoeuvre: epoch [s], ship state before it [km, km/s], impulse [km/s]."""

    epoch_s: float
    state_before: Array
    dv_km_s: Array


@dataclass(frozen=True)
class SolvedLeg:
    """A leg valid under J2: departure impulse, optional DSMs, arrival impulse (km, km/s, s)."""

    from_id: int
    to_id: int
    departure_s: float
    arrival_s: float
    departure_state: Array
    """Target i's state at departure (ship state before the first impulse)."""
    dv_departure_km_s: Array
    dsms: tuple[Dsm, ...]
    arrival_state: Array
    """Ship state at arrival, before the last impulse."""
    dv_arrival_km_s: Array

    def impulses(self) -> list[Array]:
        """Every impulse of the leg in time order [km/s]."""
        return [self.dv_departure_km_s, *(d.dv_km_s for d in self.dsms), self.dv_arrival_km_s]

    @property
    def dv_total_km_s(self) -> float:
        """Sum of the impulse magnitudes [km/s]."""
        return float(sum(np.linalg.norm(dv) for dv in self.impulses()))


@dataclass(frozen=True)
class LegPlan:
    """Nominal leg from the chain search: target indices, epochs [s] and plane-change end."""

    from_id: int
    to_id: int
    departure_s: float
    arrival_s: float
    mode: str
    """``"dep"`` (plane change at departure), ``"arr"`` (at arrival) or ``"mix"`` (split between
    both ends, :func:`split_plane_change`)."""
    arrival_offset_rad: tuple[float, float] = (0.0, 0.0)
    """``"mix"`` only: (ΔΩ, Δi) [rad] of the ship's plane at arrival relative to target j's plane,
    left for the arrival impulse; (0, 0) is ``"dep"``."""
    phase_wraps: int = 0
    """Revolutions of along-track phasing added to the natural choice (the one whose coast
    semi-major axis lies closest to the two targets'): ±1 gives a coast slightly higher or lower,
    which changes the radius mismatch the closing manoeuvre pays for."""


def _shoot(prop: J2Propagator, r1: Array, v1: Array, r2: Array, tof_s: float, *,
           max_iter: int, damped: bool) -> tuple[Array, Array]:
    """``orbits.j2.shoot`` to 1 mm: (departure velocity [km/s], state at arrival [km, km/s]);
    raises :class:`ExactLegError`."""
    from sweepers.orbits.j2 import ShootingError, shoot

    try:
        v, r_end, v_end = shoot(prop, r1, v1, r2, tof_s, tol_km=SHOOT_TOL_KM, max_iter=max_iter,
                                damped=damped)
    except (ShootingError, np.linalg.LinAlgError) as exc:
        raise ExactLegError(str(exc)) from None
    return v, np.concatenate([r_end, v_end])


def _lambert(prop: J2Propagator, r1: Array, r2: Array, tof_s: float, h_ref: Array) -> Array:
    """Departure velocity [km/s] of the zero-revolution Keplerian Lambert arc turning in the
    sense of ``h_ref``; raises :class:`ExactLegError` when it has none."""
    sol = lambert(r1, r2, tof_s, prop.mu, h_ref=h_ref)
    if not sol.valid[0, 0]:
        raise ExactLegError("Lambert: no zero-revolution solution")
    return sol.v1_km_s[0, 0]


def _propagate(prop: J2Propagator, state: Array, tof_s: float) -> Array:
    r, v = prop.propagate_state(state[:3], state[3:], tof_s)
    return np.concatenate([r, v])


def exact_leg(problem: LegProblem, plan: LegPlan, *, iterations: int = 10) -> SolvedLeg:
    """Solve one leg under full J2 (see the module docstring).

    The departure may move forward by up to one orbital period of target i (``"dep"``, ``"mix"``)
    and the arrival back by up to one period of target j (``"arr"``, ``"mix"``), to sit on the
    mutual node. Raises :class:`ExactLegError` when no converged rendezvous is found, and
    ``orbits.j2.PropagationError`` when an arc cannot be integrated.
    """
    prop, mu = problem.propagator, problem.propagator.mu
    ti, tj = problem.target(plan.from_id), problem.target(plan.to_id)
    t0, t1 = plan.departure_s, plan.arrival_s
    n_i = ti.normal(t0)
    scale = 1.0
    node_shift, inc_shift = 0.0, 0.0
    wrap_k: int | None = None
    a_lo, a_hi = sorted((ti.a_km, tj.a_km))
    rotate_at_departure = plan.mode in ("dep", "mix")
    rotate_at_arrival = plan.mode in ("arr", "mix")
    off_node, off_inc = plan.arrival_offset_rad if plan.mode == "mix" else (0.0, 0.0)
    for _ in range(iterations):
        if rotate_at_departure:
            n_ship = plane_rotation(tj.normal(t0), node_shift, inc_shift)
            if abs(float(n_ship @ n_i)) < 1.0 - 1e-12:
                tc = node_crossing(
                    ti, n_ship, plan.departure_s, plan.departure_s + 1.02 * ti.period_s
                )
                t0 = tc if tc is not None else t0
        else:
            n_ship = n_i
        r0, v0 = ti.state(t0)
        v_seed = in_plane_velocity(r0, v0, n_ship, scale)
        tof_s = t1 - t0
        end = _propagate(prop, np.concatenate([r0, v_seed]), tof_s)
        ship_normal = unit(np.cross(end[:3], end[3:]))
        if rotate_at_arrival:
            tc = node_crossing(
                tj, ship_normal, plan.arrival_s - 1.02 * tj.period_s, plan.arrival_s
            )
            if tc is not None and abs(tc - t1) > 8.64e-5:  # 1e-9 day
                t1 = tc
                tof_s = t1 - t0
                end = _propagate(prop, np.concatenate([r0, v_seed]), tof_s)
                ship_normal = unit(np.cross(end[:3], end[3:]))
        rj, _ = tj.state(t1)
        du = math.atan2(float(np.cross(end[:3], rj) @ ship_normal), float(end[:3] @ rj))
        if rotate_at_departure:
            # steer the departure plane so the drifted plane meets j's plane (offset by the
            # part of the rotation left for arrival) at t1
            node_s, inc_s = node_and_inc(ship_normal)
            node_j, inc_j = node_and_inc(tj.normal(t1))
            node_shift += wrap_angle(node_j + off_node - node_s)
            inc_shift += inc_j + off_inc - inc_s
        a_s = 1.0 / (2.0 / np.linalg.norm(r0) - float(v_seed @ v_seed) / mu)
        n_s = math.sqrt(mu / a_s**3)
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
        dv_mag = mu / (2.0 * v_mag * a_s**2) * da
        scale *= (v_mag + dv_mag) / v_mag
        if abs(du) < 1e-5:
            break
    r0, v0 = ti.state(t0)
    v_seed = in_plane_velocity(r0, v0, n_ship, scale)
    tof_s = t1 - t0
    rj, vj = tj.state(t1)
    dsms: list[Dsm] = []
    try:
        v1, arrival = _shoot(prop, r0, v_seed, rj, tof_s, max_iter=12, damped=True)
    except ExactLegError:
        # long arcs can be ill-conditioned (transfer angle near kπ), and the designed coast only
        # phases along-track (the radius at arrival can be off by Δa + a·Δe): keep the designed
        # coast and close the last part of a revolution with a short J2 arc started by a
        # deep-space manoeuvre, at the cheapest of a few arc lengths
        v1 = v_seed
        arrival = _closing_arc(problem, tj, np.concatenate([r0, v1]), t1, tof_s, dsms)
    if _pericentre_low(problem, r0, v1) or _pericentre_low(problem, arrival[:3], arrival[3:]):
        raise ExactLegError(f"leg pericentre below {problem.min_pericentre_km} km")
    return SolvedLeg(
        plan.from_id, plan.to_id, t0, t1, np.concatenate([r0, v0]), v1 - v0, tuple(dsms),
        arrival, vj - arrival[3:],
    )


def _closing_arc(problem: LegProblem, tj: LegTarget, coast: Array, t1: float, tof_s: float,
                 dsms: list[Dsm]) -> Array:
    """The cheapest deep-space manoeuvre on the coast (state ``coast`` at departure, arrival
    ``tof_s`` later at ``t1``) whose short arc meets target j; appends it to ``dsms`` and returns
    the ship's state at arrival. Raises :class:`ExactLegError` when none closes the leg."""
    from sweepers.orbits.j2 import PropagationError

    prop = problem.propagator
    rj, vj = tj.state(t1)
    best: tuple[float, Dsm, Array] | None = None
    coast_s = 0.0
    for periods in sorted(FINAL_ARC_PERIODS, reverse=True):  # earliest DSM first
        final_s = periods * tj.period_s
        coast = _propagate(prop, coast, tof_s - final_s - coast_s)  # on along the one coast
        coast_s = tof_s - final_s
        try:
            v_lam = _lambert(prop, coast[:3], rj, final_s, np.cross(coast[:3], coast[3:]))
            v_m, end = _shoot(prop, coast[:3], v_lam, rj, final_s, max_iter=30, damped=False)
        except (ExactLegError, PropagationError, ValueError, np.linalg.LinAlgError):
            continue
        states = ((coast[:3], coast[3:]), (coast[:3], v_m), (end[:3], end[3:]))
        if any(_pericentre_low(problem, r, v) for r, v in states):
            continue
        dv = float(np.linalg.norm(v_m - coast[3:]) + np.linalg.norm(vj - end[3:]))
        if best is None or dv < best[0]:
            best = (dv, Dsm(t1 - final_s, coast, v_m - coast[3:]), end)
    if best is None:
        raise ExactLegError("no deep-space manoeuvre closes the leg")
    dsms.append(best[1])
    return best[2]


def _pericentre_low(problem: LegProblem, r: Array, v: Array) -> bool:
    """Osculating pericentre below the problem's floor."""
    return bool(pericentre_radius(r, v, problem.propagator.mu) < problem.min_pericentre_km)
