"""One executor interface for embarrassingly parallel work: in-process, process pool, Dask.

An :class:`Executor` has one method, ``map(fn, tasks, shared=None)``, returning an iterator over
the results **in task order**. ``shared`` is a read-only object every task needs (an element-set
catalog, say); it is shipped once per worker instead of once per task, and ``fn`` is then called
as ``fn(shared, task)`` (else ``fn(task)``). ``fn`` must be a module-level function so that it
pickles.

Errors are never hidden: the first task that raises re-raises its exception in the caller when
its result is reached (``concurrent.futures`` and Dask both carry the remote traceback).

Implementations:

* :class:`InProcess` — a plain loop (debugging, tests, small jobs);
* :class:`ProcessPool` — ``concurrent.futures.ProcessPoolExecutor`` with the *spawn* start method
  (safe with threaded libraries such as heyoka; callers need an ``if __name__ == "__main__":``
  guard in scripts);
* :class:`DaskExecutor` — a ``dask.distributed.Client`` (a scheduler address, or a client you
  built); ``shared`` is scattered to every worker once (``broadcast=True``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

__all__ = ["DaskExecutor", "Executor", "InProcess", "ProcessPool", "make_executor"]

_NO_SHARED = object()
_WORKER_SHARED: dict[str, Any] = {}


class Executor(Protocol):
    """Runs ``fn`` over ``tasks``; results come back in task order, errors are raised."""

    def map(
        self, fn: Callable[..., Any], tasks: Sequence[Any], shared: Any = _NO_SHARED
    ) -> Iterator[Any]:
        """``fn(shared, task)`` (or ``fn(task)`` without ``shared``) for every task, in order."""
        ...


class InProcess:
    """Runs every task in this process, one after the other."""

    workers = 1

    def map(
        self, fn: Callable[..., Any], tasks: Sequence[Any], shared: Any = _NO_SHARED
    ) -> Iterator[Any]:
        """See :class:`Executor`."""
        for task in tasks:
            yield fn(task) if shared is _NO_SHARED else fn(shared, task)


def _init_worker(shared: Any) -> None:
    _WORKER_SHARED["value"] = shared


def _call_with_shared(fn: Callable[..., Any], task: Any) -> Any:
    return fn(_WORKER_SHARED["value"], task)


class ProcessPool:
    """A pool of ``workers`` spawned processes (default: the CPU count), created per ``map``."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)

    def map(
        self, fn: Callable[..., Any], tasks: Sequence[Any], shared: Any = _NO_SHARED
    ) -> Iterator[Any]:
        """See :class:`Executor`. The pool lives as long as the iterator."""
        ctx = multiprocessing.get_context("spawn")
        with_shared = shared is not _NO_SHARED
        pool = ProcessPoolExecutor(
            max_workers=min(self.workers, max(1, len(tasks))),
            mp_context=ctx,
            initializer=_init_worker if with_shared else None,
            initargs=(shared,) if with_shared else (),
        )
        try:
            if with_shared:
                futures = [pool.submit(_call_with_shared, fn, task) for task in tasks]
            else:
                futures = [pool.submit(fn, task) for task in tasks]
            for future in futures:
                yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Tasks on a Dask cluster: ``DaskExecutor("tcp://host:8786")`` or ``DaskExecutor(client)``."""

    def __init__(self, address_or_client: Any) -> None:
        from distributed import Client

        if isinstance(address_or_client, Client):
            self.client = address_or_client
            self._owned = False
        else:
            self.client = Client(address_or_client)
            self._owned = True

    @property
    def workers(self) -> int:
        """Total worker threads of the cluster."""
        return max(1, sum(self.client.nthreads().values()))

    def map(
        self, fn: Callable[..., Any], tasks: Sequence[Any], shared: Any = _NO_SHARED
    ) -> Iterator[Any]:
        """See :class:`Executor`."""
        if shared is _NO_SHARED:
            futures = self.client.map(fn, list(tasks), pure=False)
        else:
            handle = self.client.scatter(shared, broadcast=True)
            futures = self.client.map(fn, [handle] * len(tasks), list(tasks), pure=False)
        try:
            for future in futures:
                yield future.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        """Close the client if this executor opened it."""
        if self._owned:
            self.client.close()


def make_executor(workers: int | None = None, cluster: str | None = None) -> Executor:
    """The executor a command line asks for: ``cluster`` address → Dask; ``workers`` > 1 →
    process pool; otherwise in-process."""
    if cluster:
        return DaskExecutor(cluster)
    if workers is not None and workers > 1:
        return ProcessPool(workers)
    return InProcess()
