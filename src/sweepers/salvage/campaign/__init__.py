"""Fleet campaigns on the real catalog: which ship removes which targets, in what order, from
which launch (``sweepers campaign``).

Modules: ``targets`` — the target set (a family, a criticality top-N, an explicit list) and the
objects left out with their reasons; ``engine`` — pools of chains on the one-ship planner's cost
table, the set-partitioning MILP of the planning engine (``sweepers.salvage.engine.partition``)
and every leg flown exactly, with a greedy fleet baseline; ``report`` — per ship the plan JSON,
OEM and CZML, the campaign summary and its timeline plot.
"""
