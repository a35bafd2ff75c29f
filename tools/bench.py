"""Benchmark: control change -> finished redraw, for each app vs the usual pyplot pattern.

Run:  .venv/bin/python tools/bench.py [--changes 60]

For every app the script changes one control repeatedly and times how long it takes
until the new PNG bytes are in the app's ``image`` (the app updates its one Figure in
place).  The alternative is the pattern most notebooks use: an ``ipw.interactive``
callback that builds a new pyplot figure for the same chart, renders it as the inline
backend does (PNG, tight bounding box), displays it inside an Output and closes it.
Both run in this process without a browser, so the numbers are the kernel-side cost.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ipywidgets as ipw  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from IPython.display import Image, display  # noqa: E402

from widgets.apps import (IgTherapySimulator, ImmunoglobulinLabExplorer,  # noqa: E402
                          NeutrophilCalculator, ScenarioExplorer)
from widgets.apps.therapy import _defaults, clearance_for_half_life  # noqa: E402
from widgets.charts import (plot_anc_gauge, plot_balance, plot_ig_levels,  # noqa: E402
                            plot_igg_levels, plot_scenario_timecourse)
from widgets.models import balance, clinical, igg  # noqa: E402


def inline_render(fig):
    """What the inline backend does with a finished figure: tight PNG, display, close."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    display(Image(buf.getvalue()))
    plt.close(fig)
    return buf.getvalue()


# ---------------------------------------------------------------- the alternatives
def alt_scenario(kill_rate):
    df = balance.simulate_scenario("balanced", days=60, kill_rate=kill_rate)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=ScenarioExplorer.figsize, layout="constrained",
                                 gridspec_kw={"width_ratios": [2.0, 1.0]})
    plot_scenario_timecourse(a1, df)
    plot_balance(a2, balance.scenario_summary(df))
    inline_render(fig)


def alt_therapy(dose):
    # same model work as the app: half-life box -> clearance, then levels and steady state
    cl = clearance_for_half_life(_defaults()["half_life_days"])
    df = igg.igg_levels(dose, 28, route="IVIG", days=180, clearance_ml_per_day_per_kg=cl)
    igg.steady_state(dose, 28, route="IVIG", clearance_ml_per_day_per_kg=cl)
    fig, ax = plt.subplots(figsize=IgTherapySimulator.figsize, layout="constrained")
    plot_igg_levels(ax, df, target_trough_mg_dl=700, label=f"IVIG {dose:g} mg/kg")
    inline_render(fig)


def alt_neutrophil(wbc):
    anc = clinical.anc_from_cbc(wbc, 55, 3)
    fig, ax = plt.subplots(figsize=NeutrophilCalculator.figsize, layout="constrained")
    plot_anc_gauge(ax, anc, age_years=30)
    inline_render(fig)


def alt_labs(igm):
    fig, ax = plt.subplots(figsize=ImmunoglobulinLabExplorer.figsize, layout="constrained")
    plot_ig_levels(ax, {"IgG": 1000, "IgA": 200, "IgM": igm}, 30)
    inline_render(fig)


CASES = [
    # name, app factory, control getter, values(i), alternative callback, widget for interactive
    ("ScenarioExplorer", ScenarioExplorer, lambda a: a.sliders["kill_rate"],
     lambda i: round(0.5 + (i % 20) * 0.1, 2), alt_scenario,
     lambda: ipw.FloatSlider(value=1.5, min=0, max=3, step=0.05, description="kill_rate")),
    ("IgTherapySimulator", IgTherapySimulator, lambda a: a.dose,
     lambda i: 300.0 + (i % 20) * 10, alt_therapy,
     lambda: ipw.BoundedFloatText(value=400, min=10, max=2000, description="dose")),
    ("NeutrophilCalculator", NeutrophilCalculator, lambda a: a.wbc,
     lambda i: 500.0 + (i % 40) * 250, alt_neutrophil,
     lambda: ipw.BoundedFloatText(value=6000, min=0, max=200000, description="wbc")),
    ("ImmunoglobulinLabExplorer", ImmunoglobulinLabExplorer, lambda a: a.values["IgM"],
     lambda i: 20.0 + (i % 30) * 10, alt_labs,
     lambda: ipw.BoundedFloatText(value=100, min=0, max=10000, description="igm")),
]


def pct(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def time_app(factory, control_of, value_of, n):
    app = factory()
    control = control_of(app)
    times = []
    for i in range(n):
        value = value_of(i + 1)
        if value == control.value:
            value = value_of(i + 2)
        before = app.image.value
        t0 = time.perf_counter()
        control.value = value
        times.append(time.perf_counter() - t0)
        if app.image.value == before:
            raise RuntimeError(f"{factory.__name__}: the image did not change for value {value}")
    return times


def time_alternative(callback, make_control, value_of, n):
    control = make_control()
    name = control.description
    times = []
    before = plt.get_fignums()
    # outside a kernel display() prints a repr; keep it off the terminal
    with contextlib.redirect_stdout(io.StringIO()):
        box = ipw.interactive(lambda **kw: callback(kw[name]), **{name: control})
        widget = box.children[0]
        for i in range(n):
            value = value_of(i + 1)
            if value == widget.value:
                value = value_of(i + 2)
            t0 = time.perf_counter()
            widget.value = value
            times.append(time.perf_counter() - t0)
    assert plt.get_fignums() == before
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60, help="control changes per app (>= 50)")
    args = parser.parse_args(argv)
    n = max(args.changes, 50)
    rows = []
    for name, factory, control_of, value_of, alt, make_control in CASES:
        ours = time_app(factory, control_of, value_of, n)
        theirs = time_alternative(alt, make_control, value_of, n)
        rows.append((name, statistics.median(ours) * 1e3, pct(ours, 0.95) * 1e3,
                     statistics.median(theirs) * 1e3, pct(theirs, 0.95) * 1e3))
    head = (f"{'app':<27}{'in-place median':>16}{'p95':>8}{'new-figure median':>19}{'p95':>8}"
            f"{'speed-up':>10}")
    print(f"Control change -> finished redraw, {n} changes each (milliseconds)")
    print(head)
    print("-" * len(head))
    for name, m, p, am, ap in rows:
        print(f"{name:<27}{m:>16.0f}{p:>8.0f}{am:>19.0f}{ap:>8.0f}{am / m:>9.2f}x")
    return rows


if __name__ == "__main__":
    main()
