"""Reading and writing mission files (Kelvins "Submission format" page)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sweepers.gtoc9 import rules
from sweepers.gtoc9.debris import DebrisSet
from sweepers.gtoc9.solution import (
    DSM_ID,
    Event,
    format_mission,
    parse_mission,
    read_mission,
    solution_files,
    submission_events,
    write_mission,
)

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
vectors = st.tuples(finite, finite, finite)


@given(
    st.lists(
        st.builds(Event, finite, vectors, vectors, finite, vectors, st.integers(-1, 122)),
        min_size=1,
        max_size=5,
    )
)
def test_round_trip_is_exact(events: list[Event]) -> None:
    back = parse_mission(format_mission(events, "a comment\non two lines"))
    assert not back.issues
    assert [
        (e.epoch_mjd2000, e.position_m, e.velocity_m_s, e.mass_kg, e.dv_m_s, e.debris_id)
        for e in back.events
    ] == [
        (e.epoch_mjd2000, e.position_m, e.velocity_m_s, e.mass_kg, e.dv_m_s, e.debris_id)
        for e in events
    ]
    assert [e.line for e in back.events] == list(range(3, 3 + len(events)))


def test_bad_lines_are_reported_and_good_ones_kept(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "# comment",
            "23500.0 7e6 0 0 0 7.5e3 0 2500 1 2 3 5",
            "",
            "23500.1, 7e6, 0, 0, 0, 7.5e3, 0, 2500, 0, 0, 0, -1",  # commas tolerated
            "23500.2 7e6 0 0 0 7.5e3 0 2500 0 0 0 2.5",
            "23500.3 7e6 0 0 0 7.5e3 0 nan 0 0 0 2",
            "23500.4 7e6 0 0 0 7.5e3 0 2500 0 0 0 -2",
            "23500.5 7e6 0 0 0 7.5e3 0 2500 0 0 0 3 99",
            "23500.6 7e6 0 0 0 7.5e3 0 2500 0 0 0 4.0",
        ]
    )
    path = tmp_path / "m.txt"
    path.write_text(text)
    mission = read_mission(path)
    assert [e.line for e in mission.events] == [2, 4, 9]
    assert [e.debris_id for e in mission.events] == [5, -1, 4]
    assert mission.events[0].dv_m_s == (1.0, 2.0, 3.0)
    assert [(i.line, i.reason.split(" ")[0]) for i in mission.issues] == [
        (5, "id"),
        (6, "non-finite"),
        (7, "id"),
        (8, "expected"),
    ]
    assert str(mission.issues[0]).startswith(f"{path}:5:")


def test_empty_and_binary_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("# nothing\n\n")
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "notes.md").write_text("ignored")
    files = solution_files(tmp_path)
    assert [p.name for p in files] == ["bin.txt", "empty.txt"]
    assert str(read_mission(files[0]).issues[0]).endswith(
        "bin.txt:1: undecodable byte 0xff at column 1 (not UTF-8)")
    assert read_mission(files[1]).issues[0].reason == "no events in file"
    assert solution_files(files[1]) == [files[1]]


def test_write_mission(tmp_path: Path) -> None:
    event = Event(23500.0, (1.0, 2.0, 3.0), (4.0, 5.0, 6.0), 2500.0, (0.0, 0.0, 0.0), 7)
    path = write_mission(tmp_path / "m.txt", [event])
    assert path.read_text() == "23500.0 1.0 2.0 3.0 4.0 5.0 6.0 2500.0 0.0 0.0 0.0 7\n"


def test_write_mission_is_whole_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that dies half-way (here: the disk fills while the text is written) leaves the
    old file as it was, and a later write replaces it whole."""
    event = Event(23500.0, (1.0, 2.0, 3.0), (4.0, 5.0, 6.0), 2500.0, (0.0, 0.0, 0.0), 7)
    path = write_mission(tmp_path / "m.txt", [event])
    before = path.read_bytes()
    real = Path.write_text

    def half_then_fail(self: Path, text: str, encoding: str | None = None) -> int:
        real(self, text[: len(text) // 2], encoding=encoding)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    with pytest.raises(OSError):
        write_mission(path, [event, event])
    monkeypatch.undo()
    assert path.read_bytes() == before
    write_mission(path, [event, event])
    assert len(read_mission(path).events) == 2


def test_submission_events_close_an_open_chain(debris: DebrisSet) -> None:
    """The delivery 5 days before the first departure (mass + 30 kg) and the end of the last stay
    5 days after the last arrival (mass after the arrival impulse − 30 kg), on the debris'
    ephemeris, without impulse; the chain's own lines unchanged in between."""
    dep = Event.from_arrays(23600.0, *debris.states(122, 23600.0), 2470.0, (10.0, 0.0, 0.0), 122)
    dsm = Event(23600.01, (7e6, 0.0, 0.0), (0.0, 7.5e3, 0.0), 2462.0, (1.0, 2.0, 2.0), DSM_ID)
    arr = Event.from_arrays(23600.05, *debris.states(7, 23600.05), 2460.0, (0.0, 3.0, 4.0), 7)
    events = submission_events([dep, dsm, arr], debris)
    assert [e.debris_id for e in events] == [122, 122, DSM_ID, 7, 7]
    assert events[1:4] == [dep, dsm, arr]
    first, last = events[0], events[-1]
    assert first.epoch_mjd2000 == 23595.0 and last.epoch_mjd2000 == 23605.05
    assert first.mass_kg == 2500.0
    assert last.mass_kg == pytest.approx(2460.0 * np.exp(-5.0 / rules.VE_M_S) - 30.0, abs=1e-9)
    assert first.dv_m_s == last.dv_m_s == (0.0, 0.0, 0.0)
    r0, v0 = debris.states(122, 23595.0)
    r1, v1 = debris.states(7, 23605.05)
    assert np.array_equal(first.r(), r0) and np.array_equal(first.v(), v0)
    assert np.array_equal(last.r(), r1) and np.array_equal(last.v(), v1)
    assert submission_events(events, debris) == events  # already closed: unchanged


def test_submission_events_one_debris_and_bad_chains(debris: DebrisSet) -> None:
    """A one-debris chain (its single departure line) becomes the delivery and that departure;
    an empty chain, or one that starts or ends with a DSM, is refused."""
    end = Event.from_arrays(23700.0, *debris.states(0, 23700.0), 2000.0, (0.0, 0.0, 0.0), 0)
    events = submission_events([end], debris)
    assert [(e.epoch_mjd2000, e.mass_kg, e.debris_id) for e in events] == [
        (23695.0, 2030.0, 0),
        (23700.0, 2000.0, 0),
    ]
    dsm = Event(23700.1, (7e6, 0.0, 0.0), (0.0, 7.5e3, 0.0), 2000.0, (0.0, 0.0, 0.0), DSM_ID)
    for bad in ([], [dsm, end], [end, dsm]):
        with pytest.raises(ValueError, match="a mission"):
            submission_events(bad, debris)
