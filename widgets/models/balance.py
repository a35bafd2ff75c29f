"""Immune balance model: an infection meets an immune response that is kept in check.

One small system of ordinary differential equations (ODEs) is used for every
scenario; the scenarios only change parameter values.  Time is in days; every
other quantity is in *arbitrary units* (a.u.) chosen so that 1 is "a lot": the
model teaches shapes and directions, not real cell counts.

State variables
---------------
P   pathogen load (a.u.)
E   effector response: activated immune cells and antibodies that attack (a.u.)
R   regulation: regulatory T cells (Tregs) and other brakes (a.u.)
G   free self-antigen released from damaged tissue (a.u.)
Di  tissue damage caused by the infection itself (a.u.)
Dm  tissue damage caused by the immune response (collateral and self-attack) (a.u.)

Equations
---------
::

    dP/dt  = r P (1 - P/K) P/(P + a) - k_eff E P - k_ab P - m P
    dE/dt  = e0 + alpha X^2/(h^2 + X^2) / (1 + s R) - dE E,
             X = P + sigma G                       (antigen seen by effectors)
    dR/dt  = rho (r0 + q E) - dR R
    dG/dt  = gamma (c_i P + c_m E) - muG G
    dDi/dt = c_i P - heal Di
    dDm/dt = c_m E - heal Dm

Where the ideas come from
-------------------------
* Pathogen against effectors is *loosely inspired by* classic within-host
  infection models: logistic pathogen growth and mass-action killing by an
  immune response that antigen switches on, as in Antia, Levin & May 1994,
  Am Nat 144:457-472 (``antia1994_within_host``) and Nowak & May, *Virus
  Dynamics*, Oxford University Press 2000 (``nowak_may2000``).  It follows
  neither exactly: in those models the response expands in proportion to
  itself (clonal expansion); here antigen recruits effectors through a
  saturating switch, without a clonal-expansion term.
* The self-antigen loop (effector attack damages tissue, damage releases
  self-antigen, self-antigen keeps effectors going) and Tregs that suppress the
  response are borrowed from Alexander & Wahl 2011, Bull Math Biol 73:33-71,
  BioModels BIOMD0000000289 (source id ``alexander_wahl2011``).  Their model
  has a threshold: below it the loop dies out (tolerance), above it chronic
  self-attack persists.  Here the loop gain is set by ``self_reactivity``,
  ``self_antigen_release`` and the strength of regulation.
* The factor P/(P + a) is a simple "small-numbers" term (an Allee effect): a
  handful of microbes is mopped up by innate defences, so a cleared infection
  stays cleared instead of regrowing from 10^-12 of a microbe.

All parameter values are illustrative (dimensionless rates per day), chosen so
that the three textbook outcomes appear; they are not fitted to patient data.
Each preset illustrates one mechanism often discussed for a group of disorders;
none is a model of a disease.  The qualitative claims the notebooks make are
pinned to parameter ranges in ``tests/test_models_balance.py``.  See
``widgets/models/README.md`` for limits.
"""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import pandas as pd

from widgets.models.ode import solve_dopri5

__all__ = [
    "PARAMETERS",
    "PARAMETER_INFO",
    "PARAMETER_RANGES",
    "SCENARIOS",
    "SCENARIO_INFO",
    "simulate_scenario",
    "scenario_summary",
    "scenario_parameters",
    "CLEARANCE_THRESHOLD",
]

#: pathogen load (a.u.) below which the infection counts as cleared
CLEARANCE_THRESHOLD = 1e-3

#: default ("balanced") parameter values; every scenario starts from these
PARAMETERS: "OrderedDict[str, float]" = OrderedDict(
    pathogen_growth=1.0,
    carrying_capacity=10.0,
    allee_load=0.05,
    innate_clearance=0.1,
    kill_rate=3.0,
    passive_antibody=0.0,
    effector_baseline=0.01,
    effector_activation=3.0,
    activation_half_load=0.5,
    effector_decay=0.3,
    suppression=1.0,
    regulation_strength=1.0,
    treg_baseline=0.02,
    treg_induction=0.1,
    treg_decay=0.1,
    self_reactivity=1.0,
    self_antigen_release=1.0,
    self_antigen_clearance=1.0,
    infection_damage_rate=0.2,
    immune_damage_rate=0.1,
    healing_rate=0.1,
    initial_pathogen=0.2,
)

#: plain-words meaning and unit of every parameter
PARAMETER_INFO = {
    "pathogen_growth": ("How fast the microbe multiplies when nothing stops it", "per day"),
    "carrying_capacity": ("The most microbes the body can hold", "a.u."),
    "allee_load": ("Below about this load, a few microbes are easily mopped up by innate defences", "a.u."),
    "innate_clearance": ("Background removal of microbes by barriers and innate cells", "per day"),
    "kill_rate": ("How well each unit of effector response (cells, antibodies) kills microbes", "per a.u. per day"),
    "passive_antibody": ("Extra microbe removal by infused antibodies (immunoglobulin replacement); 0 = none", "per day"),
    "effector_baseline": ("Trickle of effector cells present without any trigger", "a.u. per day"),
    "effector_activation": ("How strongly antigen switches on and expands the effector response", "a.u. per day"),
    "activation_half_load": ("Antigen level that gives half of the maximal activation", "a.u."),
    "effector_decay": ("How fast activated effectors die off (apoptosis) once they are no longer needed", "per day"),
    "suppression": ("How strongly each unit of regulation damps effector activation", "per a.u."),
    "regulation_strength": ("Overall size of the regulatory T-cell system (1 = normal, 0 = absent, as in IPEX)", "fold of normal"),
    "treg_baseline": ("Regulatory T cells made without any inflammation", "a.u. per day"),
    "treg_induction": ("Extra regulatory T cells recruited per unit of effector activity", "per day"),
    "treg_decay": ("How fast regulatory T cells disappear", "per day"),
    "self_reactivity": ("How much self-antigen from damaged tissue stimulates effectors, relative to microbial antigen", "fold"),
    "self_antigen_release": ("Self-antigen released per unit of tissue being damaged", "fold"),
    "self_antigen_clearance": ("How fast free self-antigen is cleared", "per day"),
    "infection_damage_rate": ("Tissue damage caused per unit of microbe load", "per day"),
    "immune_damage_rate": ("Tissue damage caused per unit of effector activity (collateral and self-attack)", "per day"),
    "healing_rate": ("How fast damaged tissue repairs", "per day"),
    "initial_pathogen": ("Size of the infecting dose on day 0", "a.u."),
}

# Sizes, half-loads and decay rates must stay clearly above 0 (dividing by a
# near-zero value makes the equations explode); everything else may be switched off.
_MUST_BE_POSITIVE = ("carrying_capacity", "allee_load", "activation_half_load", "healing_rate",
                     "self_antigen_clearance", "treg_decay", "effector_decay")

#: allowed (lowest, highest) value of every parameter for overrides; the limits
#: keep each run quick (well under 50 ms) and numerically tame
PARAMETER_RANGES = {
    name: (0.01 if name in _MUST_BE_POSITIVE else 0.0, max(10.0 * value, 10.0))
    for name, value in PARAMETERS.items()
}

SCENARIOS: "OrderedDict[str, dict]" = OrderedDict(
    balanced={},
    underactive={"effector_activation": 0.08},
    # bistable: without an infection it stays tolerant, an infection tips it into self-attack
    overactive={"regulation_strength": 0.2, "self_reactivity": 4.0},
    antibody_deficiency={"kill_rate": 0.25},
    # passive antibody alone (0.4 + innate 0.1) is below the microbe's top growth rate (~0.87/day),
    # so the patient's own effectors are still needed to clear it
    treated_underactive={"kill_rate": 0.25, "passive_antibody": 0.4},
    combined_deficiency={"effector_activation": 0.03, "kill_rate": 1.0},
    loss_of_regulation={"regulation_strength": 0.02, "self_reactivity": 3.0},
    failed_apoptosis={"effector_decay": 0.05},
    hyperinflammation={"effector_activation": 10.0, "immune_damage_rate": 0.2},
)

SCENARIO_INFO = {
    "balanced": dict(
        label="Balanced response",
        direction="balanced",
        description="Effectors expand, clear the microbe and then stand down, so little healthy tissue is harmed.",
        disorder_ids=[],
    ),
    "underactive": dict(
        label="Underactive response",
        direction="underactive",
        description="The response switches on too weakly, so the microbe is never cleared: the load settles at a steady, chronic level.",
        disorder_ids=["scid", "cvid", "xla", "hiv_aids"],
    ),
    "overactive": dict(
        label="Overactive response",
        direction="overactive",
        description="Without an infection the system stays tolerant; an infection tips it over, and with weak brakes self-antigen from damaged tissue keeps effectors busy after the microbe has gone.",
        disorder_ids=["sle", "ra", "ms"],
    ),
    "antibody_deficiency": dict(
        label="Antibody deficiency",
        direction="underactive",
        description="Effectors switch on but, without good antibodies, kill microbes poorly, so infection lingers.",
        disorder_ids=["xla", "cvid"],
    ),
    "treated_underactive": dict(
        label="Antibody deficiency on immunoglobulin replacement",
        direction="underactive",
        description="Infused antibodies (IVIG or SCIG) add to the weak attack, and together with the patient's own effectors the microbe is cleared in this model. In real life replacement mainly prevents infections; an established infection also needs antibiotics.",
        disorder_ids=["xla", "cvid"],
    ),
    "combined_deficiency": dict(
        label="Combined (T- and B-cell) deficiency",
        direction="underactive",
        description="Hardly any effector response forms, so the microbe grows almost unchecked.",
        disorder_ids=["scid", "hiv_aids"],
    ),
    "loss_of_regulation": dict(
        label="Loss of regulatory T cells",
        direction="overactive",
        description="With almost no regulatory T cells the response never stands down and goes on attacking self.",
        disorder_ids=["ipex"],
    ),
    "failed_apoptosis": dict(
        label="Failed lymphocyte apoptosis",
        direction="overactive",
        description="Activated lymphocytes fail to die on schedule, so they pile up and keep harming tissue.",
        disorder_ids=["alps"],
    ),
    "hyperinflammation": dict(
        label="Hyperinflammation",
        direction="overactive",
        description="An explosive response clears the microbe but causes heavy collateral damage, and in this model it never switches off: the damage stays on a permanent plateau.",
        disorder_ids=["fhl"],
    ),
}

COLUMNS = ["pathogen", "effector", "regulation", "self_antigen",
           "damage_from_infection", "damage_from_immune", "tissue_damage"]
MAX_DAYS = 3650.0
STEP_DAYS = 0.25


def _check_finite_number(name, value, low, high, low_inclusive=True):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}; got {value!r}.") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number between {low:g} and {high:g}; got {value!r}.")
    too_low = number < low if low_inclusive else number <= low
    if too_low or number > high:
        bound = "at least" if low_inclusive else "more than"
        raise ValueError(f"{name} must be {bound} {low:g} and at most {high:g}; got {value!r}.")
    return number


def scenario_parameters(name, **overrides):
    """Return the full parameter dict for scenario ``name`` with ``overrides`` applied.

    Raises ValueError for an unknown scenario, an unknown parameter name, or a
    value that is not finite or outside ``PARAMETER_RANGES``.
    """
    if name not in SCENARIOS:
        raise ValueError(f"Unknown scenario {name!r}. Choose one of: {', '.join(SCENARIOS)}.")
    params = dict(PARAMETERS)
    params.update(SCENARIOS[name])
    unknown = sorted(set(overrides) - set(PARAMETERS))
    if unknown:
        raise ValueError(
            f"Unknown parameter(s) {', '.join(map(repr, unknown))}. Allowed names: {', '.join(PARAMETERS)}."
        )
    for key, value in overrides.items():
        low, high = PARAMETER_RANGES[key]
        params[key] = _check_finite_number(key, value, low, high)
    return params


def _rhs(p):
    r = p["pathogen_growth"]
    K = p["carrying_capacity"]
    a = p["allee_load"]
    m = p["innate_clearance"]
    k_eff = p["kill_rate"]
    k_ab = p["passive_antibody"]
    e0 = p["effector_baseline"]
    alpha = p["effector_activation"]
    h2 = p["activation_half_load"] ** 2
    d_e = p["effector_decay"]
    s = p["suppression"]
    rho = p["regulation_strength"]
    r0 = p["treg_baseline"]
    q = p["treg_induction"]
    d_r = p["treg_decay"]
    sigma = p["self_reactivity"]
    gamma = p["self_antigen_release"]
    mu_g = p["self_antigen_clearance"]
    c_i = p["infection_damage_rate"]
    c_m = p["immune_damage_rate"]
    heal = p["healing_rate"]

    def f(_t, y):
        # plain floats, each at least 0 (the solver passes a list; SciPy, in the tests, an array)
        P, E, R, G, Di, Dm = y.tolist() if isinstance(y, np.ndarray) else y
        P = P if P > 0.0 else 0.0
        E = E if E > 0.0 else 0.0
        R = R if R > 0.0 else 0.0
        G = G if G > 0.0 else 0.0
        Di = Di if Di > 0.0 else 0.0
        Dm = Dm if Dm > 0.0 else 0.0
        X = P + sigma * G
        dP = r * P * (1.0 - P / K) * P / (P + a) - (k_eff * E + k_ab + m) * P
        dE = e0 + alpha * X * X / (h2 + X * X) / (1.0 + s * R) - d_e * E
        dR = rho * (r0 + q * E) - d_r * R
        dG = gamma * (c_i * P + c_m * E) - mu_g * G
        dDi = c_i * P - heal * Di
        dDm = c_m * E - heal * Dm
        return [dP, dE, dR, dG, dDi, dDm]

    return f


def _initial_state(p):
    """Day 0: the infecting dose, effectors and Tregs at their resting levels, no damage."""
    r_start = p["regulation_strength"] * p["treg_baseline"] / p["treg_decay"]
    e_start = p["effector_baseline"] / p["effector_decay"] if p["effector_decay"] > 0 else 0.0
    return [p["initial_pathogen"], e_start, r_start, 0.0, 0.0, 0.0]


def simulate_scenario(name="balanced", days=60, **overrides):
    """Simulate scenario ``name`` for ``days`` days (0 < days <= 3650).

    Returns a DataFrame indexed by ``day`` (float, 0.25-day grid) with columns
    ``pathogen``, ``effector``, ``regulation``, ``self_antigen``,
    ``damage_from_infection``, ``damage_from_immune`` and ``tissue_damage``
    (their sum), all finite and >= 0, in arbitrary units.  ``overrides`` change
    named parameters (see ``PARAMETER_INFO``); the parameters used are stored in
    ``df.attrs["parameters"]`` and the scenario name in ``df.attrs["scenario"]``.

    The model and its sources (``alexander_wahl2011``: Alexander & Wahl 2011,
    Bull Math Biol 73:33, BioModels BIOMD0000000289; loosely inspired by
    ``antia1994_within_host`` and ``nowak_may2000``) are described in the module
    docstring and in ``widgets/models/README.md``.
    """
    days = _check_finite_number("days", days, 0.0, MAX_DAYS, low_inclusive=False)
    p = scenario_parameters(name, **overrides)
    y0 = _initial_state(p)
    n = int(math.floor(days / STEP_DAYS + 1e-9)) + 1
    t_eval = np.arange(n) * STEP_DAYS
    if t_eval[-1] < days:
        t_eval = np.append(t_eval, days)
    # Dormand-Prince 5(4) without SciPy (widgets/models/ode.py), landing on every 0.25-day step;
    # within PARAMETER_RANGES the system is not stiff (tests/test_ode.py compares it with
    # SciPy's LSODA at the same tolerances)
    try:
        sol = solve_dopri5(_rhs(p), t_eval, y0, rtol=1e-6, atol=1e-9)
    except ValueError as exc:  # pragma: no cover - not reached within PARAMETER_RANGES
        raise ValueError(f"The simulation could not be completed ({exc}); try less extreme values.") from None
    y = np.clip(np.nan_to_num(sol.y, nan=0.0, posinf=0.0, neginf=0.0), 0.0, None)
    df = pd.DataFrame(
        {
            "pathogen": y[0],
            "effector": y[1],
            "regulation": y[2],
            "self_antigen": y[3],
            "damage_from_infection": y[4],
            "damage_from_immune": y[5],
        },
        index=pd.Index(sol.t, name="day"),
    )
    df["tissue_damage"] = df["damage_from_infection"] + df["damage_from_immune"]
    df.attrs["scenario"] = name
    df.attrs["parameters"] = p
    return df


def scenario_summary(df):
    """Scalar indicators of one run, used by the balance picture.

    Returns a dict with
    ``infection_burden``  time-average pathogen load (a.u.),
    ``self_damage``       time-average immune-caused damage (a.u.),
    ``cleared``           True when the pathogen is below ``CLEARANCE_THRESHOLD``
                          at the end and stays there for the last 10% of the run,
    ``clearance_day``     first day from which the pathogen stays below the
                          threshold (None if never),
    ``peak_pathogen``, ``final_pathogen``, ``final_self_damage``,
    ``self_damage_after_clearance`` (mean immune damage after clearance, None if
    never cleared), ``direction`` (underactive / balanced / overactive, from the
    numbers) and ``scenario`` (name, if known).
    """
    required = {"pathogen", "damage_from_immune", "damage_from_infection"}
    if not isinstance(df, pd.DataFrame) or not required <= set(df.columns) or len(df) < 2:
        raise ValueError(
            "scenario_summary needs the DataFrame returned by simulate_scenario "
            f"(columns {sorted(required)}, at least 2 rows); got {type(df).__name__}."
        )
    days = df.index.to_numpy(dtype=float)
    pathogen = df["pathogen"].to_numpy(dtype=float)
    immune = df["damage_from_immune"].to_numpy(dtype=float)
    span = days[-1] - days[0]
    below = pathogen < CLEARANCE_THRESHOLD
    clearance_day = None
    if below[-1]:
        above = np.flatnonzero(~below)
        first = 0 if above.size == 0 else above[-1] + 1
        clearance_day = float(days[first])
    cleared = clearance_day is not None and clearance_day <= days[-1] - 0.1 * span
    after = None
    if clearance_day is not None:
        mask = days >= clearance_day
        after = float(immune[mask].mean())
    burden = float(np.trapezoid(pathogen, days) / span)
    self_damage = float(np.trapezoid(immune, days) / span)
    final_self = float(immune[-1])
    if not cleared:
        direction = "underactive"
    elif final_self > 0.5:
        direction = "overactive"
    else:
        direction = "balanced"
    return {
        "infection_burden": burden,
        "self_damage": self_damage,
        "cleared": bool(cleared),
        "clearance_day": clearance_day if cleared else None,
        "peak_pathogen": float(pathogen.max()),
        "final_pathogen": float(pathogen[-1]),
        "final_self_damage": final_self,
        "self_damage_after_clearance": after if cleared else None,
        "direction": direction,
        "scenario": df.attrs.get("scenario"),
    }
