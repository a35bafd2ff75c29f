#!/usr/bin/env python3
"""Measure what one student's kernel costs: memory (RSS) and CPU time per notebook.

    python tools/kernel_footprint.py                   # every notebook in notebooks/
    python tools/kernel_footprint.py notebooks/02-immune-dysregulation.ipynb
    python tools/kernel_footprint.py --server          # also measure an idle JupyterLab server
    python tools/kernel_footprint.py --json build/footprint.json

For each notebook a fresh ``python3`` kernel runs every cell (as a student pressing
*Run All*), then the kernel's resident memory now (``VmRSS``) and at its peak
(``VmHWM``) are read from ``/proc/<pid>/status`` and its CPU time (user + system) from
``/proc/<pid>/stat`` (psutil is used when installed).  ``--server`` also starts a
JupyterLab server on 127.0.0.1 with no notebook open and reads its memory: on a
JupyterHub every student has one such server plus their kernels.

The second table turns the measurements into "students per node" for common node
sizes (see :func:`students_per_node` for the arithmetic).  Linux only (reads /proc).
Nothing is sent anywhere; the kernels only run the notebooks.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
NODE_SIZES_GIB = (8, 16, 32, 64)
SYSTEM_RESERVE_GIB = 1.5     # operating system, container runtime, hub and proxy pods
SAFETY_MARGIN = 1.25         # 25 % on top of the measured peak per student


def _status_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def memory_mib(pid: int) -> dict:
    """``{"rss_mib": ..., "peak_mib": ...}`` of a live process (None when unreadable)."""
    rss, hwm = _status_kib(pid, "VmRSS"), _status_kib(pid, "VmHWM")
    return {"rss_mib": None if rss is None else rss / 1024, "peak_mib": None if hwm is None else hwm / 1024}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds used so far by a live process."""
    try:
        import psutil

        t = psutil.Process(pid).cpu_times()
        return float(t.user + t.system)
    except ImportError:
        pass
    except Exception:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def measure_notebook(path: Path, timeout: int = 300) -> dict:
    """Run every cell of ``path`` in a fresh kernel and measure that kernel."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    errors = []
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        after_start = {**memory_mib(pid), "cpu_s": cpu_seconds(pid)}
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
            except CellExecutionError:
                errors.append(index)
            if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                errors.append(index)
        wall = time.perf_counter() - started
        final = {**memory_mib(pid), "cpu_s": cpu_seconds(pid)}
    return {
        "notebook": path.name,
        "code_cells": sum(c.cell_type == "code" for c in nb.cells),
        "wall_s": round(wall, 2),
        "cpu_s": None if final["cpu_s"] is None else round(final["cpu_s"], 2),
        "rss_start_mib": _round(after_start["rss_mib"]),
        "rss_mib": _round(final["rss_mib"]),
        "peak_mib": _round(final["peak_mib"]),
        "cells_with_errors": sorted(set(errors)),
    }


def _round(x):
    return None if x is None else round(x, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_server(settle_s: float = 5.0) -> dict:
    """Start JupyterLab on 127.0.0.1 with nothing open, wait until it answers, read its memory."""
    port, token = _free_port(), secrets.token_hex(16)
    scratch = Path(tempfile.mkdtemp(prefix="footprint-"))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(scratch / "config"), JUPYTER_RUNTIME_DIR=str(scratch / "rt"),
               IPYTHONDIR=str(scratch / "ipython"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={ROOT}", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("JupyterLab did not start within 60 s")
        # load the lab page once, as a browser would
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as r:
            r.read()
        time.sleep(settle_s)
        mem = memory_mib(proc.pid)
        return {"rss_mib": _round(mem["rss_mib"]), "peak_mib": _round(mem["peak_mib"])}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def students_per_node(node_gib: float, per_student_mib: float, reserve_gib: float = SYSTEM_RESERVE_GIB,
                      margin: float = SAFETY_MARGIN) -> int:
    """``floor((node - reserve) / (per_student * margin))``: how many students fit in memory.

    ``per_student_mib`` is what one student needs at the same time (server + kernel peak).
    """
    if node_gib <= 0 or per_student_mib <= 0 or margin < 1 or reserve_gib < 0:
        raise ValueError("node size and per-student memory must be positive, margin at least 1, reserve >= 0")
    usable_mib = (node_gib - reserve_gib) * 1024
    return max(0, math.floor(usable_mib / (per_student_mib * margin)))


def format_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """A Markdown table (readable as plain text too)."""
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join("" if r.get(k) is None else str(r.get(k)) for k, _ in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Measure kernel memory and CPU time per notebook.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: notebooks/*.ipynb)")
    parser.add_argument("--server", action="store_true", help="also measure an idle JupyterLab server")
    parser.add_argument("--json", type=Path, help="also write the measurements to this JSON file")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        print("error: this tool reads /proc and runs on Linux only", file=sys.stderr)
        return 2
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    os.environ.setdefault("IMMUNE_BALANCE_PROGRESS_DIR", tempfile.mkdtemp(prefix="footprint-progress-"))
    rows = []
    for path in paths:
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        rows.append(measure_notebook(path.resolve(), timeout=args.timeout))
    print(f"\nKernel footprint, measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on "
          f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPU(s)\n")
    print(format_table(rows, [("notebook", "Notebook"), ("code_cells", "Code cells"), ("wall_s", "Run all (s)"),
                              ("cpu_s", "Kernel CPU (s)"), ("rss_start_mib", "RSS at start (MiB)"),
                              ("rss_mib", "RSS after (MiB)"), ("peak_mib", "Peak RSS (MiB)"),
                              ("cells_with_errors", "Cells with errors")]))
    result = {"measured_utc": datetime.now(timezone.utc).isoformat(timespec="minutes"),
              "python": platform.python_version(), "cpus": os.cpu_count(), "notebooks": rows}
    peaks = [r["peak_mib"] for r in rows if r["peak_mib"] is not None]
    if peaks:
        server = measure_server() if args.server else None
        result["server"] = server
        server_mib = server["rss_mib"] if server and server["rss_mib"] else 0.0
        per_student = max(peaks) + server_mib
        what = "idle JupyterLab server + " if server else ""
        print(f"\nPer student: {what}largest kernel peak = {per_student:.0f} MiB"
              + (f" ({server_mib:.0f} + {max(peaks):.0f})" if server else "")
              + f"; planning figure with a {int((SAFETY_MARGIN - 1) * 100)} % margin: "
              f"{per_student * SAFETY_MARGIN:.0f} MiB. Reserve for the system: {SYSTEM_RESERVE_GIB} GiB.\n")
        sizing = [{"node": f"{g} GiB", "students": students_per_node(g, per_student)} for g in NODE_SIZES_GIB]
        result["per_student_mib"] = round(per_student, 1)
        result["students_per_node"] = sizing
        print(format_table(sizing, [("node", "Node memory"), ("students", "Students (memory)")]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
