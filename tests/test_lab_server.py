"""`make lab` really serves JupyterLab on 127.0.0.1 at JUPYTER_PORT, and refuses requests without the token."""
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.fixture
def lab_server(tmp_path):
    port = _free_port()
    env = dict(os.environ, JUPYTER_PORT=str(port), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), IPYTHONDIR=str(tmp_path / "ipython"),
               LAB_ARGS="--no-browser", BROWSER="true")
    log = open(tmp_path / "lab.log", "w+")
    proc = subprocess.Popen(["make", "--no-print-directory", "lab"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        token, deadline = None, time.time() + 90
        while time.time() < deadline and token is None:
            if proc.poll() is not None:
                break
            log.seek(0)
            m = re.search(rf"http://127\.0\.0\.1:{port}/lab[^\s]*\?token=([0-9a-f]+)", log.read())
            token = m.group(1) if m else None
            time.sleep(0.5)
        log.seek(0)
        assert token, f"make lab did not announce a tokenised URL on port {port}:\n{log.read()[-3000:]}"
        yield port, token, log
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_make_lab_serves_with_token_on_localhost(lab_server):
    port, token, _ = lab_server
    base = f"http://127.0.0.1:{port}"
    assert _get(f"{base}/api/contents?token={token}") == 200
    assert _get(f"{base}/api/contents") in (401, 403), "the REST API must refuse a request without the token"
    assert _get(f"{base}/lab?token={token}") == 200
    start = f"{base}/api/contents/notebooks/00-start-here.ipynb?content=0&token={token}"
    assert _get(start) == 200, "the start page must be served from the project root"
