"""Tables of the service (SQLAlchemy Core), beside the catalog's in the same database.

Their shape is created by the service's own Alembic chain (``service/migrations``, version table
``alembic_version_service``), so the catalog's schema and migrations stay unaware of crews; a
test compares the migrated database with this metadata.

Every crew-owned row carries ``crew_id`` and every query filters on it. Times are UTC
(:class:`sweepers.catalog.schema.UTCDateTime`).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from sweepers.catalog.schema import NoradId, UTCDateTime

VERSION_TABLE = "alembic_version_service"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ROLES = ("captain", "pilot", "viewer")
CLAIM_STATES = ("active", "released", "expired", "salvaged")
JOB_STATES = ("queued", "running", "done", "failed")

crews = Table(
    "crews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("pc_threshold", Double, nullable=False),  # alert when Pc >= this
    Column("miss_threshold_km", Double, nullable=False),  # ... or miss <= this [km]
    Column("created_at", UTCDateTime(), nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", Integer, ForeignKey("crews.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("key_id", String(24), nullable=False, unique=True),  # public part of the key
    Column("key_hash", Text, nullable=False),  # argon2id hash of the whole key
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    Index(None, "crew_id"),
)

claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", Integer, ForeignKey("crews.id"), nullable=False),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("norad_id", NoradId, nullable=False),
    Column("status", String(16), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("until", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime()),
    Column("plan_id", Integer),  # set when claimed as part of a route
    # Exclusivity lives here: at most one active claim per object, whatever the writers do.
    Index("uq_claims_active_norad_id", "norad_id", unique=True,
          sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    Index(None, "crew_id", "status"),
)

salvaged = Table(
    "salvaged",
    metadata,
    Column("norad_id", NoradId, primary_key=True, autoincrement=False),
    Column("crew_id", Integer, ForeignKey("crews.id"), nullable=False),
    Column("claim_id", Integer, ForeignKey("claims.id"), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("crew_id", Integer),
    Column("member_id", Integer),
    Column("action", String(32), nullable=False),  # claim.create, claim.release, ...
    Column("subject", String(32), nullable=False),  # claim, member, ship, ...
    Column("subject_id", Integer),
    Column("norad_id", NoradId),
    Column("detail", Text, nullable=False),  # JSON
    Index(None, "crew_id"),
)

ships = Table(
    "ships",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", Integer, ForeignKey("crews.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("dry_mass_kg", Double, nullable=False),
    Column("propellant_kg", Double, nullable=False),
    Column("isp_s", Double, nullable=False),
    Column("start_norad_id", NoradId),  # start co-located with a catalogued object ...
    Column("start_omm", Text),  # ... or an uploaded OMM (CelesTrak JSON object)
    Column("active_plan_id", Integer),  # the plan it flies (its OEM is screened) ...
    Column("trajectory_oem", Text),  # ... or an uploaded trajectory (CCSDS OEM), which wins
    Column("created_at", UTCDateTime(), nullable=False),
    Index(None, "crew_id"),
)

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", Integer, ForeignKey("crews.id"), nullable=False),
    Column("ship_id", Integer, ForeignKey("ships.id"), nullable=False),
    Column("job_id", Integer),
    Column("status", String(16), nullable=False),  # queued | done | failed
    Column("params", Text, nullable=False),  # JSON
    Column("route", Text),  # JSON (Plan.as_dict)
    Column("oem", Text),  # CCSDS OEM KVN
    Column("czml", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Index(None, "crew_id"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", Integer),  # None: a service job (catalog refresh)
    Column("kind", String(16), nullable=False),
    Column("params", Text, nullable=False),  # JSON
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("run_after", UTCDateTime(), nullable=False),
    Column("lease_until", UTCDateTime()),  # a running job whose lease passed lost its worker
    Column("worker", String(64)),
    Column("progress", Double, nullable=False),  # percent
    Column("stage", String(64), nullable=False),
    Column("error", Text),
    Column("result", Text),  # JSON
    Column("created_at", UTCDateTime(), nullable=False),
    Column("started_at", UTCDateTime()),
    Column("finished_at", UTCDateTime()),
    Index(None, "status", "run_after"),
    Index(None, "crew_id"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", Integer, ForeignKey("crews.id"), nullable=False),
    Column("ship_id", Integer, ForeignKey("ships.id"), nullable=False),
    Column("secondary_id", NoradId, nullable=False),
    Column("kind", String(16), nullable=False),  # new | worsened | proximity
    Column("tca", UTCDateTime(), nullable=False),
    Column("miss_km", Double, nullable=False),
    Column("pc", Double, nullable=False),
    Column("relative_speed_km_s", Double, nullable=False),
    Column("cdm", Text, nullable=False),  # CCSDS CDM KVN
    Column("refresh_job_id", Integer),
    Column("catalog_at", UTCDateTime()),  # when the refresh that found it finished ingesting
    Column("created_at", UTCDateTime(), nullable=False),
    Index(None, "crew_id", "id"),
    Index(None, "ship_id", "secondary_id"),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", Integer, ForeignKey("crews.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", String(128), nullable=False),  # HMAC-SHA256 key, shown once
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index(None, "crew_id"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", Integer, ForeignKey("webhooks.id"), nullable=False),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("last_error", Text),
    Column("delivered_at", UTCDateTime()),
    Index(None, "status", "next_attempt_at"),
)

upstream_requests = Table(
    "upstream_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("url", Text, nullable=False),
    Index(None, "at"),
)

schedules = Table(
    "schedules",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("next_run_at", UTCDateTime(), nullable=False),
)
