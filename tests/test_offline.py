"""Offline by design: the whole notebook suite passes with networking switched off.

The notebooks run under nbval inside a new network namespace (``unshare -n``), where
only the loopback interface exists (brought up, because the kernels talk to
pytest over 127.0.0.1).  Before that, the same namespace is checked to really
block outside connections, so the test cannot pass just because nothing was cut.

Creating a network namespace needs root (or user namespaces); a developer without
that permission gets a skip with the reason, except on CI (``CI`` set), where the
test fails instead.
"""
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, needed_here, notebook_paths

# Bring the loopback interface up inside the new namespace, then run the command.
WRAP = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]

PROBE = textwrap.dedent("""
    import json, socket
    outcome = {}
    for host, port in [("1.1.1.1", 443), ("8.8.8.8", 53), ("pypi.org", 443)]:
        try:
            socket.create_connection((host, port), timeout=3).close()
            outcome[host] = "connected"
        except OSError as exc:
            outcome[host] = "blocked: " + type(exc).__name__
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=3)
    client.close(); server.close()
    outcome["loopback"] = "works"
    print(json.dumps(outcome))
""")


def _unavailable(reason: str):
    needed_here(f"Cannot cut the network for this test ({reason}). It needs `unshare -n` "
                "(util-linux) and `ip` (iproute2), run as root or with user namespaces allowed.")


@pytest.fixture(scope="module")
def offline():
    """The command prefix that runs a program with no network but a working loopback."""
    if not (shutil.which("unshare") and shutil.which("ip")):
        _unavailable("unshare or ip is not installed")
    try:
        done = subprocess.run([*WRAP, "true"], capture_output=True, text=True, timeout=30)
    except OSError as exc:
        _unavailable(str(exc))
    if done.returncode != 0:
        _unavailable(done.stderr.strip() or f"exit code {done.returncode}")
    return WRAP


def test_the_namespace_really_has_no_network(offline):
    done = subprocess.run([*offline, sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    for host in ("1.1.1.1", "8.8.8.8", "pypi.org"):
        assert outcome[host].startswith("blocked"), f"{host} was reachable inside the namespace: {outcome}"
    assert outcome["loopback"] == "works"


def test_the_series_has_notebooks_to_run_offline():
    assert notebook_paths(), "no notebooks found"


# One test per notebook, so that a failure names the notebook and `make test`'s two workers can
# share the runs. This is also the suite's nbval pass over every notebook (make test runs no other).
@pytest.mark.parametrize("notebook", notebook_paths(), ids=lambda p: p.stem)
def test_every_notebook_passes_without_network(offline, tmp_path, notebook):
    home = tmp_path / "home"
    env = dict(
        os.environ, MPLBACKEND="Agg", HOME=str(home), IPYTHONDIR=str(home / "ipython"),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        MPLCONFIGDIR=str(home / "matplotlib"), IMMUNE_BALANCE_PROGRESS_DIR=str(home / "progress"),
        # any attempt to reach a package index or proxy fails fast instead of hanging
        PIP_NO_INDEX="1", HTTP_PROXY="", HTTPS_PROXY="", http_proxy="", https_proxy="",
    )
    env.pop("IMMUNE_BALANCE_RENDER", None)
    done = subprocess.run(
        [*offline, sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-cell-timeout=120",
         "-p", "no:cacheprovider", "-q", str(notebook.relative_to(ROOT))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    tail = done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0, f"{notebook.name} failed without network:\n{tail}"
    assert " passed" in done.stdout and " failed" not in done.stdout, tail
