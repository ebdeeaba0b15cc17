"""The key verifier under a burst of one uncached key: one argon2 check, not one per request
(argon2id here takes 64 MiB and ~50 ms a check, so 200 concurrent first requests would
otherwise need 200 of them); a wrong key is never let through or cached."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from argon2 import PasswordHasher

from sweepers.service import auth
from sweepers.service.auth import KeyVerifier, create_crew
from sweepers.service.db import open_store

THREADS = 16


def test_concurrent_first_use_of_a_key_runs_argon2_once(sqlite_url: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(sqlite_url) as store:
        _, key = create_crew(store.engine, "alpha")
        checks: list[str] = []

        class Counted(PasswordHasher):  # the real argon2 check, counted
            def verify(self, hash_: Any, password: Any) -> bool:
                checks.append("good" if password == key else "wrong")
                return super().verify(hash_, password)

        monkeypatch.setattr(auth, "_hasher", Counted())
        verifier = KeyVerifier(store.engine)
        start = threading.Barrier(THREADS)

        def first_request(k: int) -> object:
            start.wait()
            return verifier.verify(key if k % 2 == 0 else key + "x")

        with ThreadPoolExecutor(THREADS) as pool:
            callers = list(pool.map(first_request, range(THREADS)))
    good = [c for k, c in enumerate(callers) if k % 2 == 0]
    assert all(c is not None and c.crew == "alpha" for c in good)
    assert all(c is None for k, c in enumerate(callers) if k % 2 == 1)
    # the good key once for its 8 requests; the wrong key is checked each time, never cached
    assert checks.count("good") == 1
    assert checks.count("wrong") == THREADS // 2
