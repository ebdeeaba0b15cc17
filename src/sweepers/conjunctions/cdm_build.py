"""CCSDS CDMs (508.0-B-1) of conjunction records: one message per event, and the files.

:func:`conjunction_cdm` assembles the message of one
:class:`~sweepers.conjunctions.events.Conjunction` (states rotated from TEME to GCRF, relative
state in the primary's RTN frame, Alfano's maximum Pc); :func:`write_cdms` writes one KVN file per
event, atomically. The text layout is :mod:`sweepers.formats.cdm`'s; this module only fills the
fields, so that every screener (``sweepers screen``, the planner's route screening, the service)
can write CDMs without going through the CLI. Units: km, km/s inside; m, m/s in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sweepers.files import write_atomic

if TYPE_CHECKING:
    from sweepers.conjunctions.events import Conjunction
    from sweepers.formats.cdm import Cdm

CDM_PC_METHOD = "ALFANO_MAX_PROBABILITY"  # SANA's CDM value for Alfano's maximum Pc
CDM_REF_FRAME = "GCRF"  # TEME is not a CDM frame: states are rotated (frames.teme_to_gcrs)


@dataclass(frozen=True, slots=True)
class Label:
    """How an object is named in a CDM: designator, name, international designator."""

    designator: str
    name: str = ""
    international: str = ""
    ephemeris: str = "NONE"
    maneuverable: str = "N/A"


def international_designator(object_id: str) -> str:
    """``object_id`` if it is an international designator (``1998-067A``), else empty."""
    return object_id if re.fullmatch(r"\d{4}-\d{3}[A-Z]{1,3}", object_id.strip()) else ""


def cdm_file_name(event: Conjunction, primary: str) -> str:
    """``<TCA µs, UTC>_<primary>_<secondary>.cdm``: sorts by TCA, unique per pair and TCA."""
    safe = re.sub(r"[^A-Za-z0-9.-]+", "-", primary).strip("-") or "0"
    return f"{event.tca.strftime('%Y%m%dT%H%M%S%f')}Z_{safe}_{event.secondary_id}.cdm"


def conjunction_cdm(event: Conjunction, first: Label, second: Label,
                    created: datetime) -> Cdm:
    """The CDM (CCSDS 508.0-B-1) of one conjunction record.

    States at TCA are rotated from TEME to GCRF [km, km/s]; relative position and velocity are
    in the primary's RTN frame [m, m/s]; miss [m], relative speed [m/s]; Pc is Alfano's maximum
    (``COLLISION_PROBABILITY_METHOD = ALFANO_MAX_PROBABILITY``); the combined hard-body radius is
    the ``COMMENT HBR = … [m]`` line CARA writes. TLE element sets carry no covariance: the
    covariance keywords are written as NaN (unknown) and a comment says so.
    """
    from sweepers.conjunctions.events import rtn_components
    from sweepers.formats.cdm import Cdm, CdmObject
    from sweepers.orbits.frames import teme_to_gcrs

    r = np.array([event.r1_km, event.r2_km])[:, None, :]
    v = np.array([event.v1_km_s, event.v2_km_s])[:, None, :]
    r_g, v_g = teme_to_gcrs(r, v, event.tca_jd, event.tca_fr)
    rel_v = rtn_components(event.r1_km, event.v1_km_s,
                           np.subtract(event.v2_km_s, event.v1_km_s))
    objects = []
    for k, (label, age) in enumerate(((first, event.age1_days), (second, event.age2_days))):
        objects.append(CdmObject(
            object=f"OBJECT{k + 1}", object_designator=label.designator,
            catalog_name="SATCAT" if label.designator.isdigit() else "",
            object_name=label.name, international_designator=label.international,
            ref_frame=CDM_REF_FRAME,
            state_km=np.concatenate([r_g[k, 0], v_g[k, 0]]),
            comments=[f"state age at TCA: {age:.6f} days "
                      f"({'OEM segment start' if label.ephemeris != 'NONE' else 'TLE epoch'})"],
            extra={"EPHEMERIS_NAME": label.ephemeris, "COVARIANCE_METHOD": "DEFAULT",
                   "MANEUVERABLE": label.maneuverable}))
    tag = cdm_file_name(event, first.designator)[:-4]
    return Cdm(
        creation_date=created, originator="SWEEPERS", message_id=tag, tca=event.tca,
        miss_distance_m=event.miss_km * 1e3,
        relative_speed_m_s=event.relative_speed_km_s * 1e3,
        relative_position_rtn_m=np.asarray(event.miss_rtn_km) * 1e3,
        relative_velocity_rtn_m_s=rel_v * 1e3,
        collision_probability=event.pc, collision_probability_method=CDM_PC_METHOD,
        hbr_m=event.hbr_m,
        header_comments=[
            f"Pc method: {event.pc_method} (sweepers: Alfano's maximum Pc over an isotropic "
            "covariance of unknown size; TLEs carry no covariance)",
            "no covariance: the CR_R ... CNDOT_NDOT values are NaN (unknown)",
            "screening: SGP4 (TEME) and the OEM's own interpolant; states rotated to GCRF"],
        objects=objects)


def write_cdms(events: list[Conjunction], folder: Path, labels: dict[int, Label],
               oem_label: Label | None = None) -> list[Path]:
    """One KVN CDM per event in ``folder`` (created), each written atomically
    (:func:`sweepers.files.write_atomic`). ``oem_label`` names an OEM primary."""
    from sweepers.formats.cdm import dumps_kvn

    folder.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC)
    paths = []
    for event in events:
        first = oem_label or labels.get(event.primary_id, Label(str(event.primary_id)))
        second = labels.get(event.secondary_id, Label(str(event.secondary_id)))
        path = folder / cdm_file_name(event, first.designator)
        text = dumps_kvn(conjunction_cdm(event, first, second, created))
        paths.append(write_atomic(path, text))
    return paths
