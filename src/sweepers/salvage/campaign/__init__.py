"""Fleet campaigns: which ship removes which targets, in what order, from which launch.

Modules: ``partition`` — the set-partitioning MILP over a pool of chains (HiGHS), generic: a
column is a target set, a cost and a blocked time interval; used by the real-catalog campaign
and by the GTOC9 solver's window re-partitioning.
"""
