"""Determinism and re-runs: every notebook gives the same result each time it is run.

Each notebook is executed twice in fresh kernels (nbclient).  The two runs must give
the same text outputs (plain text and HTML, with memory addresses and widget model
ids blanked), the same pictures (PNG bytes of every chart) and the same chart data
the apps expose (``current_result()`` of every app a cell shows).

After its second run, the same kernel runs every code cell again in reverse order
(all but the first, which imports the package), the way a learner jumps around a
notebook: no cell may then show an error, hidden test cells included.
"""
import base64
import hashlib
import json
import os
import re
import tempfile

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, notebook_paths

TIMEOUT = 180

# Runs in the kernel after the notebook: the chart data and picture of everything shown.
DIGEST = r'''
import hashlib as _ib_hash, json as _ib_json

def _ib_plain(v):
    import numpy as _np, pandas as _pd
    if isinstance(v, _pd.DataFrame):
        return {str(c): _ib_plain(v[c]) for c in v.columns} | {"_index": _ib_plain(list(v.index))}
    if isinstance(v, _pd.Series):
        return [_ib_plain(x) for x in v.tolist()]
    if isinstance(v, dict):
        return {str(k): _ib_plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_ib_plain(x) for x in v]
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float, _np.number)):
        return repr(float(v))
    return repr(v)

_ib_digest = []
for _ib_k in sorted(Out):
    _ib_o = Out[_ib_k]
    _ib_e = {"cell": _ib_k, "type": type(_ib_o).__name__}
    if hasattr(_ib_o, "current_result"):
        _ib_e["result"] = _ib_plain(_ib_o.current_result())
    for _ib_attr in ("image", "png"):
        _ib_v = getattr(_ib_o, _ib_attr, None)
        _ib_v = getattr(_ib_v, "value", _ib_v)
        if isinstance(_ib_v, (bytes, bytearray)):
            _ib_e["png_sha256"] = _ib_hash.sha256(_ib_v).hexdigest()
    _ib_digest.append(_ib_e)
print(_ib_json.dumps(_ib_digest))
'''

ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
MODEL_ID = re.compile(r"\b[0-9a-f]{32}\b")
TEXT_TYPES = ("text/plain", "text/html")


def _normalise(text: str) -> str:
    return MODEL_ID.sub("<model-id>", ADDRESS.sub("0x…", text))


def _outputs(cell):
    """What a reader sees from one cell: normalised text, PNG digests, errors."""
    seen = []
    for out in cell.get("outputs", []):
        kind = out["output_type"]
        if kind == "stream":
            seen.append(("stream", out["name"], _normalise(out["text"])))
        elif kind == "error":
            seen.append(("error", out["ename"], out["evalue"]))
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {})
            for mime in TEXT_TYPES:
                if mime in data:
                    text = data[mime] if isinstance(data[mime], str) else "".join(data[mime])
                    seen.append((mime, _normalise(text)))
            if "image/png" in data:
                png = base64.b64decode(data["image/png"])
                seen.append(("image/png", hashlib.sha256(png).hexdigest()))
            if "application/vnd.jupyter.widget-view+json" in data:
                seen.append(("widget",))
    return seen


def _run(path, reverse_after: bool):
    """Execute ``path`` in a fresh kernel; return outputs, digest and (optionally) the reverse pass."""
    nb = nbformat.read(path, as_version=4)
    # a fresh, empty progress folder per run, so saved quiz visits cannot differ between runs
    progress = tempfile.mkdtemp(prefix="ib-determinism-")
    saved = {k: os.environ.get(k) for k in ("IMMUNE_BALANCE_PROGRESS_DIR", "IMMUNE_BALANCE_RENDER")}
    os.environ["IMMUNE_BALANCE_PROGRESS_DIR"] = progress
    os.environ.pop("IMMUNE_BALANCE_RENDER", None)
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        with client.setup_kernel():
            code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
            for index, cell in code:
                client.execute_cell(cell, index)
            outputs = [_outputs(c) for _, c in code]
            digest_cell = nbformat.v4.new_code_cell(DIGEST)
            nb.cells.append(digest_cell)
            client.execute_cell(digest_cell, len(nb.cells) - 1)
            streams = [o["text"] for o in digest_cell.outputs if o["output_type"] == "stream"]
            errors = [o for o in digest_cell.outputs if o["output_type"] == "error"]
            assert not errors, f"{path.name}: the digest cell failed: {errors}"
            digest = json.loads("".join(streams))
            reverse = []
            if reverse_after:
                for index, cell in reversed(code[1:]):
                    again = nbformat.v4.new_code_cell(cell.source)
                    nb.cells.append(again)
                    client.execute_cell(again, len(nb.cells) - 1)
                    reverse.append((index, _outputs(again)))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return {"outputs": outputs, "digest": digest, "reverse": reverse}


@pytest.fixture(scope="module")
def runs():
    """Every notebook run twice; the second run also re-runs its cells in reverse order."""
    paths = notebook_paths()
    assert paths, "no notebooks found"
    return {p.name: (_run(p, reverse_after=False), _run(p, reverse_after=True)) for p in paths}


NAMES = [p.name for p in notebook_paths()]


@pytest.mark.parametrize("name", NAMES)
def test_first_run_shows_no_error(runs, name):
    first, _ = runs[name]
    errors = [o for cell in first["outputs"] for o in cell if o[0] == "error"]
    assert not errors, f"{name} shows errors on a plain run: {errors}"


@pytest.mark.parametrize("name", NAMES)
def test_two_runs_give_the_same_text_and_pictures(runs, name):
    first, second = runs[name]
    assert len(first["outputs"]) == len(second["outputs"])
    for number, (a, b) in enumerate(zip(first["outputs"], second["outputs"]), start=1):
        assert a == b, f"{name}, code cell {number}: the output differs between two runs"


@pytest.mark.parametrize("name", NAMES)
def test_two_runs_give_the_same_chart_data(runs, name):
    first, second = runs[name]
    assert first["digest"] == second["digest"], f"{name}: the apps' results or pictures differ between runs"
    shown = [e for e in first["digest"] if "result" in e or "png_sha256" in e]
    has_apps_or_charts = any(("Explorer" in e["type"] or "Simulator" in e["type"] or "Calculator" in e["type"]
                              or e["type"] == "ChartImage") for e in first["digest"])
    if has_apps_or_charts:
        assert shown, f"{name}: apps or charts are shown but no data could be compared"


def test_the_comparison_covers_app_results_and_chart_pictures(runs):
    """Guard against a vacuous pass: the digests really hold app results and picture hashes."""
    entries = [e for first, _ in runs.values() for e in first["digest"]]
    assert any("result" in e and e["result"] for e in entries), "no app result was compared"
    assert any("png_sha256" in e for e in entries), "no chart picture was compared"


@pytest.mark.parametrize("name", NAMES)
def test_cells_run_again_in_reverse_order_show_no_error(runs, name):
    _, second = runs[name]
    assert second["reverse"], f"{name}: no cell was re-run"
    for index, outs in second["reverse"]:
        errors = [o for o in outs if o[0] == "error"]
        assert not errors, f"{name}, cell {index} fails when run again out of order: {errors}"
