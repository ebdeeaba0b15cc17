"""The report folder: valid PNGs and JSON, and a terminal summary that fits."""

from __future__ import annotations

import io
import json
import os
import re
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from sweepers.census import CensusObject, compute, render_summary, write_report
from sweepers.census.report import FIGURE_NAMES

from .helpers import make_object

AS_OF = datetime(2024, 3, 1, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, after checking the signature."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def objects() -> list[CensusObject]:
    """60 objects: a LEO spread, a few higher orbits and two small debris clouds."""
    out = []
    for k in range(40):
        hp = 300.0 + 30.0 * k
        out.append(
            make_object(
                k + 1, hp, hp + 5.0 * (k % 7), 10.0 + 4.0 * k, epoch=AS_OF - timedelta(days=0.3 * k)
            )
        )
    for k in range(12):
        out.append(
            make_object(
                100 + k,
                700.0 + 8 * k,
                900.0 - 5 * k,
                98.8,
                epoch=AS_OF - timedelta(days=2),
                object_type="DEBRIS",
                name="FENGYUN 1C DEB",
            )
        )
        if k < 4:
            out.append(
                make_object(
                    200 + k,
                    440.0 - 3 * k,
                    470.0 + 4 * k,
                    82.5,
                    epoch=AS_OF,
                    object_type="DEBRIS",
                    name="COSMOS 1408 DEB",
                )
            )
    out.append(make_object(300, 35_780.0, 35_792.0, 0.05, epoch=AS_OF))
    out.append(make_object(301, 250.0, 35_786.0, 6.0, epoch=AS_OF, object_type="ROCKET BODY"))
    out.append(make_object(302, 20_100.0, 20_300.0, 55.0, epoch=AS_OF))
    out.append(make_object(303, 108_000.0, 375_000.0, 37.0, epoch=AS_OF))
    return out


def test_report_files(objects: list[CensusObject], tmp_path: Path) -> None:
    census = compute(objects, AS_OF)
    paths = write_report(census, objects, tmp_path / "report")
    names = {p.name for p in paths}
    assert names == {"census.json", "summary.md", *FIGURE_NAMES.values()}
    assert sorted(os.listdir(tmp_path / "report")) == sorted(names)  # no temporary files left
    for name in FIGURE_NAMES.values():
        data = (tmp_path / "report" / name).read_bytes()
        width, height = png_size(data)
        assert width >= 1200 and 500 <= height <= width  # landscape, legible at 150 dpi
        assert len(data) > 20_000  # something was drawn
    loaded = json.loads((tmp_path / "report" / "census.json").read_text())
    assert loaded == json.loads(json.dumps(census.to_dict()))
    assert loaded["total"] == 60
    summary = (tmp_path / "report" / "summary.md").read_text()
    assert summary.startswith("# Census of the sky")
    assert "| LEO (Low Earth Orbit) |" in summary
    assert "](gabbard.png)" in summary


def test_terminal_summary_fits_100_columns(objects: list[CensusObject]) -> None:
    console = Console(width=100, record=True, color_system=None)
    render_summary(compute(objects, AS_OF), console)
    text = console.export_text()
    assert "Low Earth Orbit" in text and "FENGYUN 1C DEB" in text
    assert max(len(line) for line in text.splitlines()) <= 100


_TYPES = ("PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN", None)


def _typed(full_catalog: list[CensusObject]) -> list[CensusObject]:
    """The real 26,140-object catalogue with every object type present (types assigned from the
    names, the rest spread by catalog number), so the cross-tab has all five type columns and
    five-digit counts — the case that was cut to ``9,…`` and ``21…`` in 80 columns."""
    def kind(o: CensusObject) -> str | None:
        name = o.name or ""
        if " DEB" in name:
            return "DEBRIS"
        return "ROCKET BODY" if "R/B" in name else _TYPES[o.norad_id % 5]
    return [CensusObject(o.norad_id, o.name, kind(o), "SMALL", o.elements) for o in full_catalog]


def _counts_intact(census: object, text: str, width: int) -> None:
    assert max(len(line) for line in text.splitlines()) <= width
    assert not re.search(r"[\d,.%]…|…[\d,.%]", text), "a number was cut"
    # every count the census holds is printed whole, with its thousands separator
    for n in (census.total, *census.by_type.values(), *census.by_regime.values(),  # type: ignore[attr-defined]
              *census.by_age.values()):  # type: ignore[attr-defined]
        if n:
            assert re.search(rf"(?<![\d,]){re.escape(f'{n:,}')}(?![\d,])", text), n


@pytest.mark.parametrize("width", [100, 80, 60, 40])
def test_terminal_summary_never_cuts_a_number(full_catalog: list[CensusObject], width: int) -> None:
    census = compute(_typed(full_catalog), datetime(2023, 10, 10, tzinfo=UTC))
    assert census.total == 26_140 and min(census.by_type.values()) > 1000
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    render_summary(census, console)
    text = console.export_text()
    _counts_intact(census, text, width)
    assert ("Geostationary Orbit" in text) and ("LEO" in text)  # names stay, as a legend if need be


@pytest.mark.parametrize(("columns", "width"), [(None, 80), ("60", 60)])
def test_piped_summary_follows_columns(full_catalog: list[CensusObject],
                                       monkeypatch: pytest.MonkeyPatch,
                                       columns: str | None, width: int) -> None:
    """Piped output (not a terminal): rich's default 80 columns, or ``$COLUMNS``."""
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    out = io.StringIO()
    console = Console(file=out, color_system=None)
    assert console.width == width
    census = compute(_typed(full_catalog), datetime(2023, 10, 10, tzinfo=UTC))
    render_summary(census, console)
    _counts_intact(census, out.getvalue(), width)
