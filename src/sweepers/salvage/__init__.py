"""Salvage: what an object is worth to a crew, what it costs to reach, and the campaigns between.

Subpackages by role: ``value`` (mass, salvage value and criticality of every catalogued object),
``transfers`` (transfer-cost models). Units as everywhere in sweepers: km, km/s, seconds,
radians inside; kg for masses, years for orbital lifetimes.
"""
