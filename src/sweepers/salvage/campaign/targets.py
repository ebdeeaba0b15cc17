"""The target set of a campaign: a family, a criticality top-N or an explicit list, from the
catalog's latest element sets and salvage scores. Units: km, degrees in the filters; k$ values.

A campaign plans on the secular-J2 motion of each target from its mean elements
(:mod:`sweepers.salvage.planner.targets`); an element set much older than the newest one has an
epoch too far back for that model to hold over a year of planning (drag is not in it), so
targets whose set is older than ``max_age_days`` before the newest of the set are left out —
and said so, with the reason, like every other target left out (:class:`LeftOut`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sweepers.epochs import seconds_since_mjd2000
from sweepers.errors import SweepersError
from sweepers.records import ElementSet
from sweepers.salvage.value import ScoredObject, rank_targets

DAY_S = 86400.0


class TargetSetError(SweepersError, ValueError):
    """A target selection that yields nothing to plan (unknown family, empty list, ...)."""


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A target not removed by the campaign: catalog number, name and why."""

    norad_id: int
    name: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {"id": str(self.norad_id), "name": self.name, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class TargetSet:
    """The targets to plan (best first: value, then criticality), their element sets, and the
    ones refused at selection (``refused``) with the reason. ``description`` says how they were
    chosen."""

    scored: tuple[ScoredObject, ...]
    elsets: tuple[ElementSet, ...]
    description: str
    refused: tuple[LeftOut, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.scored)

    def refuse(self, reasons: dict[int, str]) -> TargetSet:
        """This set with the targets of ``reasons`` (catalog number → why) moved to
        ``refused``. Raises :class:`TargetSetError` when nothing is left."""
        keep = [k for k, s in enumerate(self.scored) if s.norad_id not in reasons]
        out = tuple(LeftOut(s.norad_id, s.name or "", reasons[s.norad_id])
                    for s in self.scored if s.norad_id in reasons)
        if not keep:
            raise TargetSetError(f"no target left to plan ({self.description}; "
                                 f"{len(self.refused) + len(out)} refused)")
        return TargetSet(tuple(self.scored[k] for k in keep), tuple(self.elsets[k] for k in keep),
                         self.description, (*self.refused, *out))


def select_targets(
    by_id: Mapping[int, ElementSet],
    scored: Mapping[int, ScoredObject],
    *,
    family: str | None = None,
    top_critical: int | None = None,
    ids: Sequence[int] | None = None,
    inc_deg: tuple[float, float] | None = None,
    alt_km: tuple[float, float] | None = (0.0, 2000.0),
    max_age_days: float | None = 30.0,
) -> TargetSet:
    """Choose the campaign's targets.

    Exactly one of ``family`` (a family label of :mod:`sweepers.salvage.value.families`, e.g.
    ``"SL-16 R/B"``; every scored object of it), ``top_critical`` (the N most critical objects)
    or ``ids`` (catalog numbers) must be given. ``inc_deg`` / ``alt_km`` [deg, km] keep orbits
    inside the band (perigee and apogee inside ``alt_km``; default LEO, below 2,000 km) —
    applied to a family or a top-N, not to an explicit list. Objects never to be targeted
    (crewed stations, protected or operating payloads: ``ScoredObject.excluded``), ids without
    an element set and stale element sets are refused with a reason (``TargetSet.refused``).
    Raises :class:`TargetSetError` when nothing is left."""
    given = [x is not None for x in (family, top_critical, ids)]
    if sum(given) != 1:
        raise TargetSetError("give exactly one of: a family, a criticality top-N, a list of ids")
    refused: list[LeftOut] = []
    if ids is not None:
        if not ids:
            raise TargetSetError("the list of target ids is empty")
        chosen = []
        for i in dict.fromkeys(ids):
            s = scored.get(i)
            if s is None or i not in by_id:
                refused.append(LeftOut(i, "", "no element set in the store"))
            elif s.excluded is not None:
                refused.append(LeftOut(i, s.name or "", f"never a target: {s.excluded}"))
            else:
                chosen.append(s)
        chosen.sort(key=lambda s: (-s.value_kusd, -s.criticality, s.norad_id))
        description = f"{len(ids)} listed objects"
    elif family is not None:
        pool = [s for s in scored.values() if s.family == family]
        if not pool:
            raise TargetSetError(f"no catalogued object of family {family!r}")
        refused += [LeftOut(s.norad_id, s.name or "", f"never a target: {s.excluded}")
                    for s in pool if s.excluded is not None]
        chosen = rank_targets(pool, alt_km=alt_km, inc_deg=inc_deg, top=None)
        outside = len(pool) - len(chosen) - len(refused)
        description = (f"family {family}: {len(chosen)} of {len(pool)} objects"
                       + _band(alt_km, inc_deg)
                       + (f" ({outside} outside the band)" if outside else ""))
    else:
        assert top_critical is not None
        chosen = rank_targets(scored.values(), by="criticality", alt_km=alt_km, inc_deg=inc_deg,
                              top=top_critical)
        chosen.sort(key=lambda s: (-s.value_kusd, -s.criticality, s.norad_id))
        description = f"the {top_critical} most critical objects" + _band(alt_km, inc_deg)
    if chosen and max_age_days is not None:
        newest = max(seconds_since_mjd2000(by_id[s.norad_id].epoch) for s in chosen)
        fresh = []
        for s in chosen:
            age = (newest - seconds_since_mjd2000(by_id[s.norad_id].epoch)) / DAY_S
            if age > max_age_days:
                refused.append(LeftOut(s.norad_id, s.name or "",
                                       f"element set {age:.0f} days older than the newest "
                                       f"(limit {max_age_days:g})"))
            else:
                fresh.append(s)
        chosen = fresh
    if not chosen:
        raise TargetSetError(f"no target left to plan ({description}; "
                             f"{len(refused)} refused)")
    return TargetSet(tuple(chosen), tuple(by_id[s.norad_id] for s in chosen), description,
                     tuple(refused))


def _band(alt_km: tuple[float, float] | None, inc_deg: tuple[float, float] | None) -> str:
    parts = []
    if alt_km is not None:
        parts.append(f"{alt_km[0]:g}–{alt_km[1]:g} km")
    if inc_deg is not None:
        parts.append(f"{inc_deg[0]:g}–{inc_deg[1]:g}°")
    return f" in {', '.join(parts)}" if parts else ""
