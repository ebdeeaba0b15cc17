"""The multi-crew operations service: crews, keys, claims, ships, plans, jobs and alerts over a
REST API (FastAPI), on the same SQL store as the catalog (SQLite or PostgreSQL).

The service owns no physics: every computation is a library call (catalog, orbits,
conjunctions, salvage), run in a request for cheap reads and in a worker job for long work.
Layering: ``service`` imports the library, never the reverse. Design notes:
``docs/DESIGN-service.md``. Units as in the library: km, km/s, s; epochs UTC.
"""
