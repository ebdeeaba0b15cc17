"""Every XML message the project writes is valid against the CCSDS NDM/XML 2.0.0 schemas, and
every KVN writer emits its keywords in the standard's order.

Schemas: ``$SWEEPERS_DATA/ccsds-ndmxml/unqualified`` (SANA "ndmxml_unqualified", README there),
checked with the ``xmlschema`` validator. Keyword order: the schemas' element sequences, which
repeat the keyword tables of CCSDS 508.0-B-1 (CDM, tables 3-2…3-8) and 502.0-B-2 (OEM §5.2, OMM
§4.2); ``CLASSIFICATION`` and ``MESSAGE_ID`` of the OEM header come from 502.0-B-3 table 5-2.
Inputs: the 34 CARA sample CDMs (read as KVN), OEMs and OMMs from real catalog records (the
2023-10 Space-Track 3LE catalog and the 2026-07 CelesTrak active GP file), and Hypothesis messages
with values the schema's types cannot hold (NaN counts, negative areas, unknown keywords).
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from test_oem import messages as oem_messages  # the OEM codec's own Hypothesis messages

from sweepers.formats import cdm as cdmfmt
from sweepers.formats import oem as oemfmt
from sweepers.formats import parse_omm_csv, parse_omm_kvn, parse_omm_xml, parse_tle
from sweepers.formats.omm import write_omm_kvn, write_omm_xml
from sweepers.orbits.sgp4_batch import propagate
from sweepers.records import ElementSet

CREATED = datetime(2026, 1, 1, tzinfo=UTC)
XSD = "{http://www.w3.org/2001/XMLSchema}"


class NdmSchema:
    """The unqualified NDM/XML 2.0.0 schema set: validation and the element order of its types."""

    def __init__(self, folder: Path) -> None:
        self.schema = xmlschema.XMLSchema(str(folder / "ndmxml-2.0.0-master-2.0.xsd"))
        self._types: dict[str, ET.Element] = {}
        for path in sorted(folder.glob("ndmxml-2.0.0-*.xsd")):
            for node in ET.parse(path).getroot().iter(f"{XSD}complexType"):
                if node.get("name"):
                    self._types[node.get("name")] = node

    def check(self, text: str) -> None:
        """Fail with the schema's first errors unless ``text`` is a valid NDM/XML message."""
        errors = [f"{e.path}: {e.reason}" for e in self.schema.iter_errors(text)]
        assert not errors, "\n".join(errors[:5])

    def order(self, type_name: str) -> list[str]:
        """Leaf element names of complex type ``type_name`` in schema order, nested complex types
        expanded, ``COMMENT`` left out (both branches of an ``xsd:choice`` kept, in order)."""
        out: list[str] = []
        for el in self._types[type_name].iter(f"{XSD}element"):
            name, typ = el.get("name"), el.get("type", "")
            inner = self._types.get(typ)
            if inner is not None and inner.find(f"{XSD}simpleContent") is None:
                out += self.order(typ)
            elif name != "COMMENT":
                out.append(name)
        return out


@pytest.fixture(scope="session")
def ndm(shared_data: Path) -> NdmSchema:
    """The schema set; the suite fails (does not skip) when it is missing."""
    folder = shared_data / "ccsds-ndmxml" / "unqualified"
    if not (folder / "ndmxml-2.0.0-master-2.0.xsd").exists():
        pytest.fail(f"NDM/XML schemas not found in {folder} (see $SWEEPERS_DATA/ccsds-ndmxml)")
    return NdmSchema(folder)


def assert_in_order(keys: list[str], order: list[str], where: str = "") -> None:
    """Fail unless ``keys`` is a subsequence of ``order`` (each keyword known and after the
    previous one; a keyword may repeat only where ``order`` repeats it)."""
    at = 0
    for key in keys:
        try:
            at = order.index(key, at) + 1
        except ValueError:
            known = "out of order" if key in order else "not a keyword of the standard"
            pytest.fail(f"{where}: {key} {known} (after {order[at - 1] if at else 'start'})")


def kvn_keywords(text: str) -> list[str]:
    """Keywords of the ``KEY = VALUE`` lines and block markers of a KVN text, COMMENTs left out."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("COMMENT"):
            continue
        if "=" in s:
            out.append(s.split("=", 1)[0].strip())
        elif s.isupper() and s.replace("_", "").isalpha():
            out.append(s)
    return out


def cdm_order(ndm: NdmSchema) -> list[str]:
    obj = ndm.order("cdmMetadata") + ndm.order("cdmData")
    return ["CCSDS_CDM_VERS", *ndm.order("cdmHeader"), *ndm.order("relativeMetadataData"),
            *obj, *obj]


def samples(shared_data: Path) -> list[Path]:
    paths = sorted((shared_data / "pc-reference" / "cdm" / "SampleCDMs").glob("*.cdm"))
    assert len(paths) == 34  # the folder holds 34 files (its README says 37)
    return paths


# ----------------------------------------------------------------------------------------- CDM

def test_order_from_schema_nests_what_the_issue_names(ndm: NdmSchema) -> None:
    """The order read from the XSD is the standard's, not the writer's own constants."""
    rel = ndm.order("relativeMetadataData")
    assert rel[3:9] == list(cdmfmt._REL_VEC)  # relativeStateVector, between speed and screening
    meta = ndm.order("cdmMetadata")
    assert meta.index("EPHEMERIS_NAME") < meta.index("REF_FRAME") < meta.index("INTRACK_THRUST")
    assert tuple(cdm_order(ndm)[:len(cdmfmt.KEYWORD_ORDER) - 45]) == cdmfmt.KEYWORD_ORDER[:-45]


def test_sample_cdms_valid_xml_and_kvn_in_order(ndm: NdmSchema, shared_data: Path) -> None:
    order = cdm_order(ndm)
    for path in samples(shared_data):
        cdm = cdmfmt.load(path)
        xml = cdmfmt.dumps_xml(cdm)
        ndm.check(xml)
        kvn = cdmfmt.dumps_kvn(cdm)
        assert cdmfmt.dumps_kvn(cdmfmt.loads_xml(xml)) == kvn, path.name  # nothing lost
        assert_in_order(kvn_keywords(kvn), order, path.name)


def test_nan_counts_are_left_out_and_restored(shared_data: Path) -> None:
    cdm = cdmfmt.load(shared_data / "pc-reference/cdm/SampleCDMs/AlfanoTestCase01.cdm")
    assert cdm.object1.extra["OBS_USED"] == "NaN"  # the file's value: not a positive integer
    xml = cdmfmt.dumps_xml(cdm)
    assert "<OBS_USED>" not in xml
    assert "left out (not a positive integer in NDM/XML): OBS_USED = NaN" in xml
    assert cdmfmt.loads_xml(xml).object1.extra["OBS_USED"] == "NaN"


def test_obligatory_value_the_schema_cannot_hold_is_refused(shared_data: Path) -> None:
    cdm = cdmfmt.load(shared_data / "pc-reference/cdm/SampleCDMs/AlfanoTestCase01.cdm")
    cdm.object1.ref_frame = "TEME"  # not a CDM 1.0 frame (EME2000, GCRF, ITRF)
    with pytest.raises(ValueError, match="REF_FRAME"):
        cdmfmt.dumps_xml(cdm)
    del cdm.object2.extra["COVARIANCE_METHOD"]
    with pytest.raises(ValueError, match="COVARIANCE_METHOD"):
        cdmfmt.dumps_kvn(cdm)


plain = st.text("abcdefgh xyz0123456789-_./", min_size=1, max_size=12).map(str.strip).filter(bool)
floats = st.floats(allow_nan=True, allow_infinity=True)
numbers = st.sampled_from(["NaN", "0", "-1", "12", "1.5", "1e3", "+7", "abc", "-0.0", "INF"])
epochs = st.sampled_from(["2020-01-01T00:00:00.000", "2014-021T16:03:17.941", "yesterday"])
yes_no = st.sampled_from(["YES", "no", "Yes", "MAYBE"])
optional_object = {
    **{k: numbers for k in cdmfmt._OD_ORDER[2:] + cdmfmt._ADDITIONAL_ORDER},
    "TIME_LASTOB_START": epochs, "TIME_LASTOB_END": epochs,
    "OBJECT_TYPE": st.sampled_from(["PAYLOAD", "debris", "Debris", "SPACECRAFT"]),
    "ORBIT_CENTER": plain, "GRAVITY_MODEL": plain, "OPERATOR_EMAIL": plain,
    "SOLAR_RAD_PRESSURE": yes_no, "EARTH_TIDES": yes_no, "INTRACK_THRUST": yes_no,
    "X_USER_KEY": plain,  # not a CDM keyword
}
optional_relative = {"START_SCREEN_PERIOD": epochs, "SCREEN_VOLUME_FRAME":
                     st.sampled_from(["RTN", "tvn", "XYZ"]), "SCREEN_VOLUME_X": numbers,
                     "SCREEN_ENTRY_TIME": epochs, "CONJUNCTION_ID": plain}


@st.composite
def cdm_messages(draw: st.DrawFn, base: cdmfmt.Cdm) -> cdmfmt.Cdm:
    cdm = cdmfmt.Cdm(creation_date=base.creation_date, originator=draw(plain),
                     message_for=draw(st.none() | plain), message_id=draw(plain), tca=base.tca,
                     miss_distance_m=draw(floats), relative_speed_m_s=draw(floats),
                     relative_position_rtn_m=np.array(draw(st.lists(floats, min_size=3,
                                                                    max_size=3))),
                     relative_velocity_rtn_m_s=np.array(draw(st.lists(floats, min_size=3,
                                                                      max_size=3))),
                     collision_probability=draw(st.none() | st.floats(0, 1)),
                     collision_probability_method=draw(st.none() | plain),
                     hbr_m=draw(st.none() | st.floats(0.01, 100)),
                     header_comments=draw(st.lists(plain, max_size=2)),
                     relative_comments=draw(st.lists(plain, max_size=2)),
                     relative_extra=draw(st.fixed_dictionaries({}, optional=optional_relative)),
                     objects=[])
    for k in (1, 2):
        n = draw(st.integers(6, 9))
        cov = np.array(draw(st.lists(floats, min_size=n * n, max_size=n * n))).reshape(n, n)
        extra = {"EPHEMERIS_NAME": draw(plain),
                 "COVARIANCE_METHOD": draw(st.sampled_from(["CALCULATED", "default"])),
                 "MANEUVERABLE": draw(st.sampled_from(["YES", "NO", "N/A", "n/a"]))}
        extra |= draw(st.fixed_dictionaries({}, optional=optional_object))
        cdm.objects.append(cdmfmt.CdmObject(
            object=f"OBJECT{k}", object_designator=draw(plain), catalog_name=draw(plain),
            object_name=draw(plain), international_designator=draw(plain),
            ref_frame=draw(st.sampled_from(["EME2000", "GCRF", "itrf"])),
            state_km=np.array(draw(st.lists(floats, min_size=6, max_size=6))),
            covariance_rtn=np.tril(cov) + np.tril(cov, -1).T,
            comments=draw(st.lists(plain, max_size=2)), extra=extra))
    return cdm


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_hypothesis_cdms_valid_xml_and_kvn_in_order(ndm: NdmSchema, shared_data: Path,
                                                     data: st.DataObject) -> None:
    base = cdmfmt.load(samples(shared_data)[0])
    cdm = data.draw(cdm_messages(base))
    xml = cdmfmt.dumps_xml(cdm)
    ndm.check(xml)
    kvn = cdmfmt.dumps_kvn(cdm)
    assert cdmfmt.dumps_kvn(cdmfmt.loads_xml(xml)) == kvn
    assert cdmfmt.dumps_kvn(cdmfmt.loads_kvn(kvn)) == kvn
    assert_in_order(kvn_keywords(kvn), cdm_order(ndm), "hypothesis CDM")


# --------------------------------------------------------------------------------- OEM and OMM

def real_records(shared_data: Path) -> dict[str, list[ElementSet]]:
    """Every 100th record of two real catalogs, plus the first 20 3LE records without OBJECT_ID
    (analyst objects: the OMM's obligatory OBJECT_ID is unknown)."""
    cat = shared_data / "catalog"
    tle = parse_tle((cat / "spacetrack_3le_full_catalog_2023-10.txt").read_bytes(), "3le").records
    gp = parse_omm_csv((cat / "celestrak_gp_active_2026-07.csv").read_bytes(), "csv").records
    no_id = [r for r in tle if r.object_id is None][:20]
    assert len(tle) > 20_000 and len(gp) > 10_000 and len(no_id) == 20
    return {"3le-2023-10": tle[::100] + no_id, "gp-active-2026-07": gp[::100]}


def oem_order(ndm: NdmSchema) -> tuple[list[str], list[str]]:
    header = ["CCSDS_OEM_VERS", "CLASSIFICATION", *ndm.order("ndmHeader"), "MESSAGE_ID"]
    segment = ["META_START", *ndm.order("oemMetadata"), "META_STOP", "COVARIANCE_START",
               "EPOCH", "COV_REF_FRAME", "COVARIANCE_STOP"]
    return header, segment


def check_oem_kvn_order(ndm: NdmSchema, kvn: str) -> None:
    header, segment = oem_order(ndm)
    keys = kvn_keywords(kvn)
    first = keys.index("META_START")
    assert_in_order(keys[:first], header, "OEM header")
    starts = [i for i, k in enumerate(keys) if k == "META_START"] + [len(keys)]
    for a, b in itertools.pairwise(starts):
        block = keys[a:b]
        cov = block.index("COVARIANCE_START") if "COVARIANCE_START" in block else len(block)
        assert_in_order(block[:cov], segment, "OEM segment")
        assert set(block[cov:]) <= {"COVARIANCE_START", "EPOCH", "COV_REF_FRAME",
                                    "COVARIANCE_STOP"}


def test_oem_from_real_records_valid_and_in_order(ndm: NdmSchema, shared_data: Path) -> None:
    for name, records in real_records(shared_data).items():
        recs = records[:60]
        t0 = np.datetime64(recs[0].epoch.replace(tzinfo=None), "us")
        times = t0 + np.arange(7) * np.timedelta64(900, "s")
        eph = propagate(recs, times)
        segments = [oemfmt.OemSegment(
            object_name=r.object_name or str(r.norad_id), object_id=r.object_id or "UNKNOWN",
            center_name="EARTH", ref_frame="TEME", time_system="UTC", start_time=times[0],
            stop_time=times[-1], epochs=times, positions_km=eph.r[k], velocities_km_s=eph.v[k],
            interpolation="HERMITE", interpolation_degree=5, meta_comments=[f"SGP4 of {name}"])
            for k, r in enumerate(recs) if (eph.status[k] == 0).all()]
        assert len(segments) > 40
        oem = oemfmt.Oem(originator="sweepers", creation_date=np.datetime64("2026-01-01", "us"),
                         segments=segments, message_id=f"{name}-1")  # version 3.0 (default)
        xml = oemfmt.dumps_xml(oem)
        ndm.check(xml)
        back = oemfmt.loads_xml(xml)
        assert (back.version, back.message_id) == ("3.0", f"{name}-1")  # restored from comments
        kvn = oemfmt.dumps_kvn(oem)
        assert oemfmt.dumps_kvn(back) == kvn
        check_oem_kvn_order(ndm, kvn)


def omm_order(ndm: NdmSchema) -> list[str]:
    return ["CCSDS_OMM_VERS", *ndm.order("ndmHeader"), *ndm.order("ommMetadata"),
            *ndm.order("ommData")]


def check_omm_kvn_order(ndm: NdmSchema, kvn: str) -> None:
    keys = kvn_keywords(kvn)
    starts = [i for i, k in enumerate(keys) if k == "CCSDS_OMM_VERS"] + [len(keys)]
    for a, b in itertools.pairwise(starts):
        assert_in_order(keys[a:b], omm_order(ndm), "OMM message")


def test_omm_from_real_records_valid_and_in_order(ndm: NdmSchema, shared_data: Path) -> None:
    for records in real_records(shared_data).values():
        xml = write_omm_xml(records, creation_date=CREATED)
        ndm.check(xml)
        assert parse_omm_xml(xml.encode(), "xml").records == records
        kvn = write_omm_kvn(records, creation_date=CREATED)
        assert parse_omm_kvn(kvn.encode(), "kvn").records == records
        check_omm_kvn_order(ndm, kvn)


def test_omm_out_of_schema_values(ndm: NdmSchema, shared_data: Path) -> None:
    rec = real_records(shared_data)["gp-active-2026-07"][0]
    xml = write_omm_xml([ElementSet(**{**_fields(rec), "mean_anomaly_deg": 360.0})],
                        creation_date=CREATED)
    ndm.check(xml)
    assert parse_omm_xml(xml.encode(), "x").records[0].mean_anomaly_deg == 0.0  # same direction
    for bad in ({"eccentricity": -0.1}, {"inclination_deg": 181.0}, {"element_set_no": 10_000}):
        with pytest.raises(ValueError, match="outside the range"):
            write_omm_xml([ElementSet(**{**_fields(rec), **bad})])


def _fields(rec: ElementSet) -> dict:
    return {name: getattr(rec, name) for name in rec.__dataclass_fields__}


text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="<&"),
               min_size=1, max_size=16).map(str.strip).filter(bool)
schema_element_sets = st.builds(
    ElementSet, norad_id=st.integers(0, 999_999_999),
    epoch=st.datetimes(datetime(1957, 10, 4), datetime(2100, 1, 1)).map(
        lambda t: t.replace(tzinfo=UTC)),
    mean_motion_rev_day=st.floats(0.01, 20), eccentricity=st.floats(0, 0.99),
    inclination_deg=st.floats(0, 180), raan_deg=st.floats(-720, 720),
    arg_pericenter_deg=st.floats(0, 359.9999), mean_anomaly_deg=st.floats(-180, 359.9999),
    bstar=st.floats(-1, 1), mean_motion_dot=st.floats(-1, 1), mean_motion_ddot=st.floats(-1, 1),
    object_name=st.none() | text, object_id=st.none() | text,
    classification=st.sampled_from("UCS"), ephemeris_type=st.integers(0, 9),
    element_set_no=st.integers(0, 9999), rev_at_epoch=st.integers(0, 10**7))


@settings(max_examples=60, deadline=None)
@given(records=st.lists(schema_element_sets, min_size=1, max_size=4))
def test_hypothesis_omm_valid_and_in_order(ndm: NdmSchema, records: list[ElementSet]) -> None:
    ndm.check(write_omm_xml(records, creation_date=CREATED))
    check_omm_kvn_order(ndm, write_omm_kvn(records, creation_date=CREATED))


@settings(max_examples=40, deadline=None)
@given(oem=oem_messages)
def test_hypothesis_oems_valid_and_in_order(ndm: NdmSchema, oem: oemfmt.Oem) -> None:
    """Versions 1.0-3.0, MESSAGE_ID, CLASSIFICATION and non-standard metadata keywords: the XML
    is valid OEM 2.0 and keeps them all; the KVN header and metadata are in the standard's order
    (the metadata's non-standard keywords, kept by the KVN writer, set aside)."""
    xml = oemfmt.dumps_xml(oem)
    ndm.check(xml)
    assert oemfmt.dumps_kvn(oemfmt.loads_xml(xml)) == oemfmt.dumps_kvn(oem)
    plain_oem = oemfmt.Oem(originator=oem.originator, creation_date=oem.creation_date,
                           segments=oem.segments, version=oem.version, message_id=oem.message_id,
                           comments=oem.comments, extra=oem.extra)
    extras = [dict(seg.extra) for seg in oem.segments]
    for seg in plain_oem.segments:
        seg.extra.clear()
    try:
        check_oem_kvn_order(ndm, oemfmt.dumps_kvn(plain_oem))
    finally:
        for seg, extra in zip(plain_oem.segments, extras, strict=True):
            seg.extra.update(extra)
