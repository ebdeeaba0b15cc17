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
    # a claim the rival's page has not seen yet: its click gets the 409, and the page says who
    # holds the object until when, from the answer's holder and until
    other = 12  # Vanguard 2's rocket body, unclaimed so far
    rival.page.fill("#q", str(other))
    rival.page.press("#q", "Enter")
    rival.page.wait_for_function(f"() => window.sweepersConsole.selected === {other}")
    assert rival.page.locator("#claim-btn").is_visible()
    with svc.client() as c:
        held = c.post("/claims", json={"norad_id": other})
        assert held.status_code == 201, held.text
    with svc.client(other_key) as c:  # what the page's click will get
        conflict = c.post("/claims", json={"norad_id": other})
        assert conflict.status_code == 409 and conflict.json()["holder"] == svc.crew
    rival.page.click("#claim-btn")
    rival.page.wait_for_function("() => document.querySelector('#claim-msg').textContent"
                                 ".startsWith('Already claimed')")
    assert rival.page.inner_text("#claim-msg") == (
        f"Already claimed by {svc.crew} until {conflict.json()['until']}.")
    assert rival.page.locator("dd[data-field='Claim']").inner_text().startswith(svc.crew)
    assert rival.page.locator("#claim-btn").is_hidden()
    rival.page.screenshot(path=str(artifacts / "claim-409.png"))
    assert console.errors == []
    # the 409 is the page's own request failing: Chromium logs it as a console error, the only one
    assert len(rival.errors) == 1 and "409" in rival.errors[0], rival.errors


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
        oem_text = c.get(f"/plans/{plan.json()['id']}/oem").text
    console.open(key=key)
    console.page.get_by_role("button", name="Set the clock to the start of plan").click()
    console.page.wait_for_function(
        "() => window.sweepersConsole.overlays.some((o) => o.startsWith('route:'))")
    ships = console.page.inner_text("#ships")
    assert "Victory: 1 plan(s)" in ships and "1 target(s) numbered on the globe" in ships
    labels = console.page.eval_on_selector_all("#labels span", "els => els.map(e => e.textContent)")
    assert labels == [f"1: {target_name}"]
    console.page.screenshot(path=str(artifacts / "route.png"))
    # every route sample as the page holds it, against the planner's OEM state at that epoch
    # turned into TEME by the library (the OEM is GCRF: 0.3-0.4 deg off TEME, tens of km in LEO)
    routes = console.page.evaluate("() => window.sweepersConsole.routes()")
    assert len(routes) == 1 and len(routes[0]["times"]) > 10
    epochs, ref, raw = _oem_teme(oem_text)
    worst = 0.0
    for t, p in zip(routes[0]["times"], routes[0]["pts"], strict=True):
        k = _nearest(epochs, _ms(t) * 1000)  # the page keeps milliseconds, the OEM microseconds
        worst = max(worst, _dist(p, ref[k]))
    assert worst <= 1.0
    first = _nearest(epochs, _ms(routes[0]["times"][0]) * 1000)
    assert _dist(raw[first], ref[first]) > 10.0  # drawing GCRF as TEME would fail the check
    # what is drawn goes through those samples (every 8th vertex: 7 Lagrange steps between
    # two), in the window from the route's start (the clock is there)
    name = routes[0]["name"]
    drawn = console.page.evaluate(f"() => window.sweepersConsole.overlay('{name}')")
    assert drawn and len(drawn) >= 8 * 3
    assert max(_dist(a, b) for a, b in zip(drawn[::8], routes[0]["pts"], strict=False)) < 1e-3
    # the ship between two samples: the green cross's centre against the planner's OEM
    # interpolated by the library (its own HERMITE interpolant) and turned into TEME
    t_ship = datetime.fromisoformat(routes[0]["times"][3].replace("Z", "+00:00")).replace(
        microsecond=0) + timedelta(seconds=1000 + 37)
    console.page.fill("#date", t_ship.strftime("%Y-%m-%dT%H:%M:%S"))
    console.page.click("#jump")
    want = t_ship.strftime("%Y-%m-%dT%H:%M:%S")
    console.page.wait_for_function(f"() => window.sweepersConsole.time.startsWith('{want}')")
    console.page.wait_for_function(
        f"() => {{ const o = window.sweepersConsole.overlay('{name}:ship');"
        f" return o && Math.abs((o[0][0] + o[1][0]) / 2 - {_oem_ship_teme(oem_text, t_ship)[0]})"
        " < 2000; }")  # redrawn for the new time (it was at the start, thousands of km away)
    cross = console.page.evaluate(f"() => window.sweepersConsole.overlay('{name}:ship')")
    centre = [(a + b) / 2 for a, b in zip(cross[0], cross[1], strict=True)]
    assert _dist(centre, _oem_ship_teme(oem_text, t_ship)) <= 1.0
    assert console.errors == []


def _oem_ship_teme(text: str, at: datetime) -> list[float]:
    """The ship's position [km, TEME] at ``at`` from the OEM segment covering it (the library's
    interpolation, then ``frames.to_teme``)."""
    import numpy as np

    from sweepers.epochs import datetime64_to_jd
    from sweepers.formats import oem as oem_codec
    from sweepers.orbits.frames import to_teme

    frames = {"GCRF": "gcrs", "EME2000": "eme2000", "TEME": "teme", "ITRF": "itrs"}
    t = np.datetime64(at.astimezone(UTC).replace(tzinfo=None), "us")
    for seg in oem_codec.loads_kvn(text, "plan OEM").segments:
        lo, hi = seg.interpolation_span
        if lo <= t <= hi:
            r, v = seg.interpolate(t)
            jd, fr = datetime64_to_jd(np.array([t]))
            rt, _ = to_teme(frames[seg.ref_frame.upper()], r[None], v[None], jd, fr)
            return [float(x) for x in rt[0]]
    raise AssertionError(f"no OEM segment covers {at}")


def _ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def _nearest(epochs_us: list[int], t_us: int) -> int:
    """Index of the epoch within 5 ms of ``t_us``: the sample the page read (its times are
    JavaScript dates, whole milliseconds, truncated twice; samples are a minute apart)."""
    import bisect

    k = bisect.bisect_left(epochs_us, t_us)
    best = min((j for j in (k - 1, k) if 0 <= j < len(epochs_us)),
               key=lambda j: abs(epochs_us[j] - t_us))
    assert abs(epochs_us[best] - t_us) < 5000, (epochs_us[best], t_us)
    return best


def _oem_teme(text: str) -> tuple[list[int], list[list[float]], list[list[float]]]:
    """The OEM's epochs (µs UTC, sorted), its positions there in TEME
    (``sweepers.orbits.frames.to_teme``) and as written (its own frame) [km]."""
    import numpy as np

    from sweepers.epochs import datetime64_to_jd
    from sweepers.formats import oem as oem_codec
    from sweepers.orbits.frames import to_teme

    frames = {"GCRF": "gcrs", "EME2000": "eme2000", "TEME": "teme", "ITRF": "itrs"}
    rows: dict[int, tuple[list[float], list[float]]] = {}
    for seg in oem_codec.loads_kvn(text, "plan OEM").segments:
        jd, fr = datetime64_to_jd(seg.epochs)
        r, _ = to_teme(frames[seg.ref_frame.upper()], seg.positions_km, seg.velocities_km_s,
                       jd, fr)
        us = seg.epochs.astype("datetime64[us]").astype(np.int64)
        for k, t in enumerate(us):
            rows[int(t)] = ([float(x) for x in r[k]], [float(x) for x in seg.positions_km[k]])
    epochs = sorted(rows)
    return epochs, [rows[t][0] for t in epochs], [rows[t][1] for t in epochs]


def test_czml_in_fixed_and_inertial_frames_lands_in_teme(console: ConsolePage):
    """CZML written by the library (sweepers.formats.czml) from the ISS's SGP4 states over one
    orbit, once Earth-fixed (ITRS, frames.teme_to_itrs) and once inertial (GCRS,
    frames.teme_to_gcrs), with a target marker in each: the page's reading of both must give
    back the SGP4 TEME states (≤ 1 km) — the FIXED ones by GMST at each sample's own time, the
    FIXED marker at the time it is drawn."""
    import json

    import numpy as np

    from sweepers.epochs import datetime64_to_jd
    from sweepers.formats.czml import Event, Trajectory, write_czml
    from sweepers.orbits.frames import itrs_to_teme, teme_to_gcrs, teme_to_itrs
    from sweepers.orbits.sgp4_batch import propagate
    from sweepers.service.db import open_store

    console.open()
    with open_store(console.service.db) as store:
        es = store.latest([25544])[0]
    t = np.datetime64("2023-10-09T12:00:00", "us") + np.arange(0, 5_600, 60) * np.timedelta64(
        1_000_000, "us")
    eph = propagate([es], t)
    r_teme = eph.r[0]
    r_itrs, _ = teme_to_itrs(eph.r, eph.v, eph.jd, eph.fr)
    r_gcrs, _ = teme_to_gcrs(eph.r, eph.v, eph.jd, eph.fr)
    mark = 40  # the marker: the ISS at sample 40, drawn at sample 70's time
    doc = write_czml([Trajectory(id="fixed", epochs=t, positions_km=r_itrs[0], frame="FIXED"),
                      Trajectory(id="inertial", epochs=t, positions_km=r_gcrs[0],
                                 frame="INERTIAL")],
                     [Event(id="m-fixed", epoch=t[mark], position_km=r_itrs[0, mark],
                            frame="FIXED", name="F"),
                      Event(id="m-inertial", epoch=t[mark], position_km=r_gcrs[0, mark],
                            frame="INERTIAL", name="I")])
    at = str(t[70]) + "Z"
    got = console.page.evaluate("([d, at]) => window.sweepersConsole.parseCzml(d, at)",
                                [json.loads(doc), at])
    lines = got["lines"]
    assert len(lines) == 2
    for line in lines:
        assert [_ms(x) for x in line["times"]] == list(t.astype("datetime64[ms]").astype(int))
        worst = max(_dist(p, q) for p, q in zip(line["pts"], r_teme.tolist(), strict=True))
        assert worst <= 1.0, worst
    # unconverted, either frame would be far off: the check can fail
    assert np.max(np.linalg.norm(r_itrs[0] - r_teme, axis=1)) > 1000
    assert np.max(np.linalg.norm(r_gcrs[0] - r_teme, axis=1)) > 20
    targets = {x["name"]: x["pos"] for x in got["targets"]}
    assert _dist(targets["I"], r_teme[mark].tolist()) <= 1.0
    jd, fr = datetime64_to_jd(t[70:71])
    fixed_then, _ = itrs_to_teme(r_itrs[0, mark][None], np.zeros((1, 3)), jd, fr)
    assert _dist(targets["F"], fixed_then[0].tolist()) <= 1.0
    assert _dist(targets["F"], r_teme[mark].tolist()) > 100  # the Earth turned under it
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


def test_without_a_key_the_whole_sky_is_shown_and_login_offered(console: ConsolePage):
    """The catalog and the claims registry are public: the page loads them with no key, shows
    who holds what, offers no claim button; logging in then brings the crew's layers."""
    import httpx

    svc = console.service
    norad = 29733  # a Fengyun 1C fragment, claimed here by the captain through the API
    with svc.client() as c:
        made = c.post("/claims", json={"norad_id": norad})
        assert made.status_code == 201, made.text
    anonymous = httpx.get(svc.base + "/api/v1/catalog/elements", timeout=60)
    assert anonymous.status_code == 200
    console.open(login=False)
    assert console.state("objects") == len(anonymous.json()) == len(svc.ids)
    assert console.state("drawn") > 0
    assert console.state("crew") is None
    assert console.page.locator("#login-btn").is_visible()
    assert console.page.locator("#crew").is_hidden()
    assert "Log in for your crew" in console.page.inner_text("#crew-name")
    assert console.state("claims") >= 1
    console.page.fill("#q", str(norad))
    console.page.press("#q", "Enter")
    console.page.wait_for_function(f"() => window.sweepersConsole.selected === {norad}")
    assert console.page.locator("dd[data-field='Claim']").inner_text().startswith(svc.crew)
    console.page.fill("#q", "5")  # Vanguard 1: unclaimed, but nobody to claim it for
    console.page.press("#q", "Enter")
    console.page.wait_for_function("() => window.sweepersConsole.selected === 5")
    assert console.page.locator("#claim-btn").is_hidden()
    # a wrong key is refused and the page stays as it was
    console.page.fill("#key", "sws_000000000000_wrong")
    console.page.click("#login-btn")
    console.page.wait_for_function("() => document.querySelector('#crew-name').textContent"
                                   " === 'Key refused.'")
    assert console.state("crew") is None and console.state("objects") == len(svc.ids)
    # the crew's key: its layers, and the claim button for the unclaimed object in the panel
    console.page.fill("#key", svc.key)
    console.page.click("#login-btn")
    console.page.wait_for_function("() => window.sweepersConsole.crewReady", timeout=60_000)
    assert console.state("crew") == svc.crew
    assert console.page.locator("#crew").is_visible()
    assert console.page.locator("#claim-btn").is_visible()
    # the /me probe of the refused key is the page's own failed request: the only console error
    assert len(console.errors) == 1 and "401" in console.errors[0], console.errors
