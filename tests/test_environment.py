"""The learner's environment and notebook hygiene, checked on clean clones of the repository.

* The runtime pins alone (requirements-runtime.lock, what environment.yml gives Binder and
  conda users) install into a fresh virtual environment and run notebook 00 under nbval:
  the learner's environment is complete without the `test` extra. pip reuses its cache, so
  after `make setup` this needs no network; on a fresh machine it needs PyPI.
* The pre-commit configuration (a local nbstripout hook, no git host needed) passes on a
  clean clone and strips a notebook that carries outputs, execution counts and widget state.

Both work on `git clone`s, so only committed files count.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, needed_here

pytestmark = pytest.mark.environment

KERNEL = "immune-balance-runtime-only"


def _clone(tmp_path_factory, label):
    clone = tmp_path_factory.mktemp(label) / "immune-balance"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True,
                   capture_output=True, timeout=300)
    return clone


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def _run(command, **kwargs):
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    return subprocess.run([str(c) for c in command], **kwargs)


@pytest.fixture(scope="module")
def runtime_venv(tmp_path_factory):
    """A fresh venv holding requirements-runtime.lock (hash-checked) and the project, nothing else."""
    clone = _clone(tmp_path_factory, "runtime")
    venv = clone.parent / "venv"
    env = _clean_env()
    # No pip inside the new venv (saves ensurepip's time): this environment's pip installs into it.
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], env=env, timeout=300)
    assert made.returncode == 0, f"could not create a venv:\n{made.stderr[-2000:]}"
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python]
    installed = _run([*pip, "install", "--quiet", "--no-compile", "--require-hashes",
                      "-r", clone / "requirements-runtime.lock"], env=env, timeout=1200)
    if installed.returncode != 0 and ("NewConnectionError" in installed.stderr or "No matching distribution"
                                      in installed.stderr and "Could not fetch" in installed.stderr):
        needed_here("the runtime pins are neither in pip's cache nor reachable on PyPI:\n"
                    + installed.stderr[-1500:])
    assert installed.returncode == 0, f"the runtime pins do not install:\n{installed.stderr[-3000:]}"
    project = _run([*pip, "install", "--quiet", "--no-compile", "--no-deps",
                    "--no-build-isolation", "-e", clone], env=env, timeout=600)
    assert project.returncode == 0, f"the project does not install:\n{project.stderr[-3000:]}"
    kernels = clone.parent / "jupyter" / "kernels" / KERNEL
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Immune Balance (runtime pins only)", "language": "python"}))
    return clone, venv


def test_runtime_pins_install_without_the_test_or_site_tools(runtime_venv):
    _, venv = runtime_venv
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python]
    check = _run([*pip, "check"], env=_clean_env(), timeout=120)
    assert check.returncode == 0, f"the runtime set is inconsistent:\n{check.stdout}"
    listed = _run([*pip, "list", "--format=json"], env=_clean_env(), timeout=120)
    names = {p["name"].lower().replace("_", "-") for p in json.loads(listed.stdout)}
    assert {"jupyterlab", "ipywidgets", "pandas", "immune-balance"} <= names, sorted(names)
    for tool in ["pytest", "nbval", "hypothesis", "playwright", "jupyter-repo2docker", "pre-commit",
                 "nbstripout", "sphinx"]:
        assert tool not in names, f"{tool} is test or site tooling and must not be in the learner's environment"
    # Live slides and widgets in JupyterLab: their prebuilt extensions are in the environment.
    extensions = venv / "share" / "jupyter" / "labextensions"
    for extension in ["jupyterlab-slideshow", "@jupyter-widgets/jupyterlab-manager"]:
        assert (extensions / extension / "package.json").is_file(), \
            f"JupyterLab in the learner's environment lacks the {extension} extension"


def test_notebook_00_runs_in_the_runtime_only_environment(runtime_venv, tmp_path):
    """nbval (from the test environment) drives a kernel whose Python is the runtime-only venv."""
    clone, venv = runtime_venv
    env = _clean_env(JUPYTER_PATH=str(clone.parent / "jupyter"), IPYTHONDIR=str(tmp_path / "ipython"),
                     MPLCONFIGDIR=str(tmp_path / "mpl"), MPLBACKEND="Agg")
    done = _run([sys.executable, "-m", "pytest", "notebooks/00-start-here.ipynb", "--nbval-lax",
                 f"--nbval-kernel-name={KERNEL}", "--nbval-cell-timeout=120", "-p", "no:cacheprovider",
                 "-q", "-o", "addopts="], cwd=clone, env=env, timeout=900)
    assert done.returncode == 0, f"notebook 00 failed with the runtime pins only:\n{done.stdout[-4000:]}"
    assert " passed" in done.stdout and "failed" not in done.stdout


# --- pre-commit -------------------------------------------------------------------------------

def _hook_tools():
    bin_dir = Path(sys.prefix) / "bin"
    if not (bin_dir / "nbstripout").exists() or not (bin_dir / "pre-commit").exists():
        needed_here("pre-commit and nbstripout are not installed in this environment (they are in the "
                    "`test` extra): run `make setup`.")
    return bin_dir


@pytest.fixture
def hooked_clone(tmp_path_factory):
    """A clean clone whose .venv is this test environment, as after `make dev` in a fresh clone."""
    bin_dir = _hook_tools()
    clone = _clone(tmp_path_factory, "precommit")
    (clone / ".venv").symlink_to(bin_dir.parent, target_is_directory=True)
    home = clone.parent / "pre-commit-home"
    # Neither the hook nor pre-commit may need the test environment on PATH (a contributor's
    # shell is rarely activated) or the network (the hook is local).
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if Path(p).resolve() != bin_dir.resolve())
    env = _clean_env(PRE_COMMIT_HOME=str(home), PATH=path, GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="t@example.org",
                     GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="t@example.org")
    return clone, bin_dir, env


def _dirty(path):
    """Give a notebook what a run leaves behind: outputs, execution counts, saved widget state."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for n, cell in enumerate(code, 1):
        cell["execution_count"] = n
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["a result\n"]}]
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0}}
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(code)


def _assert_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in nb["metadata"], "saved widget state survived the hook"
    dirty = [c["id"] for c in nb["cells"] if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"cells {dirty} still carry outputs or execution counts"


def test_pre_commit_passes_on_a_clean_clone_and_strips_a_notebook_with_outputs(hooked_clone):
    clone, bin_dir, env = hooked_clone
    pre_commit = [bin_dir / "python", "-m", "pre_commit", "run", "--all-files"]
    first = _run(pre_commit, cwd=clone, env=env, timeout=600)
    assert first.returncode == 0 and "nbstripout" in first.stdout, \
        f"pre-commit fails on a clean clone:\n{first.stdout[-3000:]}\n{first.stderr[-2000:]}"
    notebook = clone / "notebooks" / "00-start-here.ipynb"
    committed = notebook.read_text(encoding="utf-8")
    assert _dirty(notebook) > 0
    second = _run(pre_commit, cwd=clone, env=env, timeout=600)
    assert second.returncode == 1 and "files were modified by this hook" in second.stdout, second.stdout[-3000:]
    _assert_clean(notebook)
    # Same content as committed (cell ids, slide metadata, sources); nbstripout may order keys
    # the way nbformat writes them, which the hygiene rules do not care about.
    assert json.loads(notebook.read_text(encoding="utf-8")) == json.loads(committed), \
        "the hook must give back the committed notebook: cell ids, metadata and sources kept"


def test_installed_hook_strips_outputs_before_they_are_committed(hooked_clone):
    """`make dev` runs `pre-commit install`; afterwards `git commit` itself refuses a dirty notebook."""
    clone, bin_dir, env = hooked_clone
    installed = _run([bin_dir / "pre-commit", "install"], cwd=clone, env=env, timeout=120)
    assert installed.returncode == 0, installed.stderr
    notebook = clone / "notebooks" / "01-immune-balance.ipynb"
    _dirty(notebook)
    head = _run(["git", "rev-parse", "HEAD"], cwd=clone, env=env).stdout
    commit = _run(["git", "commit", "-q", "-m", "notebook with outputs", "--", notebook.relative_to(clone)],
                  cwd=clone, env=env, timeout=600)
    assert commit.returncode != 0, "the commit of a notebook with outputs went through"
    assert "nbstripout" in commit.stdout + commit.stderr
    assert _run(["git", "rev-parse", "HEAD"], cwd=clone, env=env).stdout == head
    _assert_clean(notebook)
    committed = _run(["git", "show", f"HEAD:{notebook.relative_to(clone)}"], cwd=clone, env=env).stdout
    assert json.loads(notebook.read_text(encoding="utf-8")) == json.loads(committed)


def test_make_dev_installs_the_hook_and_the_config_is_local():
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"], \
        "hooks cloned from git hosts cannot be fetched here; keep every hook local"
    hook = config["repos"][0]["hooks"][0]
    assert hook["entry"].split()[0] == ".venv/bin/nbstripout" and "--keep-id" in hook["entry"]
    dry = _run(["make", "-n", "dev"], cwd=ROOT, timeout=60)
    assert "pre-commit install" in dry.stdout
