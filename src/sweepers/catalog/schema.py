"""Tables of the catalog store (SQLAlchemy Core), the single source of the schema's shape.

The Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares the
migrated database with this metadata so the two cannot drift apart.

Units follow :mod:`sweepers.records`: angles in degrees, mean motion in rev/day, BSTAR in 1/earth
radii, HBR in metres, mass in kg, SATCAT apogee/perigee in km. Epochs are UTC instants with
microsecond resolution on every dialect (see :class:`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC instant, microsecond resolution, returned tz-aware.

    PostgreSQL stores ``timestamp with time zone`` (µs resolution). SQLite stores the naive UTC
    text ``YYYY-MM-DD HH:MM:SS.ffffff``, which sorts in time order, so ``max``/``<=`` work on it.
    Naive inputs are taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """Naive text on SQLite (it has no time zones), ``timestamptz`` elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(DateTime(timezone=False))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to UTC; drop the zone on SQLite."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Always a tz-aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Catalog numbers go to 9 digits (Alpha-5 and beyond), so every id column is 64-bit.
NoradId = BigInteger().with_variant(Integer(), "sqlite")  # INTEGER is 64-bit in SQLite anyway

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ingests = Table(
    "ingests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),  # file path or URL
    Column("sha256", String(64), nullable=False),
    Column("format", String(16), nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=False),
)

element_sets = Table(
    "element_sets",
    metadata,
    Column("norad_id", NoradId, nullable=False),
    Column("epoch", UTCDateTime(), nullable=False),
    Column("mean_motion_rev_day", Double, nullable=False),
    Column("eccentricity", Double, nullable=False),
    Column("inclination_deg", Double, nullable=False),
    Column("raan_deg", Double, nullable=False),
    Column("arg_pericenter_deg", Double, nullable=False),
    Column("mean_anomaly_deg", Double, nullable=False),
    Column("bstar", Double, nullable=False),
    Column("mean_motion_dot", Double, nullable=False),
    Column("mean_motion_ddot", Double, nullable=False),
    Column("object_name", Text),
    Column("object_id", String(16)),
    Column("classification", String(1), nullable=False),
    Column("ephemeris_type", Integer, nullable=False),
    Column("element_set_no", Integer, nullable=False),
    Column("rev_at_epoch", Integer, nullable=False),
    Column("ingest_id", Integer, ForeignKey("ingests.id"), nullable=False),
    # (norad_id, epoch) is the identity of an element set and the index of every "latest as of
    # T" query: the max(epoch) per id is read off the primary-key b-tree.
    PrimaryKeyConstraint("norad_id", "epoch"),
    Index(None, "epoch"),  # whole-catalog epoch range / "as of T" filters
)

satcat = Table(
    "satcat",
    metadata,
    Column("norad_id", NoradId, primary_key=True, autoincrement=False),
    Column("object_name", Text),
    Column("object_id", String(16)),
    Column("object_type", String(16)),
    Column("country", String(16)),
    Column("launch_date", Date),
    Column("launch_site", String(16)),
    Column("decay_date", Date),
    Column("period_min", Double),
    Column("inclination_deg", Double),
    Column("apogee_km", Double),
    Column("perigee_km", Double),
    Column("rcs_size", String(8)),
    Column("ingest_id", Integer, ForeignKey("ingests.id"), nullable=False),
    Index(None, "object_type"),
)

size_mass = Table(
    "size_mass",
    metadata,
    Column("norad_id", NoradId, primary_key=True, autoincrement=False),
    Column("hbr_m", Double),
    Column("hbr_sigma_m", Double),
    Column("hbr_source", String(32)),
    Column("mass_kg", Double),
    Column("mass_sigma_kg", Double),
    Column("mass_source", String(32)),
    Column("ingest_id", Integer, ForeignKey("ingests.id"), nullable=False),
)

gcat_payloads = Table(
    "gcat_payloads",
    metadata,
    Column("jcat", String(16), primary_key=True),
    Column("norad_id", NoradId),
    Column("name", Text),
    Column("launch_date", Date),
    Column("last_seen", Date),
    Column("operation_end", Date),
    Column("program", Text),
    Column("category", Text),
    Column("result", Text),
    Column("control", Text),
    Column("attitude", Text),
    Column("maneuver", Text),
    Column("un_state", Text),
    Column("comment", Text),
    Column("ingest_id", Integer, ForeignKey("ingests.id"), nullable=False),
    Index(None, "norad_id"),
)

# Columns that a record type fills, in table order (everything but the bookkeeping ``ingest_id``).
ELEMENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in element_sets.c if c.name != "ingest_id")
SATCAT_COLUMNS: tuple[str, ...] = tuple(c.name for c in satcat.c if c.name != "ingest_id")
SIZE_MASS_COLUMNS: tuple[str, ...] = tuple(c.name for c in size_mass.c if c.name != "ingest_id")
GCAT_COLUMNS: tuple[str, ...] = tuple(c.name for c in gcat_payloads.c if c.name != "ingest_id")
