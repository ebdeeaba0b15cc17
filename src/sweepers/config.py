"""Settings read from the environment, in one place.

* ``SWEEPERS_DATA``: folder of reference data (default ``../shared/data`` relative to the
  repository root, i.e. beside the checkout).
* ``SWEEPERS_DB``: SQLAlchemy URL of the catalog store (default: a SQLite file in the user's data
  directory, ``platformdirs.user_data_dir("sweepers")/catalog.sqlite``).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

_REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Folder of reference data (``$SWEEPERS_DATA``, default ``<repo>/../shared/data``)."""
    env = os.environ.get("SWEEPERS_DATA")
    if env:
        return Path(env).expanduser()
    return (_REPO_ROOT.parent / "shared" / "data").resolve()


def user_data_dir() -> Path:
    """Per-user folder for the default store and reports (created on demand)."""
    path = Path(platformdirs.user_data_dir("sweepers", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    """SQLAlchemy URL of the store: ``$SWEEPERS_DB`` or a SQLite file in the user data dir."""
    env = os.environ.get("SWEEPERS_DB")
    if env:
        return env
    return f"sqlite:///{user_data_dir() / 'catalog.sqlite'}"


def default_catalog_files() -> list[Path]:
    """The bundled default inputs that ``make run`` ingests: full 3LE catalog, SATCAT, CARA."""
    d = data_dir()
    return [
        d / "catalog" / "spacetrack_3le_full_catalog_2023-10.txt",
        d / "satcat" / "spacetrack_satcat_current_2025-03-16.json",
        d / "satcat" / "spacetrack_satcat_decayed_2025-03-16.json",
        d / "satcat" / "nasa_cara_hbr_mass_estimates_2026-06-01.csv",
    ]
