"""The ranking on the real 2023-10 catalog is sensible.

What we check and why:

* By criticality in LEO, the top 20 are the Zenit-2 upper stages (SL-16 R/B, 9 t at 830–850 km,
  71°) and ENVISAT is within the top 30. This is the result of McKnight et al. (IAC 2020 and
  *Acta Astronautica* 181, 2021): "the top 20 objects in that master list are all SL-16 … the
  highest ranked satellite, ESA's Envisat, … is 21st". Our criticality is a much simpler formula
  (mass × density × lifetime), so only these robust features are asserted.
* The top 50 by criticality are all intact objects of at least 1 t in the 700–1,000 km clusters
  (McKnight's C775/C850/C975) except for a few large CARA-estimated fragments.
* By value, the heaviest recoverable objects come first: SL-16 stages (9 t) ahead of ENVISAT
  (8.2 t), and no crewed station or CARA-protected (operating) spacecraft is ranked at all.
"""

from __future__ import annotations

from sweepers.salvage.value import ScoredObject, rank_targets


def test_top_criticality_in_leo_is_mcknights_list(real_scores: list[ScoredObject]) -> None:
    top = rank_targets(real_scores, by="criticality", alt_km=(0.0, 2000.0), top=30)
    assert all(s.family == "SL-16 R/B" for s in top[:18])
    assert "ENVISAT" in [s.name for s in top]
    assert sum(s.family == "SL-16 R/B" for s in top) >= 20


def test_top_criticality_are_massive_objects_in_the_derelict_clusters(
    real_scores: list[ScoredObject],
) -> None:
    top = rank_targets(real_scores, by="criticality", top=50)
    assert all(s.perigee_km >= 700.0 and s.apogee_km <= 1500.0 for s in top[:40])
    assert sum(s.object_class != "FRAGMENT" and s.mass_kg >= 1000.0 for s in top) >= 45
    sl8 = rank_targets(real_scores, by="criticality", object_type="rb",
                       alt_km=(900.0, 1050.0), top=10)
    # the C975 cluster: Kosmos-3M (SL-8) and Tsyklon-3 (SL-14) stages, ~1.4 t each
    assert {s.family for s in sl8} <= {"SL-8 R/B", "SL-14 R/B", "SL-16 R/B"}


def test_top_value(real_scores: list[ScoredObject]) -> None:
    top = rank_targets(real_scores, by="value", top=30)
    first_other = next(k for k, s in enumerate(top) if s.family != "SL-16 R/B")
    assert first_other >= 20 and top[first_other].name == "ENVISAT"  # 9 t stages, then 8.2 t
    payloads = rank_targets(real_scores, by="value", object_type="payload", top=1)
    assert payloads[0].name == "ENVISAT"
    excluded = {s.name for s in real_scores if s.excluded}
    assert {"ISS (ZARYA)", "HST"} <= excluded
    ranked = {s.norad_id for s in rank_targets(real_scores, by="value", top=None)}
    assert not any(s.norad_id in ranked for s in real_scores if s.excluded)


def test_every_object_is_scored(real_scores: list[ScoredObject]) -> None:
    assert len(real_scores) == 26140
    assert all(s.mass_kg > 0 and s.mass_source for s in real_scores)
    lifetimes = [s.lifetime_yr for s in real_scores if s.lifetime_yr == s.lifetime_yr]
    assert len(lifetimes) >= 26000 and max(lifetimes) == 200.0
