"""Salvage: what an object is worth to a crew, what it costs to reach, and the campaigns between.

Subpackages by role:

* ``value`` — mass, salvage value and criticality of every catalogued object;
* ``transfers`` — transfer-cost models (one-method plug-ins: Lambert, J2 rendezvous, nodal drift);
* ``engine`` — the one planning engine: the problem interface (``model``), the one beam search
  (``beam``, objective a plug-in), chain pools, campaign assembly, window re-partitioning,
  mission elimination and the exact J2 legs (``exact_legs``, ``exact_variants``) — used by the
  fleet campaigns, the one-ship planner and the GTOC9 adapter (``sweepers.gtoc9.problem``);
* ``planner`` — one ship's job on the real catalog (``sweepers plan``): cost table, the engine's
  beam search under a value objective, exact legs flown with a receding horizon;
* ``campaign`` — fleet campaigns on the real catalog (``sweepers campaign``): set partitioning
  over pools of engine chains, with a greedy fleet baseline.

Units as everywhere in sweepers: km, km/s, seconds, radians inside; kg for masses, years for
orbital lifetimes. Problems in other units (GTOC9: m, MJD2000) convert in their adapter.
"""
