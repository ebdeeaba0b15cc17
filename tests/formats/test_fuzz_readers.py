"""Every reader fuzzed two ways, on a small fixed budget (``benchmarks/fuzz.py`` runs millions).

1. Hypothesis builds valid records — element sets drawn by the round-trip strategy and written
   by the package's own writers (TLE, OMM JSON/CSV/XML/KVN), or real records of the data folder
   (SATCAT, CARA, GCAT, CDM, OEM, GTOC9 missions, the ship file) — then breaks one field of one
   record with a hostile value (empty, huge, NaN/Inf, controls, undecodable bytes, markup, …).
2. Byte-level mutation of real samples (``fuzz_targets.mutate``), a fixed seeded budget.

Both use the oracle of ``fuzz_targets.check``: no exception but the reader's reported rejection,
every record of the untouched chunks kept, and the broken record kept or reported, never dropped.
A failing example prints the reader and the input bytes, to become a regression test.
"""

from __future__ import annotations

import random

import fuzz_targets as targets
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_formats_roundtrip import tle_element_sets

from sweepers.records import ElementSet

BYTE_BUDGET = 250  # mutated inputs per reader per run (about 0.5 s each on 2 cores)

HOSTILE: st.SearchStrategy[bytes] = st.one_of(
    st.sampled_from(targets.SPECIALS),
    st.sampled_from(targets.HOSTILE_FIXED),
    st.binary(max_size=24),
    st.text(max_size=24).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.integers().map(lambda k: str(k).encode()),
    st.floats().map(lambda x: repr(x).encode()),
)
"""A broken field value."""


def _report(name: str, data: bytes, crash: str | None) -> str:
    return f"{name}: {crash}\ninput: {data!r}"


def _broken(name: str, seed: targets.Seed, data: st.DataObject) -> None:
    hit = data.draw(st.integers(0, len(seed.chunks) - 1), label="record")
    chunk = seed.chunks[hit]
    spans = targets.field_spans(name, chunk)
    span = data.draw(st.sampled_from(spans), label="field") if spans else (0, 0)
    chunks = list(seed.chunks)
    chunks[hit] = targets.break_field(chunk, span, data.draw(HOSTILE, label="value"))
    joined = seed.join(chunks)
    crash = targets.check(name, joined, seed, hit, chunks[hit])
    assert crash is None, _report(name, joined, crash)


ELEMENT_SET_FORMATS = ("tle", "omm-json", "omm-csv", "omm-xml", "omm-kvn")


@pytest.mark.parametrize("name", ELEMENT_SET_FORMATS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(tle_element_sets, min_size=2, max_size=4), data=st.data())
def test_built_element_sets_with_one_field_broken(name: str, records: list[ElementSet],
                                                  data: st.DataObject) -> None:
    seed = targets.with_expected(name, targets.element_set_seed(name, records))
    _broken(name, seed, data)


@pytest.mark.parametrize("name", targets.READER_NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_real_records_with_one_field_broken(name: str, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(targets.seeds(name)), label="sample")
    _broken(name, seed, data)


@pytest.mark.parametrize("name", targets.READER_NAMES)
def test_byte_mutations_of_real_samples(name: str) -> None:
    rng = random.Random(f"sweepers-fuzz-{name}")  # fixed: the same inputs on every run
    for _ in range(BYTE_BUDGET):
        data, crash = targets.fuzz_one(name, rng)
        assert crash is None, _report(name, data, crash)


def test_the_oracle_catches_a_lost_record() -> None:
    """The oracle must fail a reader that drops a good record (else these tests prove nothing)."""
    seed = targets.seeds("tle")[0]
    chunks = list(seed.chunks)
    data = seed.join(chunks[:1] + chunks[2:])  # chunk 1 removed: as if the reader lost it
    assert targets.check("tle", data, seed, 0, chunks[0]) == "good record of chunk 1 lost"
    silent = seed.join([b"#", *chunks[1:]])
    assert targets.check("tle", silent, seed, 0, b"#") is None  # a comment is not data
