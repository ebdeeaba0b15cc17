"""What every route shares: the app's state, the caller (bearer key → crew), role checks,
per-key rate limits, cursor pagination and error answers."""

from __future__ import annotations

import base64
import json
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from pydantic import BaseModel
from sqlalchemy import Engine

from sweepers.catalog.store import CatalogStore
from sweepers.service.auth import Caller, KeyVerifier


class Problem(BaseModel):
    """An error answer: one clear sentence (and, for claim conflicts, who holds what)."""

    detail: str


class RateLimiter:
    """Token buckets per API key: ``rate_per_s`` sustained, ``burst`` at once (in-process)."""

    def __init__(self, rate_per_s: float, burst: float) -> None:
        self.rate_per_s = rate_per_s
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key_id: str) -> float:
        """Spend one token of ``key_id``: 0 if allowed, else the seconds to wait [s]."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key_id, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate_per_s)
            if tokens >= 1.0:
                self._buckets[key_id] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key_id] = (tokens, now)
            return (1.0 - tokens) / self.rate_per_s


@dataclass
class Services:
    """Everything the routes need, built once by :func:`sweepers.service.app.create_app`."""

    store: CatalogStore
    verifier: KeyVerifier
    limiter: RateLimiter
    cache: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def engine(self) -> Engine:
        """The database engine (catalog and service tables)."""
        return self.store.engine


def services(request: Request) -> Services:
    """The app's :class:`Services`."""
    return request.app.state.services


def caller(request: Request) -> Caller:
    """The verified caller of ``Authorization: Bearer KEY`` (401 without a valid key; 429 with
    ``Retry-After`` when the key is over its rate)."""
    svc = services(request)
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise HTTPException(401, "missing bearer key (Authorization: Bearer KEY)",
                            headers={"WWW-Authenticate": "Bearer"})
    who = svc.verifier.verify(key.strip())
    if who is None:
        raise HTTPException(401, "unknown or revoked key", headers={"WWW-Authenticate": "Bearer"})
    _spend(svc, who.key_id, "key")
    request.state.caller = who
    return who


def _spend(svc: Services, bucket: str, per: str) -> None:
    """One token of ``bucket``; 429 with ``Retry-After`` when it is empty."""
    wait_s = svc.limiter.take(bucket)
    if wait_s > 0:
        raise HTTPException(429, f"rate limit of {svc.limiter.rate_per_s:g} requests/s per {per} "
                                 f"exceeded; retry in {wait_s:.2f} s",
                            headers={"Retry-After": str(max(1, math.ceil(wait_s)))})


def reader(request: Request) -> Caller | None:
    """The caller of a public read (the catalog, the claims registry): with an
    ``Authorization`` header, the verified crew as :func:`caller` gives it (401 for a bad key,
    the key's rate); without one, anonymous (None), rate-limited per client address with the
    same rate and burst as a key (behind a reverse proxy every client shares its address)."""
    if "authorization" in request.headers:
        return caller(request)
    addr = request.client.host if request.client else "unknown"
    _spend(services(request), f"addr:{addr}", "client address")
    return None


def writer(who: Annotated[Caller, Depends(caller)]) -> Caller:
    """A caller allowed to change things (captain or pilot; 403 for viewers)."""
    if not who.can_write():
        raise HTTPException(403, f"role {who.role} may only read")
    return who


def captain(who: Annotated[Caller, Depends(caller)]) -> Caller:
    """A captain (403 otherwise)."""
    if who.role != "captain":
        raise HTTPException(403, "only the crew's captain may do this")
    return who


CallerDep = Annotated[Caller, Depends(caller)]
ReaderDep = Annotated[Caller | None, Depends(reader)]
WriterDep = Annotated[Caller, Depends(writer)]
CaptainDep = Annotated[Caller, Depends(captain)]
ServicesDep = Annotated[Services, Depends(services)]


def encode_cursor(value: Any) -> str:
    """Opaque cursor text of ``value`` (the last key of a page)."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> Any:
    """The value of a cursor (None for no cursor); 400 for a cursor we did not make."""
    if not cursor:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "invalid cursor (use next_cursor of a previous page)") from None


def not_found(what: str, ident: object) -> HTTPException:
    """404 for an id that does not exist *for this crew* (another crew's ids included)."""
    return HTTPException(404, f"no {what} {ident}")


IdPath = Annotated[int, Path(ge=1, le=2_147_483_647)]
"""A row id or catalog number in a path (bounded: every id column holds it)."""
