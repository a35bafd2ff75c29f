"""The kernel footprint tool behind the "students per node" table in docs/jupyterhub.md."""
import importlib.util
import json
import sys

import pytest

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("kernel_footprint", ROOT / "tools" / "kernel_footprint.py")
footprint = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(footprint)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux only)")


def test_students_per_node_arithmetic():
    # (16 GiB - 1.5 GiB reserve) = 14848 MiB; 300 MiB * 1.25 = 375 MiB per student -> 39 students
    assert footprint.students_per_node(16, 300) == 39
    assert footprint.students_per_node(16, 300, reserve_gib=0, margin=1) == 54
    assert footprint.students_per_node(1, 300) == 0
    sizes = [footprint.students_per_node(g, 300) for g in footprint.NODE_SIZES_GIB]
    assert sizes == sorted(sizes) and sizes[0] > 0
    with pytest.raises(ValueError):
        footprint.students_per_node(16, 0)


def test_memory_of_this_process_is_read_from_proc():
    import os

    mem = footprint.memory_mib(os.getpid())
    assert 5 < mem["rss_mib"] <= mem["peak_mib"]
    assert footprint.cpu_seconds(os.getpid()) > 0
    assert footprint.memory_mib(2 ** 30)["rss_mib"] is None   # no such process: no crash


def test_a_notebook_is_run_and_its_kernel_measured(tmp_path):
    cells = [{"id": "probe-1", "cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "big = bytearray(80 * 1024 * 1024)\nsum(range(10**6))"},
             {"id": "probe-2", "cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "1/0"}]
    path = tmp_path / "01-probe.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": cells,
                                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}}}))
    row = footprint.measure_notebook(path, timeout=120)
    assert row["notebook"] == "01-probe.ipynb" and row["code_cells"] == 2
    assert row["peak_mib"] >= row["rss_start_mib"] + 70, "the 80 MiB allocation must show in the peak"
    assert row["cpu_s"] > 0 and row["wall_s"] > 0
    assert row["cells_with_errors"] == [1]


def test_table_is_markdown():
    text = footprint.format_table([{"a": 1, "b": None}], [("a", "A"), ("b", "B")])
    assert text.splitlines() == ["| A | B |", "|---|---|", "| 1 |  |"]
