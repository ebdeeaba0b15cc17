"""``sweepers targets --unclaimed-only`` and ``sweepers plan --unclaimed-only``: the CLI reads the
claims registry of the service tables in the same database (active, unexpired claims of any
crew, and salvaged objects) and leaves those objects out, saying how many; a store without the
service tables has no registry and nothing is left out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, update
from typer.testing import CliRunner

from sweepers.catalog.ingest import ingest_files
from sweepers.catalog.store import CatalogStore
from sweepers.cli.main import app as cli_app
from sweepers.service.db import write
from sweepers.service.models import claims

from .conftest import catalog_slice

KOSMOS, FRAG1, FRAG2 = 17589, 22416, 22375  # Kosmos 1833 and two SL-16 fragments near 71°
runner = CliRunner()


def targets(url: str, *extra: str) -> tuple[list[int], str]:
    result = runner.invoke(cli_app, ["targets", "--db", url, "--top", "8", "--json", *extra])
    assert result.exit_code == 0, result.output
    return [r["norad_id"] for r in json.loads(result.stdout)], result.stderr


def test_targets_unclaimed_only(app: FastAPI, client: TestClient, catalog_url: str,
                                crews: tuple[dict, dict]) -> None:
    alpha, bravo = crews
    ranked, err = targets(catalog_url)
    assert len(ranked) == 8 and err == ""
    first, second, third = ranked[:3]
    held = client.post("/api/v1/claims", json={"norad_id": first}, headers=alpha)
    assert held.status_code == 201
    gone = client.post("/api/v1/claims", json={"norad_id": second}, headers=bravo).json()
    assert client.post(f"/api/v1/claims/{gone['id']}/salvaged", headers=bravo).status_code == 200
    lapsed = client.post("/api/v1/claims", json={"norad_id": third}, headers=bravo).json()
    with write(app.state.services.engine) as conn:  # this lease ran out yesterday
        conn.execute(update(claims).where(claims.c.id == lapsed["id"])
                     .values(until=datetime.now(UTC) - timedelta(days=1)))
    # without the flag the list does not look at claims
    assert targets(catalog_url)[0] == ranked
    free, err = targets(catalog_url, "--unclaimed-only")
    assert first not in free and second not in free
    assert third in free  # an expired lease holds nothing
    assert free[:6] == [n for n in ranked if n not in (first, second)][:6]
    assert "left out 1 objects under an active claim and 1 salvaged" in err


def test_targets_unclaimed_only_without_registry(shared_data: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plain.sqlite'}"
    with CatalogStore.open(url) as store:  # the catalog alone: no service tables
        ingest_files(store, [catalog_slice(shared_data, tmp_path)])
    plain, _ = targets(url)
    free, err = targets(url, "--unclaimed-only")
    assert free == plain and "no claims registry" in err
    with CatalogStore.open(url, create=False) as store:  # and nothing was created by reading
        assert "claims" not in inspect(store.engine).get_table_names()


def test_plan_unclaimed_only(client: TestClient, catalog_url: str,
                             crews: tuple[dict, dict]) -> None:
    _, bravo = crews
    assert client.post("/api/v1/claims", json={"norad_id": FRAG1},
                       headers=bravo).status_code == 201
    refused = runner.invoke(cli_app, ["plan", "--db", catalog_url, "--from", str(KOSMOS),
                                      "--candidates", str(FRAG1), "--months", "1",
                                      "--unclaimed-only", "--json"])
    assert refused.exit_code != 0 and f"[{FRAG1}]" in refused.stderr
    assert "claimed or salvaged" in refused.stderr
    done = runner.invoke(cli_app, ["plan", "--db", catalog_url, "--from", str(KOSMOS),
                                   "--top", "3", "--months", "1", "--unclaimed-only", "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    ids = [int(t["id"]) for t in data["targets"]]
    assert FRAG1 not in ids and ids  # the claimed fragment is not planned; another one is
    assert "left out 1 objects under an active claim" in done.stderr
