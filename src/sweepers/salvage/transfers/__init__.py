"""Transfer-cost models behind one protocol (``cost(dep, arr, t_depart_s, t_arrive_s)``).

* :class:`LambertTransferModel` — impulsive two-body Lambert, multi-revolution;
* :class:`NodalDriftModel` — cheap J2 nodal-drift phasing estimate for cost tables, its drift
  orbits held to :class:`DriftBounds` (drag, the linear node-rate model's range);
* :class:`J2RendezvousModel` — exact impulsive rendezvous under full J2 (2–3 impulses).

Units: km, km/s, s, rad; inertial frame with z along the Earth's axis.
"""

from sweepers.salvage.transfers.base import TargetEphemeris, TransferCost, TransferCostModel
from sweepers.salvage.transfers.j2_rendezvous import J2RendezvousModel, RendezvousLeg
from sweepers.salvage.transfers.lambert_model import LambertTransferModel, lambert_cost
from sweepers.salvage.transfers.nodal_drift import DriftBounds, NodalDriftModel

__all__ = [
    "DriftBounds",
    "J2RendezvousModel",
    "LambertTransferModel",
    "NodalDriftModel",
    "RendezvousLeg",
    "TargetEphemeris",
    "TransferCost",
    "TransferCostModel",
    "lambert_cost",
]
