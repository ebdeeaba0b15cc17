"""GTOC9 "The Kessler Run" rules and constants, in the competition's own SI units.

Source: the Kelvins problem statement (https://kelvins.esa.int/gtoc9-kessler-run/problem,
``.../constants``, ``.../equations``, ``.../submission-format``; ESA Advanced Concepts Team, 2017),
summarised in ``/work/shared/GTOC9.md``. Every value below is copied from the Kelvins "Constants"
table unless a comment says otherwise.

Base cost ``c_i``: during the competition the base cost of a mission rose linearly from
``c_m = 45`` MEUR to ``c_M = 55`` MEUR with the *submission* time of that mission (an incentive to
submit early). After the fact there is no submission time, so missions are compared with
``c_i = c_M = 55`` MEUR for every mission (GTOC9.md); the scoreboard figures quoted there (JPL
J ≈ 731.49 MEUR) use the same convention.
"""

from __future__ import annotations

# --- Earth and propulsion (Kelvins "Constants") -------------------------------------------------
MU_M3_S2 = 398600.4418e9
"""Earth's gravitational parameter μ [m³/s²]."""
R_EQ_M = 6378137.0
"""Earth's equatorial radius r_eq [m]."""
J2 = 1.08262668e-3
"""Second zonal harmonic J2 [-]."""
ISP_S = 340.0
"""Specific impulse of the ship's engine [s]."""
G0_M_S2 = 9.80665
"""Standard gravity used with Isp [m/s²]."""
VE_M_S = ISP_S * G0_M_S2
"""Effective exhaust velocity Isp·g0 [m/s] (rocket equation m1 = m0·exp(−|Δv|/(Isp·g0)))."""

# --- Time ---------------------------------------------------------------------------------------
DAY_S = 86400.0
"""Length of a day [s]."""
YEAR_DAYS = 365.25
"""Length of a year [days]."""
WINDOW_START_MJD2000 = 23467.0
"""Earliest epoch of any event [MJD2000] (GTOC9.md; the window spans TOF ≈ 8 years)."""
WINDOW_END_MJD2000 = 26419.0
"""Latest epoch of any event [MJD2000]."""
STAY_MIN_DAYS = 5.0
"""t_w: minimum time the ship stays with a debris after rendezvous [days]."""
ARRIVAL_TO_ARRIVAL_MAX_DAYS = 30.0
"""Δt_R: maximum time from one debris arrival to the next, stay included [days]."""
BETWEEN_MISSIONS_MIN_DAYS = 30.0
"""Δt_M: minimum time between the end of one mission and the start of the next [days]."""

# --- Masses and cost ----------------------------------------------------------------------------
M_DRY_KG = 2000.0
"""m_dry: ship dry mass [kg]."""
M_DEORBIT_KG = 30.0
"""m_de: mass of one de-orbit package, left at each removed debris [kg]."""
M_PROPELLANT_MAX_KG = 5000.0
"""m_p: maximum propellant mass at launch [kg] (m0 − m_dry − N·m_de ≤ m_p)."""
ALPHA_MEUR_KG2 = 2.0e-6
"""α: cost per squared kg of launch mass above dry [MEUR/kg²]."""
C_MIN_MEUR = 45.0
"""c_m: base mission cost at the start of the competition [MEUR]."""
C_MAX_MEUR = 55.0
"""c_M: base mission cost at the end of the competition [MEUR]."""
C_BASE_MEUR = C_MAX_MEUR
"""Base cost c_i used for every mission when comparing after the fact [MEUR] (module docstring)."""

# --- Orbit constraint and tolerances ------------------------------------------------------------
R_PERICENTRE_MIN_M = 6600000.0
"""r_p,min: minimum osculating pericentre radius at every event [m]."""
TOL_POSITION_M = 100.0
"""ε_r: position tolerance for rendezvous and for trajectory continuity [m]."""
TOL_VELOCITY_M_S = 1.0
"""ε_v: velocity tolerance for rendezvous and for trajectory continuity [m/s]."""
TOL_MASS_KG = 1e-8
"""ε_m: mass bookkeeping tolerance [kg]."""

# --- Mission file structure (submission page's preliminary validation) ----------------------------
# The Kelvins "Submission format" page lists the checks of its preliminary validation only in part
# in the text reachable here; the structure below is the statement of those checks by third-party
# re-implementations that ESA's example files pass (GTOC9.md, "File structure"). Our reading of
# the points that statement leaves open:
# * "lines" are event lines; ``#`` comment lines and blank lines (which the official format does
#   not have and our writers never write) are not counted;
# * "Δv is zero" means exactly 0.0 in all three components (no tolerance is stated, and the writer
#   writes 0.0);
# * "epochs strictly increase" applies to every line, including the arrival/departure pair of a
#   stay and a DSM and the arrival that follows it;
# * the mission start t_s is the epoch of the first line (the delivery at the first debris) and the
#   end t_f the epoch of the last line (the departure closing the last stay): the 30-day gap
#   between missions runs from one mission's last line to the next one's first line.
MISSION_LINES_MIN = 2
"""Fewest event lines in a mission file (a one-debris mission: arrival and departure)."""
MISSION_LINES_MAX = 856
"""Most event lines in a mission file (preliminary validation, as GTOC9.md states it)."""

N_DEBRIS = 123
"""Number of debris pieces in ``debris.csv`` (ids 0..122)."""


def mission_cost_meur(m0_kg: float, c_base_meur: float = C_BASE_MEUR) -> float:
    """Cost of one mission, c_i + α (m0 − m_dry)² [MEUR], for launch mass ``m0_kg`` [kg]."""
    return c_base_meur + ALPHA_MEUR_KG2 * (m0_kg - M_DRY_KG) ** 2
