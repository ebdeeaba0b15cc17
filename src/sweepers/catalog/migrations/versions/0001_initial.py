"""Initial catalog schema: ingests, element_sets, satcat, size_mass, gcat_payloads.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Catalog numbers reach 9 digits: BIGINT on PostgreSQL; INTEGER (64-bit, and the rowid alias for
# single-column keys) on SQLite.
NORAD = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIME = sa.DateTime(timezone=True)


def _ingest_fk() -> sa.Column:
    return sa.Column("ingest_id", sa.Integer, sa.ForeignKey("ingests.id"), nullable=False)


def upgrade() -> None:
    """Create the five tables and their indexes."""
    op.create_table(
        "ingests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("accepted", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("finished_at", UTC_TIME, nullable=False),
    )
    op.create_table(
        "element_sets",
        sa.Column("norad_id", NORAD, nullable=False),
        sa.Column("epoch", UTC_TIME, nullable=False),
        sa.Column("mean_motion_rev_day", sa.Double, nullable=False),
        sa.Column("eccentricity", sa.Double, nullable=False),
        sa.Column("inclination_deg", sa.Double, nullable=False),
        sa.Column("raan_deg", sa.Double, nullable=False),
        sa.Column("arg_pericenter_deg", sa.Double, nullable=False),
        sa.Column("mean_anomaly_deg", sa.Double, nullable=False),
        sa.Column("bstar", sa.Double, nullable=False),
        sa.Column("mean_motion_dot", sa.Double, nullable=False),
        sa.Column("mean_motion_ddot", sa.Double, nullable=False),
        sa.Column("object_name", sa.Text),
        sa.Column("object_id", sa.String(16)),
        sa.Column("classification", sa.String(1), nullable=False),
        sa.Column("ephemeris_type", sa.Integer, nullable=False),
        sa.Column("element_set_no", sa.Integer, nullable=False),
        sa.Column("rev_at_epoch", sa.Integer, nullable=False),
        _ingest_fk(),
        sa.PrimaryKeyConstraint("norad_id", "epoch", name="pk_element_sets"),
    )
    op.create_index("ix_element_sets_epoch", "element_sets", ["epoch"])
    op.create_table(
        "satcat",
        sa.Column("norad_id", NORAD, primary_key=True, autoincrement=False),
        sa.Column("object_name", sa.Text),
        sa.Column("object_id", sa.String(16)),
        sa.Column("object_type", sa.String(16)),
        sa.Column("country", sa.String(16)),
        sa.Column("launch_date", sa.Date),
        sa.Column("launch_site", sa.String(16)),
        sa.Column("decay_date", sa.Date),
        sa.Column("period_min", sa.Double),
        sa.Column("inclination_deg", sa.Double),
        sa.Column("apogee_km", sa.Double),
        sa.Column("perigee_km", sa.Double),
        sa.Column("rcs_size", sa.String(8)),
        _ingest_fk(),
    )
    op.create_index("ix_satcat_object_type", "satcat", ["object_type"])
    op.create_table(
        "size_mass",
        sa.Column("norad_id", NORAD, primary_key=True, autoincrement=False),
        sa.Column("hbr_m", sa.Double),
        sa.Column("hbr_sigma_m", sa.Double),
        sa.Column("hbr_source", sa.String(32)),
        sa.Column("mass_kg", sa.Double),
        sa.Column("mass_sigma_kg", sa.Double),
        sa.Column("mass_source", sa.String(32)),
        _ingest_fk(),
    )
    op.create_table(
        "gcat_payloads",
        sa.Column("jcat", sa.String(16), primary_key=True),
        sa.Column("norad_id", NORAD),
        sa.Column("name", sa.Text),
        sa.Column("launch_date", sa.Date),
        sa.Column("last_seen", sa.Date),
        sa.Column("operation_end", sa.Date),
        sa.Column("program", sa.Text),
        sa.Column("category", sa.Text),
        sa.Column("result", sa.Text),
        sa.Column("control", sa.Text),
        sa.Column("attitude", sa.Text),
        sa.Column("maneuver", sa.Text),
        sa.Column("un_state", sa.Text),
        sa.Column("comment", sa.Text),
        _ingest_fk(),
    )
    op.create_index("ix_gcat_payloads_norad_id", "gcat_payloads", ["norad_id"])


def downgrade() -> None:
    """Drop everything this revision created."""
    for table in ("gcat_payloads", "size_mass", "satcat", "element_sets", "ingests"):
        op.drop_table(table)
