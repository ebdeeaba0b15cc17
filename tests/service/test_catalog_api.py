"""Catalog reads: objects with filters and cursors, ETags, the OMM JSON of every element set,
positions against python-sgp4 run directly, OMM downloads and the unclaimed target list."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from sgp4.api import Satrec, jday

from sweepers.formats.omm import parse_omm_json

from .conftest import CATALOG, EXTRA_IDS, FIRST_N

# CelesTrak GP FORMAT=json keys (celestrak.org/NORAD/documentation/gp-data-formats.php)
CELESTRAK_KEYS = {
    "OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION",
    "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR",
    "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"}


def test_objects_pages_and_filters(client: TestClient, crews: tuple[dict, dict]) -> None:
    alpha, _ = crews
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/catalog/objects", params=params, headers=alpha).json()
        seen += [o["norad_id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(set(seen))
    assert len(seen) == FIRST_N + len(EXTRA_IDS)  # no id of the slice is in the first 120
    iss = client.get("/api/v1/catalog/objects/25544", headers=alpha).json()
    assert iss["object_id"] == "1998-067A" and iss["regime"] == "LEO"
    assert 400 < iss["perigee_km"] < iss["apogee_km"] < 440 and abs(iss["i_deg"] - 51.641) < 1e-9
    leo = client.get("/api/v1/catalog/objects", headers=alpha,
                     params={"regime": "LEO", "inc_min_deg": 51, "inc_max_deg": 52,
                             "alt_max_km": 500, "limit": 5000}).json()["items"]
    assert 25544 in {o["norad_id"] for o in leo}
    assert all(o["regime"] == "LEO" and 51 <= o["i_deg"] <= 52 and o["apogee_km"] <= 500
               for o in leo)
    deb = client.get("/api/v1/catalog/objects", params={"type": "DEBRIS"}, headers=alpha).json()
    assert deb["items"] and all(o["object_type"] == "DEBRIS" for o in deb["items"])
    assert client.get("/api/v1/catalog/objects/1", headers=alpha).status_code == 404
    assert client.get("/api/v1/catalog/objects", params={"cursor": "!!"},
                      headers=alpha).status_code == 400


def test_claimed_filter_and_etag(client: TestClient, crews: tuple[dict, dict]) -> None:
    alpha, bravo = crews
    first = client.get("/api/v1/catalog/objects", params={"claimed": True}, headers=alpha)
    assert first.json()["items"] == []
    etag = first.headers["etag"]
    same = client.get("/api/v1/catalog/objects", params={"claimed": True},
                      headers={**alpha, "If-None-Match": etag})
    assert same.status_code == 304
    assert client.post("/api/v1/claims", json={"norad_id": 25544}, headers=bravo).status_code == 201
    changed = client.get("/api/v1/catalog/objects", params={"claimed": True},
                         headers={**alpha, "If-None-Match": etag})
    assert changed.status_code == 200
    assert [(o["norad_id"], o["claim"]["crew"]) for o in changed.json()["items"]] == [
        (25544, "bravo")]


def test_elements_are_celestrak_omm_json(client: TestClient, crews: tuple[dict, dict]) -> None:
    alpha, _ = crews
    r = client.get("/api/v1/catalog/elements", headers=alpha)
    assert r.status_code == 200
    rows = r.json()
    assert len(rows) == FIRST_N + len(EXTRA_IDS)
    assert all(set(row) == CELESTRAK_KEYS for row in rows)
    parsed = parse_omm_json(r.content)
    assert not parsed.rejected and len(parsed.records) == len(rows)
    assert client.get("/api/v1/catalog/elements",
                      headers={**alpha, "If-None-Match": r.headers["etag"]}).status_code == 304


def test_positions_match_python_sgp4(client: TestClient, crews: tuple[dict, dict],
                                     shared_data: Path) -> None:
    """TEME positions equal python-sgp4's own (Satrec from the same TLE lines), to 1 m: the
    service may run heyoka's SGP4, which agrees with the reference code to well under that."""
    alpha, _ = crews
    at = datetime(2023, 10, 10, 12, 0, tzinfo=UTC)
    ids = [25544, 17589, 5]
    got = client.get("/api/v1/catalog/positions", headers=alpha,
                     params={"at": at.isoformat(), "ids": ",".join(map(str, [*ids, 1]))}).json()
    assert got["missing"] == [1]
    lines = (shared_data / CATALOG).read_text().splitlines()
    tle = {int(lines[k + 1][2:7]): (lines[k + 1].strip(), lines[k + 2].strip())
           for k in range(0, 3 * 200000, 3) if k + 2 < len(lines)
           and lines[k + 1][2:7].strip().isdigit() and int(lines[k + 1][2:7]) in ids}
    jd, fr = jday(2023, 10, 10, 12, 0, 0)
    for item in got["items"]:
        err, r, _ = Satrec.twoline2rv(*tle[item["norad_id"]]).sgp4(jd, fr)
        assert err == 0
        assert np.linalg.norm(np.subtract(item["teme_km"], r)) < 1e-3
        # ITRS is a rotation of TEME: same length, up to the API's rounding to 0.1 m per axis
        assert abs(np.linalg.norm(item["itrs_km"]) - np.linalg.norm(item["teme_km"])) < 2e-4
        assert np.linalg.norm(np.subtract(item["itrs_km"], item["teme_km"])) > 1.0


def test_omm_download(client: TestClient, crews: tuple[dict, dict]) -> None:
    alpha, _ = crews
    kvn = client.get("/api/v1/catalog/objects/25544/omm", headers=alpha)
    assert kvn.status_code == 200 and "CCSDS_OMM_VERS" in kvn.text and "25544" in kvn.text
    xml = client.get("/api/v1/catalog/objects/25544/omm", params={"format": "xml"},
                     headers=alpha)
    assert xml.text.lstrip().startswith("<?xml") and "<omm" in xml.text


def test_targets_unclaimed_by_default(client: TestClient, crews: tuple[dict, dict]) -> None:
    alpha, bravo = crews
    top = client.get("/api/v1/targets", params={"top": 5}, headers=alpha).json()
    assert [t["rank"] for t in top] == [1, 2, 3, 4, 5]
    assert [t["value"] for t in top] == sorted((t["value"] for t in top), reverse=True)
    best = top[0]["norad_id"]
    assert client.post("/api/v1/claims", json={"norad_id": best}, headers=bravo).status_code == 201
    mine = client.get("/api/v1/targets", params={"top": 5}, headers=alpha).json()
    assert best not in {t["norad_id"] for t in mine}
    assert mine[0]["norad_id"] == top[1]["norad_id"]
    every = client.get("/api/v1/targets", params={"top": 5, "unclaimed": False},
                       headers=alpha).json()
    assert every[0]["norad_id"] == best and every[0]["claim"]["crew"] == "bravo"
    theirs = client.get("/api/v1/targets", params={"top": 5}, headers=bravo).json()
    assert theirs[0]["norad_id"] == best  # one's own claims stay on one's list
    claim_id = client.get("/api/v1/claims", headers=bravo).json()["items"][0]["id"]
    client.post(f"/api/v1/claims/{claim_id}/salvaged", headers=bravo)
    for who in (alpha, bravo):
        gone = client.get("/api/v1/targets", params={"top": 50, "unclaimed": False},
                          headers=who).json()
        assert best not in {t["norad_id"] for t in gone}
