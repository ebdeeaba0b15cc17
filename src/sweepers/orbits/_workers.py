"""Worker processes for python-sgp4's ``SatrecArray`` (it holds the GIL, so threads do not help).

Results travel through a file-backed shared mapping (``/dev/shm`` when present): the parent creates
one buffer per chunk, workers write their rows straight into it, and the parent hands the same
memory to the caller. Nothing is pickled but the small element arrays. This module imports only
NumPy and python-sgp4, so spawned workers start quickly.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sgp4.api import SatrecArray

from sweepers.orbits.sgp4_init import build_satrecs

_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0


@dataclass(frozen=True)
class SharedBuffer:
    """Layout of one chunk's output file: r [km] then v [km/s] (n, m, 3) float64, status (n, m)."""

    path: str
    n: int
    m: int

    @property
    def _sizes(self) -> tuple[int, int]:
        vec = self.n * self.m * 3 * 8
        return vec, self.n * self.m

    @classmethod
    def create(cls, n: int, m: int) -> SharedBuffer:
        """Make the backing file (in ``/dev/shm`` when it exists) sized for ``n × m`` states."""
        folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
        fd, path = tempfile.mkstemp(prefix="sweepers-sgp4-", dir=folder)
        buf = cls(path, n, m)
        vec, st = buf._sizes
        os.ftruncate(fd, max(2 * vec + st, 1))
        os.close(fd)
        return buf

    def arrays(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int8]]:
        """``(r, v, status)`` as writable views of the shared file (plain ndarrays)."""
        vec, _ = self._sizes
        shape = (self.n, self.m, 3)
        if self.n * self.m == 0:
            return np.empty(shape), np.empty(shape), np.empty((self.n, self.m), np.int8)
        r = np.memmap(self.path, np.float64, "r+", 0, shape)
        v = np.memmap(self.path, np.float64, "r+", vec, shape)
        st = np.memmap(self.path, np.int8, "r+", 2 * vec, (self.n, self.m))
        return r.view(np.ndarray), v.view(np.ndarray), st.view(np.ndarray)

    def unlink(self) -> None:
        """Remove the name; mappings already made stay valid until their arrays are freed."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def sgp4_rows(
    elements: NDArray[np.float64],
    jd: NDArray[np.float64],
    fr: NDArray[np.float64],
    buffer: SharedBuffer,
    rows: NDArray[np.intp],
) -> None:
    """Worker task: SatrecArray over ``elements`` at UTC ``(jd, fr)``, written to ``rows``."""
    e, r, v = SatrecArray(build_satrecs(elements)).sgp4(jd, fr)
    r_out, v_out, st_out = buffer.arrays()
    r_out[rows] = r
    v_out[rows] = v
    st_out[rows] = e


def pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool of ``workers`` spawned processes (created once, reused, closed at exit)."""
    global _POOL, _POOL_SIZE
    if _POOL is None or workers != _POOL_SIZE:
        if _POOL is not None:
            _POOL.shutdown(wait=True)
        # spawn, not fork: the parent may already run heyoka/TBB threads.
        _POOL = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        _POOL_SIZE = workers
    return _POOL


@atexit.register
def _shutdown() -> None:
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
