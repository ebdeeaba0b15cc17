"""The planning engine for fleet campaigns: chain search, chain pools and campaign assembly over
a table of leg costs, for any problem that states its rules.

A problem gives the engine a :class:`~sweepers.salvage.engine.model.LegCosts`: the costs of a
leg between two targets on each grid day, and the
:class:`~sweepers.salvage.engine.model.CampaignRules` (timing rules, mission cost model). GTOC9
is one such problem (``sweepers.gtoc9.problem``). Modules: ``model`` (the problem interface),
``beam`` (the one beam search, its objective a plug-in: this engine's
mission cost, the one-ship planner's value under a budget), ``search`` (beam search of one
mission), ``pool`` (many diverse candidate missions),
``campaign`` (greedy and quality-first assembly, solo absorption, large-neighbourhood
improvement), ``partition`` (the set-partitioning MILP over a pool of chains, HiGHS: a column is
a target set, a cost and a blocked time interval), ``windows`` (window re-partitioning with
column generation), ``eliminate`` (mission elimination), ``exact_legs`` and ``exact_variants``
(exact J2 legs between two targets' orbits). The physics the problems use is ``sweepers.orbits``.
"""
