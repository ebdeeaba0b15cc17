"""The whole API against its own OpenAPI schema (schemathesis: generated requests, bounded
budget → no 5xx, every response conforming), and the authorization matrix: every endpoint
that takes an id, called by another crew on alpha's resources → 404, and no list leaks; without
a key only the public reads answer (200), everything else is 401; anonymous reads are
rate-limited per client address."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from sweepers.service.app import create_app
from sweepers.service.db import write
from sweepers.service.models import alerts, jobs

from .conftest import new_crew


@pytest.fixture
def seeded(app: FastAPI, client: TestClient) -> Iterator[dict]:
    """alpha owns one of everything (claim, ship, plan + job, webhook, member, alert); bravo
    and its captain key are the intruder."""
    alpha, bravo = new_crew(app, "alpha"), new_crew(app, "bravo")
    ids: dict[str, int] = {}
    ids["claim"] = client.post("/api/v1/claims", json={"norad_id": 17589}, headers=alpha
                               ).json()["id"]
    ids["ship"] = client.post("/api/v1/ships", headers=alpha, json={
        "name": "A", "dry_mass_kg": 100, "propellant_kg": 10, "isp_s": 300,
        "start_norad_id": 17589}).json()["id"]
    plan = client.post(f"/api/v1/ships/{ids['ship']}/plans", json={"months": 1},
                       headers=alpha).json()
    ids["plan"], ids["job"] = plan["id"], plan["job_id"]
    ids["webhook"] = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"},
                                 headers=alpha).json()["id"]
    ids["member"] = client.post("/api/v1/members", json={"name": "p", "role": "pilot"},
                                headers=alpha).json()["id"]
    with write(app.state.services.engine) as conn:
        ids["alert"] = conn.execute(alerts.insert().returning(alerts.c.id).values(
            crew_id=1, ship_id=ids["ship"], secondary_id=22416, kind="new",
            tca=datetime(2023, 10, 10, tzinfo=UTC), miss_km=0.5, pc=1e-3,
            relative_speed_km_s=7.0, cdm="CCSDS_CDM_VERS = 1.0", created_at=datetime.now(UTC),
        )).scalar_one()
    yield {"alpha": alpha, "bravo": bravo, "ids": ids}


def test_authorization_matrix(app: FastAPI, client: TestClient, seeded: dict) -> None:
    bravo, ids = seeded["bravo"], seeded["ids"]
    checked = 0
    for path, operations in app.openapi()["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        if not path.startswith("/api/v1/") or not names or names == ["norad_id"]:
            continue
        kind = names[0].removesuffix("_id").removeprefix("hook")
        kind = kind or "webhook"
        url = path.replace("{" + names[0] + "}", str(ids[kind]))
        for method in (m.upper() for m in operations):
            kwargs: dict = {"json": {}} if method in ("POST", "PUT") else {}
            if path.endswith("/trajectory"):
                kwargs = {"content": "CCSDS_OEM_VERS = 2.0"}
            r = client.request(method, url, headers=bravo, **kwargs)
            assert r.status_code == 404, (method, url, r.status_code, r.text)
            checked += 1
    assert checked == 17  # every operation on an id of a crew-owned resource
    for url in ("/api/v1/ships", "/api/v1/plans", "/api/v1/jobs", "/api/v1/alerts",
                "/api/v1/webhooks", "/api/v1/members", "/api/v1/audit",
                "/api/v1/claims?mine=true"):
        body = client.get(url, headers=bravo).json()
        items = body["items"] if isinstance(body, dict) else body
        owners = {i.get("crew") for i in items} | {i.get("name") for i in items}
        assert "alpha" not in owners and "A" not in owners, url
        if url not in ("/api/v1/members", "/api/v1/audit"):
            assert items == [], url
    with app.state.services.engine.connect() as conn:  # alpha's job is still alpha's only
        assert conn.execute(select(jobs.c.crew_id)).scalars().all() == [1]


# The public reads (docs/DESIGN-service.md, "Public reads"): the catalog, the frames the console
# needs and the claims registry answer without a key; every other operation wants one.
PUBLIC = {"/api/v1/catalog/objects", "/api/v1/catalog/objects/{norad_id}",
          "/api/v1/catalog/objects/{norad_id}/omm", "/api/v1/catalog/elements",
          "/api/v1/catalog/positions", "/api/v1/targets", "/api/v1/claims",
          "/api/v1/frames/teme-from-gcrs"}


def test_public_reads_answer_without_a_key_and_nothing_else_does(
        app: FastAPI, client: TestClient, seeded: dict) -> None:
    ids = {**seeded["ids"], "norad": 25544}
    public = anonymous_401 = 0
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        url = path
        for name in re.findall(r"{(\w+)}", path):
            kind = name.removesuffix("_id").removeprefix("hook") or "webhook"
            url = url.replace("{" + name + "}", str(ids[kind]))
        if path == "/api/v1/frames/teme-from-gcrs":
            url += "?start=2023-10-09T12:00:00Z"
        for method in (m.upper() for m in operations):
            kwargs: dict = {"json": {}} if method in ("POST", "PUT") else {}
            if path.endswith("/trajectory"):
                kwargs = {"content": "CCSDS_OEM_VERS = 2.0"}
            r = client.request(method, url, **kwargs)
            if method == "GET" and path in PUBLIC:
                assert r.status_code == 200, (method, url, r.status_code, r.text)
                public += 1
            else:
                assert r.status_code == 401, (method, url, r.status_code, r.text)
                assert r.headers["WWW-Authenticate"] == "Bearer"
                anonymous_401 += 1
    assert public == len(PUBLIC)
    assert anonymous_401 >= 30
    # the registry shows alpha's claim to anyone; "mine" and a bad key are still refused
    registry = client.get("/api/v1/claims").json()["items"]
    assert [(c["norad_id"], c["crew"]) for c in registry] == [(17589, "alpha")]
    assert client.get("/api/v1/claims?mine=true").status_code == 401
    bad = {"Authorization": "Bearer sws_000000000000_nope"}
    assert client.get("/api/v1/catalog/elements", headers=bad).status_code == 401
    # an anonymous /targets leaves out every held object; alpha's own view keeps its claim
    anon = {t["norad_id"] for t in client.get("/api/v1/targets?top=1000").json()}
    mine = {t["norad_id"] for t in client.get("/api/v1/targets?top=1000",
                                              headers=seeded["alpha"]).json()}
    assert 17589 not in anon and 17589 in mine


def test_anonymous_reads_are_rate_limited_per_client_address(catalog_url: str) -> None:
    app = create_app(catalog_url, rate_limit="0.01/3")  # 3 at once, then one per 100 s
    try:
        with TestClient(app) as c:
            codes = [c.get("/api/v1/catalog/elements").status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            late = c.get("/api/v1/claims")
            assert late.status_code == 429 and int(late.headers["Retry-After"]) >= 1
            assert "per client address" in late.json()["detail"]
            # a crew's key has its own bucket
            key = new_crew(app, "gamma")
            assert c.get("/api/v1/catalog/elements", headers=key).status_code == 200
            # another client address has its own bucket too
            with TestClient(app, client=("192.0.2.7", 50000)) as other:
                assert other.get("/api/v1/catalog/elements").status_code == 200
    finally:
        app.state.services.store.close()


# No 5xx; documented status codes, content types and bodies. (Not "positive data acceptance":
# a cursor or a range that the schema cannot express as invalid answers 400 on purpose.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def check_schema(app: FastAPI, headers: dict[str, str], examples: int) -> int:
    """Run ``examples`` generated cases (derandomised) on every operation of the schema with
    ``headers``; returns the number of operations. Fails on a 5xx or a response off-schema."""
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = 0
    for result in loaded.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: object) -> None:
            case.call_and_validate(headers=headers,  # type: ignore[attr-defined]
                                   checks=CHECKS, timeout=60)

        check()
    return operations


def test_api_conforms_to_its_schema_ci(app: FastAPI, seeded: dict) -> None:
    """The default suite's variant: 2 generated cases per operation (about 80 requests, about
    a minute per database on the 2-core machine), every operation of the schema, bravo's key:
    no 5xx, every response valid against the schema."""
    assert check_schema(app, seeded["bravo"], examples=2) >= 30


@pytest.mark.slow  # ~35 operations x 10 cases with argon2 key creation: minutes on 2 cores
def test_api_conforms_to_its_schema(app: FastAPI, seeded: dict) -> None:
    """Generated requests on every operation (10 each, derandomised), with bravo's key: no
    5xx, every response valid against the schema (schemathesis' default checks)."""
    assert check_schema(app, seeded["bravo"], examples=10) >= 30
