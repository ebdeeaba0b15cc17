"""The report folder: valid PNGs and JSON, and a terminal summary that fits."""

from __future__ import annotations

import json
import os
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
