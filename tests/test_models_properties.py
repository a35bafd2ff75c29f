"""Property-based tests (hypothesis) for the models layer."""
import math
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from widgets.data import DATA_DIR
from widgets.models import balance, igg
from widgets.models.clinical import classify_anc, classify_immunoglobulin

from test_models_clinical import ANC_BANDS, REFERENCE_RANGES

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEVERITY_ORDER = ["agranulocytosis", "severe", "moderate", "mild", "normal"]
STATUS_ORDER = ["low", "normal", "high"]


@pytest.fixture(scope="module", params=["made-up tables", "project tables"])
def data_dir(request, tmp_path_factory):
    if request.param == "project tables":
        if not ((DATA_DIR / "anc_bands.csv").exists() and (DATA_DIR / "reference_ranges.csv").exists()):
            pytest.skip("project anc_bands/reference_ranges tables not written yet")
        return DATA_DIR
    path = tmp_path_factory.mktemp("data")
    shutil.copy(DATA_DIR / "sources.csv", path / "sources.csv")
    (path / "anc_bands.csv").write_text(ANC_BANDS)
    (path / "reference_ranges.csv").write_text(REFERENCE_RANGES)
    return path


# ------------------------------------------------------------------------- IgG
doses = st.floats(min_value=50, max_value=1000)
intervals = st.sampled_from([7, 14, 21, 28])
routes = st.sampled_from(["IVIG", "SCIG"])
weights = st.floats(min_value=3, max_value=150)
baselines = st.floats(min_value=0, max_value=900)


@settings(max_examples=40, **SETTINGS)
@given(doses, intervals, routes, weights, baselines)
def test_igg_never_below_baseline_or_zero(dose, interval, route, weight, baseline):
    df = igg.igg_levels(dose, interval, route=route, days=120, weight_kg=weight, baseline_igg_mg_dl=baseline)
    assert np.isfinite(df["igg_mg_dl"]).all()
    assert (df["igg_mg_dl"] >= 0).all()
    assert (df["igg_mg_dl"] >= baseline - 1e-9).all()


@settings(max_examples=30, **SETTINGS)
@given(doses, st.sampled_from([14, 21, 28, 35]), weights)
def test_ivig_levels_fall_between_doses(dose, interval, weight):
    df = igg.igg_levels(dose, interval, route="IVIG", days=3 * interval, weight_kg=weight)
    # split into dosing intervals: from just after one dose to just before the next
    starts = df.index[df["dose_given"]].tolist() + [len(df)]
    for a, b in zip(starts, starts[1:]):
        segment = df["igg_mg_dl"].iloc[a:b - 1 if b < len(df) else b].to_numpy()
        if b < len(df):
            segment = np.append(segment, df["igg_mg_dl"].iloc[b - 1])
        assert np.all(np.diff(segment) <= 1e-9)


@settings(max_examples=30, **SETTINGS)
@given(st.floats(min_value=50, max_value=499), st.floats(min_value=0.1, max_value=4), intervals, routes, weights)
def test_increment_scales_linearly_with_dose(dose, factor, interval, route, weight):
    a = igg.igg_levels(dose, interval, route=route, days=90, weight_kg=weight)
    b = igg.igg_levels(dose * factor, interval, route=route, days=90, weight_kg=weight)
    inc_a = a["igg_mg_dl"] - a["baseline_igg_mg_dl"]
    inc_b = b["igg_mg_dl"] - b["baseline_igg_mg_dl"]
    np.testing.assert_allclose(inc_b.to_numpy(), factor * inc_a.to_numpy(), rtol=1e-7, atol=1e-7)


@settings(max_examples=30, **SETTINGS)
@given(doses, intervals, routes)
def test_steady_state_ordering(dose, interval, route):
    ss = igg.steady_state(dose, interval, route=route)
    assert ss["trough_mg_dl"] <= ss["mean_mg_dl"] <= ss["peak_mg_dl"]
    assert ss["days_to_steady_state"] > 0


@settings(max_examples=40, **SETTINGS)
@given(st.floats(min_value=0, max_value=4900), st.floats(min_value=1, max_value=100))
def test_pneumonia_rate_falls_as_trough_rises(trough, extra):
    assert igg.pneumonia_rate(trough + extra) < igg.pneumonia_rate(trough)
    assert igg.pneumonia_rate(trough) > 0


# ------------------------------------------------------------------------- balance model
def _override_strategy():
    names = sorted(balance.PARAMETERS)
    return st.dictionaries(
        st.sampled_from(names),
        st.floats(min_value=0.0, max_value=1.0),   # fraction of the allowed range
        max_size=4,
    )


@settings(max_examples=40, **SETTINGS)
@given(st.sampled_from(list(balance.SCENARIOS)), _override_strategy(), st.floats(min_value=1, max_value=120))
def test_every_scenario_stays_finite_for_allowed_overrides(name, fractions, days):
    overrides = {}
    for key, frac in fractions.items():
        low, high = balance.PARAMETER_RANGES[key]
        overrides[key] = min(high, low + frac * (high - low))
    df = balance.simulate_scenario(name, days=days, **overrides)
    values = df.to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    summary = balance.scenario_summary(df)
    assert math.isfinite(summary["infection_burden"]) and math.isfinite(summary["self_damage"])


# ------------------------------------------------------------------------- clinical rules
@settings(max_examples=60, **SETTINGS)
@given(st.floats(min_value=0, max_value=20000), st.floats(min_value=0, max_value=5000),
       st.one_of(st.none(), st.floats(min_value=0, max_value=90)))
def test_anc_severity_monotone_in_count(data_dir, anc, extra, age):
    lower = classify_anc(anc, age_years=age, data_dir=data_dir)
    higher = classify_anc(anc + extra, age_years=age, data_dir=data_dir)
    assert SEVERITY_ORDER.index(higher.severity) >= SEVERITY_ORDER.index(lower.severity)


@settings(max_examples=60, **SETTINGS)
@given(st.sampled_from(["IgG", "IgA", "IgM"]), st.floats(min_value=0, max_value=3000),
       st.floats(min_value=0, max_value=3000), st.floats(min_value=0, max_value=90))
def test_ig_status_monotone_in_value(data_dir, analyte, value, extra, age):
    lower = classify_immunoglobulin(analyte, value, age, data_dir=data_dir)
    higher = classify_immunoglobulin(analyte, value + extra, age, data_dir=data_dir)
    assert STATUS_ORDER.index(higher.status) >= STATUS_ORDER.index(lower.status)
    assert lower.low <= lower.high


# ------------------------------------------------------------------------- balance model claims
@settings(max_examples=15, **SETTINGS)
@given(st.floats(min_value=0.0, max_value=3.0))
def test_underactive_never_clears_anywhere_on_the_kill_slider(kill_rate):
    # notebook 02: "the pathogen is never cleared" holds over the whole kill-rate slider (0-3)
    df = balance.simulate_scenario("underactive", days=90, kill_rate=kill_rate)
    assert not balance.scenario_summary(df)["cleared"]


@settings(max_examples=10, **SETTINGS)
@given(st.floats(min_value=2.0, max_value=4.0))
def test_overactive_stays_tolerant_without_an_infection(sigma):
    # the infection, not the preset alone, starts the self-attack (sigma 2-4 at regulation 0.2)
    df = balance.simulate_scenario("overactive", days=150, self_reactivity=sigma, initial_pathogen=0.0)
    assert df["damage_from_immune"].iloc[-1] < 0.1


@settings(max_examples=20, **SETTINGS)
@given(st.floats(min_value=0, max_value=900), st.sampled_from([21, 28]))
def test_therapy_trough_splits_into_own_and_infused_parts(own, interval):
    ss = igg.steady_state(400, interval, baseline_igg_mg_dl=own)
    xla = igg.steady_state(400, interval, baseline_igg_mg_dl=0)
    assert ss["trough_mg_dl"] == pytest.approx(own + xla["trough_mg_dl"])
