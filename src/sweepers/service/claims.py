"""Claims: a crew's exclusive, leased right to salvage a catalogued object.

Exclusivity is the database's: the partial unique index ``uq_claims_active_norad_id`` allows one
``active`` claim per object, so two crews racing for one wreck cannot both win whatever the
interleaving (PostgreSQL makes the second insert wait for the first's commit, then fail; SQLite
serialises writers). Leases that ran out are turned ``expired`` in the same transaction, just
before the insert, so an out-of-date lease never blocks a new claim. A route is claimed in one
transaction: every object or none. Each change appends to the audit log in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, and_, select, update
from sqlalchemy.exc import IntegrityError

from sweepers.catalog.schema import element_sets
from sweepers.service.common import (
    CallerDep,
    IdPath,
    Problem,
    ReaderDep,
    ServicesDep,
    WriterDep,
    decode_cursor,
    encode_cursor,
    not_found,
)
from sweepers.service.db import audit, utcnow, write
from sweepers.service.models import claims, crews, salvaged

DEFAULT_LEASE = timedelta(days=30)
MAX_LEASE = timedelta(days=365)
MAX_NORAD_ID = 999_999_999

router = APIRouter(prefix="/api/v1/claims", tags=["claims"])


class ClaimIn(BaseModel):
    """A claim request: the object, and optionally the end of the lease (default 30 days)."""

    norad_id: int = Field(ge=1, le=MAX_NORAD_ID)
    until: datetime | None = Field(None, description="UTC end of the lease (≤ 365 days ahead)")


class RenewIn(BaseModel):
    """A new end of the lease (default: 30 days from now)."""

    until: datetime | None = None


class ClaimOut(BaseModel):
    """One claim: object, holder crew, lease and state."""

    id: int
    norad_id: int
    crew: str
    status: str
    claimed_at: datetime
    until: datetime
    ended_at: datetime | None = None
    plan_id: int | None = None


class ClaimPage(BaseModel):
    """A page of claims; ``next_cursor`` is null on the last page."""

    items: list[ClaimOut]
    next_cursor: str | None


class Conflict(BaseModel):
    """409: the object is held by another claim (or was salvaged)."""

    detail: str
    norad_id: int
    holder: str | None
    until: datetime | None


class ClaimError(Exception):
    """A claim refused: ``status`` (400, 404, 409) and the JSON body to answer with."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body["detail"])
        self.status = status
        self.body = body


def _lease_end(until: datetime | None, now: datetime) -> datetime:
    if until is None:
        return now + DEFAULT_LEASE
    if until.tzinfo is None:
        raise ClaimError(400, {"detail": "until must carry a time zone (e.g. ...Z)"})
    if until <= now:
        raise ClaimError(400, {"detail": f"until {until.isoformat()} is not in the future"})
    if until > now + MAX_LEASE:
        raise ClaimError(400, {"detail": f"a lease ends within {MAX_LEASE.days} days"})
    return until


def expire_leases(conn: Connection, norad_ids: Sequence[int] | None, now: datetime) -> int:
    """Turn active claims whose lease ended into ``expired`` (of ``norad_ids``, or all), with an
    audit row each; returns how many."""
    stmt = (update(claims).where(claims.c.status == "active", claims.c.until <= now)
            .values(status="expired", ended_at=now)
            .returning(claims.c.id, claims.c.crew_id, claims.c.norad_id))
    if norad_ids is not None:
        stmt = stmt.where(claims.c.norad_id.in_(list(norad_ids)))
    rows = conn.execute(stmt).all()
    for r in rows:
        audit(conn, "claim.expire", "claim", crew_id=r.crew_id, member_id=None,
              subject_id=r.id, norad_id=r.norad_id)
    return len(rows)


def claim_objects(engine: Engine, crew_id: int, member_id: int, norad_ids: Sequence[int],
                  until: datetime | None = None, plan_id: int | None = None) -> list[int]:
    """Claim every object of ``norad_ids`` for the crew in one transaction; returns the claim
    ids (in the order of ``norad_ids``). Raises :class:`ClaimError` — 404 for an object not in
    the catalog, 409 when one is held by a claim or salvaged — and then nothing is claimed."""
    ids = list(dict.fromkeys(int(i) for i in norad_ids))
    now = utcnow()
    end = _lease_end(until, now)
    if not ids:
        raise ClaimError(400, {"detail": "nothing to claim"})
    try:
        with write(engine) as conn:
            known = set(conn.execute(select(element_sets.c.norad_id).distinct()
                                     .where(element_sets.c.norad_id.in_(ids))).scalars())
            missing = [i for i in ids if i not in known]
            if missing:
                raise ClaimError(404, {"detail": f"not in the catalog: {missing[:20]}"})
            gone = conn.execute(select(salvaged.c.norad_id, crews.c.name)
                                .join(crews, crews.c.id == salvaged.c.crew_id)
                                .where(salvaged.c.norad_id.in_(ids))).first()
            if gone is not None:
                raise ClaimError(409, {"detail": f"object {gone.norad_id} was salvaged by "
                                                 f"{gone.name}", "norad_id": gone.norad_id,
                                       "holder": gone.name, "until": None})
            expire_leases(conn, sorted(ids), now)
            out: dict[int, int] = {}
            for nid in sorted(ids):  # one lock order for every writer: no deadlock on PG
                out[nid] = conn.execute(claims.insert().returning(claims.c.id).values(
                    crew_id=crew_id, member_id=member_id, norad_id=nid, status="active",
                    claimed_at=now, until=end, plan_id=plan_id)).scalar_one()
                audit(conn, "claim.create", "claim", crew_id=crew_id, member_id=member_id,
                      subject_id=out[nid], norad_id=nid, until=end.isoformat(), plan_id=plan_id)
    except IntegrityError:
        raise _conflict(engine, ids) from None
    return [out[i] for i in ids]


def _conflict(engine: Engine, ids: list[int]) -> ClaimError:
    """The 409 of a lost race: who holds which object now."""
    with engine.connect() as conn:
        row = conn.execute(select(claims.c.norad_id, claims.c.until, crews.c.name)
                           .join(crews, crews.c.id == claims.c.crew_id)
                           .where(claims.c.status == "active", claims.c.norad_id.in_(ids))
                           .order_by(claims.c.norad_id)).first()
    if row is None:  # the holder let go between our insert and this read
        return ClaimError(409, {"detail": "claimed concurrently by another request; retry",
                                "norad_id": ids[0], "holder": None, "until": None})
    return ClaimError(409, {"detail": f"object {row.norad_id} is claimed by {row.name} until "
                                      f"{row.until.isoformat()}", "norad_id": row.norad_id,
                            "holder": row.name, "until": row.until.isoformat()})


def active_claims(engine: Engine, norad_ids: Sequence[int] | None = None) -> dict[int, Any]:
    """Active, unexpired claims by object: ``{norad_id: row(crew_id, crew, until, id)}``."""
    stmt = (select(claims.c.id, claims.c.norad_id, claims.c.crew_id, claims.c.until,
                   crews.c.name.label("crew"))
            .join(crews, crews.c.id == claims.c.crew_id)
            .where(claims.c.status == "active", claims.c.until > utcnow()))
    if norad_ids is not None:
        stmt = stmt.where(claims.c.norad_id.in_(list(norad_ids)))
    with engine.connect() as conn:
        return {r.norad_id: r for r in conn.execute(stmt)}


def salvaged_ids(engine: Engine, norad_ids: Sequence[int] | None = None) -> set[int]:
    """Every object marked salvaged (by any crew), or those of ``norad_ids``."""
    stmt = select(salvaged.c.norad_id)
    if norad_ids is not None:
        stmt = stmt.where(salvaged.c.norad_id.in_(list(norad_ids)))
    with engine.connect() as conn:
        return set(conn.execute(stmt).scalars())


def unavailable_ids(engine: Engine) -> tuple[set[int], set[int]] | None:
    """For "unclaimed only" outside the service (``sweepers targets``/``plan``): the objects
    held by an active, unexpired claim of any crew, and the objects salvaged — or None when the
    database has no service tables (no claims registry: nothing is held). Reads only; the
    service schema is not created or migrated here."""
    from sqlalchemy import inspect

    names = set(inspect(engine).get_table_names())
    if not {claims.name, salvaged.name, crews.name} <= names:
        return None
    return set(active_claims(engine)), salvaged_ids(engine)


def _out(row: Any) -> ClaimOut:
    return ClaimOut(id=row.id, norad_id=row.norad_id, crew=row.crew, status=row.status,
                    claimed_at=row.claimed_at, until=row.until, ended_at=row.ended_at,
                    plan_id=row.plan_id)


def _select() -> Any:
    return (select(claims, crews.c.name.label("crew"))
            .join(crews, crews.c.id == claims.c.crew_id))


def _own(engine: Engine, crew_id: int, claim_id: int) -> Any:
    with engine.connect() as conn:
        row = conn.execute(_select().where(claims.c.id == claim_id,
                                           claims.c.crew_id == crew_id)).first()
    if row is None:
        raise not_found("claim", claim_id)
    return row


def error_response(exc: ClaimError) -> JSONResponse:
    """The JSON answer of a refused claim."""
    return JSONResponse(exc.body, status_code=exc.status)


CONFLICT_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem}, 404: {"model": Problem}, 409: {"model": Conflict}}


@router.post("", status_code=201, response_model=ClaimOut, responses=CONFLICT_RESPONSES)
def create_claim(body: ClaimIn, who: WriterDep, svc: ServicesDep) -> Any:
    """Claim an object for your crew: 201 and the claim, or 409 with the holder and the end of
    its lease."""
    try:
        [claim_id] = claim_objects(svc.engine, who.crew_id, who.member_id, [body.norad_id],
                                   body.until)
    except ClaimError as exc:
        return error_response(exc)
    return _out(_own(svc.engine, who.crew_id, claim_id))


@router.get("", response_model=ClaimPage)
def list_claims(
    who: ReaderDep, svc: ServicesDep,
    mine: Annotated[bool, Query(description="only your crew's claims, every state")] = False,
    norad_id: Annotated[int | None, Query(ge=1, le=MAX_NORAD_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: str | None = None,
) -> ClaimPage:
    """The public registry: every active claim in the sky (no key needed), or, with ``mine``,
    your crew's claims in any state (needs your key), by claim id."""
    after = decode_cursor(cursor)
    if after is not None and not isinstance(after, int):
        raise HTTPException(400, "invalid cursor (use next_cursor of a previous page)")
    stmt = _select()
    if mine:
        if who is None:
            raise HTTPException(401, "mine=true needs your crew's key (Authorization: Bearer KEY)",
                                headers={"WWW-Authenticate": "Bearer"})
        stmt = stmt.where(claims.c.crew_id == who.crew_id)
    else:
        stmt = stmt.where(claims.c.status == "active", claims.c.until > utcnow())
    if norad_id is not None:
        stmt = stmt.where(claims.c.norad_id == norad_id)
    if after is not None:
        stmt = stmt.where(claims.c.id > after)
    with svc.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(claims.c.id).limit(limit + 1)).all()
    items = [_out(r) for r in rows[:limit]]
    return ClaimPage(items=items,
                     next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


@router.get("/{claim_id}", response_model=ClaimOut, responses={404: {"model": Problem}})
def get_claim(claim_id: IdPath, who: CallerDep, svc: ServicesDep) -> ClaimOut:
    """One of your crew's claims."""
    return _out(_own(svc.engine, who.crew_id, claim_id))


def _change(svc: Any, who: Any, claim_id: int, action: str, **values: Any) -> ClaimOut:
    """Apply ``values`` to an active, unexpired claim of the caller's crew (404 otherwise;
    409 when it is no longer active)."""
    now = utcnow()
    with write(svc.engine) as conn:
        row = conn.execute(select(claims).where(claims.c.id == claim_id,
                                                claims.c.crew_id == who.crew_id)).first()
        if row is None:
            raise not_found("claim", claim_id)
        if row.status != "active" or row.until <= now:
            state = row.status if row.status != "active" else "lease ended"
            raise HTTPException(409, f"claim {claim_id} is no longer active ({state})")
        if action == "claim.salvaged":
            conn.execute(salvaged.insert().values(norad_id=row.norad_id, crew_id=who.crew_id,
                                                  claim_id=claim_id, at=now))
        conn.execute(update(claims).where(and_(claims.c.id == claim_id)).values(**values))
        audit(conn, action, "claim", crew_id=who.crew_id, member_id=who.member_id,
              subject_id=claim_id, norad_id=row.norad_id,
              **{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()})
    return _out(_own(svc.engine, who.crew_id, claim_id))


@router.post("/{claim_id}/renew", response_model=ClaimOut,
             responses={400: {"model": Problem}, 404: {"model": Problem},
                        409: {"model": Problem}})
def renew_claim(claim_id: IdPath, body: RenewIn, who: WriterDep, svc: ServicesDep) -> Any:
    """Extend the lease of an active claim of your crew."""
    try:
        end = _lease_end(body.until, utcnow())
    except ClaimError as exc:
        return error_response(exc)
    return _change(svc, who, claim_id, "claim.renew", until=end)


@router.delete("/{claim_id}", response_model=ClaimOut,
               responses={404: {"model": Problem}, 409: {"model": Problem}})
def release_claim(claim_id: IdPath, who: WriterDep, svc: ServicesDep) -> ClaimOut:
    """Release an active claim of your crew (the object is free for anyone)."""
    return _change(svc, who, claim_id, "claim.release", status="released", ended_at=utcnow())


@router.post("/{claim_id}/salvaged", response_model=ClaimOut,
             responses={404: {"model": Problem}, 409: {"model": Problem}})
def mark_salvaged(claim_id: IdPath, who: WriterDep, svc: ServicesDep) -> ClaimOut:
    """Mark the object of your active claim salvaged: it leaves every crew's targets for good
    (the claim and its history stay)."""
    return _change(svc, who, claim_id, "claim.salvaged", status="salvaged", ended_at=utcnow())
