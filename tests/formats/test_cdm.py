"""CCSDS CDM codec: all CARA sample CDMs read; KVN and XML round trips (files and Hypothesis)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sweepers.config import data_dir
from sweepers.errors import FormatError
from sweepers.formats import cdm as cdmfmt

SAMPLES = sorted((data_dir() / "pc-reference" / "cdm" / "SampleCDMs").glob("*.cdm"))


def _same(a: cdmfmt.Cdm, b: cdmfmt.Cdm) -> None:
    for name in ("version", "creation_date", "originator", "message_for", "message_id", "tca",
                 "collision_probability", "collision_probability_method", "hbr_m",
                 "header_comments", "relative_comments", "relative_extra"):
        assert getattr(a, name) == getattr(b, name), name
    for name in ("miss_distance_m", "relative_speed_m_s", "relative_position_rtn_m",
                 "relative_velocity_rtn_m_s"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
    for oa, ob in zip(a.objects, b.objects, strict=True):
        for name in ("object", "object_designator", "catalog_name", "object_name",
                     "international_designator", "ref_frame", "comments", "extra"):
            assert getattr(oa, name) == getattr(ob, name), name
        assert np.array_equal(oa.state_km, ob.state_km, equal_nan=True)
        assert np.array_equal(oa.covariance_rtn, ob.covariance_rtn, equal_nan=True)


def test_all_samples_present() -> None:
    assert len(SAMPLES) == 34  # the folder holds 34 (its README says 37)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_read_and_round_trip(path) -> None:
    cdm = cdmfmt.load(path)
    assert cdm.tca is not None and len(cdm.objects) == 2
    assert cdm.object1.ref_frame == "EME2000"
    assert np.all(np.isfinite(cdm.object1.state_km)) and np.all(np.isfinite(cdm.object2.state_km))
    assert np.all(np.isfinite(cdm.object1.covariance_rtn[:6, :6]))
    _same(cdm, cdmfmt.loads(cdmfmt.dumps_kvn(cdm)))
    _same(cdm, cdmfmt.loads(cdmfmt.dumps_xml(cdm)))


def test_day_of_year_tca_and_spacing() -> None:
    cdm = cdmfmt.load(SAMPLES[0].parent / "OmitronTestCase_Test07_NonPDCovariance.cdm")
    assert cdm.tca == datetime(2017, 2, 2, 23, 14, 54, 330000, tzinfo=UTC)  # 2017-033
    assert cdm.hbr_m == 52.8  # "COMMENT HBR = 52.8"
    single = cdmfmt.load(data_dir() / "pc-reference/cdm/SampleCDMs/SingleCovTestCase1-1.cdm")
    assert single.message_for == "INTRNTL SPACE STATION"  # "KEY =VALUE" spacing
    assert single.object1.covariance_rtn[1, 1] == 2.665e7  # CT_T [m**2]
    assert single.object1.extra["RESIDUALS_ACCEPTED"] == "85.4"  # unclosed "[" unit


@pytest.mark.parametrize(("text", "hbr"), [("HBR = 20 [m]", 20.0), ("HBR: 0.02 [km]", 20.0),
                                           ("HBR                        = 20.0", 20.0),
                                           ("HARD_BODY_RADIUS = 5 m", 5.0)])
def test_hbr_comment_variants(text: str, hbr: float) -> None:
    cdm = cdmfmt.load(SAMPLES[0])
    body = cdmfmt.dumps_kvn(cdm).replace(f"COMMENT HBR = {cdm.hbr_m!r} [m]", f"COMMENT {text}")
    assert cdmfmt.loads(body).hbr_m == pytest.approx(hbr)


def test_bad_line_reports_line_number() -> None:
    with pytest.raises(FormatError, match=":2:"):
        cdmfmt.loads_kvn("CCSDS_CDM_VERS = 1.0\nthis is not kvn\n")


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=40, deadline=None)
@given(miss=finite, vals=st.lists(finite, min_size=6, max_size=6),
       cov=st.lists(finite, min_size=21, max_size=21),
       us=st.integers(0, 10**6 - 1), hbr=st.floats(0.01, 1e4),
       name=st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="<>&["),
                    min_size=1, max_size=20))
def test_hypothesis_round_trip(miss, vals, cov, us, hbr, name) -> None:
    cdm = cdmfmt.load(SAMPLES[0])
    cdm.miss_distance_m = miss
    cdm.tca = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=100, microseconds=us)
    cdm.hbr_m = hbr
    cdm.object2.object_name = name
    cdm.object1.state_km = np.array(vals)
    m = np.zeros((6, 6))
    m[np.tril_indices(6)] = cov
    cdm.object1.covariance_rtn = m + np.tril(m, -1).T
    _same(cdm, cdmfmt.loads(cdmfmt.dumps_kvn(cdm)))
    _same(cdm, cdmfmt.loads(cdmfmt.dumps_xml(cdm)))
    assert not math.isnan(cdmfmt.loads(cdmfmt.dumps_xml(cdm)).hbr_m or math.nan)
