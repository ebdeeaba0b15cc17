"""The executor interface: order, shared objects, errors raised — in-process, processes, Dask."""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import distributed
import pytest

from sweepers.formats import parse_bytes
from sweepers.parallel import DaskExecutor, InProcess, ProcessPool, make_executor
from sweepers.records import ElementSet


def test_in_process_order_and_shared() -> None:
    assert list(InProcess().map(math.sqrt, [4.0, 9.0])) == [2.0, 3.0]
    assert list(InProcess().map(operator.mul, [1, 2, 3], shared=10)) == [10, 20, 30]


def test_process_pool_order_shared_and_errors() -> None:
    pool = ProcessPool(2)
    assert list(pool.map(operator.mul, list(range(8)), shared=3)) == [3 * i for i in range(8)]
    assert list(pool.map(math.sqrt, [16.0, 25.0])) == [4.0, 5.0]
    with pytest.raises(ValueError, match="math domain error"):
        list(pool.map(math.sqrt, [1.0, -1.0, 4.0]))


def test_make_executor_kinds() -> None:
    assert isinstance(make_executor(), InProcess)
    assert isinstance(make_executor(workers=1), InProcess)
    assert isinstance(make_executor(workers=2), ProcessPool)


@pytest.fixture(scope="module")
def small_catalog(shared_data: Path) -> tuple[list[ElementSet], datetime]:
    """120 Fengyun-1C debris with fresh element sets (within 3 days of the latest) and a start."""
    path = shared_data / "catalog" / "spacetrack_3le_full_catalog_2023-10.txt"
    cloud = [e for e in parse_bytes(path.read_bytes(), path.name).records
             if "FENGYUN 1C" in (e.object_name or "")]
    newest = max(e.epoch for e in cloud)
    fresh = sorted((e for e in cloud if newest - e.epoch < timedelta(days=3)),
                   key=lambda e: e.norad_id)[:120]
    return fresh, newest


@pytest.fixture(scope="module")
def dask_client() -> Iterator[object]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def test_dask_order_shared_and_errors(dask_client: object) -> None:
    dask = DaskExecutor(dask_client)
    assert dask.workers == 2
    assert list(dask.map(operator.mul, list(range(6)), shared=7)) == [7 * i for i in range(6)]
    with pytest.raises(ValueError, match="math domain error"):
        list(dask.map(math.sqrt, [1.0, -1.0]))


def test_dask_screening_equals_in_process(
    dask_client: object, small_catalog: tuple[list[ElementSet], datetime]
) -> None:
    from sweepers.conjunctions.screen import screen

    elsets, start = small_catalog
    kwargs = {"start": start, "days": 2 / 24, "threshold_km": 20.0, "block_steps": 30}
    local = screen(elsets, **kwargs)  # type: ignore[arg-type]
    remote = screen(elsets, executor=DaskExecutor(dask_client), **kwargs)  # type: ignore[arg-type]
    assert len(local) > 0
    assert [e.to_dict() for e in remote] == [e.to_dict() for e in local]
