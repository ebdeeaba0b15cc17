"""Plan a salvage job: which targets, in what order, when, and with which burns.

Pipeline (one module each)::

    ship.py     Ship (masses, engine, kits, start orbit, window) and its TOML loader; VICTORY
    targets.py  the nodes (start + candidates), their secular-J2 ephemerides and values
    tables.py   cheap Δv tables: every (from, to, departure slot, flight time), J2 nodal drift
    search.py   beam search maximising value removed under propellant/Δv/time/kit budgets;
                the greedy nearest-next baseline
    legs.py     exact legs: wait for node alignment (or drift into it with one burn), then a
                short (≤ 3-day) full-J2 rendezvous
    plan.py     plan_job: table → search → exact legs (re-planning the rest when one
                overdraws) → burns, masses, totals (Plan)
    output.py   JSON, CCSDS OEM (GCRF / EME2000), CZML, route plot, screening hook

Units: km, km/s, kg, s; times in seconds since MJD2000 (UTC); inertial frames with z along the
Earth's axis.
"""

from sweepers.salvage.planner.plan import Burn, Plan, Stop, plan_job, plan_job_fast
from sweepers.salvage.planner.search import DV_MARGIN, Budget, Chain, beam_search, greedy_nearest
from sweepers.salvage.planner.ship import VICTORY, Ship, ShipError, load_ship, ship_from_dict
from sweepers.salvage.planner.tables import CostTable, build_cost_table
from sweepers.salvage.planner.targets import Candidates, ephemeris_from_elsets, make_candidates

__all__ = [
    "DV_MARGIN",
    "VICTORY",
    "Budget",
    "Burn",
    "Candidates",
    "Chain",
    "CostTable",
    "Plan",
    "Ship",
    "ShipError",
    "Stop",
    "beam_search",
    "build_cost_table",
    "ephemeris_from_elsets",
    "greedy_nearest",
    "load_ship",
    "make_candidates",
    "plan_job",
    "plan_job_fast",
    "ship_from_dict",
]
