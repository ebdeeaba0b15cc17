"""The one atomic-write helper: all or nothing, readable, parents created, text as UTF-8."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sweepers.files import write_atomic


def test_write_atomic_keeps_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "census.json"
    write_atomic(target, b"old")

    def fail(*_args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk gone"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["census.json"]  # no temporary file left behind


def test_write_atomic_text_parents_and_mode(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "cdm.txt"
    assert write_atomic(target, "TCA = 2024-01-01T00:00:00.000 µs\n") == target
    assert target.read_bytes() == "TCA = 2024-01-01T00:00:00.000 µs\n".encode()
    # mkstemp makes 0o600 files; finished files are world-readable (0o644)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(os.listdir(target.parent)) == ["cdm.txt"]
