"""GTOC9 "The Kessler Run" (ESA ACT, 2017): rules, debris ephemeris, solution files, checker.

This package speaks the competition's units at its edges and inside, unlike the core: lengths in
metres, velocities in m/s, masses in kg, epochs in MJD2000 (days since 2000-01-01 00:00), time
spans in seconds unless a name says days, angles in radians. The core never imports it.

Modules: ``rules`` (constants), ``debris`` (the 123 targets and their J2-secular ephemeris),
``dynamics`` (J2 equations of motion, heyoka Taylor integration), ``solution`` (mission files),
``check`` (the independent checker), ``transfer`` (two-impulse J2 transfers, solver groundwork),
``solve*`` (the campaign solver: ``solve_costs``, ``solve_search``, ``solve_campaign``,
``solve_pool``, ``solve_lns``, ``solve_legs``, ``solve_exact``,
``solve_checkpoint``; front end ``solve``).
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
