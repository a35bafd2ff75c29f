"""Immunoglobulin G (IgG) replacement: how much IgG is in the blood after IVIG or SCIG.

Model
-----
A linear two-compartment model per kg of body weight (the structure of the
population model of Cheng et al. 2025, source id ``cheng2025_ivig_poppk``),
plus a skin depot for subcutaneous doses and the patient's own IgG on top::

    d(depot)/dt   = - ka * depot                                  (SCIG only)
    d(central)/dt =   ka * depot - (CL + Q)/V1 * central + Q/V2 * peripheral
    d(periph)/dt  =   Q/V1 * central - Q/V2 * peripheral
    IgG (mg/dL)   =   baseline + 100 * central / V1     (central in mg/kg, V1 in mL/kg)

* IVIG: each dose (mg/kg) goes straight into ``central`` (the infusion, a few
  hours long, is treated as instant).
* SCIG: each dose goes into ``depot``; only the bioavailable fraction F
  (``scig_bioavailability``, 65-69% across products; Berger et al. 2013,
  ``berger2013_scig``) ever reaches the blood, at rate ``ka``.
* ``baseline`` is the IgG the patient still makes (held constant).
* Clearances scale with weight^0.75 (allometry, as in Cheng 2025), volumes with
  weight, so per kg a child clears IgG faster than an adult.

Calibration
-----------
Parameter values live in ``data/pharmacokinetics.csv`` (read by ``pk_defaults``).
They reproduce the Privigen US label PK table (``privigen_label``, Table 4;
25 patients aged 13-69 with primary immunodeficiency; *total* IgG, mean +/- SD):

=============  ==========  ==================  ==================
interval       patients    Cmax (mg/dL)        Cmin (mg/dL)
=============  ==========  ==================  ==================
3 weeks        3           2,550 +/- 400       1,230 +/- 230
4 weeks        22          2,260 +/- 530       1,000 +/- 200
=============  ==========  ==================  ==================

Total IgG is the patients' own IgG plus the infused IgG, so a calibration has
to say how much the study patients still made.  We assume 200 mg/dL: in XLA
own IgG is usually below 200 mg/dL (``esid_xla_criteria``) and in CVID it is
markedly low (``esid_cvid_definition``).  The label does not state the mean
dose in the text we could read; its clearance (1.3 mL/day/kg) is the dose
divided by the AUC of total IgG, so the dose is 1.3 x AUC: about 430 mg/kg
every 3 weeks and 470 mg/kg every 4 weeks.  Taking the assumed own IgG out of
the AUC gives the clearance of the infused IgG, 1.49 and 1.54 mL/day/kg: the
model uses 1.5.  Q is Cheng 2025's (``cheng2025_ivig_poppk``); V1 (35 mL/kg)
and V2 (32 mL/kg) were fitted to the four numbers of the table.  All four land
well within 1 SD (see ``tests/test_models_igg.py``).  With these values the
terminal half-life of infused IgG is about 32 days (label: 27.6 days mean at
3-weekly dosing, 37.3 days median at 4-weekly dosing, individual values 20.6
to 96.6 days).  This is a calibration to one table, not a validation: the
volumes trade off against each other and against the half-life.

Trough and pneumonia
--------------------
``pneumonia_rate`` uses the meta-analysis of Orange et al. 2010
(Clin Immunol 137:21-30; ``orange2010_trough``): 0.113 pneumonias per
patient-year at a trough of 500 mg/dL and an incidence rate ratio of 0.726 for
each extra 100 mg/dL.  The studies describe troughs of about 500 to 1,000
mg/dL (``pneumonia_data_range``); outside that range the curve is an
extrapolation (``pneumonia_extrapolated``), and for all infections the benefit
flattens above about 960 mg/dL (``lee2020_trough``).

Educational model only: not for choosing anybody's dose.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

# numpy-only (Higham 2005): importing scipy.linalg for one function cost a kernel about 15 MiB
from widgets.models.expm import expm

__all__ = [
    "ROUTES",
    "PK_PARAMETERS",
    "IMMUNOMODULATORY_REGIMENS",
    "pk_defaults",
    "pk_table",
    "igg_levels",
    "steady_state",
    "pneumonia_rate",
    "scig_dose_from_ivig",
    "scig_auc_matching_factor",
    "pneumonia_data_range",
    "pneumonia_extrapolated",
    "terminal_half_life_days",
    "clearance_for_half_life",
    "regimen_levels",
]

ROUTES = ("IVIG", "SCIG")

#: model parameters that ``igg_levels``/``steady_state`` accept as keyword overrides
PK_PARAMETERS = (
    "clearance_ml_per_day_per_kg",
    "central_volume_ml_per_kg",
    "peripheral_volume_ml_per_kg",
    "intercompartmental_clearance_ml_per_day_per_kg",
    "baseline_igg_mg_dl",
    "scig_bioavailability",
    "scig_absorption_per_day",
)

#: plausible limits for overrides (the model misbehaves or stops meaning anything outside)
_PARAM_LIMITS = {
    "clearance_ml_per_day_per_kg": (0.1, 50.0),
    "central_volume_ml_per_kg": (10.0, 500.0),
    "peripheral_volume_ml_per_kg": (1.0, 1000.0),
    "intercompartmental_clearance_ml_per_day_per_kg": (0.1, 500.0),
    "baseline_igg_mg_dl": (0.0, 3000.0),
    "scig_bioavailability": (0.05, 1.0),
    "scig_absorption_per_day": (0.01, 20.0),
}

MAX_DOSE_MG_PER_KG = 2000.0
INTERVAL_RANGE_DAYS = (1.0, 90.0)
WEIGHT_RANGE_KG = (1.0, 250.0)
MAX_DAYS = 3650.0
REFERENCE_WEIGHT_KG = 70.0
STEP_DAYS = 0.25

#: high-dose (immunomodulatory) IVIG regimens; ``doses`` lists (day, g/kg)
IMMUNOMODULATORY_REGIMENS = {
    "kawasaki": dict(
        indication="Kawasaki disease",
        total_g_per_kg=2.0,
        schedule="2 g/kg as one infusion (given with aspirin)",
        doses=[(0, 2.0)],
        source_ids=["aha2017_kawasaki"],
    ),
    "itp_adult": dict(
        indication="Immune thrombocytopenia (ITP), adults",
        total_g_per_kg=1.0,
        schedule="1 g/kg once; may be repeated if the platelet count does not rise enough",
        doses=[(0, 1.0)],
        source_ids=["neunert2019_itp"],
    ),
    "itp_child": dict(
        indication="Immune thrombocytopenia (ITP), children who need treatment",
        total_g_per_kg=1.0,
        schedule="a single dose of 0.8 to 1 g/kg (shown: 1 g/kg)",
        doses=[(0, 1.0)],
        source_ids=["neunert2019_itp"],
    ),
    "gbs": dict(
        indication="Guillain-Barre syndrome",
        total_g_per_kg=2.0,
        schedule="0.4 g/kg a day for 5 days (2 g/kg in all)",
        doses=[(d, 0.4) for d in range(5)],
        source_ids=["hughes2014_cochrane_gbs"],
    ),
    "cidp": dict(
        indication="Chronic inflammatory demyelinating polyneuropathy (CIDP)",
        total_g_per_kg=2.0,
        schedule="induction 2 g/kg spread over 2 to 5 days (shown: 0.5 g/kg on 4 days), "
                 "then maintenance 1 g/kg every 3 weeks",
        doses=[(d, 0.5) for d in range(4)] + [(21 * k, 1.0) for k in range(1, 9)],
        source_ids=["privigen_label", "ontario_ivig_cidp"],
    ),
}


# --------------------------------------------------------------------------- parameters
def pk_table(data_dir=None) -> pd.DataFrame:
    """The ``pharmacokinetics`` table (validated by ``widgets.data.load``)."""
    from widgets.data import load

    return load("pharmacokinetics", data_dir=data_dir)


@functools.lru_cache(maxsize=8)
def _defaults_for_version(version, data_dir):
    table = pk_table(data_dir)
    return {str(row.parameter): float(row.value) for row in table.itertuples(index=False)}


def _defaults_from_table(data_dir):
    # An app asks for the defaults several times per control change; reading the table each
    # time (a validated copy from widgets.data) took ~2 ms a call. Kept until the file changes.
    from widgets.data import table_version

    return dict(_defaults_for_version(table_version("pharmacokinetics", data_dir), data_dir))


def pk_defaults(data_dir=None) -> dict:
    """Default parameter values, ``{parameter: value}``, read from ``data/pharmacokinetics.csv``.

    Units are in the names (``..._ml_per_kg``, ``..._mg_dl``, ``..._per_day``);
    the ``note`` and ``source_ids`` columns of the table say where each comes from.
    """
    values = _defaults_from_table(data_dir)
    missing = [name for name in PK_PARAMETERS if name not in values]
    if missing:
        raise ValueError(f"data/pharmacokinetics.csv lacks the parameter(s) {missing}.")
    return values


# --------------------------------------------------------------------------- validation
def _number(name, value, low, high, *, low_open=False, unit=""):
    unit_text = f" {unit}" if unit else ""
    allowed = f"{'more than' if low_open else 'from'} {low:g} {'up to' if low_open else 'to'} {high:g}{unit_text}"
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number {allowed}; got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number {allowed}; got {value!r}.") from None
    if not math.isfinite(number) or number > high or number < low or (low_open and number == low):
        raise ValueError(f"{name} must be {allowed}; got {value!r}.")
    return number


def _route(route):
    text = str(route).strip().upper()
    if text not in ROUTES:
        raise ValueError(f"route must be one of {', '.join(ROUTES)}; got {route!r}.")
    return text


def _params(weight_kg, params):
    unknown = sorted(set(params) - set(PK_PARAMETERS))
    if unknown:
        raise ValueError(f"Unknown parameter(s) {unknown}. Allowed: {', '.join(PK_PARAMETERS)}.")
    p = {k: v for k, v in pk_defaults().items() if k in PK_PARAMETERS}
    for key, value in params.items():
        low, high = _PARAM_LIMITS[key]
        p[key] = _number(key, value, low, high)
    w = _number("weight_kg", weight_kg, *WEIGHT_RANGE_KG, unit="kg")
    scale = (w / REFERENCE_WEIGHT_KG) ** -0.25  # per-kg clearance grows as weight falls
    return {
        "CL": p["clearance_ml_per_day_per_kg"] * scale,
        "Q": p["intercompartmental_clearance_ml_per_day_per_kg"] * scale,
        "V1": p["central_volume_ml_per_kg"],
        "V2": p["peripheral_volume_ml_per_kg"],
        "baseline": p["baseline_igg_mg_dl"],
        "F": p["scig_bioavailability"],
        "ka": p["scig_absorption_per_day"],
    }


_EXPM_CACHE: dict = {}


def _expm(A, t):
    """``expm(A * t)``, remembered per (matrix, time step): a new dose or target leaves the
    rate matrix as it was, so an app redrawing for it does no matrix exponential at all.
    (``expm`` of a 3 x 3 matrix is cheap on a quiet machine but can take tens of
    milliseconds when BLAS threads compete with other work.)"""
    key = (A.tobytes(), round(float(t), 9))
    M = _EXPM_CACHE.get(key)
    if M is None:
        if len(_EXPM_CACHE) > 1024:
            _EXPM_CACHE.clear()
        M = _EXPM_CACHE[key] = expm(A * t)
        M.setflags(write=False)
    return M


def _rate_matrix(p):
    CL, Q, V1, V2, ka = p["CL"], p["Q"], p["V1"], p["V2"], p["ka"]
    # state: [depot, central, peripheral], amounts in mg/kg
    return np.array([
        [-ka, 0.0, 0.0],
        [ka, -(CL + Q) / V1, Q / V2],
        [0.0, Q / V1, -Q / V2],
    ])


def _dose_vector(p, route, dose):
    return np.array([p["F"] * dose, 0.0, 0.0]) if route == "SCIG" else np.array([0.0, dose, 0.0])


def _simulate(p, dose_list, days, route):
    """Levels on a 0.25-day grid plus a pre- and post-dose row at every dose time.

    ``dose_list``: sorted list of (day, mg/kg).  Returns DataFrame (day, igg_mg_dl, ...).
    """
    A = _rate_matrix(p)
    cache = {}

    def step(x, dt):
        if dt <= 0:
            return x
        key = round(dt, 9)
        if key not in cache:
            cache[key] = _expm(A, dt)
        return cache[key] @ x

    grid = np.arange(0.0, days + 1e-9, STEP_DAYS)
    if grid[-1] < days:
        grid = np.append(grid, days)
    dose_days = {}
    for day, amount in dose_list:
        if day <= days:
            dose_days[float(day)] = dose_days.get(float(day), 0.0) + amount
    times = sorted(set(grid.tolist()) | set(dose_days))
    x = np.zeros(3)
    t_prev = 0.0
    rows = []
    for t in times:
        x = step(x, t - t_prev)
        t_prev = t
        if t in dose_days:
            rows.append((t, x.copy(), False))
            x = x + _dose_vector(p, route, dose_days[t])
            rows.append((t, x.copy(), True))
        else:
            rows.append((t, x.copy(), False))
    day = np.array([r[0] for r in rows])
    states = np.array([r[1] for r in rows])
    infused = np.clip(100.0 * states[:, 1] / p["V1"], 0.0, None)
    return pd.DataFrame({
        "day": day,
        "igg_mg_dl": p["baseline"] + infused,
        "infused_igg_mg_dl": infused,
        "baseline_igg_mg_dl": p["baseline"],
        "dose_given": [r[2] for r in rows],
    })


def _dose_times(interval_days, days):
    n = int(math.floor(days / interval_days + 1e-9)) + 1
    return [k * interval_days for k in range(n) if k * interval_days < days or k == 0]


def igg_levels(dose_mg_per_kg, interval_days, route="IVIG", days=180, weight_kg=70, **params):
    """Total serum IgG over time for repeated replacement doses.

    Parameters
    ----------
    dose_mg_per_kg : dose per administration, 0-2000 mg/kg (for SCIG the dose
        injected; only ``scig_bioavailability`` of it reaches the blood).
    interval_days : days between doses, 1-90 (IVIG typically 21-28, SCIG 7).
    route : ``"IVIG"`` or ``"SCIG"``.
    days : length of the simulation, more than 0 and up to 3650 days.
    weight_kg : body weight, 1-250 kg (clearance per kg scales with weight^-0.25).
    **params : overrides of ``PK_PARAMETERS`` (e.g. ``baseline_igg_mg_dl=0`` for XLA).

    Returns a DataFrame with columns ``day``, ``igg_mg_dl`` (baseline + infused),
    ``infused_igg_mg_dl``, ``baseline_igg_mg_dl`` and ``dose_given`` (True on the
    row just after a dose).  Every dose day has two rows (just before and just
    after the dose), so IVIG peaks and troughs are exact.  Sources: see module
    docstring (``cheng2025_ivig_poppk``, ``privigen_label``, ``berger2013_scig``).
    """
    dose = _number("dose_mg_per_kg", dose_mg_per_kg, 0.0, MAX_DOSE_MG_PER_KG, unit="mg/kg")
    interval = _number("interval_days", interval_days, *INTERVAL_RANGE_DAYS, unit="days")
    route = _route(route)
    days = _number("days", days, 0.0, MAX_DAYS, low_open=True, unit="days")
    p = _params(weight_kg, params)
    doses = [(t, dose) for t in _dose_times(interval, days)]
    df = _simulate(p, doses, days, route)
    df.attrs.update(route=route, dose_mg_per_kg=dose, interval_days=interval, weight_kg=float(weight_kg))
    return df


def _steady_state_cycle(p, route, dose, interval):
    """States just after a dose at steady state and a fine profile over one interval."""
    A = _rate_matrix(p)
    M = _expm(A, interval)
    b = _dose_vector(p, route, dose)
    x_post = np.linalg.solve(np.eye(3) - M, b)  # x_post = M x_post + b
    ts = np.linspace(0.0, interval, 401)
    dt = ts[1] - ts[0]
    Mdt = _expm(A, dt)
    xs = [x_post]
    for _ in ts[1:]:
        xs.append(Mdt @ xs[-1])
    central = np.array([x[1] for x in xs])
    return ts, 100.0 * central / p["V1"], M, b


def steady_state(dose_mg_per_kg, interval_days, route="IVIG", weight_kg=70, **params):
    """Peak and trough IgG once every dosing interval looks the same (steady state).

    Returns a dict: ``peak_mg_dl``, ``trough_mg_dl``, ``mean_mg_dl`` (all total
    IgG = baseline + infused), ``peak_to_trough_ratio``, ``days_to_steady_state``
    (days from the first dose until the infused trough first reaches 90% of its
    steady-state value) and ``doses_to_steady_state``.  Input rules as for
    ``igg_levels``.
    """
    dose = _number("dose_mg_per_kg", dose_mg_per_kg, 0.0, MAX_DOSE_MG_PER_KG, unit="mg/kg")
    interval = _number("interval_days", interval_days, *INTERVAL_RANGE_DAYS, unit="days")
    route = _route(route)
    p = _params(weight_kg, params)
    ts, infused, M, b = _steady_state_cycle(p, route, dose, interval)
    base = p["baseline"]
    peak = base + float(infused.max())
    trough = base + float(infused[-1])
    mean = base + float(np.trapezoid(infused, ts) / interval)
    # count doses until the pre-dose infused level reaches 90% of its steady value
    ss_trough = float(infused[-1])
    x = np.zeros(3)
    n = 0
    if ss_trough > 0:
        while n < 10_000:
            x = M @ (x + b)
            n += 1
            if 100.0 * x[1] / p["V1"] >= 0.9 * ss_trough:
                break
    return {
        "peak_mg_dl": peak,
        "trough_mg_dl": trough,
        "mean_mg_dl": mean,
        "peak_to_trough_ratio": peak / trough if trough > 0 else float("inf"),
        "days_to_steady_state": float(n * interval),
        "doses_to_steady_state": n,
    }


def pneumonia_rate(trough_mg_dl):
    """Expected pneumonias per patient-year at a given trough IgG (mg/dL).

    rate = 0.113 x 0.726 ** ((trough - 500) / 100), from the meta-analysis of
    Orange et al. 2010, Clin Immunol 137:21-30 (``orange2010_trough``; 17
    studies, 676 patients).  The studies mostly had troughs between about 500
    and 1,000 mg/dL (``pneumonia_data_range``); use ``pneumonia_extrapolated`` to
    flag values outside it.  Accepts 0-5000 mg/dL.
    """
    trough = _number("trough_mg_dl", trough_mg_dl, 0.0, 5000.0, unit="mg/dL")
    d = pk_defaults()
    return d["pneumonia_rate_at_500_per_patient_year"] * d["pneumonia_irr_per_100_mg_dl"] ** ((trough - 500.0) / 100.0)


def pneumonia_data_range() -> tuple:
    """(low, high) trough in mg/dL that the pneumonia meta-analysis describes (500, 1000).

    Read from ``data/pharmacokinetics.csv`` (``orange2010_trough``; the upper end is
    also where ``lee2020_trough`` found the benefit for all infections flattening).
    """
    d = pk_defaults()
    return float(d["pneumonia_curve_data_low_mg_dl"]), float(d["pneumonia_curve_data_high_mg_dl"])


def pneumonia_extrapolated(trough_mg_dl) -> bool:
    """True when ``pneumonia_rate`` is used outside the troughs its studies covered."""
    trough = _number("trough_mg_dl", trough_mg_dl, 0.0, 5000.0, unit="mg/dL")
    low, high = pneumonia_data_range()
    return not low <= trough <= high


def scig_auc_matching_factor(**params) -> float:
    """The IVIG-to-SCIG dose factor that gives the same AUC in this model: 1 / F.

    With the default bioavailability (0.67) this is about 1.49.  US labels use 1.37
    (``hizentra_dosing``), the relative AUC measured in the product's own study; EU
    product information converts 1:1 and adjusts to trough levels (``hizentra_eu_smpc``).
    """
    return 1.0 / _params(REFERENCE_WEIGHT_KG, params)["F"]


def terminal_half_life_days(clearance_ml_per_day_per_kg=None, weight_kg=70.0, **params) -> float:
    """Terminal half-life (days) of infused IgG in the model's two-compartment system.

    The model is parameterised by clearance and volumes, not by a half-life.  A
    half-life is easier to explain, so the simulator offers one and converts it with
    ``clearance_for_half_life``: the volumes stay as calibrated and only the
    elimination clearance changes (a person who breaks IgG down faster).
    """
    if clearance_ml_per_day_per_kg is not None:
        params["clearance_ml_per_day_per_kg"] = clearance_ml_per_day_per_kg
    p = _params(weight_kg, params)
    A = _rate_matrix(p)[1:, 1:]
    rates = np.linalg.eigvals(A)
    return math.log(2) / float(np.min(np.abs(rates)))


def clearance_for_half_life(half_life_days, weight_kg=70.0, **params) -> float:
    """The clearance (mL/day/kg, 70 kg reference) that gives this terminal half-life.

    Volumes and the exchange between blood and tissue keep their calibrated values.
    Raises ValueError when the half-life is outside what the model can show at
    this weight (clearance limited to 0.1-50 mL/day/kg).
    """
    t_half = _number("half_life_days", half_life_days, 0.0, 1000.0, low_open=True, unit="days")
    w = _number("weight_kg", weight_kg, *WEIGHT_RANGE_KG, unit="kg")
    params.pop("clearance_ml_per_day_per_kg", None)
    key = tuple(sorted(params.items()))
    defaults = tuple(sorted(pk_defaults().items()))
    return _clearance_cached(t_half, w, key, defaults)


@functools.lru_cache(maxsize=512)
def _clearance_cached(half_life_days, weight_kg, key, _defaults_key):
    params = dict(key)
    lo, hi = _PARAM_LIMITS["clearance_ml_per_day_per_kg"]
    t_short = terminal_half_life_days(hi, weight_kg, **params)
    t_long = terminal_half_life_days(lo, weight_kg, **params)
    if not t_short <= half_life_days <= t_long:
        raise ValueError(
            f"A half-life of {half_life_days:g} days is outside what the model can show at "
            f"{weight_kg:g} kg (about {t_short:.0f} to {t_long:.0f} days).")
    a, b = math.log(lo), math.log(hi)
    for _ in range(60):
        mid = (a + b) / 2
        if terminal_half_life_days(math.exp(mid), weight_kg, **params) > half_life_days:
            a = mid  # half-life too long -> more clearance
        else:
            b = mid
    return math.exp((a + b) / 2)


def scig_dose_from_ivig(ivig_dose_mg_per_kg, ivig_interval_days, scig_interval_days=7, factor=None):
    """SCIG dose per injection equivalent to an IVIG regimen.

    dose = IVIG dose x (SCIG interval / IVIG interval) x factor.  ``factor``
    defaults to the US dose-adjustment factor 1.37 (``hizentra_dosing``,
    ``gammagard_pi_dosing``), the relative AUC measured for the product; EU
    product information uses 1.0 (``hizentra_eu_smpc``); allowed 1.0-1.53.
    This model's own bioavailability implies a factor of about 1.49 for equal AUC
    (``scig_auc_matching_factor``).
    """
    dose = _number("ivig_dose_mg_per_kg", ivig_dose_mg_per_kg, 0.0, MAX_DOSE_MG_PER_KG, unit="mg/kg")
    iv_int = _number("ivig_interval_days", ivig_interval_days, *INTERVAL_RANGE_DAYS, unit="days")
    sc_int = _number("scig_interval_days", scig_interval_days, *INTERVAL_RANGE_DAYS, unit="days")
    if factor is None:
        factor = pk_defaults()["scig_dose_adjustment_us"]
    factor = _number("factor", factor, 1.0, 1.53)
    return dose * sc_int / iv_int * factor


def regimen_levels(name, days=60, weight_kg=70, **params):
    """IgG levels after one of ``IMMUNOMODULATORY_REGIMENS`` (given as IVIG).

    Same output columns as ``igg_levels``; high doses lift IgG far above the
    replacement range, which is part of how they are thought to work.
    """
    if name not in IMMUNOMODULATORY_REGIMENS:
        raise ValueError(f"Unknown regimen {name!r}. Choose one of: {', '.join(IMMUNOMODULATORY_REGIMENS)}.")
    days = _number("days", days, 0.0, MAX_DAYS, low_open=True, unit="days")
    p = _params(weight_kg, params)
    doses = [(float(d), 1000.0 * g) for d, g in IMMUNOMODULATORY_REGIMENS[name]["doses"]]
    df = _simulate(p, doses, days, "IVIG")
    df.attrs.update(route="IVIG", regimen=name, weight_kg=float(weight_kg))
    return df
