"""The alert payload's geometry at TCA (``ship_r_teme_km`` … ``miss_rtn_m``): the screen's TEME
states, recovered from the alert's CDM (whose states are GCRF) by the inverse rotation.

Input: the ISS's SGP4 state at 2023-10-09T12:00:00.25Z from the bundled Space-Track catalog
(TEME, python-sgp4) and a ship 3 km above it, as the Conjunction record ``screen_ephemeris`` hands
the service. The CDM is written by the service's own ``_cdm_text`` (GCRF, ``repr`` floats); the
payload must give back the record's TEME states (≤ 1 mm, ≤ 1 µm/s) and its RTN miss vector.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from sweepers.conjunctions.events import Conjunction, rtn_components
from sweepers.epochs import datetime_to_jd
from sweepers.formats.cdm import loads_kvn
from sweepers.formats.tle import parse_tle_lines
from sweepers.orbits.frames import teme_to_gcrs
from sweepers.orbits.sgp4_batch import propagate
from sweepers.service.alerts import _cdm_text, alert_out, tca_geometry

CATALOG = "catalog/spacetrack_3le_full_catalog_2023-10.txt"


def _iss_event(shared_data: Path) -> Conjunction:
    lines = (shared_data / CATALOG).read_text().splitlines()
    k = next(i for i in range(1, len(lines)) if lines[i].startswith("1 25544"))
    es = parse_tle_lines(lines[k], lines[k + 1], lines[k - 1])
    tca = datetime(2023, 10, 9, 12, 0, 0, 250_000, tzinfo=UTC)
    eph = propagate([es], np.array([tca.replace(tzinfo=None)], "datetime64[us]"))
    r2, v2 = eph.r[0, 0], eph.v[0, 0]
    r1 = r2 + 3.0 * r2 / np.linalg.norm(r2)  # the ship, 3 km above the ISS
    jd, fr = datetime_to_jd(tca)
    miss_rtn = rtn_components(r1, v2, r2 - r1)
    return Conjunction(
        primary_id=0, secondary_id=25544, tca=tca.replace(tzinfo=None), tca_jd=jd, tca_fr=fr,
        miss_km=float(np.linalg.norm(r2 - r1)), relative_speed_km_s=0.0,
        miss_rtn_km=(float(miss_rtn[0]), float(miss_rtn[1]), float(miss_rtn[2])),
        r1_km=(float(r1[0]), float(r1[1]), float(r1[2])),
        v1_km_s=(float(v2[0]), float(v2[1]), float(v2[2])),
        r2_km=(float(r2[0]), float(r2[1]), float(r2[2])),
        v2_km_s=(float(v2[0]), float(v2[1]), float(v2[2])),
        age1_days=0.0, age2_days=0.1, hbr_m=20.0, pc=1e-3)


def test_payload_gives_back_the_screens_teme_states(shared_data: Path) -> None:
    if not (shared_data / CATALOG).is_file():
        pytest.skip("bundled catalog not found")
    ev = _iss_event(shared_data)
    cdm = _cdm_text(ev, SimpleNamespace(id=7, name="Tug"), {25544: "ISS (ZARYA)"})
    # the CDM really holds GCRF states, tens of km off TEME at the ISS in 2023
    parsed = loads_kvn(cdm)
    assert [o.ref_frame for o in parsed.objects] == ["GCRF", "GCRF"]
    r_g, _ = teme_to_gcrs(np.array([[ev.r2_km]]), np.array([[ev.v2_km_s]]), ev.tca_jd, ev.tca_fr)
    assert np.linalg.norm(parsed.objects[1].position_km - ev.r2_km) > 20.0
    assert np.linalg.norm(parsed.objects[1].position_km - r_g[0, 0]) < 1e-9
    geo = tca_geometry(cdm)
    assert np.linalg.norm(np.subtract(geo["ship_r_teme_km"], ev.r1_km)) < 1e-6
    assert np.linalg.norm(np.subtract(geo["secondary_r_teme_km"], ev.r2_km)) < 1e-6
    assert np.linalg.norm(np.subtract(geo["ship_v_teme_km_s"], ev.v1_km_s)) < 1e-9
    assert np.linalg.norm(np.subtract(geo["secondary_v_teme_km_s"], ev.v2_km_s)) < 1e-9
    assert np.linalg.norm(geo["miss_teme_km"]) == pytest.approx(ev.miss_km, abs=1e-6)
    # secondary minus ship in the ship's RTN: 3 km straight down
    assert geo["miss_rtn_m"] == pytest.approx([-3000.0, 0.0, 0.0], abs=1e-3)
    row = SimpleNamespace(id=1, ship_id=7, secondary_id=25544, kind="proximity", tca=ev.tca,
                          miss_km=ev.miss_km, pc=ev.pc, relative_speed_km_s=0.0,
                          created_at=datetime.now(UTC), catalog_at=None, cdm=cdm)
    out = alert_out(row).model_dump()
    assert out["secondary_r_teme_km"] == geo["secondary_r_teme_km"]
    assert out["miss_rtn_m"] == geo["miss_rtn_m"]


def test_unreadable_cdm_gives_no_geometry() -> None:
    assert tca_geometry("CCSDS_CDM_VERS = 1.0") == {}
    assert tca_geometry("") == {}
    row = SimpleNamespace(id=1, ship_id=7, secondary_id=25544, kind="new", tca=datetime.now(UTC),
                          miss_km=0.5, pc=1e-3, relative_speed_km_s=7.0,
                          created_at=datetime.now(UTC), catalog_at=None, cdm="not a CDM")
    out = alert_out(row)
    assert out.miss_teme_km is None and out.ship_r_teme_km is None
