"""CZML writer: document structure per the CZML rules, and the samples read back."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import czml3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sweepers.formats.czml import (
    Event,
    Trajectory,
    read_czml_positions,
    write_czml,
)

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
T0 = np.datetime64("2026-03-01T00:00:00", "us")


def _iso(text: str) -> np.datetime64:
    assert ISO_UTC.match(text), text
    return np.datetime64(text[:-1], "us")


def _interval(text: str) -> tuple[np.datetime64, np.datetime64]:
    start, stop = text.split("/")
    return _iso(start), _iso(stop)


def check_czml(text: str) -> list[dict]:
    """The CZML rules a reader can check without Cesium; returns the packets."""
    packets = json.loads(text)
    assert isinstance(packets, list) and packets
    doc = packets[0]
    assert doc["id"] == "document" and doc["version"] == "1.0"
    clock_lo, clock_hi = _interval(doc["clock"]["interval"])
    assert clock_lo <= _iso(doc["clock"]["currentTime"]) <= clock_hi
    ids = [p["id"] for p in packets]
    assert len(ids) == len(set(ids))
    for packet in packets[1:]:
        assert "version" not in packet and "clock" not in packet  # document-only properties
        lo, hi = _interval(packet["availability"])
        assert clock_lo <= lo <= hi <= clock_hi
        position = packet["position"]
        assert position["referenceFrame"] in ("INERTIAL", "FIXED")
        cartesian = position["cartesian"]
        if "epoch" in position:
            assert len(cartesian) % 4 == 0
            assert position["interpolationAlgorithm"] in ("LAGRANGE", "HERMITE", "LINEAR")
            t = np.array(cartesian[::4])
            assert np.all(np.diff(t) > 0)
            samples = _iso(position["epoch"]) + (t * 1e6).round().astype("timedelta64[us]")
            assert lo <= samples[0] and samples[-1] <= hi  # availability covers the samples
        else:
            assert len(cartesian) == 3
    czml3.Document.model_validate_json(text)  # and czml3's own model of the packets
    return packets


def _orbit(n: int, step_s: float = 60.0) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n) * step_s
    w = 2 * np.pi / 5554.0
    r = 6778.0 * np.column_stack([np.cos(w * t), np.sin(w * t) * 0.62, np.sin(w * t) * 0.78])
    return T0 + (t * 1e6).astype("timedelta64[us]"), r


def test_document_with_trajectories_and_event() -> None:
    epochs, r = _orbit(90)
    ship = Trajectory("ship-1", epochs, r, name="Sweeper 1", interpolation="HERMITE",
                      interpolation_degree=7, color=(0, 255, 0, 255), trail_time_s=3000.0,
                      description="<p>planned route</p>")
    target = Trajectory("debris-25544", epochs[10:], r[10:] * 1.001, frame="ITRF2014",
                        show_path=False, show_label=False)
    rv = Event("rv-1", epochs[45], r[45], name="Rendezvous 1",
               description="<b>capture</b> of 25544", before_s=300, after_s=900)
    packets = check_czml(write_czml([ship, target], [rv], name="plan", indent=2))
    by_id = {p["id"]: p for p in packets}
    assert packets[0]["name"] == "plan"
    assert _interval(packets[0]["clock"]["interval"]) == (epochs[0], epochs[-1])
    s = by_id["ship-1"]
    assert s["name"] == "Sweeper 1" and s["description"] == "<p>planned route</p>"
    assert s["position"]["interpolationAlgorithm"] == "HERMITE"
    assert s["position"]["interpolationDegree"] == 7
    assert s["path"]["trailTime"] == 3000.0 and s["point"]["color"]["rgba"] == [0, 255, 0, 255]
    assert s["label"]["text"] == "Sweeper 1"
    assert _interval(s["availability"]) == (epochs[0], epochs[-1])
    d = by_id["debris-25544"]
    assert d["position"]["referenceFrame"] == "FIXED" and "path" not in d and "label" not in d
    e = by_id["rv-1"]
    assert e["description"] == "<b>capture</b> of 25544"
    assert _interval(e["availability"]) == (epochs[45] - np.timedelta64(300, "s"),
                                            epochs[45] + np.timedelta64(900, "s"))
    assert e["position"]["cartesian"] == (r[45] * 1000.0).tolist()  # metres
    back = read_czml_positions(json.dumps(packets))
    assert np.array_equal(back["ship-1"][0], epochs)
    assert np.allclose(back["ship-1"][1], r, rtol=0, atol=1e-9)  # km, to a micrometre
    assert back["debris-25544"][2] == "FIXED"


def test_datetime_epochs_and_single_sample() -> None:
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)
    packets = check_czml(write_czml([Trajectory("one", [when], [[7000.0, 0.0, 0.0]])]))
    assert packets[1]["position"]["cartesian"] == [0.0, 7.0e6, 0.0, 0.0]
    assert packets[1]["availability"] == "2026-03-01T12:00:00.000000Z/2026-03-01T12:00:00.000000Z"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"frame": "TEME"}, "convert TEME"),
    ({"interpolation": "SPLINE"}, "interpolation 'SPLINE'"),
    ({"positions_km": np.zeros((3, 2))}, "positions_km must be"),
    ({"epochs": np.array([T0, T0, T0 + 1])}, "increase strictly"),
])
def test_bad_trajectories_are_refused(kwargs: dict, message: str) -> None:
    base = {"id": "x", "epochs": np.array([T0, T0 + 1, T0 + 2]), "positions_km": np.ones((3, 3))}
    with pytest.raises(ValueError, match=message):
        write_czml([Trajectory(**{**base, **kwargs})])


def test_ids_must_be_unique() -> None:
    epochs, r = _orbit(3)
    with pytest.raises(ValueError, match="unique"):
        write_czml([Trajectory("a", epochs, r)], [Event("a", epochs[0], r[0])])
    with pytest.raises(ValueError, match="unique"):
        write_czml([Trajectory("document", epochs, r)])
    with pytest.raises(ValueError, match="nothing to write"):
        write_czml([])


finite_km = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(st.integers(1, 10**11), min_size=0, max_size=30),
       data=st.data())
def test_samples_round_trip(steps: list[int], data: st.DataObject) -> None:
    us = np.cumsum([0, *steps])
    epochs = T0 + us.astype("timedelta64[us]")
    r = np.array(data.draw(st.lists(finite_km, min_size=3 * len(us), max_size=3 * len(us))))
    r = r.reshape(-1, 3)
    text = write_czml([Trajectory("t", epochs, r)])
    packets = check_czml(text)
    metres = np.array(packets[1]["position"]["cartesian"]).reshape(-1, 4)[:, 1:]
    assert np.array_equal(metres, r * 1000.0)  # the numbers written are exactly km × 1000
    back_epochs, back_km, frame = read_czml_positions(text)["t"]
    assert np.array_equal(back_epochs, epochs) and frame == "INERTIAL"
    assert np.allclose(back_km, r, rtol=1e-15, atol=0)


def test_trajectory_from_oem_segment() -> None:
    from sweepers.formats import oem as oemfmt

    epochs, r = _orbit(5)
    seg = oemfmt.OemSegment(
        object_name="SWEEPER 1", object_id="2026-999A", center_name="EARTH", ref_frame="GCRF",
        time_system="UTC", start_time=epochs[0], stop_time=epochs[-1], epochs=epochs,
        positions_km=r, velocities_km_s=np.zeros((5, 3)), interpolation="HERMITE",
        interpolation_degree=7)
    packet = check_czml(write_czml([Trajectory.from_oem(seg, color=(1, 2, 3, 255))]))[1]
    assert (packet["id"], packet["name"]) == ("2026-999A", "SWEEPER 1")
    assert packet["position"]["interpolationAlgorithm"] == "HERMITE"
    assert packet["point"]["color"]["rgba"] == [1, 2, 3, 255]
    seg.ref_frame = "TEME"
    with pytest.raises(ValueError, match="convert TEME"):
        write_czml([Trajectory.from_oem(seg)])
    seg.center_name = "MOON"
    with pytest.raises(ValueError, match="not EARTH"):
        Trajectory.from_oem(seg)
