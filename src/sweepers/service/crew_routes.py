"""Who am I, the crew's members and keys, its thresholds and its audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from sweepers.service.auth import add_member
from sweepers.service.common import (
    CallerDep,
    CaptainDep,
    IdPath,
    Problem,
    ServicesDep,
    decode_cursor,
    encode_cursor,
    not_found,
)
from sweepers.service.db import audit, utcnow, write
from sweepers.service.models import audit_log, crews, members

router = APIRouter(prefix="/api/v1", tags=["crew"])


class Me(BaseModel):
    """The caller: crew, member, role and the crew's alert thresholds."""

    crew: str
    crew_id: int
    member: str
    member_id: int
    role: str
    pc_threshold: float
    miss_threshold_km: float


class MemberIn(BaseModel):
    """A new member of the caller's crew."""

    name: str = Field(min_length=1, max_length=64)
    role: str = Field(pattern="^(captain|pilot|viewer)$")


class MemberOut(BaseModel):
    """A member (never the key; ``api_key`` only in the answer that creates it)."""

    id: int
    name: str
    role: str
    key_id: str
    created_at: datetime
    revoked_at: datetime | None = None
    api_key: str | None = None


class Thresholds(BaseModel):
    """Alert thresholds: Pc at or above ``pc_threshold``, or miss at or below
    ``miss_threshold_km`` [km]."""

    pc_threshold: float = Field(gt=0, le=1)
    miss_threshold_km: float = Field(gt=0, le=100)


class AuditEntry(BaseModel):
    """One audit-log row of the crew."""

    id: int
    at: datetime
    member_id: int | None
    action: str
    subject: str
    subject_id: int | None
    norad_id: int | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    """A page of the audit log, oldest first."""

    items: list[AuditEntry]
    next_cursor: str | None


@router.get("/me", response_model=Me)
def me(who: CallerDep, svc: ServicesDep) -> Me:
    """The crew, member and role of the key you call with."""
    with svc.engine.connect() as conn:
        crew = conn.execute(select(crews).where(crews.c.id == who.crew_id)).one()
    return Me(crew=who.crew, crew_id=who.crew_id, member=who.member, member_id=who.member_id,
              role=who.role, pc_threshold=crew.pc_threshold,
              miss_threshold_km=crew.miss_threshold_km)


@router.put("/me/thresholds", response_model=Me)
def set_thresholds(body: Thresholds, who: CaptainDep, svc: ServicesDep) -> Me:
    """Set the crew's alert thresholds (captain)."""
    with write(svc.engine) as conn:
        conn.execute(update(crews).where(crews.c.id == who.crew_id).values(**body.model_dump()))
        audit(conn, "crew.thresholds", "crew", crew_id=who.crew_id, member_id=who.member_id,
              subject_id=who.crew_id, **body.model_dump())
    return me(who, svc)


def _member(row: Any, key: str | None = None) -> MemberOut:
    return MemberOut(id=row.id, name=row.name, role=row.role, key_id=row.key_id,
                     created_at=row.created_at, revoked_at=row.revoked_at, api_key=key)


@router.get("/members", response_model=list[MemberOut])
def list_members(who: CallerDep, svc: ServicesDep) -> list[MemberOut]:
    """Your crew's members (keys are never shown again)."""
    with svc.engine.connect() as conn:
        rows = conn.execute(select(members).where(members.c.crew_id == who.crew_id)
                            .order_by(members.c.id)).all()
    return [_member(r) for r in rows]


@router.post("/members", status_code=201, response_model=MemberOut,
             responses={403: {"model": Problem}})
def create_member(body: MemberIn, who: CaptainDep, svc: ServicesDep) -> MemberOut:
    """Create a member of your crew (captain); the answer holds its key, shown only once."""
    with write(svc.engine) as conn:
        member_id, key = add_member(conn, who.crew_id, body.name, body.role, who.member_id)
        row = conn.execute(select(members).where(members.c.id == member_id)).one()
    return _member(row, key)


@router.delete("/members/{member_id}", response_model=MemberOut,
               responses={404: {"model": Problem}})
def revoke_member(member_id: IdPath, who: CaptainDep, svc: ServicesDep) -> MemberOut:
    """Revoke a member's key (captain); its requests answer 401 from then on."""
    with write(svc.engine) as conn:
        row = conn.execute(select(members).where(members.c.id == member_id,
                                                 members.c.crew_id == who.crew_id)).first()
        if row is None:
            raise not_found("member", member_id)
        if row.revoked_at is None:
            conn.execute(update(members).where(members.c.id == member_id)
                         .values(revoked_at=utcnow()))
            audit(conn, "member.revoke", "member", crew_id=who.crew_id,
                  member_id=who.member_id, subject_id=member_id)
        row = conn.execute(select(members).where(members.c.id == member_id)).one()
    svc.verifier.forget(row.key_id)
    return _member(row)


@router.get("/audit", response_model=AuditPage)
def crew_audit(who: CallerDep, svc: ServicesDep,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100,
               cursor: str | None = None) -> AuditPage:
    """Your crew's audit log (append-only), oldest first."""
    after = decode_cursor(cursor)
    if after is not None and not isinstance(after, int):
        raise HTTPException(400, "invalid cursor (use next_cursor of a previous page)")
    stmt = select(audit_log).where(audit_log.c.crew_id == who.crew_id)
    if after is not None:
        stmt = stmt.where(audit_log.c.id > after)
    with svc.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(audit_log.c.id).limit(limit + 1)).all()
    items = [AuditEntry(id=r.id, at=r.at, member_id=r.member_id, action=r.action,
                        subject=r.subject, subject_id=r.subject_id, norad_id=r.norad_id,
                        detail=json.loads(r.detail)) for r in rows[:limit]]
    return AuditPage(items=items,
                     next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)
