"""The README's "The service" lines, run as written by bash against a real server: ingest the
bundled catalog, create a crew, start ``sweepers serve`` and ``sweepers worker`` in the
background, call the API with curl, claim an object, open the alert stream.

Only three things change from the README text: port 8000 becomes a free port (the machine is
shared), the database is a new SQLite file (``$SWEEPERS_DB``), and the alert stream — which
never ends by design — gets ``--max-time 5`` (curl's exit code 28 for that timeout is the
expected end). The background processes are stopped when the script exits."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARK = "@@readme-line "


def service_block() -> list[str]:
    """The commands of the first ``sh`` block under ``## The service`` (continuations joined)."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("\n## The service\n"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "no sh block in the README's service section"
    return [line for line in block.group(1).replace("\\\n", " ").splitlines() if line.strip()]


def script(lines: list[str], port: int) -> str:
    """A bash script of ``lines``: each announced by a marker line, 8000 → ``port``."""
    body = ["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT"]
    for n, line in enumerate(lines):
        line = line.replace("8000", str(port))
        if "alerts/stream" in line:
            line = line.replace("curl -s -N", "curl -s -N --max-time 5") + " || [ $? -eq 28 ]"
        body += [f"echo '{MARK}{n}'", line, "echo"]
    return "\n".join(body) + "\n"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_service_lines_work_as_written(shared_data: Path, tmp_path: Path) -> None:
    from .conftest import free_port

    lines = service_block()
    assert any("crew add" in x for x in lines) and any("/api/v1/claims" in x for x in lines)
    env = {**os.environ, "SWEEPERS_DB": f"sqlite:///{tmp_path / 'readme.sqlite'}",
           "PYTHONPATH": str(ROOT / "src"), "SWEEPERS_DATA": str(shared_data),
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    env.pop("SWEEPERS_REFRESH_S", None)
    proc = subprocess.Popen(["bash", "-c", script(lines, free_port())], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:  # the whole group: bash and its background servers
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0, f"stdout:\n{out[-3000:]}\nstderr:\n{err[-3000:]}"
    parts = re.split(rf"^{MARK}(\d+)$", out, flags=re.M)
    said = {lines[int(parts[k])]: parts[k + 1].strip() for k in range(1, len(parts), 2)}
    assert len(said) == len(lines)  # every line ran

    def answer(fragment: str) -> str:
        [(_, text)] = [(line, text) for line, text in said.items() if fragment in line]
        return text

    me = json.loads(answer("/api/v1/me"))
    assert me["crew"] == "alpha" and me["role"] == "captain"
    top = json.loads(answer("/api/v1/targets"))
    assert len(top) == 5 and [t["rank"] for t in top] == [1, 2, 3, 4, 5]
    claim = json.loads(answer("/api/v1/claims"))
    assert claim["norad_id"] == 22416 and claim["crew"] == "alpha"
    assert claim["status"] == "active"
    assert answer("alerts/stream").startswith(": connected")
    assert "scheduled catalog refresh is off" in err and "SWEEPERS_REFRESH_S=3600" in err
