"""Writing files so that a reader never sees half of one: the package's one atomic-write helper.

``formats/`` stays pure (text in, text out); the layers that own files — the catalog's fetch, the
census report, GTOC9 checkpoints, CDM output — write through :func:`write_atomic`. It sits at the
bottom of the layering (importing nothing from the package) so that every layer may use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

FILE_MODE = 0o644  # mkstemp creates 0o600; finished files are world-readable like open(..., "w")


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (``str`` is encoded as UTF-8) to ``path``; returns the path.

    The bytes go to a temporary file in the same folder (created with its parents if missing),
    are flushed and fsync'ed, and the file is renamed over ``path`` (``os.replace``, atomic on
    POSIX and Windows within one file system). A reader, or a run killed half-way, sees the old
    file or the complete new one, never a partial one; the temporary file is removed on failure.
    """
    target = Path(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, FILE_MODE)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return target
