"""The inverse rotations OEM screening uses (``sweepers.orbits.frames``): GCRS/ITRS → TEME undo
TEME → GCRS/ITRS, EME2000 → GCRS is the IAU frame bias, ``to_teme`` dispatches and refuses."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sweepers.orbits.frames import (
    eme2000_to_gcrs,
    gcrs_to_teme,
    itrs_to_teme,
    teme_to_gcrs,
    teme_to_itrs,
    to_teme,
)

MAS = np.pi / 180.0 / 3600.0 / 1000.0
# Frame bias of the IAU 2006 precession (IERS Conventions 2010, TN 36, §5.5.6 eq. 5.21):
# ξ0 = −16.617 mas, η0 = −6.8192 mas, dα0 = −14.6 mas; to first order
# B = [[1, dα0, −ξ0], [−dα0, 1, −η0], [ξ0, η0, 1]] with r_J2000 = B · r_GCRS.
XI0, ETA0, DALPHA0 = -16.617 * MAS, -6.8192 * MAS, -14.6 * MAS


@settings(max_examples=40, deadline=None)
@given(
    day=st.floats(-3000.0, 20000.0),  # 1991 … 2054, days from 2000-01-01
    r=st.tuples(*[st.floats(-42000.0, 42000.0)] * 3).filter(
        lambda x: 6500.0 < float(np.linalg.norm(x)) < 45000.0),
    v=st.tuples(*[st.floats(-8.0, 8.0)] * 3),
)
def test_round_trips(day: float, r: tuple[float, ...], v: tuple[float, ...]) -> None:
    jd = np.array([2451544.5 + np.floor(day)])
    fr = np.array([day - np.floor(day)])
    r0, v0 = np.array([r]), np.array([v])
    for forward, back in ((teme_to_gcrs, gcrs_to_teme), (teme_to_itrs, itrs_to_teme)):
        r1, v1 = forward(r0, v0, jd, fr)
        r2, v2 = back(r1, v1, jd, fr)
        # rotations (and ω×r) undone to rounding: 1e-9 km at 42,000 km, 1e-12 km/s
        assert np.allclose(r2, r0, rtol=0, atol=1e-9)
        assert np.allclose(v2, v0, rtol=0, atol=1e-12)
        r3, v3 = to_teme("gcrs" if forward is teme_to_gcrs else "itrs", r1, v1, jd, fr)
        assert np.array_equal(r3, r2) and np.array_equal(v3, v2)


def test_eme2000_is_gcrs_through_the_frame_bias() -> None:
    b = np.array([[1.0, DALPHA0, -XI0], [-DALPHA0, 1.0, -ETA0], [XI0, ETA0, 1.0]])
    r_gcrs = np.array([[7000.0, -1200.0, 300.0], [-42164.0, 10.0, 5.0]])
    v_gcrs = np.array([[0.1, 7.4, 1.0], [0.0, -3.07, 0.01]])
    r_j2000, v_j2000 = r_gcrs @ b.T, v_gcrs @ b.T
    r, v = eme2000_to_gcrs(r_j2000, v_j2000)
    # the published angles (0.1 µas digits) against ERFA's bias from the IAU 2006
    # Fukushima-Williams constants (1 µas digits): agreement to 4 µas = 2e-11 rad of |r|
    # (second-order terms of B, ~(16 mas)², are 6e-15)
    for got, want in ((r, r_gcrs), (v, v_gcrs)):
        assert (np.abs(got - want) <= 2e-11 * np.linalg.norm(want, axis=1, keepdims=True)).all()
    jd, fr = np.array([2460000.5]), np.array([0.25])
    via_teme = to_teme("eme2000", r_j2000, v_j2000, jd, fr)
    direct = gcrs_to_teme(r, v, jd, fr)
    assert np.allclose(via_teme[0], direct[0], rtol=0, atol=1e-12)
    # and the bias is not nothing: 0.8 m at 7,000 km
    assert 0.5e-3 < np.linalg.norm(r_j2000[0] - r_gcrs[0]) < 1.0e-3


def test_unknown_frame_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown frame 'mod'"):
        to_teme("mod", np.zeros((1, 3)), np.zeros((1, 3)), [2460000.5], [0.0])  # type: ignore[arg-type]
