"""The console in a real browser (Debian's Chromium via Playwright) against a real
``sweepers serve`` on loopback: load, objects on the globe, search and panel, positions against
``sweepers where``, time controls, a claim from the page, screenshots.

Reference values: positions come from ``sweepers where`` (python-sgp4, Vallado's SGP4, WGS-72) on
the same store and epoch. Tolerance 1 km (issue 15): the page runs satellite.js's port of the same
SGP4 on float64, reads epochs to the millisecond (≤ 8 m along-track in LEO), keeps keyframes in
float32 (≤ 4 m at GEO radius) and blends them with a cubic Hermite (≤ 10 m at the ×1 span of
20 s, exact at a keyframe); ITRS is TEME turned by GMST in both (no polar motion in either).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .conftest import T0, ConsolePage

# ISS (LEO), Vanguard 1 (e = 0.18), Vanguard R/B, Fengyun 1C debris (SSO, 850 km)
SAMPLE = (25544, 5, 12, 29733)


def _dist(a: list[float], b: list[float]) -> float:
    return math.dist(a, b)


def test_page_loads_every_object_without_console_errors(console: ConsolePage, artifacts: Any):
    console.open()
    svc = console.service
    with svc.client() as c:
        elements = c.get("/catalog/elements").json()
        ids = ",".join(str(e["NORAD_CAT_ID"]) for e in elements)
        positions = c.get("/catalog/positions", params={"at": T0, "ids": ids}).json()
    # the page's rule (console/src/sgp4.worker.js): an SGP4 error, or a position beyond
    # 500,000 km (SGP4's nonsense for a decayed fragment far from its epoch), is not drawn
    propagatable = sum(1 for p in positions["items"]
                       if p["teme_km"] is not None and math.hypot(*p["teme_km"]) <= 500_000)
    assert len(elements) == len(svc.ids)
    assert console.state("objects") == len(elements)
    # every object the service's SGP4 can place at T0 is drawn, and no other
    assert console.state("drawn") == propagatable
    assert console.state("sgp4Errors") == len(elements) - propagatable
    assert console.state("time").startswith("2023-10-09T12:00:00")
    assert console.state("crew") == svc.crew
    console.page.screenshot(path=str(artifacts / "globe.png"))
    # layers: the Fengyun 1C cloud by designator prefix, then debris only
    cloud = sum(1 for e in elements if (e["OBJECT_ID"] or "").startswith("1999-025"))
    assert cloud >= 1
    console.page.select_option("#cloud", "1999-025")
    assert console.state("shown") == cloud
    console.page.select_option("#cloud", "")
    for kind in ("0", "1", "3"):
        console.page.uncheck(f"input[name=type][value='{kind}']")
    with svc.client() as c:
        debris = c.get("/catalog/objects", params={"type": "DEBRIS", "limit": 5000}).json()
    assert console.state("shown") == debris["total"]
    console.page.screenshot(path=str(artifacts / "filter-debris.png"))
    assert console.errors == []


def test_search_finds_object_and_panel_shows_its_id_and_orbit(console: ConsolePage, artifacts: Any):
    console.open()
    with console.service.client() as c:
        iss = c.get("/catalog/objects/25544").json()
    for query in ("25544", "ISS (ZARYA)", "1998-067A"):
        console.page.fill("#q", query)
        console.page.press("#q", "Enter")
        console.page.wait_for_function("() => window.sweepersConsole.selected === 25544")
    console.page.wait_for_function("() => window.sweepersConsole.orbitPoints > 100")
    panel = console.page.locator("#panel-body")
    field = lambda name: panel.locator(f"dd[data-field='{name}']").inner_text()  # noqa: E731
    assert console.page.inner_text("#panel-title") == "ISS (ZARYA)"
    assert field("NORAD id") == "25544"
    assert field("Intl designator") == "1998-067A"
    assert field("Type") == iss["object_type"] == "PAYLOAD"
    assert field("i") == f"{iss['i_deg']:.2f}°"
    assert field("a") == f"{iss['a_km']:,.1f} km"
    assert field("Regime") == iss["regime"]
    assert field("Claim") == "unclaimed"
    console.page.screenshot(path=str(artifacts / "panel.png"))
    console.page.fill("#q", "NO SUCH OBJECT 123")
    console.page.press("#q", "Enter")
    assert "No object matches" in console.page.inner_text("#search-msg")
    assert console.errors == []


def _check_against_where(console: ConsolePage, ids: tuple[int, ...]) -> float:
    """Largest TEME/ITRS distance [km] between the page's drawn positions and ``where``."""
    pos = {n: console.position(n) for n in ids}
    assert all(p is not None and p["fresh"] for p in pos.values()), pos
    times = {p["time"] for p in pos.values()}
    assert len(times) == 1
    at = times.pop()
    teme = console.service.where(list(ids), at, "teme")
    itrs = console.service.where(list(ids), at, "itrs")
    assert set(teme) == set(ids)
    worst = 0.0
    for n, p in pos.items():
        worst = max(worst, _dist(p["teme_km"], teme[n]), _dist(p["itrs_km"], itrs[n]))
    return worst


def test_page_positions_agree_with_sweepers_where(console: ConsolePage):
    console.open()
    assert _check_against_where(console, SAMPLE) <= 1.0


def test_time_controls_move_points_as_sgp4_says(console: ConsolePage):
    console.open()
    p0 = console.position(25544)
    # jump to a date: 20 minutes later (about a fifth of an ISS orbit)
    t1 = datetime(2023, 10, 9, 12, 20, tzinfo=UTC)
    console.page.fill("#date", t1.strftime("%Y-%m-%dT%H:%M:%S"))
    console.page.click("#jump")
    console.page.wait_for_function(
        "() => window.sweepersConsole.time.startsWith('2023-10-09T12:20:00')")
    console.wait_fresh()
    p1 = console.position(25544)
    assert p1["time"].startswith("2023-10-09T12:20:00")
    assert _dist(p0["teme_km"], p1["teme_km"]) > 1000  # it moved ~8,000 km along its orbit
    assert _check_against_where(console, SAMPLE) <= 1.0
    # play at ×600 for a moment, pause, and compare wherever the clock stopped
    console.page.select_option("#speed", "600")
    console.page.click("#play")
    console.page.wait_for_function(
        "() => window.sweepersConsole.timeMs > Date.parse('2023-10-09T12:25:00Z')", timeout=60_000)
    console.page.click("#play")
    assert console.state("playing") is False
    console.wait_fresh()
    stopped = datetime.fromisoformat(console.state("time").replace("Z", "+00:00"))
    assert stopped - t1 > timedelta(minutes=5)
    assert _check_against_where(console, SAMPLE) <= 1.0
    assert console.errors == []


def test_claim_from_the_panel_appears_through_the_api(console: ConsolePage, artifacts: Any):
    svc = console.service
    norad = 11  # Vanguard 2: unclaimed in the fresh store
    console.open()
    console.page.fill("#q", str(norad))
    console.page.press("#q", "Enter")
    console.page.wait_for_function(f"() => window.sweepersConsole.selected === {norad}")
    console.page.click("#claim-btn")
    console.page.wait_for_function("() => document.querySelector('#claim-msg').textContent"
                                   ".startsWith('Claimed')")
    with svc.client() as c:
        claims = c.get("/claims", params={"norad_id": norad}).json()["items"]
    assert [(cl["norad_id"], cl["crew"]) for cl in claims] == [(norad, svc.crew)]
    # the panel shows the holder (rendered from the claims registry before the message)
    assert console.page.locator("dd[data-field='Claim']").inner_text().startswith(svc.crew)
    assert console.state("claims") >= 1
    console.page.screenshot(path=str(artifacts / "claim.png"))
    # another crew sees it held: the page answers with the 409's lease end
    _, other_key = svc.new_crew("console-test-rival")
    rival = ConsolePage(console.page.context.new_page(), svc)
    rival.open(key=other_key)
    rival.page.fill("#q", str(norad))
    rival.page.press("#q", "Enter")
    rival.page.wait_for_function(f"() => window.sweepersConsole.selected === {norad}")
    assert rival.page.locator("dd[data-field='Claim']").inner_text().startswith(svc.crew)
    assert rival.page.locator("#claim-btn").is_hidden()
    assert console.errors == [] and rival.errors == []


def _riding_oem(service_db: str, norad: int, start: datetime, hours: float,
                offset_km: float) -> str:
    """A ship's OEM (TEME, every 60 s) riding object ``norad`` ``offset_km`` above it (radially):
    the screen's close approach at ``offset_km``, a persistent proximity for the service."""
    import numpy as np

    from sweepers.formats import oem as oem_codec
    from sweepers.orbits.sgp4_batch import propagate
    from sweepers.service.db import open_store

    with open_store(service_db) as store:
        es = store.latest([norad])[0]
    t0 = np.datetime64(start.replace(tzinfo=None), "us")
    t = t0 + (np.arange(0, hours * 3600 + 1, 60) * 1e6).astype("timedelta64[us]")
    eph = propagate([es], t)
    r = eph.r[0] + offset_km * eph.r[0] / np.linalg.norm(eph.r[0], axis=1)[:, None]
    seg = oem_codec.OemSegment(
        object_name="TUG", object_id="SHIP-1", center_name="EARTH", ref_frame="TEME",
        time_system="UTC", start_time=t[0], stop_time=t[-1], epochs=t, positions_km=r,
        velocities_km_s=eph.v[0], interpolation="HERMITE", interpolation_degree=5)
    return oem_codec.dumps_kvn(oem_codec.Oem(originator="test", segments=[seg],
                                             creation_date=t0))


RIDE_KM = 3.0  # the ship rides the ISS 3 km above it: a proximity alert, miss ≈ 3 km


def test_alert_pushed_by_the_service_appears_and_jumps_to_tca(console: ConsolePage,
                                                                artifacts: Any):
    from sweepers.service.alerts import screen_ships
    from sweepers.service.db import open_store

    svc = console.service
    _, key = svc.new_crew("console-test-alerts")
    start = datetime(2023, 10, 9, 12, 0, tzinfo=UTC)
    with svc.client(key) as c:
        ship = c.post("/ships", json={"name": "Tug", "dry_mass_kg": 500, "propellant_kg": 100,
                                      "isp_s": 300, "start_norad_id": 25544}).json()
        oem = _riding_oem(svc.db, 25544, start, 6.0, RIDE_KM)
        put = c.put(f"/ships/{ship['id']}/trajectory", content=oem)
        assert put.status_code == 200, put.text
    console.open(key=key)
    assert console.state("alerts") == []
    # the service's own re-screen (what a refresh job runs) raises the alert; the page hears it
    # on the event stream
    with open_store(svc.db) as store:
        summary = screen_ships(store, as_of=start)
    assert any(s.get("alerts") for s in summary), summary
    console.page.wait_for_function("() => window.sweepersConsole.alerts.length >= 1",
                                   timeout=30_000)
    alert = console.state("alerts")[0]
    assert alert["secondary_id"] == 25544 and alert["ship_id"] == ship["id"]
    item = console.page.locator("#alerts li").first
    assert "ISS (ZARYA) (25544)" in item.inner_text() and "Tug" in item.inner_text()
    assert console.page.get_attribute("#alerts", "aria-live") == "assertive"
    item.get_by_role("button").click()
    tca = datetime.fromisoformat(alert["tca"].replace("Z", "+00:00"))
    if tca.tzinfo is None:
        tca = tca.replace(tzinfo=UTC)
    want = (tca - timedelta(seconds=30)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    console.page.wait_for_function(f"() => window.sweepersConsole.time.startsWith('{want}')")
    console.page.wait_for_function("() => window.sweepersConsole.overlays.includes('miss')")
    assert console.state("selected") == 25544 and console.state("playing") is False
    console.wait_fresh()
    console.page.screenshot(path=str(artifacts / "alert.png"))
    # the miss vector as drawn: from the ship to the ISS at TCA, in TEME. Reference: `sweepers
    # where` for the ISS at TCA, and for the ship the same point RIDE_KM higher (the OEM above was
    # built so; its Hermite interpolant between 60 s samples is within metres of that).
    drawn = console.page.evaluate("() => window.sweepersConsole.overlay('miss')")
    assert drawn is not None and len(drawn) == 2
    ship_at, iss_at = drawn
    at = tca.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    iss = svc.where([25544], at, "teme")[25544]
    up = [x / math.hypot(*iss) for x in iss]
    ship_ref = [x + RIDE_KM * u for x, u in zip(iss, up, strict=True)]
    assert _dist(iss_at, iss) <= 1.0, (iss_at, iss)
    assert _dist(ship_at, ship_ref) <= 1.0, (ship_at, ship_ref)
    assert _dist(ship_at, iss) > 2.0  # the two ends are not the same point
    mv = console.state("missVector")
    assert mv["rtn_m"][0] == pytest.approx(-RIDE_KM * 1000, abs=100)  # the ISS is below the ship
    assert math.hypot(*mv["miss_km"]) == pytest.approx(alert["miss_km"], rel=1e-6)
    assert "Miss vector at TCA" in console.page.inner_text("#status")
    assert console.errors == []


def test_ship_route_from_the_planner_is_drawn_with_numbered_targets(console: ConsolePage,
                                                                     artifacts: Any):
    from sweepers.service.db import open_store
    from sweepers.service.worker import run_worker

    svc = console.service
    _, key = svc.new_crew("console-test-routes")
    with svc.client(key) as c:
        ship = c.post("/ships", json={"name": "Victory", "dry_mass_kg": 2000,
                                      "propellant_kg": 1000, "isp_s": 320,
                                      "start_norad_id": 17589})
        assert ship.status_code == 201, ship.text
        plan = c.post(f"/ships/{ship.json()['id']}/plans",
                      json={"months": 1, "candidates": [22416]})
        assert plan.status_code == 202, plan.text
        with open_store(svc.db) as store:  # what `sweepers worker` does, once
            run_worker(store, once=True, lease_s=60)
        done = c.get(f"/plans/{plan.json()['id']}").json()
        assert done["status"] == "done", done
        target_name = done["route"]["targets"][0]["name"]
    console.open(key=key)
    console.page.get_by_role("button", name="Set the clock to the start of plan").click()
    console.page.wait_for_function(
        "() => window.sweepersConsole.overlays.some((o) => o.startsWith('route:'))")
    ships = console.page.inner_text("#ships")
    assert "Victory: 1 plan(s)" in ships and "1 target(s) numbered on the globe" in ships
    labels = console.page.eval_on_selector_all("#labels span", "els => els.map(e => e.textContent)")
    assert labels == [f"1: {target_name}"]
    console.page.screenshot(path=str(artifacts / "route.png"))
    assert console.errors == []


def test_clicking_a_point_opens_its_panel(console: ConsolePage):
    console.open()
    ids = console.service.ids
    spots = console.page.evaluate("ids => ids.map(n => [n, window.sweepersConsole.screen(n)])", ids)
    drawn = [(n, xy) for n, xy in spots if xy is not None]
    # a point with no other within 12 px, so that the click is not ambiguous
    alone = [(n, xy) for n, xy in drawn
             if all(m == n or math.dist(xy, other) > 12 for m, other in drawn)]
    assert alone
    norad, (x, y) = alone[0]
    box = console.page.locator("#globe").bounding_box()
    console.page.mouse.click(box["x"] + x, box["y"] + y)
    console.page.wait_for_function(f"() => window.sweepersConsole.selected === {norad}")
    assert console.page.locator("dd[data-field='NORAD id']").inner_text() == str(norad)
    # and Escape on the globe clears it
    console.page.focus("#globe")
    console.page.keyboard.press("Escape")
    console.page.wait_for_function("() => window.sweepersConsole.selected === null")
    assert console.errors == []
