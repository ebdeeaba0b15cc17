"""Catalogued targets: SGP4 states, Brouwer mean elements for the table (``targets.py``).

Real objects of the 2023-10 catalog: the SL-8 rocket bodies near 74° (the ``sl8-74`` planning
problem's shell, 750–800 km). References: python-sgp4 through the house's batch propagator (the
screening's path, a separate code path from ``CatalogEphemeris.state``) and a full-J2
integration of the ship (heyoka, :class:`~sweepers.orbits.j2.J2Propagator`).
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from sweepers import formats
from sweepers.epochs import DAY_S, JD_MJD2000, MJD2000_UTC, seconds_since_mjd2000
from sweepers.orbits import sgp4_batch
from sweepers.orbits.j2 import J2Propagator
from sweepers.orbits.kepler import SecularJ2Ephemeris
from sweepers.records import ElementSet
from sweepers.salvage.planner import VICTORY, plan_job
from sweepers.salvage.planner.output import route_lines
from sweepers.salvage.planner.targets import (
    CatalogEphemeris,
    NoCandidatesError,
    candidates_in_reach,
    concat,
    ephemeris_from_elsets,
    sgp4_lost,
)

from ..conftest import CATALOG


@pytest.fixture(scope="module")
def sl8(shared_data: Path) -> list[ElementSet]:
    """Five SL-8 R/B near 74° (the sl8-74 shell)."""
    path = shared_data / CATALOG
    records = formats.parse_bytes(path.read_bytes(), path.name).records
    found = [e for e in records if "SL-8 R/B" in (e.object_name or "")
             and 73.5 < e.inclination_deg < 74.2 and 13.7 < e.mean_motion_rev_day < 14.0]
    assert len(found) >= 5
    return found[:5]


def test_states_are_the_catalogs_sgp4(sl8: list[ElementSet]) -> None:
    """Every object's state is SGP4's, to the metre, also after take/concat and broadcast."""
    eph = ephemeris_from_elsets(sl8)
    t0 = max(seconds_since_mjd2000(e.epoch) for e in sl8)
    t = t0 + np.array([0.0, 0.7, 3.3, 41.0]) * DAY_S
    ref = sgp4_batch.propagate(sl8, (np.full(t.size, JD_MJD2000), t / DAY_S))
    r, v = eph.state(t[:, None])  # (times, objects, 3)
    assert np.abs(r - ref.r.transpose(1, 0, 2)).max() < 1e-3
    assert np.abs(v - ref.v.transpose(1, 0, 2)).max() < 1e-6
    ship_start = SecularJ2Ephemeris.from_arrays([7150.0], [0.0], [1.29], [0.0], [0.0], [0.0],
                                                [t0])
    both = pickle.loads(pickle.dumps(concat([ship_start, eph])))
    assert isinstance(both, CatalogEphemeris)
    r3, _ = both.take(np.full(t.size, 3)).state(t)  # node 3 = the third object
    assert np.abs(r3 - ref.r[2]).max() < 1e-3
    r0, _ = both.take([0]).state(t)  # the start orbit: its secular state, Ṁ J2-corrected
    assert np.allclose(r0, replace(ship_start, mean_anomaly_j2=True).state(t)[0])


def test_a_ship_matching_the_state_stays_with_the_object(sl8: list[ElementSet]) -> None:
    """A ship on an object's state, coasting under full J2 for a day, stays within 10 km of it
    (J3/J4 and second-order terms SGP4 has and the ship's field lacks: 2–5 km measured). The
    Keplerian conversion of the mean elements (the old state) separates by > 300 km: its
    osculating a is the mean a, ~7 km off the real mean a — the 5–9 m/s a leg that exact legs
    paid to leave from and arrive at such states."""
    eph = ephemeris_from_elsets(sl8)
    t0 = max(seconds_since_mjd2000(e.epoch) for e in sl8) + 0.3 * DAY_S
    prop = J2Propagator()
    for k in range(len(sl8)):
        node = eph.take([k])
        r0, v0 = node.state([t0])
        r1, _ = prop.propagate(r0[0], v0[0], DAY_S)
        assert np.linalg.norm(r1 - node.state([t0 + DAY_S])[0][0]) < 10.0
        rs, vs = SecularJ2Ephemeris.state(node, [t0])
        r1s, _ = prop.propagate(rs[0], vs[0], DAY_S)
        assert np.linalg.norm(r1s - SecularJ2Ephemeris.state(node, [t0 + DAY_S])[0][0]) > 300.0


def test_mean_elements_keep_up_with_sgp4_for_months(sl8: list[ElementSet]) -> None:
    """The table's view (``elements_at``: Brouwer a, SGP4's secular rates and its drag terms)
    keeps the node and the argument of latitude of the SGP4 orbit: after 300 days the
    orbit-averaged plane's node is within 0.005° and the state within 0.3° of the model's
    along track. Without the drag terms the node was 0.16–0.19° off after 280 days (the
    decaying a turns it faster: SGP4's t² node term) and the along-track angle 3–12° after
    120; first-order J2 rates on the Kozai a with Ṁ = n — the model before 2026-12-07 — ran
    0.3° of node and 2.6°/day of along-track angle off."""
    eph = ephemeris_from_elsets(sl8[:2])
    t0 = max(seconds_since_mjd2000(e.epoch) for e in sl8[:2])
    for k in range(2):
        node = eph.take([k])
        t_end = t0 + 300 * DAY_S
        period = 2 * np.pi / float(node.rates()[2][0])
        t = t_end + period * np.arange(36) / 36
        r, v = node.state(t)
        h = np.cross(r, v).mean(axis=0)
        raan = np.arctan2(h[0], -h[1])
        el = node.elements_at([t_end + period / 2])
        gap = (raan - float(el.raan_rad[0]) + np.pi) % (2 * np.pi) - np.pi
        assert abs(np.degrees(gap)) < 0.005
        # along-track: argument of latitude of the SGP4 state vs the model's, at t_end
        rm, _ = SecularJ2Ephemeris.state(node, [t_end])
        cos = float(r[0] @ rm[0]) / (np.linalg.norm(r[0]) * np.linalg.norm(rm[0]))
        assert np.degrees(np.arccos(min(1.0, cos))) < 0.3


def test_the_start_orbit_beside_catalogued_targets_is_a_drag_free_element_set(
        sl8: list[ElementSet]) -> None:
    """The ship's start orbit becomes an element set whose SGP4 mean a reads back as given
    (to 1 mm), and a ship on its state stays within 10 km of it after a day; GTOC9 debris
    (secular ephemeris) keep the secular start."""
    from sweepers.salvage.planner import VICTORY, make_candidates
    from sweepers.salvage.planner.ship import StartOrbit
    from sweepers.salvage.planner.targets import start_element_set

    t0 = max(seconds_since_mjd2000(e.epoch) for e in sl8)
    elset = start_element_set(7150.0, 0.001, 1.29, 2.0, 0.5, 0.3, t0)
    assert elset.bstar == 0.0 and elset.norad_id == 0
    eph = ephemeris_from_elsets([elset])
    assert abs(float(eph.a_km[0]) - 7150.0) < 1e-6
    assert np.allclose(eph.elements_at([t0]).raan_rad, 2.0)
    r0, v0 = eph.state([t0])
    r1, _ = J2Propagator().propagate(r0[0], v0[0], DAY_S)
    assert np.linalg.norm(r1 - eph.state([t0 + DAY_S])[0][0]) < 10.0
    ship = VICTORY.with_(orbit=StartOrbit(a_km=7150.0, e=0.0, i_rad=1.29))
    targets = ephemeris_from_elsets(sl8)
    cands = make_candidates(ship, targets, [str(e.norad_id) for e in sl8], ["x"] * len(sl8),
                            np.ones(len(sl8)), np.zeros(len(sl8)), t0)
    assert isinstance(cands.ephemeris, CatalogEphemeris)
    assert np.isfinite(cands.ephemeris.sgp4_rows).all()  # the start has its row too
    secular = SecularJ2Ephemeris.from_arrays([7000.0], [0.0], [1.7], [0.0], [0.0], [0.0], [t0])
    gtoc = make_candidates(ship, secular, ["1"], ["d"], [1.0], [0.0], t0)
    assert type(gtoc.ephemeris) is SecularJ2Ephemeris


# CZ-2D R/B 54373 of the 2023-10 catalog: its own element set, propagated by SGP4 (the house
# batch propagator's "auto" engine, heyoka's SGP4 for near-Earth objects — sgp4_lost uses
# python-sgp4), reports it decayed (error 6) within weeks of its epoch; SL-16 R/B 25400
# (~800 km) stays in orbit for years.
DECAYING, STAYING = 54373, 25400


def test_sgp4_lost_names_the_objects_sgp4_loses_in_the_window(real_catalog) -> None:
    by_id = {e.norad_id: e for e in real_catalog.elements}
    elsets = [by_id[DECAYING], by_id[STAYING]]
    t0 = max(seconds_since_mjd2000(e.epoch) for e in elsets)
    t = t0 + np.arange(0.0, 366.0) * DAY_S
    ref = sgp4_batch.propagate(elsets, (np.full(t.size, JD_MJD2000), t / DAY_S))
    first_bad = int(np.flatnonzero(ref.status[0] != 0)[0])
    assert ref.status[0, first_bad] == sgp4_batch.Sgp4Status.DECAYED
    assert (ref.status[1] == 0).all()
    lost = sgp4_lost(elsets, t0, t0 + 365 * DAY_S)
    assert set(lost) == {DECAYING}
    day = (MJD2000_UTC + timedelta(seconds=float(t[first_bad]))).date().isoformat()
    assert "decayed (error 6)" in lost[DECAYING] and day in lost[DECAYING]
    # a window that ends before the decay loses nothing
    assert sgp4_lost(elsets, t0, t[first_bad] - 2 * DAY_S) == {}


def test_candidates_leave_out_what_sgp4_loses_and_say_why(real_catalog, real_scores) -> None:
    by_id = {e.norad_id: e for e in real_catalog.elements}
    scored = {s.norad_id: s for s in real_scores}
    cands = candidates_in_reach(VICTORY, by_id, scored, wanted=[DECAYING, STAYING])
    assert cands.ids == (str(STAYING),)
    assert [i for i, _ in cands.left_out] == [str(DECAYING)]
    assert "decayed" in cands.left_out[0][1]
    plan = plan_job(VICTORY, cands, exact=False, width=10)
    assert plan.as_dict()["left_out"] == [{"id": str(DECAYING), "reason": cands.left_out[0][1]}]
    assert "1 candidate(s) left out: 54373 (SGP4: decayed" in "\n".join(
        route_lines(plan.as_dict()))
    with pytest.raises(NoCandidatesError, match="54373 SGP4: decayed"):
        candidates_in_reach(VICTORY, by_id, scored, wanted=[DECAYING])
