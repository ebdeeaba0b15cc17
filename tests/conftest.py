"""Shared fixtures: the reference-data folder and a fresh store per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from sweepers.config import data_dir


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``$SWEEPERS_DATA`` (default ``../shared/data``); the suite needs it and says so if absent."""
    path = data_dir()
    if not (path / "README.md").exists():
        pytest.fail(f"reference data not found at {path}: set SWEEPERS_DATA")
    return path
