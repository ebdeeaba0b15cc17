"""GTOC9 "The Kessler Run" (ESA ACT, 2017): rules, debris ephemeris, solution files, checker.

This package speaks the competition's units: lengths in metres, velocities in m/s, masses in kg,
epochs in MJD2000 (days since 2000-01-01 00:00), time spans in seconds unless a name says days,
angles in radians. The physics (``sweepers.orbits``, km) and the campaign search
(``sweepers.salvage.engine``) are the house's; ``problem`` is the edge that converts and states
GTOC9's rules to the engine. The core never imports this package.

Modules: ``rules`` (constants), ``debris`` (the 123 targets: a J2-secular ephemeris of ``orbits``),
``solution`` (mission files), ``check`` (the independent checker) with its own integrator
``check_dynamics``, ``problem`` (the adapter: rules and units for the engine and ``orbits``),
``solve*`` (the GTOC9 side of the solver: ``solve_costs`` the cost table, ``solve_exact`` the
exact legs' events, masses and checkpoint form — the legs themselves are the engine's
``salvage.engine.exact_legs`` — ``solve_checkpoint``; front end ``solve``).
"""

from sweepers.gtoc9.check import CheckReport, MissionReport, Rule, Violation, check_solution
from sweepers.gtoc9.debris import DebrisSet, load_debris
from sweepers.gtoc9.solution import Event, MissionFile, read_mission, write_mission

__all__ = [
    "CheckReport",
    "DebrisSet",
    "Event",
    "MissionFile",
    "MissionReport",
    "Rule",
    "Violation",
    "check_solution",
    "load_debris",
    "read_mission",
    "write_mission",
]
