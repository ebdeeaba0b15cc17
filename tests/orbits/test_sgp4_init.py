"""The TLE epoch exactly as python-sgp4's twoline2rv forms it (``sgp4_init.tle_epoch``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sgp4.api import WGS72, Satrec

from sweepers.orbits.sgp4_init import tle_epoch

from .tle_helper import tle_epoch_datetime


@given(
    st.integers(min_value=1957, max_value=2056),
    st.integers(min_value=1, max_value=365),
    st.integers(min_value=0, max_value=99_999_999),
)
def test_tle_epoch_matches_twoline2rv(year, day, frac) -> None:
    field = f"{year % 100:02d}{day:03d}.{frac:08d}"
    line1 = f"1 00005U 58002B   {field}  .00000023  00000-0  28098-4 0  4753"
    line2 = "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667"
    ref = Satrec.twoline2rv(line1, line2, WGS72)
    sgp4_epoch, jd, fr = tle_epoch(tle_epoch_datetime(field))
    assert (jd, fr) == (ref.jdsatepoch, ref.jdsatepochF)
    sat = Satrec()
    sat.sgp4init(WGS72, "i", 5, sgp4_epoch, ref.bstar, ref.ndot, ref.nddot, ref.ecco,
                 ref.argpo, ref.inclo, ref.mo, ref.no_kozai, ref.nodeo)
    assert sat.gsto == ref.gsto  # the sidereal angle at epoch: the epoch float is identical
