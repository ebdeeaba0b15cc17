"""The "unclaimed only" filter of target lists: drop objects someone else holds.

The library knows nothing of crews or claims; the caller (the operations service, or a script)
passes the catalog numbers to leave out — objects claimed by other crews, objects salvaged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sweepers.salvage.value.scores import ScoredObject


def unclaimed(scored: Iterable[ScoredObject], claimed_ids: Collection[int]) -> list[ScoredObject]:
    """``scored`` without the objects whose catalog number is in ``claimed_ids`` (order kept).
    """
    return [s for s in scored if s.norad_id not in claimed_ids]
