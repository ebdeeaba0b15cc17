"""Conjunctions: screening, time of closest approach, collision probability (``pc``), CDMs.

Collision-probability code lives in :mod:`sweepers.conjunctions.pc` (one front door:
``compute_pc`` / ``pc_from_cdm``).
"""
