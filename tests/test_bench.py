"""`make bench`'s report: build/bench.json and the table that puts issue 17's goals beside the
figures. Made from small invented inputs here; nothing is timed and no figure is asserted."""
import json

from browser._click_probe import PHASES, click_phases
from conftest import load_tool

bench = load_tool("bench")

MACHINE = {"cores": 2, "cpu_model": "Test CPU", "python": "3.11.0", "platform": "Linux x86_64",
           "date": "2026-01-01T00:00:00+00:00", "load_average": [1.0, 1.0, 1.0]}
REDRAW = {"changes": 50, "apps": [
    {"app": "FastApp", "median_ms": 10.0, "p95_ms": 20.0, "new_figure_median_ms": 80.0, "new_figure_p95_ms": 90.0,
     "speedup": 8.0},
    {"app": "SlowApp", "median_ms": 90.0, "p95_ms": 140.0, "new_figure_median_ms": 180.0,
     "new_figure_p95_ms": 200.0, "speedup": 2.0},
]}
KERNEL = {"measured_utc": "2026-01-01T00:00", "notebooks": [{"notebook": "00-lean.ipynb", "peak_mib": 150.0},
                                                            {"notebook": "07-heavy.ipynb", "peak_mib": 218.0}]}
BROWSER = {"measured_utc": "2026-01-01T00:00:00+00:00", "timings": [
    {"name": "00-start-here: open + run all to first widget", "seconds": 9.5},
    {"name": "scenario: click Underactive to new chart", "seconds": 0.26},
    {"name": "scenario: click Overactive to new chart", "seconds": 0.10},
    {"name": "live slides: click Underactive to new chart", "seconds": 0.09},
]}
SUITE = {"seconds": 600, "exit_status": 0, "finished_utc": "2026-01-01T00:10:00+00:00", "pytest_args": "",
         "under_load": False}


def _report():
    return bench.build_report(MACHINE, redraw=REDRAW, kernel=bench.kernel_figures(KERNEL),
                              browser=bench.browser_figures(BROWSER), suite=bench.suite_figures(SUITE))


def _row(report, start):
    return next(r for r in report["results"] if r["figure"].startswith(start))


def test_report_file_has_every_part_and_reads_back(tmp_path):
    path = bench.write_report(_report(), tmp_path / "out" / "bench.json")
    data = json.loads(path.read_text())
    assert set(data) >= {"machine", "goals", "redraw", "kernel", "browser", "suite", "results"}
    assert {"cores", "cpu_model", "python", "date"} <= set(data["machine"])
    assert [a["app"] for a in data["redraw"]["apps"]] == ["FastApp", "SlowApp"]
    assert {"median_ms", "p95_ms", "speedup"} <= set(data["redraw"]["apps"][0])
    assert [n["peak_mib"] for n in data["kernel"]["notebooks"]] == [150.0, 218.0]
    # only the click -> chart timings count as clicks, in milliseconds
    assert [c["ms"] for c in data["browser"]["clicks"]] == [260.0, 100.0, 90.0]
    assert data["browser"]["median_ms"] == 100.0
    assert data["suite"]["seconds"] == 600
    assert all({"figure", "value", "goal", "met"} <= set(r) <= {"figure", "value", "goal", "met", "note"}
               for r in data["results"])


def test_each_goal_is_judged_against_its_figure():
    report = _report()
    assert _row(report, "redraw p95, FastApp")["met"] is True
    assert _row(report, "redraw p95, SlowApp")["met"] is False          # 140 ms > 50 ms
    assert _row(report, "speed-up vs new figure, FastApp")["met"] is True
    assert _row(report, "speed-up vs new figure, SlowApp")["met"] is False  # 2x < 4x
    assert _row(report, "click -> chart median")["met"] is True          # 100 ms <= 120 ms
    assert _row(report, "click -> chart p95")["met"] is False            # p95 of 90/100/260 ms > 200 ms
    assert _row(report, "kernel peak, 00-lean")["met"] is True
    assert _row(report, "kernel peak, 07-heavy")["met"] is False         # 218 MiB > 180 MiB
    assert _row(report, "make test wall time")["met"] is False           # 10 min > 8 min


def test_the_table_prints_an_unmet_goal_as_not_met():
    lines = bench.format_table(_report()["results"]).splitlines()
    slow = next(line for line in lines if line.startswith("redraw p95, SlowApp"))
    fast = next(line for line in lines if line.startswith("redraw p95, FastApp"))
    heavy = next(line for line in lines if line.startswith("kernel peak, 07-heavy"))
    assert "140 ms" in slow and "<= 50 ms" in slow and slow.rstrip().endswith("NO")
    assert fast.rstrip().endswith("yes")
    assert "218 MiB" in heavy and heavy.rstrip().endswith("NO")


def test_missing_or_narrowed_figures_are_shown_as_not_judged(tmp_path):
    report = bench.build_report(MACHINE, redraw=REDRAW,
                                kernel=bench.kernel_figures(bench._read_json(tmp_path / "missing.json")),
                                browser=None,
                                suite=bench.suite_figures({**SUITE, "seconds": 60, "pytest_args": "-k data"}))
    assert report["kernel"] is None and report["browser"] is None
    click = _row(report, "click -> chart")
    assert click["met"] is None and "not measured" in click["value"]
    suite = _row(report, "make test wall time")
    assert suite["met"] is None and "not the whole suite" in suite["note"]  # 1 min of a narrowed run
    table = bench.format_table(report["results"])
    assert "n/a" in table and "* make test wall time: PYTEST_ARGS='-k data', not the whole suite" in table


def test_a_damaged_input_file_is_left_out_with_a_note(tmp_path, capsys):
    broken = tmp_path / "bench-browser.json"
    broken.write_text("{not json")
    assert bench._read_json(broken) is None
    assert "could not be read" in capsys.readouterr().err


def test_quick_run_writes_the_file_and_prints_the_table(tmp_path, capsys):
    """The whole script, 3 changes per app: it runs, writes the JSON, prints every app (no timing
    is asserted)."""
    browser = tmp_path / "browser.json"
    browser.write_text(json.dumps(BROWSER))
    out = tmp_path / "bench.json"
    bench.main(["--quick", "--out", str(out), "--kernel", str(tmp_path / "none.json"),
                "--browser", str(browser), "--suite", str(tmp_path / "none.json")])
    data = json.loads(out.read_text())
    assert [a["app"] for a in data["redraw"]["apps"]] == [c[0] for c in bench.CASES]
    assert data["redraw"]["changes"] == 3 and data["browser"]["clicks"]
    # every change is counted as a fast redraw, a full draw or an unchanged picture
    assert all(sum(a["redraw_modes"].values()) == 3 for a in data["redraw"]["apps"])
    printed = capsys.readouterr().out
    assert "figure" in printed and "goal" in printed
    for name, *_ in bench.CASES:
        assert f"redraw p95, {name}" in printed


# What the page probe of tests/browser/_click_probe.py writes down around one click (page clock, ms).
# The kernel echoes the new value (small frame), sends the picture (big frame), then the info panel.
PROBE_LOG = {
    "inputs": [5.0, 100.0],
    "sends": [{"t": 6.0, "size": 300, "type": "comm_msg"},                  # an earlier change
              {"t": 104.0, "size": 200, "type": "kernel_info_request"},
              {"t": 110.0, "size": 400, "type": "comm_msg"}],
    "recvs": [{"t": 8.0, "size": 500, "type": "status", "state": "busy"},     # the earlier change
              {"t": 20.0, "size": 90000, "type": "comm_msg"},
              {"t": 22.0, "size": 500, "type": "status", "state": "idle"},
              {"t": 118.0, "size": 500, "type": "status", "state": "busy", "date": "2026-01-01T10:00:00.010000Z"},
              {"t": 120.0, "size": 700, "type": "comm_msg"},
              {"t": 260.0, "size": 95000, "type": "comm_msg", "date": "2026-01-01T10:00:00.135500Z"},
              {"t": 265.0, "size": 3000, "type": "comm_msg"},
              {"t": 270.0, "size": 500, "type": "status", "state": "idle"}],
    "srcs": [21.0, {"t": 200.0, "target": False}, {"t": 268.0, "target": True}],  # 200: another image
    "decoded": [25.0, {"t": 205.0, "target": False}, {"t": 280.0, "target": True}],
}


def test_a_clicks_phases_follow_its_events_and_add_up():
    phases = click_phases(PROBE_LOG, since=50.0)
    assert phases == {"page_to_kernel_ms": 10.0,   # Enter at 100 -> the widget's comm_msg at 110
                      "kernel_start_ms": 8.0,      # -> busy at 118
                      "kernel_work_ms": 142.0,     # -> the biggest frame before the new src, at 260
                      "page_update_ms": 8.0,       # -> the new src at 268
                      "page_decode_ms": 12.0,      # -> decoded at 280
                      "total_ms": 180.0,
                      "kernel_clock_ms": 125.5}    # busy -> picture by the kernel's own header dates
    assert sum(phases[k] for k in PHASES) == phases["total_ms"]
    # from the start of the log it is the earlier change that is measured
    assert click_phases(PROBE_LOG)["total_ms"] == 20.0


def test_a_click_the_probe_did_not_fully_see_names_what_is_missing():
    assert "probe" in click_phases(None)["missing"]
    no_picture = {**PROBE_LOG, "srcs": [21.0, {"t": 200.0, "target": False}]}
    assert "new picture" in click_phases(no_picture, since=50.0)["missing"]
    no_busy = {**PROBE_LOG, "recvs": [r for r in PROBE_LOG["recvs"] if r.get("state") != "busy"]}
    assert "busy" in click_phases(no_busy, since=50.0)["missing"]
    no_idle = {**PROBE_LOG, "recvs": [r for r in PROBE_LOG["recvs"] if r["t"] != 270.0]}
    assert "idle" in click_phases(no_idle, since=50.0)["missing"]
    assert "input" in click_phases(PROBE_LOG, since=300.0)["missing"]


BROWSER_APPS = {"measured_utc": "2026-01-01T00:00:00+00:00", "load_average": [0.5, 0.5, 0.5], "timings": [
    {"name": "scenario: click Underactive to new chart", "seconds": 0.9},
    *({"name": f"FastApp: click {i} -> chart", "seconds": s, "app": "FastApp",
       "phases": {"page_to_kernel_ms": 5.0, "kernel_start_ms": 5.0, "kernel_work_ms": s * 1e3 - 20,
                  "page_update_ms": 6.0, "page_decode_ms": 4.0, "total_ms": s * 1e3, "kernel_clock_ms": 60.0}}
      for i, s in enumerate((0.08, 0.09, 0.10, 0.11, 0.12, 0.13))),
    *({"name": f"SlowApp: entry {i} -> chart", "seconds": s, "app": "SlowApp", "phases": {"missing": "the input"}}
      for i, s in enumerate((0.30, 0.35, 0.40, 0.45, 0.50, 0.90))),
]}


def test_click_timings_are_judged_per_app_with_the_median_of_each_phase():
    report = bench.build_report(MACHINE, browser=bench.browser_figures(BROWSER_APPS))
    fast, slow = report["browser"]["apps"]
    assert (fast["app"], fast["n"], fast["median_ms"]) == ("FastApp", 6, 105.0)
    assert fast["phases_median_ms"] == {"page_to_kernel_ms": 5.0, "kernel_start_ms": 5.0,
                                        "kernel_work_ms": 85.0, "page_update_ms": 6.0, "page_decode_ms": 4.0}
    assert fast["kernel_clock_median_ms"] == 60.0
    assert slow["phases_median_ms"] is None and slow["phases_seen"] == 0  # the wall time still counts
    assert _row(report, "click -> chart median, FastApp (n=6)")["met"] is True     # 105 ms <= 120
    assert _row(report, "click -> chart p95, FastApp (n=6)")["met"] is True        # 128 ms <= 200
    assert _row(report, "click -> chart median, SlowApp (n=6)")["met"] is False    # 425 ms > 120
    # a timing without an app (the scenario test's own clicks) is not judged beside the apps
    assert not any("JupyterLab (n=" in r["figure"] for r in report["results"])


def test_the_phases_table_is_printed_per_app(capsys):
    bench.print_click_phases(bench.browser_figures(BROWSER_APPS))
    lines = capsys.readouterr().out.splitlines()
    fast = next(line for line in lines if line.startswith("FastApp"))
    assert fast.split() == ["FastApp", "5", "5", "85", "6", "4", "105", "60"]
    assert not any(line.startswith("SlowApp") for line in lines)  # no phases seen, no row
