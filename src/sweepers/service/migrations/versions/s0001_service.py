"""Service tables: crews, members (API keys), claims, salvaged, audit_log, ships, plans, jobs,
alerts, webhooks, deliveries, upstream_requests, schedules.

Exclusivity of claims is a partial unique index (one ``active`` claim per object; SQLite ≥ 3.8
and PostgreSQL both support ``CREATE UNIQUE INDEX … WHERE``). The audit log is append-only:
triggers refuse every UPDATE and DELETE on it.

Revision ID: s0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None

NORAD = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _crew_fk() -> sa.Column:
    return sa.Column("crew_id", sa.Integer, sa.ForeignKey("crews.id"), nullable=False)


def upgrade() -> None:
    """Create the service tables, the active-claim index and the audit-log triggers."""
    op.create_table(
        "crews", _id(),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("pc_threshold", sa.Double, nullable=False),
        sa.Column("miss_threshold_km", sa.Double, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_table(
        "members", _id(), _crew_fk(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("key_id", sa.String(24), nullable=False, unique=True),
        sa.Column("key_hash", sa.Text, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("revoked_at", UTC_TIME),
    )
    op.create_index("ix_members_crew_id", "members", ["crew_id"])
    op.create_table(
        "claims", _id(), _crew_fk(),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
        sa.Column("norad_id", NORAD, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_at", UTC_TIME, nullable=False),
        sa.Column("until", UTC_TIME, nullable=False),
        sa.Column("ended_at", UTC_TIME),
        sa.Column("plan_id", sa.Integer),
    )
    op.create_index("uq_claims_active_norad_id", "claims", ["norad_id"], unique=True,
                    sqlite_where=sa.text("status = 'active'"),
                    postgresql_where=sa.text("status = 'active'"))
    op.create_index("ix_claims_crew_id_status", "claims", ["crew_id", "status"])
    op.create_table(
        "salvaged",
        sa.Column("norad_id", NORAD, primary_key=True, autoincrement=False),
        _crew_fk(),
        sa.Column("claim_id", sa.Integer, sa.ForeignKey("claims.id"), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
    )
    op.create_table(
        "audit_log", _id(),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("crew_id", sa.Integer),
        sa.Column("member_id", sa.Integer),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.Integer),
        sa.Column("norad_id", NORAD),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_log_crew_id", "audit_log", ["crew_id"])
    op.create_table(
        "ships", _id(), _crew_fk(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("dry_mass_kg", sa.Double, nullable=False),
        sa.Column("propellant_kg", sa.Double, nullable=False),
        sa.Column("isp_s", sa.Double, nullable=False),
        sa.Column("start_norad_id", NORAD),
        sa.Column("start_omm", sa.Text),
        sa.Column("active_plan_id", sa.Integer),
        sa.Column("trajectory_oem", sa.Text),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_ships_crew_id", "ships", ["crew_id"])
    op.create_table(
        "plans", _id(), _crew_fk(),
        sa.Column("ship_id", sa.Integer, sa.ForeignKey("ships.id"), nullable=False),
        sa.Column("job_id", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("route", sa.Text),
        sa.Column("oem", sa.Text),
        sa.Column("czml", sa.Text),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_plans_crew_id", "plans", ["crew_id"])
    op.create_table(
        "jobs", _id(),
        sa.Column("crew_id", sa.Integer),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("run_after", UTC_TIME, nullable=False),
        sa.Column("lease_until", UTC_TIME),
        sa.Column("worker", sa.String(64)),
        sa.Column("progress", sa.Double, nullable=False),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("result", sa.Text),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("started_at", UTC_TIME),
        sa.Column("finished_at", UTC_TIME),
    )
    op.create_index("ix_jobs_status_run_after", "jobs", ["status", "run_after"])
    op.create_index("ix_jobs_crew_id", "jobs", ["crew_id"])
    op.create_table(
        "alerts", _id(), _crew_fk(),
        sa.Column("ship_id", sa.Integer, sa.ForeignKey("ships.id"), nullable=False),
        sa.Column("secondary_id", NORAD, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tca", UTC_TIME, nullable=False),
        sa.Column("miss_km", sa.Double, nullable=False),
        sa.Column("pc", sa.Double, nullable=False),
        sa.Column("relative_speed_km_s", sa.Double, nullable=False),
        sa.Column("cdm", sa.Text, nullable=False),
        sa.Column("refresh_job_id", sa.Integer),
        sa.Column("catalog_at", UTC_TIME),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_alerts_crew_id_id", "alerts", ["crew_id", "id"])
    op.create_index("ix_alerts_ship_id_secondary_id", "alerts", ["ship_id", "secondary_id"])
    op.create_table(
        "webhooks", _id(), _crew_fk(),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_webhooks_crew_id", "webhooks", ["crew_id"])
    op.create_table(
        "deliveries", _id(),
        sa.Column("webhook_id", sa.Integer, sa.ForeignKey("webhooks.id"), nullable=False),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", UTC_TIME),
    )
    op.create_index("ix_deliveries_status_next_attempt_at", "deliveries",
                    ["status", "next_attempt_at"])
    op.create_table(
        "upstream_requests", _id(),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
    )
    op.create_index("ix_upstream_requests_at", "upstream_requests", ["at"])
    op.create_table(
        "schedules",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("next_run_at", UTC_TIME, nullable=False),
    )
    _append_only("audit_log")


def _append_only(table: str) -> None:
    """Triggers that make ``table`` append-only (UPDATE and DELETE abort the statement)."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
        return
    op.execute(f"""CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql""")
    op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
               f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")


def downgrade() -> None:
    """Drop everything this revision created."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    for table in ("schedules", "upstream_requests", "deliveries", "webhooks", "alerts", "jobs",
                  "plans", "ships", "audit_log", "salvaged", "claims", "members", "crews"):
        op.drop_table(table)
