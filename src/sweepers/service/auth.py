"""API keys: creation, argon2 hashing, verification (with a short in-process cache), roles.

A key reads ``sws_<key_id>_<secret>``: ``key_id`` (12 hex digits) is stored in clear and indexed
to find the member; the whole key is stored only as an argon2id hash (argon2-cffi defaults:
64 MiB, 3 passes — about 50 ms of one core per verification, on purpose). So that a crew's
client sending 200 requests a second does not spend 10 core-seconds a second on hashing, a
verified key is remembered in this process for :data:`CACHE_TTL_S` seconds, keyed by the
SHA-256 of the key (the key itself is never kept); revoking a key clears this process's cache
and other processes forget it within the TTL.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, select

from sweepers.service.db import audit, utcnow
from sweepers.service.models import ROLES, crews, members

PREFIX = "sws"
CACHE_TTL_S = 60.0
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: crew, member and role (from a verified key)."""

    crew_id: int
    crew: str
    member_id: int
    member: str
    role: str
    key_id: str

    def can_write(self) -> bool:
        """Captains and pilots change things; viewers only read."""
        return self.role in ("captain", "pilot")


def new_key() -> tuple[str, str]:
    """A fresh ``(key_id, key)``; the key holds 256 random bits."""
    key_id = secrets.token_hex(6)
    return key_id, f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def split_key(key: str) -> str | None:
    """The ``key_id`` part of a well-formed key, else None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1]


def add_member(conn: Connection, crew_id: int, name: str, role: str,
               by_member: int | None = None) -> tuple[int, str]:
    """Create a member with a new key in ``crew_id``; returns ``(member_id, key)``. The key is
    shown to the caller once and stored only as its argon2 hash."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    key_id, key = new_key()
    member_id = conn.execute(members.insert().returning(members.c.id).values(
        crew_id=crew_id, name=name, role=role, key_id=key_id, key_hash=_hasher.hash(key),
        created_at=utcnow())).scalar_one()
    audit(conn, "member.create", "member", crew_id=crew_id, member_id=by_member,
          subject_id=member_id, name=name, role=role, key_id=key_id)
    return member_id, key


def create_crew(engine: Engine, name: str, *, pc_threshold: float = 1e-4,
                miss_threshold_km: float = 1.0) -> tuple[int, str]:
    """A new crew and its captain (member ``captain``); returns ``(crew_id, captain key)``."""
    from sweepers.service.db import write

    with write(engine) as conn:
        crew_id = conn.execute(crews.insert().returning(crews.c.id).values(
            name=name, pc_threshold=pc_threshold, miss_threshold_km=miss_threshold_km,
            created_at=utcnow())).scalar_one()
        audit(conn, "crew.create", "crew", crew_id=crew_id, member_id=None, subject_id=crew_id,
              name=name)
        _, key = add_member(conn, crew_id, "captain", "captain")
    return crew_id, key


class KeyVerifier:
    """Checks bearer keys against the ``members`` table, caching successes briefly."""

    def __init__(self, engine: Engine, ttl_s: float = CACHE_TTL_S) -> None:
        self.engine = engine
        self.ttl_s = ttl_s
        self._cache: dict[bytes, tuple[float, Caller]] = {}
        self._lock = threading.Lock()
        self._gates: dict[bytes, threading.Lock] = {}  # one argon2 check per key at a time

    def forget(self, key_id: str | None = None) -> None:
        """Drop cached keys (all, or those of ``key_id``)."""
        with self._lock:
            if key_id is None:
                self._cache.clear()
            else:
                for k in [k for k, (_, c) in self._cache.items() if c.key_id == key_id]:
                    del self._cache[k]

    def _cached(self, digest: bytes) -> Caller | None:
        with self._lock:
            hit = self._cache.get(digest)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def verify(self, key: str) -> Caller | None:
        """The caller of ``key``, or None when the key is unknown, revoked or wrong.

        Concurrent requests with one uncached key wait for a single argon2 check (64 MiB and
        ~50 ms each) instead of each running their own: a client opening 200 connections
        right after a restart costs one verification, not 200."""
        digest = hashlib.sha256(key.encode()).digest()
        found = self._cached(digest)
        if found is not None:
            return found
        with self._lock:
            gate = self._gates.setdefault(digest, threading.Lock())
        with gate:
            found = self._cached(digest)  # verified while this request waited
            if found is not None:
                return found
            try:
                return self._check(key, digest)
            finally:
                with self._lock:
                    self._gates.pop(digest, None)

    def _check(self, key: str, digest: bytes) -> Caller | None:
        now = time.monotonic()
        key_id = split_key(key)
        if key_id is None:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(members.c.id, members.c.name, members.c.role, members.c.key_hash,
                       members.c.revoked_at, crews.c.id.label("crew_id"),
                       crews.c.name.label("crew"))
                .join(crews, crews.c.id == members.c.crew_id)
                .where(members.c.key_id == key_id)).first()
        if row is None or row.revoked_at is not None:
            return None
        try:
            _hasher.verify(row.key_hash, key)
        except (VerificationError, InvalidHashError):
            return None
        caller = Caller(row.crew_id, row.crew, row.id, row.name, row.role, key_id)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now + self.ttl_s, caller)
        return caller
