"""Checkpoints of the GTOC9 solver: one JSON file, rewritten atomically after each step.

It holds the run's settings (a resumed run must use the same seed), the finished campaign plans
(each a list of chains) and the solved exact legs keyed by (from, to, departure day); a stopped
run restarts from there — finished plans are not searched again and solved legs are not solved
again.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sweepers.files import write_atomic
from sweepers.gtoc9.problem import CAMPAIGN_RULES
from sweepers.salvage.engine.campaign import solo_chain
from sweepers.salvage.engine.search import MissionChain, PlannedLeg


def chain_to_dict(chain: MissionChain) -> dict[str, Any]:
    """JSON-ready form of a planned chain."""
    return {
        "solo": list(chain.solo) if chain.solo else None,
        "legs": [asdict(g) for g in chain.legs],
    }


def chain_from_dict(data: dict[str, Any]) -> MissionChain:
    """Inverse of :func:`chain_to_dict`."""
    solo = data.get("solo")
    if solo:
        return solo_chain(CAMPAIGN_RULES, int(solo[0]), int(solo[1]))
    return MissionChain([PlannedLeg(**g) for g in data["legs"]])


def leg_key(leg: PlannedLeg) -> str:
    """Key of a planned leg in the checkpoint."""
    return f"{leg.from_id}-{leg.to_id}-{leg.departure_day}-{leg.arrival_day}-{leg.mode}"


class Checkpoint:
    """The solver's state on disk (see the module docstring)."""

    def __init__(self, path: Path, settings: dict[str, Any]) -> None:
        self.path = path
        self.data: dict[str, Any] = {"settings": settings, "plans": {}, "legs": {}}
        if path.is_file():
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if loaded.get("settings") == settings:
                self.data = loaded

    @property
    def plans(self) -> dict[str, Any]:
        """Finished plans by name: {"estimated_j": float, "chains": [...]}."""
        return self.data["plans"]

    @property
    def legs(self) -> dict[str, Any]:
        """Solved legs by :func:`leg_key` (``None`` for a leg that did not converge)."""
        return self.data["legs"]

    def use_legs_model(self, name: str) -> None:
        """Drop the solved legs if they were solved by another exact-leg model than ``name``
        (plans are kept: they do not depend on how legs are flown)."""
        if self.data.get("legs_model") != name:
            self.data["legs"] = {}
            self.data["legs_model"] = name

    def save(self) -> None:
        """Write atomically (:func:`sweepers.files.write_atomic`)."""
        write_atomic(self.path, json.dumps(self.data))
