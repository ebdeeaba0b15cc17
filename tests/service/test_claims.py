"""Claims: 201/409, leases, release, salvage, the public registry, all-or-nothing routes, the
append-only audit log, and exclusivity under concurrent requests over real HTTP."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from sweepers.cli.main import app as cli_app
from sweepers.service.claims import ClaimError, claim_objects
from sweepers.service.db import open_store, write
from sweepers.service.models import claims, metadata

from .conftest import LiveServer, new_crew

ISS, KOSMOS, FRAG1, FRAG2 = 25544, 17589, 22416, 22375


def claim(client: TestClient, headers: dict[str, str], norad_id: int,
          **body: object) -> httpx.Response:
    return client.post("/api/v1/claims", json={"norad_id": norad_id, **body}, headers=headers)


def test_service_schema_matches_models(catalog_url: str) -> None:
    """The service's Alembic chain builds exactly its tables (catalog tables left aside)."""
    with open_store(catalog_url) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    ours = set(metadata.tables)
    relevant = [d for d in diff if not (d[0] == "remove_table" and d[1].name not in ours)
                and not (d[0] == "remove_index" and d[1].table.name not in ours)]
    assert relevant == []


def test_crew_add_cli_prints_the_key_once(catalog_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["crew", "add", "charlie", "--db", catalog_url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["crew"] == "charlie" and data["api_key"].startswith("sws_")
    again = runner.invoke(cli_app, ["crew", "add", "charlie", "--db", catalog_url])
    assert again.exit_code == 2 and "already exists" in again.stderr
    from sweepers.service.app import create_app

    app = create_app(catalog_url)
    try:
        with TestClient(app) as c:
            me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {data['api_key']}"})
            assert me.status_code == 200
            assert me.json()["crew"] == "charlie" and me.json()["role"] == "captain"
            members = c.get("/api/v1/members",
                            headers={"Authorization": f"Bearer {data['api_key']}"}).json()
            assert data["api_key"] not in json.dumps(members)  # the key is never shown again
    finally:
        app.state.services.store.close()


def test_keys_and_roles(client: TestClient, crews: tuple[dict, dict]) -> None:
    alpha, _ = crews
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer sws_0123456789ab_x"}
                      ).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": alpha["Authorization"] + "x"}
                      ).status_code == 401
    made = client.post("/api/v1/members", json={"name": "eve", "role": "viewer"}, headers=alpha)
    assert made.status_code == 201
    viewer = {"Authorization": f"Bearer {made.json()['api_key']}"}
    assert client.get("/api/v1/me", headers=viewer).json()["role"] == "viewer"
    assert claim(client, viewer, ISS).status_code == 403
    assert client.post("/api/v1/members", json={"name": "x", "role": "pilot"},
                       headers=viewer).status_code == 403
    revoked = client.delete(f"/api/v1/members/{made.json()['id']}", headers=alpha)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=viewer).status_code == 401


def test_claim_conflict_release_and_registry(client: TestClient, crews: tuple[dict, dict]) -> None:
    alpha, bravo = crews
    first = claim(client, alpha, KOSMOS)
    assert first.status_code == 201
    body = first.json()
    assert body["crew"] == "alpha" and body["status"] == "active"
    until = datetime.fromisoformat(body["until"])
    assert timedelta(days=29.9) < until - datetime.now(UTC) <= timedelta(days=30)
    lost = claim(client, bravo, KOSMOS)
    assert lost.status_code == 409
    assert lost.json()["holder"] == "alpha"
    assert datetime.fromisoformat(lost.json()["until"]) == until
    assert claim(client, alpha, KOSMOS).status_code == 409  # no second claim of one's own
    assert claim(client, alpha, 999_999).status_code == 404  # not in the catalog
    registry = client.get("/api/v1/claims", headers=bravo).json()
    assert [(c["norad_id"], c["crew"]) for c in registry["items"]] == [(KOSMOS, "alpha")]
    # only the holder may release; another crew's claim id is simply not found
    assert client.delete(f"/api/v1/claims/{body['id']}", headers=bravo).status_code == 404
    assert client.get(f"/api/v1/claims/{body['id']}", headers=bravo).status_code == 404
    released = client.delete(f"/api/v1/claims/{body['id']}", headers=alpha)
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert client.delete(f"/api/v1/claims/{body['id']}", headers=alpha).status_code == 409
    assert claim(client, bravo, KOSMOS).status_code == 201
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=alpha).json()["items"]]
    assert actions == ["crew.create", "member.create", "claim.create", "claim.release"]


def test_renew_and_until(client: TestClient, crews: tuple[dict, dict]) -> None:
    alpha, _ = crews
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    made = claim(client, alpha, FRAG1, until=soon)
    assert made.status_code == 201
    assert datetime.fromisoformat(made.json()["until"]) == datetime.fromisoformat(soon)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert claim(client, alpha, FRAG2, until=past).status_code == 400
    later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    renewed = client.post(f"/api/v1/claims/{made.json()['id']}/renew", json={"until": later},
                          headers=alpha)
    assert renewed.status_code == 200
    assert datetime.fromisoformat(renewed.json()["until"]) == datetime.fromisoformat(later)


def test_expired_lease_gives_way(app: FastAPI, client: TestClient,
                                 crews: tuple[dict, dict]) -> None:
    alpha, bravo = crews
    held = claim(client, alpha, FRAG1).json()
    with write(app.state.services.engine) as conn:  # the lease ran out an hour ago
        conn.execute(update(claims).where(claims.c.id == held["id"])
                     .values(until=datetime.now(UTC) - timedelta(hours=1)))
    assert client.get("/api/v1/claims", headers=bravo).json()["items"] == []
    taken = claim(client, bravo, FRAG1)
    assert taken.status_code == 201
    old = client.get(f"/api/v1/claims/{held['id']}", headers=alpha).json()
    assert old["status"] == "expired"
    actions = [e["action"] for e in client.get("/api/v1/audit", headers=alpha).json()["items"]]
    assert actions[-1] == "claim.expire"
    assert client.post(f"/api/v1/claims/{held['id']}/renew", json={},
                       headers=alpha).status_code == 409


def test_salvaged_object_stays_gone(client: TestClient, crews: tuple[dict, dict]) -> None:
    alpha, bravo = crews
    held = claim(client, alpha, FRAG2).json()
    done = client.post(f"/api/v1/claims/{held['id']}/salvaged", headers=alpha)
    assert done.status_code == 200 and done.json()["status"] == "salvaged"
    again = claim(client, bravo, FRAG2)
    assert again.status_code == 409 and "salvaged" in again.json()["detail"]
    assert claim(client, alpha, FRAG2).status_code == 409
    mine = client.get("/api/v1/claims", params={"mine": True}, headers=alpha).json()["items"]
    assert [c["status"] for c in mine] == ["salvaged"]  # history kept


def test_route_claim_is_all_or_nothing(app: FastAPI, crews: tuple[dict, dict]) -> None:
    engine = app.state.services.engine
    alpha_id, bravo_id = 1, 2  # crews are created in order by the fixture
    claim_objects(engine, bravo_id, 2, [FRAG2])
    with pytest.raises(ClaimError) as err:
        claim_objects(engine, alpha_id, 1, [KOSMOS, FRAG1, FRAG2])
    assert err.value.status == 409 and err.value.body["holder"] == "bravo"
    held = {r.norad_id for r in _active(engine)}
    assert held == {FRAG2}  # nothing of the route was claimed
    claim_objects(engine, alpha_id, 1, [KOSMOS, FRAG1])
    assert {r.norad_id for r in _active(engine)} == {KOSMOS, FRAG1, FRAG2}


def _active(engine: object) -> list:
    from sqlalchemy import select

    with engine.connect() as conn:  # type: ignore[attr-defined]
        return conn.execute(select(claims).where(claims.c.status == "active")).all()


def test_audit_log_is_append_only(app: FastAPI, client: TestClient,
                                  crews: tuple[dict, dict]) -> None:
    engine = app.state.services.engine
    for sql in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), write(engine) as conn:
            conn.execute(text(sql))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 4


@pytest.mark.parametrize("threads", [24])
def test_concurrent_claims_one_winner_per_object(app: FastAPI, threads: int) -> None:
    """Threads of four crews race for three objects over real HTTP: one 201 per object."""
    heads = [new_crew(app, f"crew{k}") for k in range(4)]
    targets = [KOSMOS, FRAG1, FRAG2]
    jobs = [(heads[k % 4], targets[k % 3]) for k in range(threads * 2)]
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as http:

        def one(job: tuple[dict, int]) -> tuple[int, int, str]:
            r = http.post("/api/v1/claims", json={"norad_id": job[1]}, headers=job[0])
            return job[1], r.status_code, r.json().get("crew") or r.json().get("holder")

        with ThreadPoolExecutor(threads) as pool:
            answers = list(pool.map(one, jobs))
    assert {code for _, code, _ in answers} <= {201, 409}
    for nid in targets:
        won = [crew for n, code, crew in answers if n == nid and code == 201]
        assert len(won) == 1
        assert all(crew == won[0] for n, code, crew in answers if n == nid and code == 409)
    assert len(_active(app.state.services.engine)) == 3
