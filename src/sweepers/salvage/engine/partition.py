"""Set partitioning over a pool of columns (chains of targets): a MILP solved by HiGHS.

A column c is one candidate chain — a mission of one ship, a GTOC9 mission, … — given by the
targets it removes, its cost and the time interval [lo_c, hi_c) it blocks. Costs are in the
caller's unit (MEUR for GTOC9, a launch-equivalent price for a real-catalog campaign); times are
integers on the caller's grid (days for GTOC9). Variables: x_c ∈ {0, 1} per column; a slack
s_i ∈ [0, 1] per target with a large cost (``UNCOVERED_COST``) so that the model is always
feasible — an uncovered target is reported, never silently dropped. Constraints:

* every target exactly once: Σ_{c ∋ i} x_c + s_i = 1;
* the chosen columns one after the other in time. The textbook form is one row per grid step
  d, Σ_{c : d ∈ [lo_c, hi_c)} x_c ≤ 1; for intervals this is the same as a *path in time*:
  nodes are the distinct interval ends t_0 < t_1 < … < t_K, one unit of flow goes from t_0 to
  t_K, either idling (continuous arcs t_k → t_{k+1}) or flying a column (arc lo_c → hi_c). Flow
  conservation gives the same feasible set of x — and the same LP relaxation, both describe the
  stable sets of an interval graph — with two non-zeros per column instead of one per grid step
  (≈ 250 for GTOC9), which keeps a pool of 10⁵ columns small for HiGHS. Columns that must not
  exclude each other in time (independent ships) are given disjoint intervals by the caller.

Objective: Σ cost_c x_c + Σ u_i s_i, u_i = ``UNCOVERED_COST`` unless the caller gives each
target its own price of being left out (:class:`Limits`). Two optional side rows
(:class:`Limits`): at most ``max_chosen`` columns (a fleet of N ships), and a *budget*
Σ cost_c x_c ≤ B — then the columns' cost leaves the objective, which becomes Σ u_i s_i: with
u_i a target's value, the model maximises the value removed for the budget.

Solution: the LP relaxation of the whole pool is solved first (``scipy.optimize.linprog``,
HiGHS); its value is a lower bound for any choice from the pool, and its duals give every column
a reduced cost. The MILP (``scipy.optimize.milp``) is then solved on the ``max_columns`` columns
of lowest reduced cost (always including the LP's support) under a node and a time limit.
Reported: the MILP value, HiGHS' bound and gap on the restricted model, and the gap to the
full-pool LP bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

UNCOVERED_COST = 1000.0
"""Cost of leaving a target uncovered, in the columns' cost unit: above any single column the
callers build (a one-debris GTOC9 mission costs 55 MEUR), so the MILP leaves a target out only
when no column can take it."""


@dataclass(frozen=True)
class Columns:
    """The pool as the MILP sees it: per column its cost [caller's unit], target ids and the
    interval [lo, hi) it blocks [integer grid steps]."""

    cost: NDArray[np.float64]
    members: list[tuple[int, ...]]
    lo: NDArray[np.int64]
    hi: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.cost.size)


@dataclass(frozen=True)
class Selection:
    """Outcome: chosen columns, uncovered targets, MILP value and bounds [cost unit], HiGHS
    status, wall time [s]."""

    chosen: list[int]
    uncovered: list[int]
    objective: float
    mip_bound: float
    lp_bound: float
    columns_in_milp: int
    status: str
    seconds: float

    @property
    def mip_gap(self) -> float:
        """(objective − HiGHS bound) / objective on the restricted model."""
        return (self.objective - self.mip_bound) / max(abs(self.objective), 1e-9)

    @property
    def pool_gap(self) -> float:
        """(objective − LP bound of the whole pool) / objective: the gap to the best choice from
        the whole pool is at most this."""
        return (self.objective - self.lp_bound) / max(abs(self.objective), 1e-9)


@dataclass(frozen=True)
class Limits:
    """Optional terms of the model (module docstring). ``uncovered_cost``: price [cost unit] of
    leaving a target out — one number, or one per target in ``target_ids`` order;
    ``max_chosen``: at most this many columns; ``budget``: Σ cost_c x_c ≤ budget [cost unit],
    the objective then being the uncovered price alone. The defaults give the plain model."""

    uncovered_cost: float | NDArray[np.float64] = UNCOVERED_COST
    max_chosen: int | None = None
    budget: float | None = None


PLAIN = Limits()


def _side_rows(
    cols: Columns, n_var: int, limits: Limits
) -> tuple[sparse.csr_matrix, NDArray] | None:
    """Inequality rows A_ub z ≤ b_ub of ``limits`` (cardinality, budget), or None."""
    n = len(cols)
    rows, ub = [], []
    if limits.max_chosen is not None:
        rows.append(np.r_[np.ones(n), np.zeros(n_var - n)])
        ub.append(float(limits.max_chosen))
    if limits.budget is not None:
        rows.append(np.r_[cols.cost, np.zeros(n_var - n)])
        ub.append(float(limits.budget))
    if not rows:
        return None
    return sparse.csr_matrix(np.vstack(rows)), np.asarray(ub)


def _model(
    cols: Columns, target_ids: Sequence[int], limits: Limits = PLAIN
) -> tuple[sparse.csr_matrix, NDArray, NDArray, int, int]:
    """Equality system A z = b over z = (x, idle arcs, slacks); returns (A, b, c, n_idle,
    n_rows_cover). With a budget the columns cost nothing in ``c`` (:class:`Limits`)."""
    ids = list(target_ids)
    row_of = {d: r for r, d in enumerate(ids)}
    n_cols = len(cols)
    nodes = np.unique(np.concatenate([cols.lo, cols.hi]))
    node_of = {int(t): k for k, t in enumerate(nodes)}
    n_nodes = nodes.size
    n_idle = n_nodes - 1
    n_cover = len(ids)
    rows, vals, cidx = [], [], []
    for c, members in enumerate(cols.members):
        for d in members:
            rows.append(row_of[d])
            vals.append(1.0)
            cidx.append(c)
        rows.append(n_cover + node_of[int(cols.lo[c])])
        vals.append(-1.0)
        cidx.append(c)
        rows.append(n_cover + node_of[int(cols.hi[c])])
        vals.append(1.0)
        cidx.append(c)
    for k in range(n_idle):
        rows += [n_cover + k, n_cover + k + 1]
        vals += [-1.0, 1.0]
        cidx += [n_cols + k, n_cols + k]
    for r in range(n_cover):
        rows.append(r)
        vals.append(1.0)
        cidx.append(n_cols + n_idle + r)
    n_var = n_cols + n_idle + n_cover
    a = sparse.csr_matrix((vals, (rows, cidx)), shape=(n_cover + n_nodes, n_var))
    b = np.zeros(n_cover + n_nodes)
    b[:n_cover] = 1.0
    b[n_cover] = -1.0  # source: the first node
    b[-1] = 1.0  # sink: the last node
    uncovered = np.broadcast_to(np.asarray(limits.uncovered_cost, float), (n_cover,))
    col_cost = np.zeros(n_cols) if limits.budget is not None else cols.cost
    c = np.concatenate([col_cost, np.zeros(n_idle), uncovered])
    return a, b, c, n_idle, n_cover


def subset(cols: Columns, keep: NDArray[np.intp]) -> Columns:
    """The columns ``keep`` of ``cols``, in that order."""
    return Columns(cols.cost[keep], [cols.members[k] for k in keep], cols.lo[keep], cols.hi[keep])


@dataclass(frozen=True)
class Relaxation:
    """LP relaxation of the model on a pool: value [cost unit] (a lower bound for any choice from
    the pool), x and reduced cost [cost unit] of each column, total slack Σ s_i, and the price
    [cost unit] of each target (the dual of its cover row, in ``target_ids`` order)."""

    value: float
    x: NDArray[np.float64]
    reduced: NDArray[np.float64]
    slack: float
    prices: NDArray[np.float64]


def relax(cols: Columns, target_ids: Sequence[int], limits: Limits = PLAIN) -> Relaxation:
    """The LP relaxation of the module's model (HiGHS through ``scipy.optimize.linprog``).
    With side rows (``limits``) the reduced costs include their duals."""
    a, b, c, _, n_cover = _model(cols, target_ids, limits)
    bounds = np.stack([np.zeros(c.size), np.ones(c.size)], axis=1)
    side = _side_rows(cols, c.size, limits)
    a_ub, b_ub = side if side is not None else (None, None)
    lp = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a, b_eq=b, bounds=bounds, method="highs")
    if lp.status != 0:
        raise RuntimeError(f"LP relaxation failed: {lp.message}")
    duals = np.asarray(lp.eqlin.marginals)
    reduced = c - a.T @ duals
    if side is not None:
        reduced = reduced - side[0].T @ np.asarray(lp.ineqlin.marginals)
    n = len(cols)
    return Relaxation(
        float(lp.fun),
        np.asarray(lp.x[:n]),
        np.asarray(reduced[:n]),
        float(lp.x[c.size - n_cover :].sum()),
        duals[:n_cover].copy(),
    )


def exact_cover(
    cols: Columns,
    target_ids: Sequence[int],
    *,
    time_limit_s: float = 60.0,
    node_limit: int = 20_000,
    mip_rel_gap: float = 1e-6,
    limits: Limits = PLAIN,
) -> Selection:
    """The MILP of the module docstring on ``cols`` directly (no LP filtering): for small
    models, e.g. one time window of a campaign. ``lp_bound`` is HiGHS' bound."""
    import time

    t0 = time.monotonic()
    a, b, c, n_idle, n_cover = _model(cols, target_ids, limits)
    integrality = np.concatenate([np.ones(len(cols)), np.zeros(n_idle), np.zeros(n_cover)])
    constraints = [LinearConstraint(a, b, b)]
    side = _side_rows(cols, c.size, limits)
    if side is not None:
        constraints.append(LinearConstraint(side[0], -np.inf, side[1]))
    res = milp(
        c,
        constraints=constraints,
        integrality=integrality.astype(np.int8),
        bounds=Bounds(np.zeros(c.size), np.ones(c.size)),
        options={
            "time_limit": float(time_limit_s),
            "node_limit": int(node_limit),
            "mip_rel_gap": float(mip_rel_gap),
            "presolve": True,
        },
    )
    if res.x is None:
        return Selection(
            [],
            list(target_ids),
            math.inf,
            -math.inf,
            -math.inf,
            len(cols),
            str(res.message),
            time.monotonic() - t0,
        )
    chosen = [int(k) for k in np.nonzero(res.x[: len(cols)] > 0.5)[0]]
    covered = {d for k in chosen for d in cols.members[k]}
    bound = getattr(res, "mip_dual_bound", None)
    bound = float(bound) if bound is not None and np.isfinite(bound) else float(res.fun)
    return Selection(
        chosen,
        [d for d in target_ids if d not in covered],
        float(res.fun),
        bound,
        bound,
        len(cols),
        str(res.message),
        time.monotonic() - t0,
    )


def select(
    cols: Columns,
    target_ids: Sequence[int],
    *,
    max_columns: int = 40_000,
    always: NDArray[np.intp] | None = None,
    time_limit_s: float = 600.0,
    node_limit: int = 20_000,
    mip_rel_gap: float = 1e-4,
    limits: Limits = PLAIN,
) -> Selection:
    """Choose columns from a large pool ``cols`` covering each of ``target_ids`` once: the LP
    relaxation of the whole pool (bound, reduced costs), then the MILP on the ``max_columns``
    other columns of lowest reduced cost plus the LP's support and the columns ``always``
    (default: every one-target column). ``chosen`` indexes ``cols``."""
    import time

    t0 = time.monotonic()
    lp = relax(cols, target_ids, limits)
    if always is None:
        always = np.array([k for k, m in enumerate(cols.members) if len(m) == 1], dtype=np.intp)
    others = np.setdiff1d(np.arange(len(cols)), always)
    best = others[np.argsort(lp.reduced[others], kind="stable")[:max_columns]]
    keep = np.union1d(np.union1d(best, np.nonzero(lp.x > 1e-9)[0]), always).astype(np.intp)
    sel = exact_cover(
        subset(cols, keep),
        target_ids,
        time_limit_s=time_limit_s,
        node_limit=node_limit,
        mip_rel_gap=mip_rel_gap,
        limits=limits,
    )
    return Selection(
        [int(keep[k]) for k in sel.chosen],
        sel.uncovered,
        sel.objective,
        sel.mip_bound,
        lp.value,
        len(keep),
        sel.status,
        time.monotonic() - t0,
    )
