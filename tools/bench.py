"""Benchmark: control change -> finished redraw, for each app vs the usual pyplot pattern.

Run:  .venv/bin/python tools/bench.py [--changes 60] [--out build/bench.json]
      (``make bench`` also measures kernel memory first and passes it in with ``--kernel``)

For every app the script changes one control repeatedly and times how long it takes
until the new PNG bytes are in the app's ``image`` (the app updates its one Figure in
place).  The alternative is the pattern most notebooks use: an ``ipw.interactive``
callback that builds a new pyplot figure for the same chart, renders it as the inline
backend does (PNG, tight bounding box), displays it inside an Output and closes it.
Both run in this process without a browser, so the numbers are the kernel-side cost.

The script then writes one JSON document (``build/bench.json``): the machine, these redraw
figures, each notebook's kernel peak memory (``--kernel``, written by
``tools/kernel_footprint.py --json``), the click -> chart timings of the last browser run
(``build/bench-browser.json``, written by ``tests/browser/test_lab.py``) and the wall time of
the last ``make test`` (``build/bench-suite.json``), each when present. It prints a table with
the goals of issue 17 beside the figures. Goals are printed, never asserted.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BUILD = ROOT / "build"

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
from widgets.charts import textcache  # noqa: E402
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


def time_app(factory, control_of, value_of, n, modes=None):
    """Seconds per control change -> new PNG; ``modes`` (a dict, optional) receives how many
    changes were fast partial redraws, full draws or left the picture unchanged."""
    app = factory()
    control = control_of(app)
    redrawer = getattr(app, "redrawer", None)
    start = dict(redrawer.counts) if redrawer is not None else {}
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
    if modes is not None and redrawer is not None:
        modes.update({k: v - start.get(k, 0) for k, v in redrawer.counts.items()})
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


# ---------------------------------------------------------------- the goals (issue 17)
GOALS = {
    "redraw_p95_ms": 50.0,         # control change -> finished redraw, p95, every app
    "speedup": 4.0,                # at least this many times faster than the new-figure pattern
    "click_median_ms": 120.0,      # click -> updated chart in JupyterLab (browser suite)
    "click_p95_ms": 200.0,
    "kernel_peak_mib": 180.0,      # every notebook's kernel peak memory
    "suite_minutes": 8.0,          # make test, wall time
}


def machine_info() -> dict:
    """The machine the figures come from: cores, CPU model, Python, date, load at the start."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except (OSError, AttributeError):
        load = None
    return {"cores": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "platform": f"{platform.system()} {platform.machine()}",
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "load_average": load}


def redraw_figures(n: int) -> dict:
    """Time every app: in-place redraw vs a new figure per change (milliseconds)."""
    apps = []
    for name, factory, control_of, value_of, alt, make_control in CASES:
        modes = {}
        ours = time_app(factory, control_of, value_of, n, modes)
        theirs = time_alternative(alt, make_control, value_of, n)
        median, new_median = statistics.median(ours) * 1e3, statistics.median(theirs) * 1e3
        apps.append({"app": name, "median_ms": round(median, 1), "p95_ms": round(pct(ours, 0.95) * 1e3, 1),
                     "new_figure_median_ms": round(new_median, 1),
                     "new_figure_p95_ms": round(pct(theirs, 0.95) * 1e3, 1),
                     "speedup": round(new_median / median, 2),
                     **({"redraw_modes": modes} if modes else {})})
    return {"changes": n, "text_cache": bool(textcache.SUPPORTED and textcache.ENABLED), "apps": apps}


def _read_json(path: Path | None):
    """A JSON file written by another tool, or None when it is missing or unreadable."""
    if path is None or not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"note: {path} could not be read ({exc}); left out", file=sys.stderr)
        return None


def kernel_figures(data, source=None):
    """Per notebook kernel peak MiB from tools/kernel_footprint.py's JSON."""
    if not data or not data.get("notebooks"):
        return None
    return {"source": None if source is None else str(source), "measured_utc": data.get("measured_utc"),
            "notebooks": [{"notebook": r.get("notebook"), "peak_mib": r.get("peak_mib")} for r in data["notebooks"]]}


PHASES = ("page_to_kernel_ms", "kernel_start_ms", "kernel_work_ms", "page_update_ms", "page_decode_ms")


def browser_figures(data, source=None):
    """The input -> new chart timings from the browser suite's JSON (seconds in, milliseconds out).

    Timings that name their ``app`` (the chart apps' six changes each) give one median and p95 per
    app and the median of each phase of a change (tests/browser/_click_probe.py); an older file
    without apps gives one median and p95 over its click -> chart timings."""
    if not data or not data.get("timings"):
        return None
    result = {"source": None if source is None else str(source), "measured_utc": data.get("measured_utc"),
              "load_average": data.get("load_average")}
    per_app = {}
    for t in data["timings"]:
        if t.get("app"):
            per_app.setdefault(t["app"], []).append(t)
    if per_app:
        apps = []
        for app, rows in per_app.items():
            ms = [round(t["seconds"] * 1e3, 1) for t in rows]
            seen = [t["phases"] for t in rows if isinstance(t.get("phases"), dict) and "total_ms" in t["phases"]]
            phases = {k: round(statistics.median(p[k] for p in seen), 1) for k in PHASES} if seen else None
            clock = [p["kernel_clock_ms"] for p in seen if p.get("kernel_clock_ms") is not None]
            apps.append({"app": app, "n": len(ms), "median_ms": round(statistics.median(ms), 1),
                         "p95_ms": round(pct(ms, 0.95), 1), "phases_median_ms": phases,
                         "phases_seen": len(seen),
                         "kernel_clock_median_ms": round(statistics.median(clock), 1) if clock else None})
        result["apps"] = apps
        return result
    clicks = [{"name": t["name"], "ms": round(t["seconds"] * 1e3, 1)} for t in data["timings"]
              if "click" in t.get("name", "") and "chart" in t.get("name", "")]
    result["clicks"] = clicks
    if clicks:
        ms = [c["ms"] for c in clicks]
        result.update(median_ms=round(statistics.median(ms), 1), p95_ms=round(pct(ms, 0.95), 1))
    return result


def suite_figures(data, source=None):
    """The last `make test` wall time as the Makefile recorded it."""
    if not data or data.get("seconds") is None:
        return None
    return {"source": None if source is None else str(source), **data}


def _met(value, goal, at_least=False):
    if value is None:
        return None
    return value >= goal if at_least else value <= goal


def goal_rows(report: dict) -> list[dict]:
    """One row per figure with its goal: figure, value (text), goal (text), met (True/False/None),
    and a note when the figure needs one (a narrowed or failed suite run)."""
    rows = []
    redraw = report.get("redraw")
    for app in (redraw or {}).get("apps", []):
        rows.append({"figure": f"redraw p95, {app['app']}", "value": f"{app['p95_ms']:.0f} ms",
                     "goal": f"<= {GOALS['redraw_p95_ms']:.0f} ms", "met": _met(app["p95_ms"], GOALS["redraw_p95_ms"])})
        rows.append({"figure": f"speed-up vs new figure, {app['app']}", "value": f"{app['speedup']:.2f}x",
                     "goal": f">= {GOALS['speedup']:.0f}x", "met": _met(app["speedup"], GOALS["speedup"], True)})
    if not redraw:
        rows.append({"figure": "redraw (apps)", "value": "not measured", "goal": "", "met": None})
    browser = report.get("browser")
    if browser and browser.get("apps"):
        for app in browser["apps"]:
            rows.append({"figure": f"click -> chart median, {app['app']} (n={app['n']})",
                         "value": f"{app['median_ms']:.0f} ms", "goal": f"<= {GOALS['click_median_ms']:.0f} ms",
                         "met": _met(app["median_ms"], GOALS["click_median_ms"])})
            rows.append({"figure": f"click -> chart p95, {app['app']} (n={app['n']})",
                         "value": f"{app['p95_ms']:.0f} ms", "goal": f"<= {GOALS['click_p95_ms']:.0f} ms",
                         "met": _met(app["p95_ms"], GOALS["click_p95_ms"])})
    elif browser and browser.get("clicks"):
        n = len(browser["clicks"])
        rows.append({"figure": f"click -> chart median, JupyterLab (n={n})", "value": f"{browser['median_ms']:.0f} ms",
                     "goal": f"<= {GOALS['click_median_ms']:.0f} ms",
                     "met": _met(browser["median_ms"], GOALS["click_median_ms"])})
        rows.append({"figure": f"click -> chart p95, JupyterLab (n={n})", "value": f"{browser['p95_ms']:.0f} ms",
                     "goal": f"<= {GOALS['click_p95_ms']:.0f} ms", "met": _met(browser["p95_ms"], GOALS["click_p95_ms"])})
    else:
        rows.append({"figure": "click -> chart, JupyterLab", "value": "not measured (run tests/browser/test_lab.py)",
                     "goal": f"<= {GOALS['click_median_ms']:.0f} / {GOALS['click_p95_ms']:.0f} ms", "met": None})
    kernel = report.get("kernel")
    for nb in (kernel or {}).get("notebooks", []):
        peak = nb.get("peak_mib")
        rows.append({"figure": f"kernel peak, {Path(nb['notebook']).stem}",
                     "value": "unreadable" if peak is None else f"{peak:.0f} MiB",
                     "goal": f"<= {GOALS['kernel_peak_mib']:.0f} MiB", "met": _met(peak, GOALS["kernel_peak_mib"])})
    if not kernel:
        rows.append({"figure": "kernel peak", "value": "not measured (tools/kernel_footprint.py --json)",
                     "goal": f"<= {GOALS['kernel_peak_mib']:.0f} MiB", "met": None})
    suite = report.get("suite")
    if suite:
        minutes = suite["seconds"] / 60
        notes = []
        if suite.get("pytest_args"):
            notes.append(f"PYTEST_ARGS={suite['pytest_args']!r}, not the whole suite")
        if suite.get("exit_status"):
            notes.append(f"exit status {suite['exit_status']}")
        if suite.get("under_load"):
            notes.append("under load")
        comparable = not suite.get("pytest_args")
        rows.append({"figure": "make test wall time", "value": f"{minutes:.1f} min",
                     "goal": f"<= {GOALS['suite_minutes']:.0f} min",
                     "met": _met(minutes, GOALS["suite_minutes"]) if comparable else None,
                     **({"note": "; ".join(notes)} if notes else {})})
    else:
        rows.append({"figure": "make test wall time", "value": "not measured (run make test)",
                     "goal": f"<= {GOALS['suite_minutes']:.0f} min", "met": None})
    return rows


def build_report(machine, redraw=None, kernel=None, browser=None, suite=None) -> dict:
    report = {"machine": machine, "goals": GOALS, "redraw": redraw, "kernel": kernel, "browser": browser,
              "suite": suite}
    report["results"] = goal_rows(report)
    return report


def format_table(rows: list[dict]) -> str:
    """The goals beside the figures, as a plain-text table (met: yes / NO / n/a); notes under it."""
    marks = {True: "yes", False: "NO", None: "n/a"}
    w1 = max(len("figure"), *(len(r["figure"]) for r in rows))
    w2 = max(len("value"), *(len(r["value"]) for r in rows))
    w3 = max(len("goal"), *(len(r["goal"]) for r in rows))
    head = f"{'figure':<{w1}}  {'value':>{w2}}  {'goal':<{w3}}  met"
    lines = [head, "-" * len(head)]
    lines += [f"{r['figure']:<{w1}}  {r['value']:>{w2}}  {r['goal']:<{w3}}  {marks[r['met']]}"
              + (" *" if r.get("note") else "") for r in rows]
    lines += [f"* {r['figure']}: {r['note']}" for r in rows if r.get("note")]
    return "\n".join(lines)


def write_report(report: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return path


def print_redraw(redraw: dict):
    head = (f"{'app':<27}{'in-place median':>16}{'p95':>8}{'new-figure median':>19}{'p95':>8}"
            f"{'speed-up':>10}")
    cache = {True: "; letters from the text cache", False: "; text cache off"}.get(redraw.get("text_cache"), "")
    print(f"Control change -> finished redraw, {redraw['changes']} changes each (milliseconds{cache})")
    print(head)
    print("-" * len(head))
    for a in redraw["apps"]:
        print(f"{a['app']:<27}{a['median_ms']:>16.0f}{a['p95_ms']:>8.0f}{a['new_figure_median_ms']:>19.0f}"
              f"{a['new_figure_p95_ms']:>8.0f}{a['speedup']:>9.2f}x")


def print_click_phases(browser: dict | None):
    """Where a click's time goes in JupyterLab: the median of each phase, per app."""
    apps = [a for a in (browser or {}).get("apps", []) if a.get("phases_median_ms")]
    if not apps:
        return
    names = {"page_to_kernel_ms": "page->kernel", "kernel_start_ms": "kernel start",
             "kernel_work_ms": "kernel work", "page_update_ms": "page update", "page_decode_ms": "decode"}
    head = f"{'app':<27}" + "".join(f"{names[k]:>14}" for k in PHASES) + f"{'total':>9}{'kernel clock':>14}"
    print(f"\nInput -> new chart decoded in JupyterLab, median of each phase (milliseconds; "
          f"{browser.get('measured_utc')}, load average {browser.get('load_average')})")
    print(head)
    print("-" * len(head))
    for a in apps:
        p = a["phases_median_ms"]
        clock = a.get("kernel_clock_median_ms")
        print(f"{a['app']:<27}" + "".join(f"{p[k]:>14.0f}" for k in PHASES) + f"{a['median_ms']:>9.0f}"
              + (f"{clock:>14.0f}" if clock is not None else f"{'-':>14}"))
    print("(kernel clock: busy -> the picture's message by the kernel's own header dates; "
          "not part of the sum)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60, help="control changes per app (>= 50)")
    parser.add_argument("--quick", action="store_true",
                        help="3 changes per app: checks that the benchmark runs, its figures mean little")
    parser.add_argument("--no-text-cache", action="store_true",
                        help="draw text with matplotlib's own renderer (widgets.charts.textcache off), to compare")
    parser.add_argument("--out", type=Path, default=BUILD / "bench.json", help="where to write the JSON")
    parser.add_argument("--kernel", type=Path, default=BUILD / "kernel-footprint.json",
                        help="kernel memory JSON from tools/kernel_footprint.py --json (used when present)")
    parser.add_argument("--browser", type=Path, default=BUILD / "bench-browser.json",
                        help="click -> chart timings from the browser suite (used when present)")
    parser.add_argument("--suite", type=Path, default=BUILD / "bench-suite.json",
                        help="the last make test wall time (used when present)")
    args = parser.parse_args(argv)
    n = 3 if args.quick else max(args.changes, 50)
    if args.no_text_cache:
        textcache.ENABLED = False
    machine = machine_info()
    redraw = redraw_figures(n)
    print_redraw(redraw)
    report = build_report(machine, redraw=redraw,
                          kernel=kernel_figures(_read_json(args.kernel), args.kernel),
                          browser=browser_figures(_read_json(args.browser), args.browser),
                          suite=suite_figures(_read_json(args.suite), args.suite))
    write_report(report, args.out)
    print_click_phases(report["browser"])
    print(f"\nGoals (issue 17) beside the figures; {machine['cores']} cores, {machine['cpu_model']}, "
          f"Python {machine['python']}, {machine['date']}, load average {machine['load_average']}")
    print(format_table(report["results"]))
    print(f"\nwritten to {args.out}")
    return report


if __name__ == "__main__":
    main()
